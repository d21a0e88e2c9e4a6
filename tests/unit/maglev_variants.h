/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* agent/dataplane/maglev.c built again with one fill phase only: references for test_maglev.c. */
#ifndef XDPLB_TEST_MAGLEV_VARIANTS_H
#define XDPLB_TEST_MAGLEV_VARIANTS_H

#include "dataplane/maglev.h"

/* Walks the permutations over the bitmap up to the last slot (the paper's loop). */
int maglev_build_walk_only(const struct maglev_backend *backends, size_t n, uint32_t m,
			   uint32_t *table);
/* Finds every slot with the inverse-skip search, from the first. */
int maglev_build_search_only(const struct maglev_backend *backends, size_t n, uint32_t m,
			     uint32_t *table);

#endif /* XDPLB_TEST_MAGLEV_VARIANTS_H */
