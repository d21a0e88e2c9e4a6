// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb fixtures: every malformed class of docs/DATAPLANE.md step 1, and fragments (step 3). */
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>

#include "lb_cases.h"

#define L3 14 /* L3 offset of an untagged frame */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* A client packet to a VIP, then bent by the case. */
static void tcp_to_vip(struct lb_run *r, uint8_t family)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, family == LB_AF_INET ? "192.0.2.10" : "2001:db8::10", 80);
	lbc_build(&r->in, &s);
}

/* Cuts the frame to l3_len bytes of L3 and makes the IP length fields say so. */
static void cut_l3(struct pkt *p, size_t l3_len)
{
	p->len = L3 + l3_len;
	if (p->b[L3] >> 4 == 4)
		put16(p->b + L3 + 2, l3_len);
	else
		put16(p->b + L3 + 4, l3_len - 40);
}

static void ip4_header_truncated(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET);
	r->in.len = L3 + 10;
	lbc_drop(r, LB_DROP_IP4_MALFORMED);
}

static void ip4_ihl_below_5(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET);
	r->in.b[L3] = 0x44;
	lbc_drop(r, LB_DROP_IP4_MALFORMED);
}

static void ip4_version_not_4(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET);
	r->in.b[L3] = 0x65;
	lbc_drop(r, LB_DROP_IP4_MALFORMED);
}

static void ip4_tot_len_beyond_frame(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET);
	put16(r->in.b + L3 + 2, r->in.len - L3 + 1);
	lbc_drop(r, LB_DROP_IP4_MALFORMED);
}

static void ip4_tot_len_below_ihl(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET);
	put16(r->in.b + L3 + 2, 16);
	lbc_drop(r, LB_DROP_IP4_MALFORMED);
}

static void ip4_options_beyond_frame(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET);
	r->in.b[L3] = 0x4f;
	r->in.len = L3 + 40;
	put16(r->in.b + L3 + 2, 40);
	lbc_drop(r, LB_DROP_IP4_MALFORMED);
}

static void ip6_header_truncated(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET6);
	r->in.len = L3 + 30;
	lbc_drop(r, LB_DROP_IP6_MALFORMED);
}

static void ip6_payload_beyond_frame(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET6);
	put16(r->in.b + L3 + 4, r->in.len - L3 - 40 + 1);
	lbc_drop(r, LB_DROP_IP6_MALFORMED);
}

static void ip6_ext_chain_too_long(struct lb_run *r)
{
	struct pkt_spec s;
	size_t i;

	w_client(&s, IPPROTO_TCP, "2001:db8::10", 80);
	for (i = 0; i <= LB_IP6_EXT_MAX; i++)
		s.ext[i].type = 60;
	s.n_ext = LB_IP6_EXT_MAX + 1;
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_IP6_EXT_CHAIN);
}

static void ip6_ext_header_truncated(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "2001:db8::10", 80);
	s.ext[0].type = 0;
	s.n_ext = 1;
	s.payload_len = 0;
	lbc_build(&r->in, &s);
	r->in.b[L3 + 40 + 1] = 30; /* hop-by-hop claims 248 bytes */
	lbc_drop(r, LB_DROP_IP6_EXT_CHAIN);
}

static void ip6_ext_chain_cut_in_header(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "2001:db8::10", 80);
	s.ext[0].type = 60;
	s.n_ext = 1;
	lbc_build(&r->in, &s);
	cut_l3(&r->in, 40 + 4);
	lbc_drop(r, LB_DROP_IP6_EXT_CHAIN);
}

static void tcp4_header_truncated(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET);
	cut_l3(&r->in, 20 + 12);
	lbc_drop(r, LB_DROP_L4_MALFORMED);
}

static void tcp6_doff_below_5(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET6);
	r->in.b[L3 + 40 + 12] = 4 << 4;
	lbc_drop(r, LB_DROP_L4_MALFORMED);
}

static void tcp4_options_beyond_frame(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET);
	cut_l3(&r->in, 20 + 24);
	r->in.b[L3 + 20 + 12] = 8 << 4; /* 32-byte header, 24 present */
	lbc_drop(r, LB_DROP_L4_MALFORMED);
}

static void udp6_header_truncated(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "2001:db8::10", 53);
	lbc_build(&r->in, &s);
	cut_l3(&r->in, 40 + 4);
	lbc_drop(r, LB_DROP_L4_MALFORMED);
}

/* The IP length ends inside the L4 header while the frame goes on (Ethernet padding). */
static void udp4_header_cut_by_ip_length(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "192.0.2.10", 53);
	lbc_build(&r->in, &s);
	put16(r->in.b + L3 + 2, 20 + 7);
	lbc_drop(r, LB_DROP_L4_MALFORMED);
}

static void tcp6_header_cut_by_ip_length(struct lb_run *r)
{
	tcp_to_vip(r, LB_AF_INET6);
	put16(r->in.b + L3 + 4, 19);
	lbc_drop(r, LB_DROP_L4_MALFORMED);
}

static void icmp4_header_truncated(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMP, "192.0.2.10", 0);
	lbc_build(&r->in, &s);
	cut_l3(&r->in, 20 + 4);
	lbc_drop(r, LB_DROP_ICMP_MALFORMED);
}

static void icmp6_header_truncated(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMPV6, "2001:db8::10", 0);
	lbc_build(&r->in, &s);
	cut_l3(&r->in, 40 + 6);
	lbc_drop(r, LB_DROP_ICMP_MALFORMED);
}

