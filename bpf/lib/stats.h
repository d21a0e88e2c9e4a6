/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU counters: events, drops by stable reason, per VIP and per backend. */
#ifndef XDPLB_LIB_STATS_H
#define XDPLB_LIB_STATS_H

#include "maps.h"

static __always_inline void lb_counter_add(void *map, __u32 index, __u64 bytes)
{
	struct lb_counter *c = bpf_map_lookup_elem(map, &index);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void lb_stat_add(__u32 index, __u64 bytes)
{
	lb_counter_add(&lb_stats, index, bytes);
}

/* Counts the drop under its reason; returns the verdict so callers can `return lb_drop(..)`. */
static __always_inline int lb_drop(__u32 reason, __u64 bytes)
{
	lb_counter_add(&lb_drops, reason, bytes);
	return XDP_DROP;
}

static __always_inline int lb_pass(__u64 bytes)
{
	lb_stat_add(LB_STAT_PASS, bytes);
	return XDP_PASS;
}

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
