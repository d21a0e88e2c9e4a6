// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb fixtures: ICMP echo, ICMP errors routed to the flow's backend, "too big" answers. */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>

#include "lb_cases.h"

#define QUOTE_FULL 0 /* quote the whole reply packet */

/* --- echo ----------------------------------------------------------------- */

static void echo_reply(struct lb_run *r, uint8_t proto, const char *vip)
{
	struct pkt_spec s;

	w_client(&s, proto, vip, 0);
	s.tos = 0x10;
	lbc_build(&r->in, &s);
	w_expect_echo_reply(&s, &r->out);
	r->action = XDP_TX;
	r->stat = LB_STAT_ICMP_ECHO_REPLIED;
}

static void echo4_answered(struct lb_run *r)
{
	echo_reply(r, IPPROTO_ICMP, "192.0.2.10");
}

static void echo6_answered(struct lb_run *r)
{
	echo_reply(r, IPPROTO_ICMPV6, "2001:db8::10");
}

static void echo4_vlan_answered(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMP, "192.0.2.10", 0);
	s.vlan_tpid = 0x8100;
	s.vlan_tci = 7;
	lbc_build(&r->in, &s);
	w_expect_echo_reply(&s, &r->out);
	r->action = XDP_TX;
	r->stat = LB_STAT_ICMP_ECHO_REPLIED;
}

/* --- errors --------------------------------------------------------------- */

/*
 * A router's ICMP error about the backend's reply (VIP:vport -> client:40000),
 * quoting quote_len bytes of it (QUOTE_FULL = all); sets *flow to the client's
 * spec of the same flow.
 */
/* What varies the shape of an ICMP error beyond its type. */
struct err_shape {
	const uint8_t *quote_opts; /* IPv4 options of the quoted packet */
	size_t quote_opts_len;
	uint16_t vlan_tci; /* 802.1Q tag on the error's frame; 0 = none */
	const struct pkt_ext6 *quote_ext; /* extension headers of the quoted IPv6 packet */
	size_t quote_n_ext;
	uint16_t quote_frag; /* quoted IPv4 packet is a later fragment at this offset (8 bytes) */
};

static void icmp_error_shaped(struct lb_run *r, struct pkt_spec *err, struct pkt_spec *flow,
			      uint8_t proto, const char *vip, uint16_t vport, uint8_t type,
			      uint8_t code, uint32_t rest, size_t quote_len,
			      const struct err_shape *shape)
{
	static uint8_t quote[PKT_MAX / 2];
	struct pkt_spec reply;
	size_t len;

	w_client(flow, proto, vip, vport);
	reply = *flow;
	reply.ip_opts = shape->quote_opts;
	reply.ip_opts_len = shape->quote_opts_len;
	if (shape->quote_frag) {
		reply.frag = shape->quote_frag;
		reply.raw = true;
	}
	cr_assert_leq(shape->quote_n_ext, PKT_EXT_MAX);
	memcpy(reply.ext, shape->quote_ext, shape->quote_n_ext * sizeof(reply.ext[0]));
	reply.n_ext = shape->quote_n_ext;
	for (size_t i = 0; i < reply.n_ext; i++)
		if (reply.ext[i].type == IPPROTO_FRAGMENT && reply.ext[i].frag_off)
			reply.raw = true; /* a later fragment: no L4 header */
	memcpy(reply.src, flow->dst, sizeof(reply.src));
	memcpy(reply.dst, flow->src, sizeof(reply.dst));
	reply.sport = flow->dport;
	reply.dport = flow->sport;
	len = pkt_build_l3(quote, sizeof(quote), &reply);
	cr_assert_gt(len, 0);

	memset(err, 0, sizeof(*err));
	memcpy(err->dmac, flow->dmac, 6);
	memcpy(err->smac, flow->smac, 6);
	err->family = flow->family;
	pkt_addr(err->src, flow->family == LB_AF_INET ? "203.0.113.254" : "2001:db8:3::fe");
	memcpy(err->dst, flow->dst, sizeof(err->dst));
	err->tos = 0xc0;
	err->proto = flow->family == LB_AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	err->icmp_type = type;
	err->icmp_code = code;
	err->icmp_rest = rest;
	err->payload = quote;
	err->payload_len = quote_len == QUOTE_FULL ? len : quote_len;
	if (shape->vlan_tci) {
		err->vlan_tpid = 0x8100;
		err->vlan_tci = shape->vlan_tci;
	}
	lbc_build(&r->in, err);
}

