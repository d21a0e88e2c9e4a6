/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The global counters, lb_stats and lb_drops, and their verbs: one definition
 * for lb.bpf.c and decap.bpf.c, so the agent reads the same maps from either.
 */
#ifndef XDPLB_LIB_STATS_MAPS_H
#define XDPLB_LIB_STATS_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_STAT_MAX);
	__type(key, __u32);
	__type(value, struct lb_counter);
} lb_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_DROP_MAX);
	__type(key, __u32);
	__type(value, struct lb_counter);
} lb_drops SEC(".maps");

static __always_inline void lb_counter_add(void *map, __u32 index, __u64 bytes)
{
	struct lb_counter *c = bpf_map_lookup_elem(map, &index);

	/* Per-CPU values: no other writer, plain adds are exact. */
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

#endif /* XDPLB_LIB_STATS_MAPS_H */
