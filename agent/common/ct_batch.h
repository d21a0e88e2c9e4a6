/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* lb_conntrack read a batch at a time: conntrack.list, the metrics, a sync dump. */
#ifndef XDPLB_CT_BATCH_H
#define XDPLB_CT_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "lb_common.h"

/* A walk over lb_conntrack a batch at a time: one syscall per CT_BATCH entries, not two each. */
#define CT_BATCH 256

struct ct_batch {
	int fd;
	bool started, done;
	struct lb_flow_key token[2]; /* in/out batch positions (a bucket index) */
	struct lb_flow_key keys[CT_BATCH];
	struct lb_conn vals[CT_BATCH];
	uint32_t n; /* entries in keys/vals from the last ct_batch_next */
};

void ct_batch_init(struct ct_batch *b, int conntrack_fd);
/* The next entries into keys/vals[0..n); done is set at the end. 0 or -errno. */
int ct_batch_next(struct ct_batch *b);

#endif /* XDPLB_CT_BATCH_H */
