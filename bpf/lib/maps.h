/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Every map of the load balancer, named and sized as in docs/DATAPLANE.md. */
#ifndef XDPLB_LIB_MAPS_H
#define XDPLB_LIB_MAPS_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"
#include "lb_filter.h"
#include "stats_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, struct lb_vip_key);
	__type(value, struct lb_vip_info);
} lb_vips SEC(".maps");

/* Optional pre-filter on destination addresses: see lb_filter.h. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_VIP_FILTER_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} lb_vip_filter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct lb_backend);
} lb_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, struct lb_backend_key);
	__type(value, __u32);
} lb_backend_ids SEC(".maps");

/*
 * Template of one VIP's Maglev table. BPF_F_INNER_MAP lets the agent insert
 * arrays of any size (they must carry the flag too); the verifier then
 * cannot bound the index, so every lookup goes through the helper.
 * BPF_F_MMAPABLE (LB_MAGLEV_TABLE_FLAGS): the agent writes a 65537-slot table
 * in about 0.1 ms instead of 10 or more, which 1000 VIPs rebuilt at once multiply.
 */
struct lb_maglev_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_MAGLEV_DEFAULT_SIZE);
	__uint(map_flags, LB_MAGLEV_TABLE_FLAGS);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__array(values, struct lb_maglev_table);
} lb_maglev SEC(".maps");

/*
 * Second chance (docs/SECOND_CHANCE.md): per VIP, the backend index each
 * slot held before the last change that moved it, LB_NO_BACKEND if none. No
 * table for a VIP whose slots never moved. The agent's own, like lb_maglev.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__array(values, struct lb_maglev_table);
} lb_maglev_prev SEC(".maps");

/*
 * The agent's, never read here: runtime weights from lbctl, pinned with the
 * data plane so that an agent restart keeps them as it keeps drains.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, struct lb_weight_key);
	__type(value, __u32);
} lb_weight_overrides SEC(".maps");

/* One map for all CPUs: ECMP or RSS may move a flow between CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_CT_SIZE);
	__type(key, struct lb_flow_key);
	__type(value, struct lb_conn);
} lb_conntrack SEC(".maps");

#ifndef LB_CT_NEW_SIZE
#define LB_CT_NEW_SIZE (LB_CT_SIZE / 8)
#endif
_Static_assert((LB_CT_NEW_SIZE & (LB_CT_NEW_SIZE - 1)) == 0, "lb_ct_new slots: a power of two");

/* lb_ct_new slots - 1; a loader that resizes the map sets it too (a power of two). */
const volatile __u32 lb_ct_new_mask = LB_CT_NEW_SIZE - 1;

/*
 * Flows seen once (docs/DATAPLANE.md, "Admission"): a first packet writes its
 * flow into the slot its hash names, and only the flow's second packet moves it
 * to lb_conntrack. Spoofed SYNs, which never have a second packet, overwrite
 * slots of this table only. An array, not an LRU hash: a first packet costs
 * one line written, not an LRU pop and a hash insert. Mmapable: the values
 * start on a page, so every slot is exactly one cache line.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LB_CT_NEW_SIZE);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct lb_ct_seen);
} lb_ct_new SEC(".maps");

/*
 * One CPU's copy of an established flow's forwarding decision, in front of
 * lb_vips and lb_conntrack (docs/DATAPLANE.md, "Flow cache"): valid while gen
 * equals lb_generation[0] and the backend at be_index still has be_addr.
 */
struct lb_flow_cache_entry {
	struct lb_flow_key key; /* the packet's own tuple */
	struct lb_vip_info vip; /* the VIP's entry when cached */
	__u32 be_addr[4];	/* the backend's address when cached */
	__u32 be_index;
	__u32 hash;	   /* lb_hash_flow() of key: what the encapsulation needs of it */
	__u32 outer_hash;  /* lb_hash_outer(hash) */
	__u32 gen;	   /* lb_generation[0] when cached; 0 never matches */
	__u32 pending;	   /* packets served here since the last conntrack visit */
	__u64 visited_jiffies; /* bpf_jiffies64() of that visit (the verifier inlines it) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_FLOW_CACHE_SLOTS);
	__type(key, __u32);
	__type(value, struct lb_flow_cache_entry);
} lb_flow_cache SEC(".maps");

/* Per CPU: the tag of the flow each lb_flow_cache slot holds, 0 if none (see lb_fc_entry). */
struct lb_flow_cache_tags {
	__u16 tag[LB_FLOW_CACHE_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_flow_cache_tags);
} lb_flow_cache_tags SEC(".maps");

/* Bumped by the agent after every change of VIPs or settings: empties every flow cache. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} lb_generation SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LB_EVENTS_SIZE);
} lb_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_settings);
} lb_settings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, __u32);
	__type(value, struct lb_vip_stats);
} lb_vip_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct lb_backend_stats);
} lb_backend_stats SEC(".maps");

#endif /* XDPLB_LIB_MAPS_H */
