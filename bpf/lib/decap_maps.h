/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Maps of the decap program and its counters (own copies of lb_stats / lb_drops). */
#ifndef XDPLB_DECAP_MAPS_H
#define XDPLB_DECAP_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"

#ifndef DECAP_MAX_ADDRS
#define DECAP_MAX_ADDRS 64 /* tunnel addresses of one backend host */
#endif

/* The host's tunnel endpoint addresses; the value is unused (presence is what counts). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DECAP_MAX_ADDRS);
	__type(key, struct lb_backend_key);
	__type(value, __u8);
} decap_addrs SEC(".maps");

/* GUE destination port, network order; 0 = GUE off. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u16);
} decap_settings SEC(".maps");

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

static __always_inline void decap_count(void *map, __u32 index, __u64 bytes)
{
	struct lb_counter *c = bpf_map_lookup_elem(map, &index);

	/* Per-CPU values: no other writer, plain adds are exact. */
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int decap_pass(__u64 bytes)
{
	decap_count(&lb_stats, LB_STAT_PASS, bytes);
	return XDP_PASS;
}

static __always_inline int decap_drop(__u32 reason, __u64 bytes)
{
	decap_count(&lb_drops, reason, bytes);
	return XDP_DROP;
}

#endif /* XDPLB_DECAP_MAPS_H */
