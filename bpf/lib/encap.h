/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Encapsulation toward a backend: IPIP (4in4, 6in4, 6in6, 4in6) or GUE over IPv4/IPv6. */
#ifndef XDPLB_LIB_ENCAP_H
#define XDPLB_LIB_ENCAP_H

#include "csum.h"
#include "lb_hash.h"

/*
 * A MAC address as one 32-bit and one 16-bit word: struct ethhdr is packed,
 * so a memcpy goes byte by byte (x86 takes unaligned words at full speed).
 */
static __always_inline void lb_mac_copy(void *dst, const void *src)
{
	*(__u32 *)dst = *(const __u32 *)src;
	*(__u16 *)(dst + 4) = *(const __u16 *)(src + 4);
}

/* Bytes the outer headers add in front of the inner IP packet. */
static __always_inline __u32 lb_encap_overhead(const struct lb_vip_info *vip,
					       const struct lb_backend *be)
{
	return (be->family == LB_AF_INET ? LB_IP4_HDR_LEN : LB_IP6_HDR_LEN) +
	       (vip->encap == LB_ENCAP_GUE ? LB_UDP_HDR_LEN : 0);
}

/* Base address with its low bits (at most 16) taken from the flow: entropy for RSS/ECMP. */
static __always_inline __be32 lb_encap_src_word(__be32 base, __u8 bits, __u32 h2)
{
	__u32 mask;

	if (bits > 16)
		bits = 16;
	mask = (1U << bits) - 1;
	return bpf_htonl((bpf_ntohl(base) & ~mask) | (h2 & mask));
}

static __always_inline __u16 lb_encap_gue_sport(const struct lb_settings *set, __u32 h2)
{
	__u16 min = set->gue_sport_min, max = set->gue_sport_max;

	if (min && max >= min)
		return min + h2 % ((__u32)max - min + 1);
	return 0xc000 | (h2 & 0x3fff);
}

/* The GUE UDP header, checksum 0 (an IPv6 caller adds it). */
static __always_inline void lb_encap_udp(struct udphdr *udp, __u32 l3_len,
					 const struct lb_vip_info *vip,
					 const struct lb_settings *set, __u32 h2)
{
	udp->source = bpf_htons(lb_encap_gue_sport(set, h2));
	udp->dest = vip->gue_dport;
	udp->len = bpf_htons(l3_len + LB_UDP_HDR_LEN);
	udp->check = 0;
}

/*
 * The outer IPv4 header, written as five 32-bit words whose checksum is
 * summed from the same registers: built in a stack copy instead, its byte
 * and bit-field stores read back as 16-bit words stall the store-to-load
 * forwarding, which cost about a tenth of a cached packet's time.
 */
static __always_inline void lb_encap_ip4(struct iphdr *ip, __u8 tos, bool df, __u32 tot_len,
					 __u8 ttl, __u8 proto, __be32 saddr, __be32 daddr)
{
	__u32 *w = (__u32 *)ip;
	__u32 w0 = bpf_htonl(0x45000000 | (__u32)tos << 16 | (tot_len & 0xffff));
	__u32 w1 = df ? bpf_htonl(LB_IP4_DF) : 0; /* id 0, frag_off */
	__u32 w2 = bpf_htonl((__u32)ttl << 24 | (__u32)proto << 16);  /* checksum 0 */

	w[0] = w0;
	w[1] = w1;
	w[2] = w2;
	w[3] = saddr;
	w[4] = daddr;
	/* 32-bit words in memory order fold to the sum of their 16-bit halves. */
	ip->check = ~lb_csum_fold((__u64)w0 + w1 + w2 + saddr + daddr);
}

/* The outer IPv6 header toward be; src3 is the last word of its source (lb_encap_src_word()). */
static __always_inline void lb_encap_ip6(struct ipv6hdr *ip6, __u8 tos, __u32 hash,
					 __u32 payload_len, __u8 nexthdr, __u8 ttl,
					 const struct lb_settings *set, __be32 src3,
					 const struct lb_backend *be)
{
	*(__be32 *)ip6 = bpf_htonl(0x60000000 | (__u32)tos << 20 | (hash & 0xfffff));
	ip6->payload_len = bpf_htons(payload_len);
	ip6->nexthdr = nexthdr;
	ip6->hop_limit = ttl;
	__builtin_memcpy(&ip6->saddr, set->tun_src6, 3 * sizeof(__u32));
	ip6->saddr.in6_u.u6_addr32[3] = src3;
	__builtin_memcpy(&ip6->daddr, be->addr, sizeof(be->addr));
}

/*
 * Partial sum of the inner IP packet for the outer UDP checksum, without
 * reading the payload (local checksum offload): an L4 segment whose checksum
 * is valid sums to the complement of its pseudo-header sum (ICMPv4 has none,
 * so it sums to zero). Only the IP header (and IPv6 extension headers) are
 * read. Fragments, UDP sent without checksum and IPv6 with a routing header
 * (whose pseudo-header names another destination) are summed in full.
 */
