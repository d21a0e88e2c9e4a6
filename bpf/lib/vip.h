/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Is a packet for a VIP: the address filter, the port then wildcard lookup; node settings. */
#ifndef XDPLB_LIB_VIP_H
#define XDPLB_LIB_VIP_H

#include "lb_filter.h"
#include "maps.h"
#include "parse.h"

static __always_inline const struct lb_vip_info *lb_vip_lookup(const struct lb_flow_key *flow,
							       __be16 port)
{
	struct lb_vip_key key = {
	    .port = port,
	    .proto = flow->proto,
	    .family = flow->family,
	};
	const struct lb_vip_info *vip;

	__builtin_memcpy(key.addr, flow->dst, sizeof(key.addr));
	vip = bpf_map_lookup_elem(&lb_vips, &key);
	if (vip || !port)
		return vip;
	key.port = 0;
	return bpf_map_lookup_elem(&lb_vips, &key);
}

/* False when the filter is on and the destination's bit is clear: surely no VIP. */
static __always_inline bool lb_vip_filter_pass(const struct lb_flow_key *flow)
{
	__u32 word = 0, bit;
	__u64 *w;

	w = bpf_map_lookup_elem(&lb_vip_filter, &word);
	if (!w || !(*w & (1ULL << LB_VIP_FILTER_ON_BIT)))
		return true;
	bit = lb_vip_filter_bit(flow->dst, flow->family);
	word = bit / 64;
	w = bpf_map_lookup_elem(&lb_vip_filter, &word);
	return !w || (*w & (1ULL << (bit % 64)));
}

/*
 * The filter again, before any parsing, on the destination of an untagged
 * IPv4/IPv6 frame: the bulk of the traffic, no VIP's, then passes without
 * the parser's call. True: pass (not IP, or the bit is clear). Tagged or
 * short frames, or the filter off: false, the full path decides.
 */
static __always_inline bool lb_vip_filter_early_pass(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 addr[4] = {}, word = 0, bit;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	struct iphdr *ip;
	__u8 family;
	__u64 *w;

	w = bpf_map_lookup_elem(&lb_vip_filter, &word);
	if (!w || !(*w & (1ULL << LB_VIP_FILTER_ON_BIT)) || (void *)(eth + 1) > data_end)
		return false;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end)
			return false;
		addr[0] = ip->daddr;
		family = LB_AF_INET;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return false;
		__builtin_memcpy(addr, &ip6->daddr, sizeof(addr));
		family = LB_AF_INET6;
	} else {
		return eth->h_proto != bpf_htons(ETH_P_8021Q) &&
		       eth->h_proto != bpf_htons(ETH_P_8021AD);
	}
	bit = lb_vip_filter_bit(addr, family);
	word = bit / 64;
	w = bpf_map_lookup_elem(&lb_vip_filter, &word);
	return w && !(*w & (1ULL << (bit % 64)));
}

static __always_inline const struct lb_settings *lb_settings_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lb_settings, &zero);
}

#endif /* XDPLB_LIB_VIP_H */