/* --- fragments ------------------------------------------------------------ */

static void ip4_first_fragment_to_port_vip_dropped(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.frag = PKT_IP4_MF;
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_FRAGMENT);
}

static void ip4_later_fragment_to_wildcard_vip_dropped(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.11", 80);
	s.frag = 185;
	s.raw = true;
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_FRAGMENT);
}

/* No port in a later fragment, and this address has no port-0 VIP. */
static void ip4_later_fragment_to_port_vip_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.frag = 185;
	s.raw = true;
	lbc_pass(r, &s);
}

static void ip6_fragment_to_port_vip_dropped(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "2001:db8::10", 80);
	s.ext[0].type = IPPROTO_FRAGMENT;
	s.ext[0].frag_more = true;
	s.ext[0].frag_id = 7;
	s.n_ext = 1;
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_FRAGMENT);
}

static void ip4_first_fragment_to_addrs_vip_forwarded(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "192.0.2.13", 5000);
	s.frag = PKT_IP4_MF;
	s.ip_id = 99;
	lbc_forward(r, &s, W_VIP4_ADDRS, W_BE1);
}

static void ip4_later_fragment_to_addrs_vip_forwarded(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "192.0.2.13", 5000);
	s.frag = 185;
	s.ip_id = 99;
	s.raw = true;
	lbc_forward(r, &s, W_VIP4_ADDRS, W_BE1);
}

static void ip6_first_fragment_to_addrs_vip_forwarded(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "2001:db8::13", 5000);
	s.ext[0].type = IPPROTO_FRAGMENT;
	s.ext[0].frag_more = true;
	s.ext[0].frag_id = 7;
	s.n_ext = 1;
	lbc_forward(r, &s, W_VIP6_ADDRS, W_BE3);
}

static void ip6_later_fragment_to_addrs_vip_forwarded(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "2001:db8::13", 5000);
	s.ext[0].type = IPPROTO_FRAGMENT;
	s.ext[0].frag_off = 185;
	s.ext[0].frag_id = 7;
	s.n_ext = 1;
	s.raw = true;
	lbc_forward(r, &s, W_VIP6_ADDRS, W_BE3);
}

static const struct lb_case cases[] = {
	LB_CASE("IPv4 header truncated: dropped", ip4_header_truncated),
	LB_CASE("IPv4 IHL 4: dropped", ip4_ihl_below_5),
	LB_CASE("IPv4 EtherType with version 6: dropped", ip4_version_not_4),
	LB_CASE("IPv4 tot_len beyond the frame: dropped", ip4_tot_len_beyond_frame),
	LB_CASE("IPv4 tot_len below IHL*4: dropped", ip4_tot_len_below_ihl),
	LB_CASE("IPv4 options beyond the frame: dropped", ip4_options_beyond_frame),
	LB_CASE("IPv6 header truncated: dropped", ip6_header_truncated),
	LB_CASE("IPv6 payload_len beyond the frame: dropped", ip6_payload_beyond_frame),
	LB_CASE("IPv6 extension chain longer than LB_IP6_EXT_MAX: dropped", ip6_ext_chain_too_long),
	LB_CASE("IPv6 extension header longer than the packet: dropped", ip6_ext_header_truncated),
	LB_CASE("IPv6 packet ending inside an extension header: dropped",
		ip6_ext_chain_cut_in_header),
	LB_CASE("TCP header truncated: dropped", tcp4_header_truncated),
	LB_CASE("TCP doff 4: dropped", tcp6_doff_below_5),
	LB_CASE("TCP options beyond the frame: dropped", tcp4_options_beyond_frame),
	LB_CASE("UDP header truncated: dropped", udp6_header_truncated),
	LB_CASE("UDP header cut by the IPv4 length, frame padded: dropped",
		udp4_header_cut_by_ip_length),
	LB_CASE("TCP header cut by the IPv6 length, frame padded: dropped",
		tcp6_header_cut_by_ip_length),
	LB_CASE("ICMP header truncated: dropped", icmp4_header_truncated),
	LB_CASE("ICMPv6 header truncated: dropped", icmp6_header_truncated),
	LB_CASE("IPv4 first fragment to a port VIP: dropped",
		ip4_first_fragment_to_port_vip_dropped),
	LB_CASE("IPv4 later fragment to a wildcard VIP: dropped",
		ip4_later_fragment_to_wildcard_vip_dropped),
	LB_CASE("IPv4 later fragment to a port-only VIP address passes",
		ip4_later_fragment_to_port_vip_passes),
	LB_CASE("IPv6 fragment to a port VIP: dropped", ip6_fragment_to_port_vip_dropped),
	LB_CASE("IPv4 first fragment to an address-hashed VIP forwarded",
		ip4_first_fragment_to_addrs_vip_forwarded),
	LB_CASE("IPv4 later fragment to an address-hashed VIP forwarded alike",
		ip4_later_fragment_to_addrs_vip_forwarded),
	LB_CASE("IPv6 first fragment to an address-hashed VIP forwarded",
		ip6_first_fragment_to_addrs_vip_forwarded),
	LB_CASE("IPv6 later fragment to an address-hashed VIP forwarded alike",
		ip6_later_fragment_to_addrs_vip_forwarded),
};

const struct lb_case_table lb_cases_parse = LB_CASES_ONLY(cases);