static void icmp_error(struct lb_run *r, struct pkt_spec *err, struct pkt_spec *flow,
		       uint8_t proto, const char *vip, uint16_t vport, uint8_t type,
		       uint8_t code, uint32_t rest, size_t quote_len)
{
	const struct err_shape plain = { 0 };

	icmp_error_shaped(r, err, flow, proto, vip, vport, type, code, rest, quote_len, &plain);
}

/* The whole ICMP packet goes to the backend of the reversed quoted flow. */
static void error_routed(struct lb_run *r, const struct pkt_spec *flow, uint32_t vip,
			 uint32_t be)
{
	struct lb_flow_key key = w_key(flow, false);

	w_expect_encap(r, &r->in, vip, be, &key, &r->out);
	r->action = XDP_TX;
	r->stat = LB_STAT_ICMP_ERR_FORWARDED;
}

static void track_flow_then_change_table(struct lb_run *r, uint8_t proto, const char *vip,
					 uint16_t port, uint32_t vip_index, uint32_t new_be)
{
	struct pkt_spec s;
	struct pkt p;

	w_client(&s, proto, vip, port);
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_TX, "the flow's first packet is forwarded");
	w_table_fill(r, vip_index, new_be);
}

static void dest_unreachable4_to_tracked_backend(struct lb_run *r)
{
	struct pkt_spec err, flow;

	track_flow_then_change_table(r, IPPROTO_TCP, "192.0.2.10", 80, W_VIP4_TCP, W_BE2);
	icmp_error(r, &err, &flow, IPPROTO_TCP, "192.0.2.10", 80, 3, 1, 0, QUOTE_FULL);
	error_routed(r, &flow, W_VIP4_TCP, W_BE1);
}

static void frag_needed4_to_maglev_backend(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_TCP, "192.0.2.10", 80, 3, 4, 1400, 28);
	error_routed(r, &flow, W_VIP4_TCP, W_BE1);
}

static void frag_needed4_creates_no_entry(struct lb_run *r)
{
	struct lb_ct_seen seen;
	struct pkt_spec flow;
	struct lb_flow_key key;
	struct lb_conn conn;

	w_client(&flow, IPPROTO_TCP, "192.0.2.10", 80);
	key = w_key(&flow, false);
	cr_expect_neq(bpf_map_lookup_elem(r->h.conntrack, &key, &conn), 0,
		      "an ICMP error must not create a conntrack entry");
	cr_expect_neq(harness_lb_ct_seen(&r->h, &key, &seen), 0,
		      "an ICMP error must not create an lb_ct_new entry");
}

static void time_exceeded4_routed(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_TCP, "192.0.2.10", 80, 11, 0, 0, QUOTE_FULL);
	error_routed(r, &flow, W_VIP4_TCP, W_BE1);
}

static void error4_about_gue_vip_routed_by_gue(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_UDP, "192.0.2.10", 53, 3, 3, 0, QUOTE_FULL);
	error_routed(r, &flow, W_VIP4_UDP_GUE, W_BE2);
}

/* An ICMP entry for an address that has none in the world, as the agent writes one per VIP. */
/* An ICMP (or, for an IPv6 address, ICMPv6) entry for addr, as the agent adds with a VIP. */
static void add_icmp_entry(struct lb_run *r, const char *addr)
{
	bool v6 = strchr(addr, ':');
	struct lb_vip_key key = { .proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
				  .family = v6 ? LB_AF_INET6 : LB_AF_INET };
	struct lb_vip_info info = w_vip_info(v6 ? W_ICMP6 : W_ICMP4);

	pkt_addr(key.addr, addr);
	cr_assert_eq(harness_lb_vip(&r->h, &key, &info), 0);
}

