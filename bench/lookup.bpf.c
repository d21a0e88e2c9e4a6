// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A yardstick for reading bench_xdp: the floor plus one missed lookup in a
 * hash map keyed like lb_vips. What xdp_lb does for a packet to no VIP is
 * two such lookups (the port, then the wildcard) and a per-CPU counter.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LB_MAX_VIPS);
	__type(key, struct lb_vip_key);
	__type(value, struct lb_vip_info);
} lookup_vips SEC(".maps");

SEC("xdp")
int xdp_lookup(struct xdp_md *ctx)
{
	struct lb_vip_key key = {};

	/* the frame's length varies the key, so the lookup cannot be folded away */
	key.addr[0] = ctx->data_end - ctx->data;
	key.port = 80;
	key.proto = 6;
	key.family = LB_AF_INET;
	if (bpf_map_lookup_elem(&lookup_vips, &key))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
