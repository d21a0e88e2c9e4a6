/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Parsing: Ethernet, one VLAN tag, IPv4/IPv6 + extension headers, TCP/UDP/ICMP; lengths checked. */
#ifndef XDPLB_LIB_PARSE_H
#define XDPLB_LIB_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "lb_common.h"
#include "icmp_types.h"

/*
 * Largest offset into the frame the program follows. The linear part of an
 * XDP frame fits in one page, so nothing real lies beyond; the bound is what
 * lets the verifier accept variable offsets.
 */
#define LB_PKT_MAX_OFF 4096

/*
 * A pointer at a variable frame offset, masked in the very register that is
 * added: clang may reorder or merge the range checks before it, or check a
 * zero-extended copy, and would drop a plain C mask it deems redundant.
 * Offsets of real packets are below LB_PKT_MAX_OFF, so it changes nothing.
 */
static __always_inline void *lb_pkt_at(void *data, __u64 off)
{
	asm volatile("%[off] &= 0x1fff" : [off] "+r"(off));
	return data + off;
}

#define LB_VLAN_HLEN	   4
#define LB_IP4_DF	   0x4000
#define LB_IP4_MF	   0x2000
#define LB_IP4_OFFSET	   0x1fff
#define LB_IP6_FRAG_OFFSET 0xfff8 /* of struct frag_hdr.frag_off, host order */
#define LB_TCP_FLAG_SYN	   0x02
#define LB_TCP_FLAG_ACK	   0x10

/* struct lb_pkt.flags */
#define LB_PKT_F_FRAG  (1U << 0) /* a fragment (IPv4 MF/offset, IPv6 fragment header) */
#define LB_PKT_F_NO_L4 (1U << 1) /* not the first fragment: no L4 header */
#define LB_PKT_F_DF    (1U << 2) /* IPv4 don't-fragment */
#define LB_PKT_F_RTHDR (1U << 3) /* IPv6 routing header: the L4 pseudo-header is not ours */

/* lb_parse_frame() result besides 0 (go on) and a positive enum lb_drop_reason. */
#define LB_PARSE_PASS (-1)

/* What the program needs to know of a packet; offsets count from the frame start. */
struct lb_pkt {
	struct lb_flow_key flow; /* addresses, real ports (0 without L4), proto, family */
	__u32 len;		 /* frame length as received */
	__u32 l3_off;		 /* IP header; also the L2 header length (14 or 18) */
	__u32 l3_len;		 /* IP packet length: tot_len, or 40 + payload_len */
	__u32 l4_off;		 /* L4 header (payload for a later fragment) */
	__u8 tos;		 /* IPv4 TOS or IPv6 traffic class */
	__u8 flags;		 /* LB_PKT_F_* */
	__u8 tcp_flags;
	__u8 icmp_type;
};

/* Cuts Ethernet padding (or anything) after byte `keep` of the frame. */
static __always_inline int lb_frame_trim(struct xdp_md *ctx, __u32 keep)
{
	__u32 frame = ctx->data_end - ctx->data;

	if (frame > keep && bpf_xdp_adjust_tail(ctx, (int)keep - (int)frame))
		return LB_DROP_ADJUST_FAILED;
	return 0;
}

struct lb_ip6_opt {
	__u8 nexthdr;
	__u8 hdrlen;
	__be16 frag_off; /* fragment header only */
	__u32 rest;
};