/* Like error_routed(), for an address-hashed VIP: the flow's ports do not count. */
static void error_routed_by_addresses(struct lb_run *r, const struct pkt_spec *flow,
				      uint32_t vip, uint32_t be)
{
	struct lb_flow_key key = w_key(flow, true);

	w_expect_encap(r, &r->in, vip, be, &key, &r->out);
	r->action = XDP_TX;
	r->stat = LB_STAT_ICMP_ERR_FORWARDED;
}

static void error4_about_wildcard_vip_routed(struct lb_run *r)
{
	struct pkt_spec err, flow;

	add_icmp_entry(r, "192.0.2.11");
	icmp_error(r, &err, &flow, IPPROTO_TCP, "192.0.2.11", 8443, 3, 4, 1400, QUOTE_FULL);
	error_routed(r, &flow, W_VIP4_WILD, W_BE1);
}

static void error4_about_addrs_vip_routed_by_addresses(struct lb_run *r)
{
	struct pkt_spec err, flow;

	add_icmp_entry(r, "192.0.2.13");
	icmp_error(r, &err, &flow, IPPROTO_UDP, "192.0.2.13", 5000, 3, 4, 1400, QUOTE_FULL);
	error_routed_by_addresses(r, &flow, W_VIP4_ADDRS, W_BE1);
}

static void error4_quote_with_options_routed(struct lb_run *r)
{
	static const uint8_t opts[] = { 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00 };
	const struct err_shape shape = { .quote_opts = opts, .quote_opts_len = sizeof(opts) };
	struct pkt_spec err, flow;

	track_flow_then_change_table(r, IPPROTO_TCP, "192.0.2.10", 80, W_VIP4_TCP, W_BE2);
	icmp_error_shaped(r, &err, &flow, IPPROTO_TCP, "192.0.2.10", 80, 3, 4, 1400, 36,
			  &shape);
	error_routed(r, &flow, W_VIP4_TCP, W_BE1);
}

static void error4_vlan_tag_kept(struct lb_run *r)
{
	const struct err_shape shape = { .vlan_tci = 12 };
	struct pkt_spec err, flow;

	icmp_error_shaped(r, &err, &flow, IPPROTO_TCP, "192.0.2.10", 80, 11, 0, 0, QUOTE_FULL,
			  &shape);
	error_routed(r, &flow, W_VIP4_TCP, W_BE1);
}

static void packet_too_big6_routed(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_TCP, "2001:db8::10", 80, 2, 0, 1280, QUOTE_FULL);
	error_routed(r, &flow, W_VIP6_TCP, W_BE3);
}

static void dest_unreachable6_to_tracked_backend(struct lb_run *r)
{
	struct pkt_spec err, flow;

	track_flow_then_change_table(r, IPPROTO_TCP, "2001:db8::10", 80, W_VIP6_TCP, W_BE4);
	icmp_error(r, &err, &flow, IPPROTO_TCP, "2001:db8::10", 80, 1, 4, 0, QUOTE_FULL);
	error_routed(r, &flow, W_VIP6_TCP, W_BE3);
}

static void time_exceeded6_routed(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_TCP, "2001:db8::10", 80, 3, 0, 0, 48);
	error_routed(r, &flow, W_VIP6_TCP, W_BE3);
}

static void error4_quoting_no_vip_dropped(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_TCP, "192.0.2.10", 81, 3, 4, 1400, QUOTE_FULL);
	lbc_drop(r, LB_DROP_ICMP_UNMATCHED);
}

static void error6_quoting_no_vip_dropped(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_UDP, "2001:db8::10", 54, 2, 0, 1280, QUOTE_FULL);
	lbc_drop(r, LB_DROP_ICMP_UNMATCHED);
}

static void error4_quote_truncated_dropped(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_TCP, "192.0.2.10", 80, 3, 4, 1400, 24);
	lbc_drop(r, LB_DROP_ICMP_MALFORMED);
}

