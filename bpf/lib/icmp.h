/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* ICMP for VIP addresses: echo replies, too-big answers, the flow an ICMP error quotes. */
#ifndef XDPLB_LIB_ICMP_H
#define XDPLB_LIB_ICMP_H

#include "csum.h"

#define LB_ICMP_QUOTE_MAX 128 /* bytes of the original packet in a too-big answer */
#define LB_ICMP_TTL	  64

enum lb_icmp_kind {
	LB_ICMP_OTHER = 0, /* handed to the kernel */
	LB_ICMP_ECHO,	   /* answered here */
	LB_ICMP_ERROR,	   /* about a flow: goes to that flow's backend */
};

static __always_inline enum lb_icmp_kind lb_icmp_classify(const struct lb_pkt *pkt)
{
	__u8 t = pkt->icmp_type;

	if (pkt->flow.family == LB_AF_INET) {
		if (t == ICMP_ECHO)
			return LB_ICMP_ECHO;
		if (t == ICMP_DEST_UNREACH || t == ICMP_TIME_EXCEEDED || t == ICMP_PARAMETERPROB)
			return LB_ICMP_ERROR;
		return LB_ICMP_OTHER;
	}
	if (t == ICMPV6_ECHO_REQUEST)
		return LB_ICMP_ECHO;
	if (t >= ICMPV6_DEST_UNREACH && t <= ICMPV6_PARAMPROB)
		return LB_ICMP_ERROR;
	return LB_ICMP_OTHER;
}

static __always_inline void lb_eth_swap(struct ethhdr *eth)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
}

/* Turns an echo request into its reply in place; returns 0 or the drop reason. */
static __always_inline int lb_icmp_echo_reply(struct xdp_md *ctx, const struct lb_pkt *pkt)
{
	__u32 l3 = pkt->l3_off, l4 = pkt->l4_off, addr[4];
	void *data_end, *data;
	struct ipv6hdr *ip6;
	struct iphdr *ip;
	__u16 old, *icmp;

	if (lb_frame_trim(ctx, l3 + pkt->l3_len))
		return LB_DROP_ADJUST_FAILED;
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	if (data + ETH_HLEN > data_end || l4 > LB_PKT_MAX_OFF || l3 > ETH_HLEN + LB_VLAN_HLEN)
		return LB_DROP_ADJUST_FAILED;
	lb_eth_swap(data);
	icmp = lb_pkt_at(data, l4);
	if ((void *)(icmp + 2) > data_end)
		return LB_DROP_ICMP_MALFORMED;
	old = icmp[0];
	if (pkt->flow.family == LB_AF_INET) {
		ip = lb_pkt_at(data, l3);
		if ((void *)(ip + 1) > data_end)
			return LB_DROP_IP4_MALFORMED;
		addr[0] = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = addr[0];
		lb_csum_replace16(&ip->check, *(__u16 *)&ip->ttl,
				  bpf_htons(LB_ICMP_TTL << 8 | ip->protocol));
		ip->ttl = LB_ICMP_TTL;
		((__u8 *)icmp)[0] = ICMP_ECHOREPLY;
	} else {
		ip6 = lb_pkt_at(data, l3);
		if ((void *)(ip6 + 1) > data_end)
			return LB_DROP_IP6_MALFORMED;
		__builtin_memcpy(addr, &ip6->saddr, 16);
		__builtin_memcpy(&ip6->saddr, &ip6->daddr, 16);
		__builtin_memcpy(&ip6->daddr, addr, 16);
		ip6->hop_limit = LB_ICMP_TTL;
		((__u8 *)icmp)[0] = ICMPV6_ECHO_REPLY;
	}
	/* Swapped addresses leave the ICMPv6 pseudo-header sum as it was. */
	lb_csum_replace16(&icmp[1], old, icmp[0]);
	return 0;
}

/*
 * Answers a packet too big for the tunnel: ICMP "fragmentation needed" or
 * ICMPv6 "packet too big" from the VIP to the client quoting the first
 * LB_ICMP_QUOTE_MAX bytes of the packet. Returns 0 or the drop reason.
 */
