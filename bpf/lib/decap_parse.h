/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Decap parsing: is this frame a tunnel packet for us, and is its inner packet sound. */
#ifndef XDPLB_DECAP_PARSE_H
#define XDPLB_DECAP_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"
#include "lib/decap_maps.h"

#define DECAP_IP4_FRAG_MASK 0x3fff /* MF and fragment offset */

/* What the strip needs to know about the outer headers. */
struct decap_tunnel {
	__u32 l3_off; /* outer IP header offset (after Ethernet and VLAN) */
	__u32 hdr_len; /* outer IP (+UDP) bytes to remove */
	__u32 inner_len; /* bytes from the inner header to the end of the outer packet */
	__u8 inner_version; /* 4 or 6 from the outer protocol; 0 = GUE, read the nibble */
	__u8 pad;
	__u16 sc_off; /* offset of a second chance header (struct lb_gue_sc); 0 = none */
};

struct decap_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* Ethernet and at most one 802.1Q/802.1ad tag; returns the L3 EtherType or 0. */
static __always_inline __be16 decap_parse_eth(void *data, void *data_end, __u32 *l3_off)
{
	struct ethhdr *eth = data;
	struct decap_vlan_hdr *vlan;

	if ((void *)(eth + 1) > data_end)
		return 0;
	*l3_off = sizeof(*eth);
	if (eth->h_proto != bpf_htons(ETH_P_8021Q) && eth->h_proto != bpf_htons(ETH_P_8021AD))
		return eth->h_proto;
	vlan = (void *)(eth + 1);
	if ((void *)(vlan + 1) > data_end)
		return 0;
	*l3_off += sizeof(*vlan);
	return vlan->proto;
}

static __always_inline int decap_is_local(const __u32 *addr, __u8 family)
{
	struct lb_backend_key key = { .family = family };

	__builtin_memcpy(key.addr, addr, family == LB_AF_INET ? 4 : 16);
	return bpf_map_lookup_elem(&decap_addrs, &key) != NULL;
}

/*
 * GUE variant 0 (the first two bits 00; an IP packet starts 01): xdplb's
 * second chance header, whose inner protocol says the inner version. Any
 * other variant 0 header is left to decap_check_inner() to refuse.
 */
static __always_inline int decap_parse_gue_sc(void *data, void *data_end, struct decap_tunnel *t)
{
	struct lb_gue_sc *sc = data + t->l3_off + t->hdr_len;

	if ((void *)(sc + 1) > data_end || t->inner_len < sizeof(*sc) || (sc->ver_hlen >> 6) ||
	    sc->ver_hlen != LB_GUE_SC_HLEN || sc->kind != LB_GUE_SC_KIND ||
	    (sc->proto != IPPROTO_IPIP && sc->proto != IPPROTO_IPV6))
		return 1;
	t->sc_off = t->l3_off + t->hdr_len;
	t->hdr_len += sizeof(*sc);
	t->inner_len -= sizeof(*sc);
	t->inner_version = sc->proto == IPPROTO_IPIP ? 4 : 6;
	return 1;
}

/*
 * GUE: UDP to the configured port. Returns 1 and grows t->hdr_len when the
 * datagram is ours, 0 when it is ordinary UDP.
 */
static __always_inline int decap_parse_gue(void *data, void *data_end, struct decap_tunnel *t)
{
	struct udphdr *udp = data + t->l3_off + t->hdr_len;
	__u32 zero = 0;
	__u16 *port;

	if ((void *)(udp + 1) > data_end || t->inner_len < sizeof(*udp))
		return 0;
	port = bpf_map_lookup_elem(&decap_settings, &zero);
	if (!port || !*port || udp->dest != *port)
		return 0;
	t->hdr_len += sizeof(*udp);
	t->inner_len -= sizeof(*udp);
	t->inner_version = 0;
	return decap_parse_gue_sc(data, data_end, t);
}

/* Outer IPv4: 1 when it is a tunnel packet addressed to this host. */
static __always_inline int decap_parse_outer4(void *data, void *data_end, struct decap_tunnel *t)
{
	struct iphdr *iph = data + t->l3_off;
	__u32 ihl_len, tot_len;

	if ((void *)(iph + 1) > data_end || iph->version != 4 || iph->ihl < 5)
		return 0;
	ihl_len = iph->ihl * 4;
	tot_len = bpf_ntohs(iph->tot_len);
	/* A broken or fragmented outer packet is the kernel's to judge and reassemble. */
	if (tot_len < ihl_len || data + t->l3_off + tot_len > data_end ||
	    (iph->frag_off & bpf_htons(DECAP_IP4_FRAG_MASK)))
		return 0;
	if (iph->protocol != IPPROTO_IPIP && iph->protocol != IPPROTO_IPV6 &&
	    iph->protocol != IPPROTO_UDP)
		return 0;
	if (!decap_is_local(&iph->daddr, LB_AF_INET))
		return 0;
	t->hdr_len = ihl_len;
	t->inner_len = tot_len - ihl_len;
	if (iph->protocol == IPPROTO_UDP)
		return decap_parse_gue(data, data_end, t);
	t->inner_version = iph->protocol == IPPROTO_IPIP ? 4 : 6;
	return 1;
}

/* Outer IPv6 (the tunnel protocol directly after the fixed header, as lb.bpf.c sends it). */
static __always_inline int decap_parse_outer6(void *data, void *data_end, struct decap_tunnel *t)
{
	struct ipv6hdr *ip6 = data + t->l3_off;
	__u32 payload_len;

	if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
		return 0;
	payload_len = bpf_ntohs(ip6->payload_len);
	if (data + t->l3_off + sizeof(*ip6) + payload_len > data_end)
		return 0;
	if (ip6->nexthdr != IPPROTO_IPIP && ip6->nexthdr != IPPROTO_IPV6 &&
	    ip6->nexthdr != IPPROTO_UDP)
		return 0;
	if (!decap_is_local(ip6->daddr.in6_u.u6_addr32, LB_AF_INET6))
		return 0;
	t->hdr_len = sizeof(*ip6);
	t->inner_len = payload_len;
	if (ip6->nexthdr == IPPROTO_UDP)
		return decap_parse_gue(data, data_end, t);
	t->inner_version = ip6->nexthdr == IPPROTO_IPIP ? 4 : 6;
	return 1;
}

/*
 * The inner header must be whole and its length must fit in the outer
 * packet (the kernel would otherwise see a packet we vouched for).
 * Returns the inner EtherType, or 0 when the inner packet is malformed.
 */
static __always_inline __be16 decap_check_inner(void *data, void *data_end,
						 const struct decap_tunnel *t)
{
	void *inner = data + t->l3_off + t->hdr_len;
	__u8 version;

	if (inner + 1 > data_end)
		return 0;
	version = *(__u8 *)inner >> 4;
	if (t->inner_version && version != t->inner_version)
		return 0;
	if (version == 4) {
		struct iphdr *iph = inner;
		__u32 tot_len;

		if ((void *)(iph + 1) > data_end || iph->ihl < 5)
			return 0;
		tot_len = bpf_ntohs(iph->tot_len);
		if (tot_len < iph->ihl * 4U || tot_len > t->inner_len)
			return 0;
		return bpf_htons(ETH_P_IP);
	}
	if (version == 6) {
		struct ipv6hdr *ip6 = inner;

		if ((void *)(ip6 + 1) > data_end ||
		    sizeof(*ip6) + bpf_ntohs(ip6->payload_len) > t->inner_len)
			return 0;
		return bpf_htons(ETH_P_IPV6);
	}
	return 0;
}

#endif /* XDPLB_DECAP_PARSE_H */