static void error6_quote_truncated_dropped(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_TCP, "2001:db8::10", 80, 2, 0, 1280, 36);
	lbc_drop(r, LB_DROP_ICMP_MALFORMED);
}

/* --- too big after encapsulation ------------------------------------------ */

static const uint8_t big[1500];

static void sized(struct pkt_spec *s, uint8_t proto, const char *vip, uint16_t port,
		  size_t l3_len)
{
	size_t hdrs;

	w_client(s, proto, vip, port);
	hdrs = (s->family == LB_AF_INET ? 20 : 40) + (proto == IPPROTO_TCP ? 20 : 8);
	s->payload = big;
	s->payload_len = l3_len - hdrs;
}

static void too_big(struct lb_run *r, const struct pkt_spec *s, unsigned int overhead)
{
	lbc_build(&r->in, s);
	w_expect_too_big(r, &r->in, s, overhead, &r->out);
	r->action = XDP_TX;
	r->stat = LB_STAT_ICMP_TOO_BIG_SENT;
}

static void set_mtu(struct lb_run *r, uint16_t mtu)
{
	r->settings.mtu = mtu;
	w_apply_settings(r);
}

static void df4_too_big_answered_frag_needed(struct lb_run *r)
{
	struct pkt_spec s;

	set_mtu(r, 1000);
	sized(&s, IPPROTO_TCP, "192.0.2.10", 80, 981);
	too_big(r, &s, 20);
}

static void df4_fitting_exactly_forwarded(struct lb_run *r)
{
	struct pkt_spec s;

	set_mtu(r, 1000);
	sized(&s, IPPROTO_TCP, "192.0.2.10", 80, 980);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void no_df4_too_big_dropped(struct lb_run *r)
{
	struct pkt_spec s;

	set_mtu(r, 1000);
	sized(&s, IPPROTO_TCP, "192.0.2.10", 80, 1200);
	s.frag = 0;
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_TOO_BIG);
}

static void ip6_too_big_answered_ptb(struct lb_run *r)
{
	struct pkt_spec s;

	set_mtu(r, 1300);
	sized(&s, IPPROTO_TCP, "2001:db8::10", 80, 1261);
	too_big(r, &s, 40);
}

static void ip6_fitting_exactly_forwarded(struct lb_run *r)
{
	struct pkt_spec s;

	set_mtu(r, 1300);
	sized(&s, IPPROTO_TCP, "2001:db8::10", 80, 1260);
	lbc_forward(r, &s, W_VIP6_TCP, W_BE3);
}

static void gue4_overhead_counts_udp(struct lb_run *r)
{
	struct pkt_spec s;

	set_mtu(r, 1000);
	sized(&s, IPPROTO_UDP, "192.0.2.10", 53, 973);
	too_big(r, &s, 28);
}

static void gue6_overhead_counts_udp(struct lb_run *r)
{
	struct pkt_spec s;

	set_mtu(r, 1300);
	sized(&s, IPPROTO_UDP, "2001:db8::10", 53, 1253);
	too_big(r, &s, 48);
}

static void ip4_to_ipv6_backend_overhead_40(struct lb_run *r)
{
	struct pkt_spec s;

	set_mtu(r, 1000);
	sized(&s, IPPROTO_TCP, "192.0.2.12", 80, 961);
	too_big(r, &s, 40);
}

static void too_big_answer_keeps_vlan(struct lb_run *r)
{
	struct pkt_spec s;

	set_mtu(r, 1000);
	sized(&s, IPPROTO_TCP, "192.0.2.10", 80, 1100);
	s.vlan_tpid = 0x8100;
	s.vlan_tci = 42;
	too_big(r, &s, 20);
}

static void icmp_error_too_big_dropped(struct lb_run *r)
{
	struct pkt_spec err, flow;

	set_mtu(r, 100);
	icmp_error(r, &err, &flow, IPPROTO_TCP, "192.0.2.10", 80, 3, 4, 1400, QUOTE_FULL);
	lbc_drop(r, LB_DROP_TOO_BIG);
}