static __always_inline __u64 lb_encap_inner_sum(struct xdp_md *ctx, void *data, void *data_end,
						const struct lb_pkt *pkt)
{
	__u32 hdr_len = pkt->l4_off - pkt->l3_off, l4_off = pkt->l4_off;
	__u32 l4_len = pkt->l3_len - hdr_len;
	__u8 family = pkt->flow.family;
	bool full = pkt->flags & (LB_PKT_F_FRAG | LB_PKT_F_RTHDR);
	__u8 proto = pkt->flow.proto;
	struct udphdr *udp;
	struct ipv6hdr *ip;
	__u64 sum;

	if (pkt->l3_off > ETH_HLEN + LB_VLAN_HLEN || l4_off > LB_PKT_MAX_OFF)
		return 0;
	/* Only the pseudo-header's addresses are read: IPv4 ends at byte 20. */
	ip = lb_pkt_at(data, pkt->l3_off);
	if ((void *)ip + (family == LB_AF_INET ? sizeof(struct iphdr) : sizeof(*ip)) > data_end)
		return 0;
	if (!full && proto == IPPROTO_UDP) {
		udp = lb_pkt_at(data, l4_off);
		if ((void *)(udp + 1) > data_end)
			return 0;
		full = !udp->check;
	}
	sum = lb_csum_region(ctx, pkt->l3_off, full ? pkt->l3_len : hdr_len);
	if (!full && proto != IPPROTO_ICMP)
		sum += (__u16)~lb_csum_fold(lb_csum_pseudo(ip, family, proto, l4_len));
	return sum;
}

/*
 * Puts the outer headers in front of the inner IP packet (kept byte for byte,
 * Ethernet padding cut) and rewrites the Ethernet header toward the backend.
 * hash is the flow hash, h2 lb_hash_outer(hash). Returns 0 or the drop reason.
 * (lb_fast_encap() is the same for the fast path's one shape, IPIP untagged.)
 */
static __always_inline int lb_encap(struct xdp_md *ctx, const struct lb_pkt *pkt,
				    const struct lb_vip_info *vip, const struct lb_backend *be,
				    const struct lb_settings *set, __u32 hash, __u32 h2)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	bool gue = vip->encap == LB_ENCAP_GUE, outer4 = be->family == LB_AF_INET;
	bool inner6 = pkt->flow.family == LB_AF_INET6;
	__u8 proto = gue ? IPPROTO_UDP : inner6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	__u32 l2 = pkt->l3_off, olen = lb_encap_overhead(vip, be);
	__u8 ttl = set->outer_ttl ? set->outer_ttl : 64;
	struct ethhdr *eth, *old;
	struct ipv6hdr *ip6;
	struct udphdr *udp;
	struct iphdr *ip;
	__be32 src3;
	__u64 sum = 0;

	/* GUE over IPv6 sums the inner packet, read before anything moves. */
	if (gue && !outer4)
		sum = lb_encap_inner_sum(ctx, data, data_end, pkt);
	if (lb_frame_trim(ctx, l2 + pkt->l3_len))
		return LB_DROP_ADJUST_FAILED;
	if (bpf_xdp_adjust_head(ctx, -(int)olen))
		return LB_DROP_ADJUST_FAILED;
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	eth = data;
	old = data + olen;
	if ((void *)(old + 1) + LB_VLAN_HLEN > data_end || l2 > ETH_HLEN + LB_VLAN_HLEN)
		return LB_DROP_ADJUST_FAILED;
	lb_mac_copy(eth->h_source, be->ifindex ? be->smac : old->h_dest);
	lb_mac_copy(eth->h_dest, be->dmac);
	/* The EtherType, after the VLAN tag copied as it came, if any. */
	if (l2 > ETH_HLEN) {
		*(__u32 *)((void *)eth + 2 * ETH_ALEN) = *(__u32 *)((void *)old + 2 * ETH_ALEN);
		*(__be16 *)((void *)eth + ETH_HLEN + 2) = bpf_htons(outer4 ? ETH_P_IP : ETH_P_IPV6);
	} else {
		*(__be16 *)((void *)eth + 2 * ETH_ALEN) = bpf_htons(outer4 ? ETH_P_IP : ETH_P_IPV6);
	}

	if (outer4) {
		ip = lb_pkt_at(data, l2);
		udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > data_end)
			return LB_DROP_ADJUST_FAILED;
		/*
		 * IPv6 inside (6in4) always goes with DF: IPv6 is never fragmented on
		 * the way, the balancer answers "too big" itself (step 9), and decap
		 * on the backend does not reassemble outer fragments.
		 */
		lb_encap_ip4(ip, pkt->tos, inner6 || (pkt->flags & LB_PKT_F_DF), pkt->l3_len + olen,
			     ttl, proto, lb_encap_src_word(set->tun_src4, set->tun_src4_bits, h2),
			     be->addr[0]);
		if (gue)
			lb_encap_udp(udp, pkt->l3_len, vip, set, h2);
		return 0;
	}

	ip6 = lb_pkt_at(data, l2);
	udp = (void *)(ip6 + 1);
	if ((void *)(udp + 1) > data_end)
		return LB_DROP_ADJUST_FAILED;
	/*
	 * Written straight into the packet, and the GUE checksum summed from the
	 * same sources: a copy built on the stack and read back in wider words
	 * than it was written in would stall the store-to-load forwarding.
	 */
	src3 = lb_encap_src_word(set->tun_src6[3], set->tun_src6_bits, h2);
	lb_encap_ip6(ip6, pkt->tos, hash, pkt->l3_len + (gue ? LB_UDP_HDR_LEN : 0), proto, ttl, set,
		     src3, be);
	if (!gue)
		return 0;
	lb_encap_udp(udp, pkt->l3_len, vip, set, h2);
	/* Pseudo-header (addresses, protocol, length), then the header: length twice. */
	sum += lb_csum_words(set->tun_src6, 6) + src3 + lb_csum_words(be->addr, 8);
	sum += bpf_htons(IPPROTO_UDP) + 2 * (__u64)udp->len + udp->source + udp->dest;
	udp->check = ~lb_csum_fold(sum) ?: 0xffff;
	return 0;
}

#endif /* XDPLB_LIB_ENCAP_H */
