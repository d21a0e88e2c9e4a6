/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Second chance's counters, one map for lb.bpf.c and decap.bpf.c (docs/SECOND_CHANCE.md). */
#ifndef XDPLB_LIB_SC_MAPS_H
#define XDPLB_LIB_SC_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"
#include "stats_maps.h"

/* Per CPU, by enum lb_sc_outcome. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_SC_MAX);
	__type(key, __u32);
	__type(value, struct lb_counter);
} lb_sc_stats SEC(".maps");

static __always_inline void lb_sc_count(__u32 outcome, __u64 bytes)
{
	lb_counter_add(&lb_sc_stats, outcome, bytes);
}

#endif /* XDPLB_LIB_SC_MAPS_H */