static void error_to_tracked_flow_not_counted_as_flow(struct lb_run *r)
{
	struct pkt_spec err, flow;

	track_flow_then_change_table(r, IPPROTO_TCP, "192.0.2.10", 80, W_VIP4_TCP, W_BE2);
	icmp_error(r, &err, &flow, IPPROTO_TCP, "192.0.2.10", 80, 3, 4, 1400, QUOTE_FULL);
	error_routed(r, &flow, W_VIP4_TCP, W_BE1);
}

static void error_to_tracked_flow_check(struct lb_run *r)
{
	struct lb_ct_seen seen;
	struct lb_counter fwd;
	struct lb_vip_stats vs;
	struct lb_flow_key key;
	struct pkt_spec flow;
	struct lb_conn conn;

	w_client(&flow, IPPROTO_TCP, "192.0.2.10", 80);
	key = w_key(&flow, false);
	cr_assert_eq(harness_lb_ct_seen(&r->h, &key, &seen), 0, "the flow, seen once");
	cr_expect_neq(bpf_map_lookup_elem(r->h.conntrack, &key, &conn), 0,
		      "the error confirmed the flow as if it were its second packet");
	cr_assert_eq(harness_percpu_sum(r->h.vip_stats, W_VIP4_TCP, (uint64_t *)&vs, 5), 0);
	cr_expect_eq(vs.packets, 2, "VIP packets %llu (flow packet + error)",
		     (unsigned long long)vs.packets);
	cr_expect_eq(vs.ct_hits, 0, "an error is no conntrack hit");
	cr_assert_eq(harness_percpu_sum(r->h.stats, LB_STAT_FORWARDED, (uint64_t *)&fwd, 2), 0);
	cr_expect_eq(fwd.packets, 1, "LB_STAT_FORWARDED counts the flow packet only");
}

static void error_over_gue6_carries_icmp4(struct lb_run *r)
{
	struct pkt_spec err, flow;

	w_table_fill(r, W_VIP4_UDP_GUE, W_BE4);
	icmp_error(r, &err, &flow, IPPROTO_UDP, "192.0.2.10", 53, 3, 3, 0, QUOTE_FULL);
	error_routed(r, &flow, W_VIP4_UDP_GUE, W_BE4);
}

static void error4_quoting_icmp_unmatched(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_ICMP, "192.0.2.10", 0, 3, 1, 0, QUOTE_FULL);
	lbc_drop(r, LB_DROP_ICMP_UNMATCHED);
}

/* The quoted IPv6 packet's extension headers are skipped as a packet's would be. */
static void error6_quote_with_ext(struct lb_run *r, const struct pkt_ext6 *ext, size_t n,
				  uint8_t proto, uint16_t port, uint32_t vip, uint32_t new_be,
				  struct pkt_spec *flow)
{
	const struct err_shape shape = { .quote_ext = ext, .quote_n_ext = n };
	struct pkt_spec err;

	track_flow_then_change_table(r, proto, "2001:db8::10", port, vip, new_be);
	icmp_error_shaped(r, &err, flow, proto, "2001:db8::10", port, 2, 0, 1280, QUOTE_FULL,
			  &shape);
}

static void error6_quoting_dstopts_routed(struct lb_run *r)
{
	static const struct pkt_ext6 ext[] = { { .type = IPPROTO_DSTOPTS, .len = 1 } };
	struct pkt_spec flow;

	error6_quote_with_ext(r, ext, 1, IPPROTO_TCP, 80, W_VIP6_TCP, W_BE4, &flow);
	error_routed(r, &flow, W_VIP6_TCP, W_BE3);
}

static void error6_quoting_hop_by_hop_and_first_fragment_routed(struct lb_run *r)
{
	static const struct pkt_ext6 ext[] = {
		{ .type = IPPROTO_HOPOPTS },
		{ .type = IPPROTO_FRAGMENT, .frag_more = true, .frag_id = 7 },
	};
	struct pkt_spec flow;

	error6_quote_with_ext(r, ext, 2, IPPROTO_UDP, 53, W_VIP6_UDP_GUE, W_BE3, &flow);
	error_routed(r, &flow, W_VIP6_UDP_GUE, W_BE4);
}

