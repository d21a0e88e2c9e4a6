// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Packet builder and checksum verifier for the BPF fixtures. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lb_common.h"
#include "pkt.h"

#define ETH_HLEN 14
#define VLAN_HLEN 4
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86dd

void pkt_addr(uint32_t out[4], const char *text)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out) == 1 || inet_pton(AF_INET6, text, out) == 1)
		return;
	fprintf(stderr, "pkt_addr: %s: not an IPv4 or IPv6 address\n", text);
	abort();
}

void pkt_mac(uint8_t out[6], const char *text)
{
	unsigned int m[6];
	int i;

	if (sscanf(text, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
		fprintf(stderr, "pkt_mac: %s: not a MAC address\n", text);
		abort();
	}
	for (i = 0; i < 6; i++)
		out[i] = m[i];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

uint32_t pkt_csum_add(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t pkt_csum(const void *data, size_t len, uint32_t sum)
{
	return ~pkt_csum_add(data, len, sum) & 0xffff;
}

/* Pseudo-header sum (RFC 768 / RFC 8200 8.1) for an L4 segment of l4_len bytes. */
static uint32_t pseudo_sum(uint8_t family, const uint32_t *src, const uint32_t *dst,
			   uint8_t proto, size_t l4_len)
{
	size_t alen = family == LB_AF_INET ? 4 : 16;
	uint8_t tail[8] = { 0 };
	uint32_t sum;

	sum = pkt_csum_add(src, alen, 0);
	sum = pkt_csum_add(dst, alen, sum);
	put32(tail, l4_len);
	tail[7] = proto;
	return pkt_csum_add(tail, sizeof(tail), sum);
}

static size_t build_l4(uint8_t *out, size_t cap, const struct pkt_spec *s)
{
	size_t hlen, len;
	uint16_t csum;

	if (s->raw || (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP &&
		       s->proto != IPPROTO_ICMP && s->proto != IPPROTO_ICMPV6))
		hlen = 0;
	else if (s->proto == IPPROTO_TCP)
		hlen = 20;
	else
		hlen = 8;
	len = hlen + s->payload_len;
	if (len > cap)
		return 0;
	memset(out, 0, hlen);
	if (s->payload_len)
		memcpy(out + hlen, s->payload, s->payload_len);
	if (!hlen)
		return len;

	if (s->proto == IPPROTO_TCP) {
		put16(out, s->sport);
		put16(out + 2, s->dport);
		put32(out + 4, s->seq);
		put32(out + 8, s->ack_seq);
		out[12] = 5 << 4;
		out[13] = s->tcp_flags;
		put16(out + 14, s->window ? s->window : 65535);
		csum = pkt_csum(out, len, pseudo_sum(s->family, s->src, s->dst, s->proto, len));
		put16(out + 16, csum);
	} else if (s->proto == IPPROTO_UDP) {
		put16(out, s->sport);
		put16(out + 2, s->dport);
		put16(out + 4, len);
		if (s->family == LB_AF_INET && s->udp_csum_zero)
			return len;
		csum = pkt_csum(out, len, pseudo_sum(s->family, s->src, s->dst, s->proto, len));
		put16(out + 6, csum ? csum : 0xffff);
	} else {
		out[0] = s->icmp_type;
		out[1] = s->icmp_code;
		put32(out + 4, s->icmp_rest);
		csum = pkt_csum(out, len,
				s->proto == IPPROTO_ICMPV6 ?
					pseudo_sum(s->family, s->src, s->dst, s->proto, len) :
					0);
		put16(out + 2, csum);
	}
	return len;
}

static size_t build_ip4(uint8_t *out, size_t cap, const struct pkt_spec *s)
{
	size_t hlen = 20 + s->ip_opts_len, l4_len;

	if (hlen > cap || s->ip_opts_len % 4 || hlen > 60)
		return 0;
	l4_len = build_l4(out + hlen, cap - hlen, s);
	if (!l4_len && (s->payload_len || s->proto == IPPROTO_TCP || s->proto == IPPROTO_UDP))
		return 0;
	memset(out, 0, 20);
	out[0] = 0x40 | hlen / 4;
	out[1] = s->tos;
	put16(out + 2, hlen + l4_len);
	put16(out + 4, s->ip_id);
	put16(out + 6, s->frag);
	out[8] = s->ttl ? s->ttl : 64;
	out[9] = s->proto;
	memcpy(out + 12, &s->src[0], 4);
	memcpy(out + 16, &s->dst[0], 4);
	if (s->ip_opts_len)
		memcpy(out + 20, s->ip_opts, s->ip_opts_len);
	put16(out + 10, pkt_csum(out, hlen, 0));
	return hlen + l4_len;
}

static size_t ext6_len(const struct pkt_ext6 *e)
{
	return e->type == IPPROTO_FRAGMENT ? 8 : (e->len + 1) * 8u;
}

static size_t build_ip6(uint8_t *out, size_t cap, const struct pkt_spec *s)
{
	size_t off = 40, l4_len, i;
	uint32_t vtf;

	if (s->n_ext > PKT_EXT_MAX)
		return 0;
	for (i = 0; i < s->n_ext; i++) {
		const struct pkt_ext6 *e = &s->ext[i];
		size_t elen = ext6_len(e);

		if (off + elen > cap)
			return 0;
		memset(out + off, 0, elen);
		out[off] = i + 1 < s->n_ext ? s->ext[i + 1].type : s->proto;
		if (e->type == IPPROTO_FRAGMENT) {
			put16(out + off + 2, e->frag_off << 3 | e->frag_more);
			put32(out + off + 4, e->frag_id);
		} else {
			/* The rest stays zero: Pad1 options, routing type 0, 0 segments left. */
			out[off + 1] = e->len;
		}
		off += elen;
	}
	l4_len = build_l4(out + off, cap - off, s);
	if (!l4_len && (s->payload_len || s->proto == IPPROTO_TCP || s->proto == IPPROTO_UDP))
		return 0;
	vtf = 6u << 28 | (uint32_t)s->tos << 20 | (s->flow_label & 0xfffff);
	put32(out, vtf);
	put16(out + 4, off - 40 + l4_len);
	out[6] = s->n_ext ? s->ext[0].type : s->proto;
	out[7] = s->ttl ? s->ttl : 64;
	memcpy(out + 8, s->src, 16);
	memcpy(out + 24, s->dst, 16);
	return off + l4_len;
}

size_t pkt_build_l3(uint8_t *out, size_t cap, const struct pkt_spec *s)
{
	return s->family == LB_AF_INET ? build_ip4(out, cap, s) : build_ip6(out, cap, s);
}

size_t pkt_build_eth(struct pkt *p, const struct pkt_spec *s, const uint8_t *l3, size_t l3_len)
{
	size_t off = 12;

	memcpy(p->b, s->dmac, 6);
	memcpy(p->b + 6, s->smac, 6);
	if (s->vlan_tpid) {
		put16(p->b + off, s->vlan_tpid);
		put16(p->b + off + 2, s->vlan_tci);
		off += VLAN_HLEN;
	}
	put16(p->b + off, s->family == LB_AF_INET ? ETH_P_IP : ETH_P_IPV6);
	off += 2;
	if (off + l3_len > sizeof(p->b))
		return p->len = 0;
	memmove(p->b + off, l3, l3_len);
	return p->len = off + l3_len;
}

size_t pkt_build(struct pkt *p, const struct pkt_spec *s)
{
	uint8_t l3[PKT_MAX];
	size_t len = pkt_build_l3(l3, sizeof(l3) - ETH_HLEN - VLAN_HLEN, s);

	if (!len)
		return p->len = 0;
	return pkt_build_eth(p, s, l3, len);
}

size_t pkt_l3_offset(const uint8_t *frame, size_t len)
{
	if (len >= ETH_HLEN + VLAN_HLEN &&
	    (get16(frame + 12) == 0x8100 || get16(frame + 12) == 0x88a8))
		return ETH_HLEN + VLAN_HLEN;
	return ETH_HLEN;
}

/* --- verifier ---------------------------------------------------------- */

struct verify_ctx {
	uint16_t gue_port;
	char *why;
	size_t why_len;
};

static int verify_fail(struct verify_ctx *v, const char *what, size_t off)
{
	snprintf(v->why, v->why_len, "%s (offset %zu)", what, off);
	return -EBADMSG;
}

static int verify_l3(struct verify_ctx *v, const uint8_t *p, size_t len, int depth);

/* ICMP error bodies quote an IP header: check what of it can be checked. */
static int verify_quote(struct verify_ctx *v, const uint8_t *q, size_t len)
{
	size_t ihl;

	if (len < 20 || q[0] >> 4 != 4)
		return 0;
	ihl = (q[0] & 0xf) * 4u;
	if (ihl < 20 || ihl > len)
		return 0;
	if (pkt_csum(q, ihl, 0))
		return verify_fail(v, "quoted IPv4 header checksum", 0);
	return 0;
}

static int verify_l4(struct verify_ctx *v, uint8_t family, const uint8_t *l3, const uint8_t *l4,
		     size_t l4_len, uint8_t proto, int depth)
{
	const uint32_t *src = (const uint32_t *)(l3 + (family == LB_AF_INET ? 12 : 8));
	const uint32_t *dst = (const uint32_t *)(l3 + (family == LB_AF_INET ? 16 : 24));
	uint32_t ph = 0;

	switch (proto) {
	case IPPROTO_TCP:
		if (l4_len < 20)
			return verify_fail(v, "TCP header truncated", 0);
		if (pkt_csum(l4, l4_len, pseudo_sum(family, src, dst, proto, l4_len)))
			return verify_fail(v, "TCP checksum", 0);
		return 0;
	case IPPROTO_UDP:
		if (l4_len < 8 || get16(l4 + 4) != l4_len)
			return verify_fail(v, "UDP length", 0);
		if (get16(l4 + 6) == 0 && family == LB_AF_INET6)
			return verify_fail(v, "UDP checksum 0 over IPv6", 0);
		if (get16(l4 + 6) &&
		    pkt_csum(l4, l4_len, pseudo_sum(family, src, dst, proto, l4_len)))
			return verify_fail(v, "UDP checksum", 0);
		if (v->gue_port && get16(l4 + 2) == v->gue_port) {
			size_t gue = 8;

			/* GUE variant 0 (second chance): 4 bytes + hlen words before the packet. */
			if (l4_len > 8 && !(l4[8] >> 6))
				gue += 4 + 4 * (l4[8] & 0x1f);
			if (l4_len < gue)
				return verify_fail(v, "GUE header truncated", 0);
			return verify_l3(v, l4 + gue, l4_len - gue, depth + 1);
		}
		return 0;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (l4_len < 8)
			return verify_fail(v, "ICMP header truncated", 0);
		if (proto == IPPROTO_ICMPV6)
			ph = pseudo_sum(family, src, dst, proto, l4_len);
		if (pkt_csum(l4, l4_len, ph))
			return verify_fail(v, "ICMP checksum", 0);
		if ((proto == IPPROTO_ICMP && (l4[0] == 3 || l4[0] == 11 || l4[0] == 12)) ||
		    (proto == IPPROTO_ICMPV6 && l4[0] >= 1 && l4[0] <= 4))
			return verify_quote(v, l4 + 8, l4_len - 8);
		return 0;
	case IPPROTO_IPIP:
	case IPPROTO_IPV6:
		return verify_l3(v, l4, l4_len, depth + 1);
	default:
		return 0;
	}
}

static int verify_ip6(struct verify_ctx *v, const uint8_t *p, size_t len, int depth)
{
	size_t off = 40, end;
	uint8_t nh;

	if (len < 40 || 40 + (size_t)get16(p + 4) > len)
		return verify_fail(v, "IPv6 header or payload truncated", 0);
	end = 40 + get16(p + 4);
	nh = p[6];
	while (nh == 0 || nh == 43 || nh == 60 || nh == IPPROTO_FRAGMENT) {
		if (off + 8 > end)
			return verify_fail(v, "IPv6 extension header truncated", off);
		if (nh == IPPROTO_FRAGMENT)
			return 0;
		nh = p[off];
		off += (p[off + 1] + 1) * 8u;
	}
	if (off > end)
		return verify_fail(v, "IPv6 extension header truncated", off);
	return verify_l4(v, LB_AF_INET6, p, p + off, end - off, nh, depth);
}

static int verify_l3(struct verify_ctx *v, const uint8_t *p, size_t len, int depth)
{
	size_t ihl, tot;

	if (depth > 4)
		return verify_fail(v, "encapsulation nested too deep", 0);
	if (len < 1)
		return verify_fail(v, "empty L3", 0);
	if (p[0] >> 4 == 6)
		return verify_ip6(v, p, len, depth);
	if (p[0] >> 4 != 4 || len < 20)
		return verify_fail(v, "not an IPv4 or IPv6 header", 0);
	ihl = (p[0] & 0xf) * 4u;
	tot = get16(p + 2);
	if (ihl < 20 || tot < ihl || tot > len)
		return verify_fail(v, "IPv4 header lengths", 0);
	if (pkt_csum(p, ihl, 0))
		return verify_fail(v, "IPv4 header checksum", 0);
	if (get16(p + 6) & 0x3fff)
		return 0;
	return verify_l4(v, LB_AF_INET, p, p + ihl, tot - ihl, p[9], depth);
}

int pkt_verify_csums(const uint8_t *frame, size_t len, uint16_t gue_port, char *why,
		     size_t why_len)
{
	struct verify_ctx v = { .gue_port = gue_port, .why = why, .why_len = why_len };
	size_t off = pkt_l3_offset(frame, len);
	uint16_t type;

	if (len < off)
		return verify_fail(&v, "frame shorter than Ethernet", 0);
	type = get16(frame + off - 2);
	if (type != ETH_P_IP && type != ETH_P_IPV6)
		return 0;
	return verify_l3(&v, frame + off, len - off, 0);
}