static __always_inline int lb_icmp_too_big(struct xdp_md *ctx, const struct lb_pkt *pkt, __u32 mtu)
{
	bool v4 = pkt->flow.family == LB_AF_INET;
	__u32 l2 = pkt->l3_off, quote = pkt->l3_len, hdr, q_off, addr[8];
	struct ipv6hdr *ip6, *q6;
	struct iphdr *ip, *q4, oh;
	void *data_end, *data;
	struct ethhdr *eth, *old;
	__u16 ih[4];
	__u64 sum;

	if (quote > LB_ICMP_QUOTE_MAX)
		quote = LB_ICMP_QUOTE_MAX;
	hdr = (v4 ? sizeof(*ip) : sizeof(*ip6)) + 8;
	if (l2 > ETH_HLEN + LB_VLAN_HLEN)
		return LB_DROP_ADJUST_FAILED;
	q_off = l2 + hdr;
	if (bpf_xdp_adjust_head(ctx, -(int)hdr) || lb_frame_trim(ctx, q_off + quote))
		return LB_DROP_ADJUST_FAILED;
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	eth = data;
	old = data + hdr;
	if ((void *)(old + 1) + LB_VLAN_HLEN > data_end || l2 > ETH_HLEN + LB_VLAN_HLEN)
		return LB_DROP_ADJUST_FAILED;
	/*
	 * The new headers overlap the old Ethernet header: take it first. Six
	 * bytes from the EtherType cover a VLAN tag and the EtherType after it;
	 * without a tag the IP header written next covers the extra bytes.
	 */
	__builtin_memcpy(eth->h_dest, old->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, old->h_dest, ETH_ALEN);
	__builtin_memcpy(&eth->h_proto, &old->h_proto, LB_VLAN_HLEN + 2);

	/* Headers are built aside and summed there, then copied in. */
	__builtin_memset(ih, 0, sizeof(ih));
	if (v4) {
		ip = lb_pkt_at(data, l2);
		q4 = lb_pkt_at(data, q_off);
		if ((void *)(q4 + 1) > data_end || (void *)(ip + 1) + 8 > data_end)
			return LB_DROP_ADJUST_FAILED;
		__builtin_memset(&oh, 0, sizeof(oh));
		oh.version = 4;
		oh.ihl = 5;
		oh.tot_len = bpf_htons(hdr + quote);
		oh.ttl = LB_ICMP_TTL;
		oh.protocol = IPPROTO_ICMP;
		oh.saddr = q4->daddr;
		oh.daddr = q4->saddr;
		oh.check = lb4_csum_header(&oh);
		ih[0] = ICMP_DEST_UNREACH | ICMP_FRAG_NEEDED << 8;
		ih[3] = bpf_htons(mtu);
		sum = lb_csum_words(ih, 4) + lb_csum_region(ctx, q_off, quote);
		ih[1] = ~lb_csum_fold(sum);
		__builtin_memcpy(ip, &oh, sizeof(oh));
		__builtin_memcpy(ip + 1, ih, sizeof(ih));
		return 0;
	}
	ip6 = lb_pkt_at(data, l2);
	q6 = lb_pkt_at(data, q_off);
	if ((void *)(q6 + 1) > data_end || (void *)(ip6 + 1) + 8 > data_end)
		return LB_DROP_ADJUST_FAILED;
	__builtin_memcpy(addr, &q6->daddr, 16);
	__builtin_memcpy(addr + 4, &q6->saddr, 16);
	ih[0] = ICMPV6_PKT_TOOBIG;
	*(__be32 *)&ih[2] = bpf_htonl(mtu);
	sum = lb_csum_words(addr, 16) + bpf_htons(IPPROTO_ICMPV6) + bpf_htons(8 + quote);
	sum += lb_csum_words(ih, 4) + lb_csum_region(ctx, q_off, quote);
	ih[1] = ~lb_csum_fold(sum);
	*(__be32 *)ip6 = bpf_htonl(0x60000000);
	ip6->payload_len = bpf_htons(8 + quote);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = LB_ICMP_TTL;
	__builtin_memcpy(&ip6->saddr, addr, sizeof(addr));
	__builtin_memcpy(ip6 + 1, ih, sizeof(ih));
	return 0;
}

/*
 * The flow an ICMP error is about, as the client sent it: the quote is the
 * backend's reply (VIP to client), so addresses and ports are swapped back.
 * Returns 0 or the drop reason.
 *
 * A global function, verified once on its own: the quote's shapes (family,
 * options, extension chain) would otherwise multiply the verifier's walk of
 * the rest of the program.
 */
__attribute__((noinline)) int lb_icmp_quoted_flow(struct xdp_md *ctx, const struct lb_pkt *pkt,
						  struct lb_flow_key *flow)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 off, l3_end;
	struct lb_ip6_chain chain = {};
	bool ports = true;
	struct ipv6hdr *q6;
	struct iphdr *q4;
	__be16 *l4;

	if (!pkt || !flow) /* the verifier's contract for a global function's pointers */
		return LB_DROP_ICMP_MALFORMED;
	off = pkt->l4_off + 8;
	l3_end = pkt->l3_off + pkt->l3_len;
	if (off > LB_PKT_MAX_OFF)
		return LB_DROP_ICMP_MALFORMED;
	flow->family = pkt->flow.family;
	if (pkt->flow.family == LB_AF_INET) {
		q4 = lb_pkt_at(data, off);
		if ((void *)(q4 + 1) > data_end)
			return LB_DROP_ICMP_MALFORMED;
		if (off + sizeof(*q4) > l3_end || q4->version != 4 || q4->ihl < 5)
			return LB_DROP_ICMP_MALFORMED;
		flow->proto = q4->protocol;
		flow->src[0] = q4->daddr;
		flow->dst[0] = q4->saddr;
		ports = !(q4->frag_off & bpf_htons(LB_IP4_OFFSET));
		off += q4->ihl * 4;
	} else {
		q6 = lb_pkt_at(data, off);
		if ((void *)(q6 + 1) > data_end)
			return LB_DROP_ICMP_MALFORMED;
		if (off + sizeof(*q6) > l3_end || q6->version != 6)
			return LB_DROP_ICMP_MALFORMED;
		__builtin_memcpy(flow->src, &q6->daddr, 16);
		__builtin_memcpy(flow->dst, &q6->saddr, 16);
		/* Extension headers as a packet of the flow would carry them. */
		chain.off = off + sizeof(*q6);
		chain.end = l3_end;
		chain.nh = q6->nexthdr;
		if (lb6_walk_ext(ctx, &chain))
			return LB_DROP_ICMP_MALFORMED;
		flow->proto = chain.nh;
		ports = !(chain.flags & LB_PKT_F_NO_L4);
		off = chain.off;
	}
	if (off > LB_PKT_MAX_OFF || off + 8 > l3_end)
		return LB_DROP_ICMP_MALFORMED;
	l4 = lb_pkt_at(data, off);
	if ((void *)(l4 + 4) > data_end)
		return LB_DROP_ICMP_MALFORMED;
	if (ports) {
		flow->sport = l4[1];
		flow->dport = l4[0];
	}
	return 0;
}

#endif /* XDPLB_LIB_ICMP_H */