static void error6_quoting_too_long_a_chain_dropped(struct lb_run *r)
{
	static const struct pkt_ext6 ext[LB_IP6_EXT_MAX + 1] = {
		{ .type = IPPROTO_DSTOPTS }, { .type = IPPROTO_DSTOPTS },
		{ .type = IPPROTO_DSTOPTS }, { .type = IPPROTO_DSTOPTS },
		{ .type = IPPROTO_DSTOPTS },
	};
	const struct err_shape shape = { .quote_ext = ext, .quote_n_ext = LB_IP6_EXT_MAX + 1 };
	struct pkt_spec err, flow;

	_Static_assert(LB_IP6_EXT_MAX == 4, "one more header than the data plane skips");
	icmp_error_shaped(r, &err, &flow, IPPROTO_TCP, "2001:db8::10", 80, 2, 0, 1280,
			  QUOTE_FULL, &shape);
	lbc_drop(r, LB_DROP_ICMP_MALFORMED);
}

/* A quoted later fragment has no ports: only an address-hashed (port 0) VIP matches. */
static void error6_quoting_later_fragment_routed_by_addresses(struct lb_run *r)
{
	static const struct pkt_ext6 ext[] = {
		{ .type = IPPROTO_FRAGMENT, .frag_off = 185, .frag_id = 9 },
	};
	const struct err_shape shape = { .quote_ext = ext, .quote_n_ext = 1 };
	struct pkt_spec err, flow;

	add_icmp_entry(r, "2001:db8::13");
	icmp_error_shaped(r, &err, &flow, IPPROTO_UDP, "2001:db8::13", 5000, 3, 0, 0, QUOTE_FULL,
			  &shape);
	error_routed_by_addresses(r, &flow, W_VIP6_ADDRS, W_BE3);
}

static void too_big_short_original_quoted_whole(struct lb_run *r)
{
	struct pkt_spec s;

	set_mtu(r, 100);
	sized(&s, IPPROTO_TCP, "192.0.2.10", 80, 90);
	too_big(r, &s, 20);
}

static void error6_about_gue6_vip_routed(struct lb_run *r)
{
	struct pkt_spec err, flow;

	icmp_error(r, &err, &flow, IPPROTO_UDP, "2001:db8::10", 53, 1, 4, 0, QUOTE_FULL);
	error_routed(r, &flow, W_VIP6_UDP_GUE, W_BE4);
}

/* A quoted later fragment has no ports: only an address-hashed (port 0) VIP matches. */
static void error4_quoting_later_fragment_routed_by_addresses(struct lb_run *r)
{
	const struct err_shape shape = { .quote_frag = 185 };
	struct pkt_spec err, flow;

	add_icmp_entry(r, "192.0.2.13");
	icmp_error_shaped(r, &err, &flow, IPPROTO_UDP, "192.0.2.13", 5000, 11, 1, 0, QUOTE_FULL,
			  &shape);
	error_routed_by_addresses(r, &flow, W_VIP4_ADDRS, W_BE1);
}

