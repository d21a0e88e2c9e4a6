// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* agent/dataplane/maglev.c with the search from the first slot: the walk never runs. */
#define MAGLEV_TAIL(m) (m)
#define maglev_build maglev_build_search_only
#define maglev_is_prime maglev_is_prime_search_only
#include "dataplane/maglev.c"
