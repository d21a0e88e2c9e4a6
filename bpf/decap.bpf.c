// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Backend side of xdplb: strips the IPIP / 6in4 / 4in6 / 6in6 / GUE tunnel
 * that lb.bpf.c puts around client packets, so the kernel sees the client's
 * packet to the VIP (held on lo) without ipip or fou modules.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"
#include "lib/decap_maps.h"
#include "lib/decap_parse.h"
#include "lib/decap_sc.h"

/* Ethernet header plus one VLAN tag: what moves forward over the stripped headers. */
#define DECAP_L2_MAX (ETH_HLEN + 4)

/* Which tunnel this was, from the outer EtherType and what the outer header said it carries. */
static __always_inline __u32 decap_kind(__be16 l3_proto, const struct decap_tunnel *t)
{
	if (!t->inner_version || t->sc_off)
		return LB_DECAP_GUE;
	if (l3_proto == bpf_htons(ETH_P_IP))
		return t->inner_version == 4 ? LB_DECAP_IPIP : LB_DECAP_IP6_IN_IP4;
	return t->inner_version == 4 ? LB_DECAP_IP4_IN_IP6 : LB_DECAP_IP6IP6;
}

SEC("xdp")
int xdp_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	struct decap_tunnel t = {};
	__u8 l2[DECAP_L2_MAX];
	__be16 l3_proto, inner_proto;
	int is_tunnel = 0;

	l3_proto = decap_parse_eth(data, data_end, &t.l3_off);
	if (l3_proto == bpf_htons(ETH_P_IP))
		is_tunnel = decap_parse_outer4(data, data_end, &t);
	else if (l3_proto == bpf_htons(ETH_P_IPV6))
		is_tunnel = decap_parse_outer6(data, data_end, &t);
	if (!is_tunnel)
		return lb_pass(bytes);

	inner_proto = decap_check_inner(data, data_end, &t);
	if (!inner_proto)
		return lb_drop(LB_DROP_DECAP_MALFORMED, bytes);
	if (t.sc_off) {
		int verdict = decap_sc(ctx, &t, bytes);

		if (verdict != DECAP_SC_LOCAL)
			return verdict;
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
	}

	/*
	 * Save the L2 header before moving the head: afterwards its old bytes
	 * are outside the packet. A checked IPv4 header is at least 20 bytes,
	 * so the 18 bytes read here are inside the frame.
	 */
	if (data + DECAP_L2_MAX > data_end)
		return lb_pass(bytes);
	__builtin_memcpy(l2, data, DECAP_L2_MAX);
	if (bpf_xdp_adjust_head(ctx, t.hdr_len))
		return lb_drop(LB_DROP_ADJUST_FAILED, bytes);

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (t.l3_off == ETH_HLEN) {
		if (data + ETH_HLEN > data_end)
			return lb_drop(LB_DROP_ADJUST_FAILED, bytes);
		__builtin_memcpy(data, l2, ETH_HLEN);
		((struct ethhdr *)data)->h_proto = inner_proto;
	} else {
		if (data + DECAP_L2_MAX > data_end)
			return lb_drop(LB_DROP_ADJUST_FAILED, bytes);
		__builtin_memcpy(data, l2, DECAP_L2_MAX);
		((struct decap_vlan_hdr *)(data + ETH_HLEN))->proto = inner_proto;
	}
	lb_stat_add(LB_STAT_DECAP, bytes);
	lb_counter_add(&decap_stats, decap_kind(l3_proto, &t), bytes);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
