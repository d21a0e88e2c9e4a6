/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU counters per VIP and per backend; events and drops are in stats_maps.h. */
#ifndef XDPLB_LIB_STATS_H
#define XDPLB_LIB_STATS_H

#include "maps.h"

static __always_inline struct lb_vip_stats *lb_vip_stats_get(__u32 vip_index)
{
	return bpf_map_lookup_elem(&lb_vip_stats, &vip_index);
}

/*
 * A packet handed to a backend: counted on the VIP and on the backend. vs and
 * bs are the counters when the caller already holds them, else NULL.
 */
static __always_inline void lb_stats_forwarded(struct lb_vip_stats *vs,
					       struct lb_backend_stats *bs, __u32 vip_index,
					       __u32 be_index, __u64 bytes, __u32 stat)
{
	if (!vs)
		vs = lb_vip_stats_get(vip_index);
	if (vs) {
		vs->packets++;
		vs->bytes += bytes;
	}
	if (!bs)
		bs = bpf_map_lookup_elem(&lb_backend_stats, &be_index);
	if (bs) {
		bs->packets++;
		bs->bytes += bytes;
	}
	lb_stat_add(stat, bytes);
}

#endif /* XDPLB_LIB_STATS_H */