static __always_inline int lb_parse_l4(void *data, void *data_end, struct lb_pkt *pkt)
{
	__u32 off = pkt->l4_off, l3_end = pkt->l3_off + pkt->l3_len;
	struct tcphdr *tcp;
	struct udphdr *udp;
	__u8 *icmp;

	if (off > LB_PKT_MAX_OFF)
		return LB_DROP_L4_MALFORMED;
	switch (pkt->flow.proto) {
	case IPPROTO_TCP:
		tcp = lb_pkt_at(data, off);
		if ((void *)(tcp + 1) > data_end || off + sizeof(*tcp) > l3_end)
			return LB_DROP_L4_MALFORMED;
		if (tcp->doff < 5 || off + tcp->doff * 4 > l3_end)
			return LB_DROP_L4_MALFORMED;
		pkt->flow.sport = tcp->source;
		pkt->flow.dport = tcp->dest;
		pkt->tcp_flags = ((__u8 *)tcp)[13];
		return 0;
	case IPPROTO_UDP:
		udp = lb_pkt_at(data, off);
		if ((void *)(udp + 1) > data_end || off + sizeof(*udp) > l3_end)
			return LB_DROP_L4_MALFORMED;
		pkt->flow.sport = udp->source;
		pkt->flow.dport = udp->dest;
		return 0;
	default: /* ICMP or ICMPv6: the caller allowed only the family's own */
		icmp = lb_pkt_at(data, off);
		if ((void *)(icmp + 8) > data_end || off + 8 > l3_end)
			return LB_DROP_ICMP_MALFORMED;
		pkt->icmp_type = icmp[0];
		return 0;
	}
}

static __always_inline int lb4_parse(void *data, void *data_end, struct lb_pkt *pkt)
{
	struct iphdr *ip = lb_pkt_at(data, pkt->l3_off);
	__u32 hlen, frame = data_end - data;
	__u16 frag;

	if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl < 5)
		return LB_DROP_IP4_MALFORMED;
	hlen = ip->ihl * 4;
	pkt->l3_len = bpf_ntohs(ip->tot_len);
	if (pkt->l3_len < hlen || pkt->l3_off + pkt->l3_len > frame)
		return LB_DROP_IP4_MALFORMED;
	pkt->flow.family = LB_AF_INET;
	pkt->flow.proto = ip->protocol;
	pkt->flow.src[0] = ip->saddr;
	pkt->flow.dst[0] = ip->daddr;
	pkt->tos = ip->tos;
	pkt->l4_off = pkt->l3_off + hlen;
	frag = bpf_ntohs(ip->frag_off);
	if (frag & LB_IP4_DF)
		pkt->flags |= LB_PKT_F_DF;
	if (frag & (LB_IP4_MF | LB_IP4_OFFSET))
		pkt->flags |= LB_PKT_F_FRAG;
	if (frag & LB_IP4_OFFSET)
		pkt->flags |= LB_PKT_F_NO_L4;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP &&
	    ip->protocol != IPPROTO_ICMP)
		return LB_PARSE_PASS;
	return 0;
}

/* An IPv6 extension chain, walked by lb6_walk_ext(). */
struct lb_ip6_chain {
	__u32 off;   /* in: the header after the fixed one; out: the L4 header */
	__u32 end;   /* in: where the IP packet (or the quote of it) ends */
	__u8 nh;     /* in: the fixed header's next header; out: the L4 protocol */
	__u8 flags;  /* out: LB_PKT_F_FRAG, LB_PKT_F_NO_L4, LB_PKT_F_RTHDR */
	__u8 pad[2];
};

/*
 * Skips the usual IPv6 extension headers (hop-by-hop, routing, fragment,
 * destination options; at most LB_IP6_EXT_MAX) of a packet or of the packet
 * an ICMPv6 error quotes. Returns 0 or LB_DROP_IP6_EXT_CHAIN.
 *
 * A global function, verified once for both callers; they re-check c->off
 * against data_end before they read there.
 */
__attribute__((noinline)) int lb6_walk_ext(struct xdp_md *ctx, struct lb_ip6_chain *c)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct lb_ip6_opt *opt;
	__u32 off, end;
	__u8 nh;
	int i;

	if (!c) /* the verifier's contract for a global function's pointer */
		return LB_DROP_IP6_EXT_CHAIN;
	off = c->off;
	end = c->end;
	nh = c->nh;
	c->flags = 0;
	for (i = 0; i <= LB_IP6_EXT_MAX; i++) {
		if (nh != IPPROTO_HOPOPTS && nh != IPPROTO_ROUTING && nh != IPPROTO_DSTOPTS &&
		    nh != IPPROTO_FRAGMENT)
			break;
		if (i == LB_IP6_EXT_MAX || off > LB_PKT_MAX_OFF)
			return LB_DROP_IP6_EXT_CHAIN;
		opt = lb_pkt_at(data, off);
		if ((void *)(opt + 1) > data_end || off + sizeof(*opt) > end)
			return LB_DROP_IP6_EXT_CHAIN;
		if (nh == IPPROTO_FRAGMENT) {
			c->flags |= LB_PKT_F_FRAG;
			if (bpf_ntohs(opt->frag_off) & LB_IP6_FRAG_OFFSET)
				c->flags |= LB_PKT_F_NO_L4;
			off += sizeof(*opt);
		} else {
			if (nh == IPPROTO_ROUTING)
				c->flags |= LB_PKT_F_RTHDR;
			off += (opt->hdrlen + 1) * 8;
		}
		nh = opt->nexthdr;
	}
	if (off > end)
		return LB_DROP_IP6_EXT_CHAIN;
	c->off = off;
	c->nh = nh;
	return 0;
}