static const struct lb_case cases[] = {
	LB_CASE("ICMP echo request to a VIP answered", echo4_answered),
	LB_CASE("ICMPv6 echo request to a VIP answered", echo6_answered),
	LB_CASE("ICMP echo answered with the VLAN tag kept", echo4_vlan_answered),
	LB_CASE("ICMP dest unreachable goes to the tracked backend",
		dest_unreachable4_to_tracked_backend),
	LB_CASE_CHECKED("ICMP frag needed (minimal quote) goes to the Maglev backend",
			frag_needed4_to_maglev_backend, frag_needed4_creates_no_entry),
	LB_CASE("ICMP time exceeded routed to the flow's backend", time_exceeded4_routed),
	LB_CASE("ICMP error about a GUE VIP's flow encapsulated with GUE",
		error4_about_gue_vip_routed_by_gue),
	LB_CASE("ICMP error about a wildcard VIP's flow routed", error4_about_wildcard_vip_routed),
	LB_CASE("ICMP error about an address-hashed VIP routed by addresses",
		error4_about_addrs_vip_routed_by_addresses),
	LB_CASE("ICMP error quoting IPv4 options finds the quoted ports",
		error4_quote_with_options_routed),
	LB_CASE("ICMP error forwarded with its VLAN tag kept", error4_vlan_tag_kept),
	LB_CASE("ICMPv6 packet too big routed to the flow's backend", packet_too_big6_routed),
	LB_CASE("ICMPv6 dest unreachable goes to the tracked backend",
		dest_unreachable6_to_tracked_backend),
	LB_CASE("ICMPv6 time exceeded (minimal quote) routed", time_exceeded6_routed),
	LB_CASE("ICMP error quoting no VIP flow: dropped", error4_quoting_no_vip_dropped),
	LB_CASE("ICMPv6 error quoting no VIP flow: dropped", error6_quoting_no_vip_dropped),
	LB_CASE("ICMP error with a quote cut in the L4 header: dropped",
		error4_quote_truncated_dropped),
	LB_CASE("ICMPv6 error with a quote cut in the IPv6 header: dropped",
		error6_quote_truncated_dropped),
	LB_CASE("IPv4 DF too big after IPIP: frag needed with MTU - 20",
		df4_too_big_answered_frag_needed),
	LB_CASE("IPv4 exactly at MTU - 20 forwarded", df4_fitting_exactly_forwarded),
	LB_CASE("IPv4 without DF too big: dropped", no_df4_too_big_dropped),
	LB_CASE("IPv6 too big after 6in6: packet too big with MTU - 40", ip6_too_big_answered_ptb),
	LB_CASE("IPv6 exactly at MTU - 40 forwarded", ip6_fitting_exactly_forwarded),
	LB_CASE("GUE over IPv4 overhead is 28", gue4_overhead_counts_udp),
	LB_CASE("GUE over IPv6 overhead is 48", gue6_overhead_counts_udp),
	LB_CASE("IPv4 to an IPv6 backend overhead is 40", ip4_to_ipv6_backend_overhead_40),
	LB_CASE("too-big answer keeps the VLAN tag", too_big_answer_keeps_vlan),
	LB_CASE("ICMP error too big to encapsulate: dropped", icmp_error_too_big_dropped),
	LB_CASE_CHECKED("ICMP error to a tracked flow: no hit, no packet, not FORWARDED",
			error_to_tracked_flow_not_counted_as_flow, error_to_tracked_flow_check),
	LB_CASE("ICMP error over GUE/IPv6: ICMPv4 inner summed in full",
		error_over_gue6_carries_icmp4),
	LB_CASE("ICMP error quoting ICMP: unmatched", error4_quoting_icmp_unmatched),
	LB_CASE("ICMPv6 error about a GUE/IPv6 VIP's flow routed", error6_about_gue6_vip_routed),
	LB_CASE("ICMP error quoting a later fragment routed by addresses",
		error4_quoting_later_fragment_routed_by_addresses),
	LB_CASE("ICMPv6 error quoting destination options goes to the tracked backend",
		error6_quoting_dstopts_routed),
	LB_CASE("ICMPv6 error quoting hop-by-hop and a first fragment finds the ports",
		error6_quoting_hop_by_hop_and_first_fragment_routed),
	LB_CASE("ICMPv6 error quoting a later fragment routed by addresses",
		error6_quoting_later_fragment_routed_by_addresses),
	LB_CASE("ICMPv6 error quoting more extension headers than skipped: malformed",
		error6_quoting_too_long_a_chain_dropped),
	LB_CASE("too-big answer quotes a short original whole",
		too_big_short_original_quoted_whole),
};

const struct lb_case_table lb_cases_icmp = LB_CASES_ONLY(cases);
