/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* lb_ct_new, the data plane's table of flows seen once, read from user space. */
#ifndef XDPLB_CT_SEEN_H
#define XDPLB_CT_SEEN_H

#include <stdint.h>

#include "lb_common.h"

/* Slots that hold a flow (estimated from a sample past 65536 slots), or -errno. */
int ct_seen_count(int fd);

/* The slot of the flow whose key and flow hash (lb_hash_flow) these are: 0, or -ENOENT. */
int ct_seen_find(int fd, const struct lb_flow_key *key, uint32_t hash, struct lb_ct_seen *out);

#endif /* XDPLB_CT_SEEN_H */