static __always_inline int lb6_parse(struct xdp_md *ctx, void *data, void *data_end,
				     struct lb_pkt *pkt)
{
	struct ipv6hdr *ip6 = lb_pkt_at(data, pkt->l3_off);
	__u32 l3_end, frame = data_end - data;
	struct lb_ip6_chain chain = {};
	int ret;

	if ((void *)(ip6 + 1) > data_end)
		return LB_DROP_IP6_MALFORMED;
	pkt->l3_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	l3_end = pkt->l3_off + pkt->l3_len;
	if (ip6->version != 6 || l3_end > frame)
		return LB_DROP_IP6_MALFORMED;
	pkt->flow.family = LB_AF_INET6;
	__builtin_memcpy(pkt->flow.src, &ip6->saddr, 16);
	__builtin_memcpy(pkt->flow.dst, &ip6->daddr, 16);
	pkt->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
	chain.off = pkt->l3_off + sizeof(*ip6);
	chain.end = l3_end;
	chain.nh = ip6->nexthdr;
	ret = lb6_walk_ext(ctx, &chain);
	if (ret)
		return ret;
	pkt->flags |= chain.flags;
	pkt->l4_off = chain.off;
	pkt->flow.proto = chain.nh;
	if (chain.nh != IPPROTO_TCP && chain.nh != IPPROTO_UDP && chain.nh != IPPROTO_ICMPV6)
		return LB_PARSE_PASS;
	return 0;
}

/*
 * Fills pkt (zeroed by the caller); returns 0, LB_PARSE_PASS (not ours to
 * look at) or the drop reason.
 *
 * A global function, verified once on its own: to its caller the result is
 * unknown data, so the many shapes of packet the parser tells apart (VLAN or
 * not, families, extension chains, fragments) do not each walk the rest of
 * the program through the verifier. Everything after it re-checks every
 * offset it uses against data_end.
 */
__attribute__((noinline)) int lb_parse_frame(struct xdp_md *ctx, struct lb_pkt *pkt)
{
	void *data_end, *data;
	struct ethhdr *eth;
	__be16 proto;
	int ret;

	if (!pkt)
		return LB_PARSE_PASS;
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	eth = data;
	pkt->len = data_end - data;
	if ((void *)(eth + 1) > data_end)
		return LB_DROP_ETH_TRUNCATED;
	proto = eth->h_proto;
	pkt->l3_off = sizeof(*eth);
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		if (data + sizeof(*eth) + LB_VLAN_HLEN > data_end)
			return LB_DROP_ETH_TRUNCATED;
		proto = *(__be16 *)(data + sizeof(*eth) + 2);
		pkt->l3_off += LB_VLAN_HLEN;
	}
	if (proto == bpf_htons(ETH_P_IP))
		ret = lb4_parse(data, data_end, pkt);
	else if (proto == bpf_htons(ETH_P_IPV6))
		ret = lb6_parse(ctx, data, data_end, pkt);
	else
		return LB_PARSE_PASS;
	if (ret || (pkt->flags & LB_PKT_F_NO_L4))
		return ret;
	return lb_parse_l4(data, data_end, pkt);
}

/*
 * Whether a TCP or UDP header at frame offset l4_off, in an IP packet that
 * ends at l3_end (itself within the frame), is whole: what lb_parse_l4()
 * checks, for the two inline parsers (lb_parse_fast(), lb_fast_path()), so
 * that neither takes a packet the full parser would drop. Other protocols:
 * false.
 */
