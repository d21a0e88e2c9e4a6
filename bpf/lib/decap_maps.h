/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Maps of the decap program; its counters are the shared lb_stats / lb_drops and decap_stats. */
#ifndef XDPLB_DECAP_MAPS_H
#define XDPLB_DECAP_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"
#include "stats_maps.h"

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

/* Tunnels stripped, per kind (enum lb_decap_kind): which balancers' encapsulation arrives. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LB_DECAP_MAX);
	__type(key, __u32);
	__type(value, struct lb_counter);
} decap_stats SEC(".maps");

#endif /* XDPLB_DECAP_MAPS_H */
