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


/* What the filter said before parsing. */
enum lb_early_filter {
	LB_EARLY_UNKNOWN = 0, /* filter off, or a tagged or short frame: the full path decides */
	LB_EARLY_PASS,	      /* not IP, or the destination's bit is clear: surely no VIP */
	LB_EARLY_MAYBE,	      /* the bit is set: the lookups decide, no need to filter again */
};

/* Whether the agent has switched the filter on (bit 0 of word 0). */
static __always_inline bool lb_vip_filter_on(void)
{
	__u32 word = 0;
	__u64 *w = bpf_map_lookup_elem(&lb_vip_filter, &word);

	return w && (*w & (1ULL << LB_VIP_FILTER_ON_BIT));
}

/* False when the filter is on and the destination's bit is clear: surely no VIP. */
static __always_inline bool lb_vip_filter_pass(const struct lb_flow_key *flow)
{
	__u32 word, bit;
	__u64 *w;

	if (!lb_vip_filter_on())
		return true;
	bit = lb_vip_filter_bit(flow->dst, flow->family);
	word = bit / 64;
	w = bpf_map_lookup_elem(&lb_vip_filter, &word);
	return !w || (*w & (1ULL << (bit % 64)));
}

/*
 * The filter, before any parsing, on the destination of an untagged
 * IPv4/IPv6 frame: the bulk of the traffic, no VIP's, then passes without
 * the parser's call. A set bit sends the packet to the lookups whether the
 * filter is on or not, so a VIP's packet reads one word of it, not two.
 */
static __always_inline enum lb_early_filter lb_vip_filter_early(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 fold, word, bit;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	struct iphdr *ip;
	__u8 family;
	__u64 *w;

	if ((void *)(eth + 1) > data_end)
		return LB_EARLY_UNKNOWN;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end)
			return LB_EARLY_UNKNOWN;
		fold = ip->daddr;
		family = LB_AF_INET;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return LB_EARLY_UNKNOWN;
		fold = ip6->daddr.in6_u.u6_addr32[0] ^ ip6->daddr.in6_u.u6_addr32[1] ^
		       ip6->daddr.in6_u.u6_addr32[2] ^ ip6->daddr.in6_u.u6_addr32[3];
		family = LB_AF_INET6;
	} else {
		if (eth->h_proto == bpf_htons(ETH_P_8021Q) ||
		    eth->h_proto == bpf_htons(ETH_P_8021AD))
			return LB_EARLY_UNKNOWN;
		return lb_vip_filter_on() ? LB_EARLY_PASS : LB_EARLY_UNKNOWN;
	}
	bit = lb_vip_filter_bit_folded(fold, family);
	word = bit / 64;
	w = bpf_map_lookup_elem(&lb_vip_filter, &word);
	if (!w)
		return LB_EARLY_UNKNOWN;
	if (*w & (1ULL << (bit % 64)))
		return LB_EARLY_MAYBE;
	return lb_vip_filter_on() ? LB_EARLY_PASS : LB_EARLY_UNKNOWN;
}

static __always_inline const struct lb_settings *lb_settings_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&lb_settings, &zero);
}

#endif /* XDPLB_LIB_VIP_H */