static __always_inline bool lb_l4_whole(void *data, void *data_end, __u32 l4_off, __u32 l3_end,
					__u8 proto)
{
	struct tcphdr *tcp = data + l4_off;
	struct udphdr *udp = data + l4_off;

	if (proto == IPPROTO_TCP) {
		if ((void *)(tcp + 1) > data_end || l4_off + sizeof(*tcp) > l3_end ||
		    tcp->doff < 5 || l4_off + tcp->doff * 4 > l3_end)
			return false;
		return true;
	}
	if (proto != IPPROTO_UDP || (void *)(udp + 1) > data_end || l4_off + sizeof(*udp) > l3_end)
		return false;
	return true;
}

/*
 * The L4 half of lb_parse_fast(): TCP or UDP right after an IP header of
 * ip_len bytes, in an IP packet that ends at l3_end. Fills what both
 * families share; false (pkt untouched) when anything does not fit.
 */
static __always_inline bool lb_parse_fast_l4(struct lb_pkt *pkt, void *data, void *data_end,
					     __u32 frame, __u32 l3_end, __u32 ip_len, __u8 proto)
{
	__u32 l4_off = sizeof(struct ethhdr) + ip_len;
	struct udphdr *udp = data + l4_off; /* the ports: the same two words in TCP */

	if (l3_end > frame || !lb_l4_whole(data, data_end, l4_off, l3_end, proto))
		return false;
	pkt->tcp_flags = proto == IPPROTO_TCP ? ((const __u8 *)udp)[13] : 0;
	pkt->len = frame;
	pkt->l3_off = sizeof(struct ethhdr);
	pkt->l3_len = l3_end - sizeof(struct ethhdr);
	pkt->l4_off = l4_off;
	pkt->flow.proto = proto;
	pkt->flow.sport = udp->source;
	pkt->flow.dport = udp->dest;
	return true;
}

/*
 * The common frames without the call to lb_parse_frame(): untagged IPv4 with
 * a 20-byte header, not a fragment, and untagged IPv6 without extension
 * headers, either carrying TCP or UDP. Fills pkt exactly as the full parser
 * would and returns true; false (pkt untouched) when the frame is any other
 * shape, for the full parser to judge.
 */
static __always_inline bool lb_parse_fast(struct xdp_md *ctx, struct lb_pkt *pkt)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	__u32 frame = data_end - data, l3_end;
	__u16 frag;

	if ((void *)(eth + 1) > data_end)
		return false;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		if ((void *)(ip6 + 1) > data_end || ip6->version != 6 ||
		    (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP))
			return false;
		l3_end = sizeof(*eth) + sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
		if (!lb_parse_fast_l4(pkt, data, data_end, frame, l3_end, sizeof(*ip6),
				      ip6->nexthdr))
			return false;
		pkt->flow.family = LB_AF_INET6;
		__builtin_memcpy(pkt->flow.src, &ip6->saddr, 16);
		__builtin_memcpy(pkt->flow.dst, &ip6->daddr, 16);
		pkt->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
		pkt->flags = 0;
		return true;
	}
	if (eth->h_proto != bpf_htons(ETH_P_IP) || (void *)(ip + 1) > data_end ||
	    *(__u8 *)ip != 0x45 || (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP))
		return false;
	frag = bpf_ntohs(ip->frag_off);
	l3_end = sizeof(*eth) + bpf_ntohs(ip->tot_len);
	if ((frag & (LB_IP4_MF | LB_IP4_OFFSET)) ||
	    !lb_parse_fast_l4(pkt, data, data_end, frame, l3_end, sizeof(*ip), ip->protocol))
		return false;
	pkt->flow.family = LB_AF_INET;
	pkt->flow.src[0] = ip->saddr;
	pkt->flow.dst[0] = ip->daddr;
	pkt->tos = ip->tos;
	pkt->flags = frag & LB_IP4_DF ? LB_PKT_F_DF : 0;
	return true;
}

#endif /* XDPLB_LIB_PARSE_H */
