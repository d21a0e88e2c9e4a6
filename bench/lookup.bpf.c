// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Yardsticks for reading bench_xdp: the floor plus one thing xdp_lb does, to
 * see what each piece of its path costs on the machine at hand. A packet to
 * no VIP is two missed lb_vips lookups; a conntrack hit is, among the rest,
 * one LRU lookup with a 40-byte key, a clock read and an adjust_head.
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

/* Sized like lb_conntrack's default; bench_xdp writes the one entry xdp_lookup_ct finds. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LB_CT_SIZE);
	__type(key, struct lb_flow_key);
	__type(value, struct lb_conn);
} lookup_ct SEC(".maps");

/* One missed lookup of an lb_vip_key. */
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

/* An IPv4 TCP flow to port 80, as lookup_ct holds them. */
static __always_inline struct lb_flow_key lookup_ct_key(__u32 src, __u16 sport)
{
	struct lb_flow_key key = {};

	key.src[0] = src;
	key.sport = sport;
	key.dport = 80;
	key.proto = 6;
	key.family = LB_AF_INET;
	return key;
}

/* One hit in an LRU map of lb_flow_key, as a conntrack hit reads it. */
SEC("xdp")
int xdp_lookup_ct(struct xdp_md *ctx)
{
	struct lb_flow_key key = lookup_ct_key(ctx->data_end - ctx->data, 40000);

	if (!bpf_map_lookup_elem(&lookup_ct, &key))
		return XDP_DROP;
	return XDP_PASS;
}

/*
 * One missed lookup in the same million-entry LRU map, keyed by the packet's
 * client address and port: with a fresh flow every run (as the new-flow cases
 * send) its bucket is a random one of a million, as a new flow's miss in
 * lb_conntrack is, so this prices the memory a new flow cannot avoid.
 */
SEC("xdp")
int xdp_lookup_ct_miss(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct lb_flow_key key;
	__u8 *p = data;
	__u32 src;
	__u16 sport;

	/* Ethernet, an IPv4 header without options, then the TCP ports: the bench's packet. */
	if ((void *)(p + 14 + 20 + 4) > data_end)
		return XDP_DROP;
	__builtin_memcpy(&src, p + 14 + 12, 4);
	__builtin_memcpy(&sport, p + 14 + 20, 2);
	key = lookup_ct_key(src, sport);
	if (bpf_map_lookup_elem(&lookup_ct, &key))
		return XDP_DROP;
	return XDP_PASS;
}

/* One bpf_ktime_get_ns(), as a conntrack hit stamps last_seen_ns. */
SEC("xdp")
int xdp_ktime(struct xdp_md *ctx)
{
	return bpf_ktime_get_ns() ? XDP_PASS : XDP_DROP;
}

/* Its coarse twin (the last tick's time): enough for idle timeouts, far cheaper on some clocks. */
SEC("xdp")
int xdp_ktime_coarse(struct xdp_md *ctx)
{
	return bpf_ktime_get_coarse_ns() ? XDP_PASS : XDP_DROP;
}

/* Room for an outer IPv4 header, the Ethernet header written again in front of it. */
SEC("xdp")
int xdp_adjust(struct xdp_md *ctx)
{
	void *data, *data_end;
	__u8 *p;
	int i;

	if (bpf_xdp_adjust_head(ctx, -(int)LB_IP4_HDR_LEN))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	p = data;
	if ((void *)(p + 14 + LB_IP4_HDR_LEN) > data_end)
		return XDP_DROP;
	for (i = 0; i < 14; i++)
		p[i] = p[i + LB_IP4_HDR_LEN];
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
