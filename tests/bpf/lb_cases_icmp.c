// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb fixtures: ICMP echo, ICMP errors routed to the flow's backend, "too big" answers. */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>

#include "lb_cases.h"

#define ROUTED(v, b)                                                                               \
	{                                                                                          \
		.verdict = LB_ERROR_ROUTED, .vip = v, .be = b                                      \
	}
#define ROUTED_BY_ADDRS(v, b)                                                                      \
	{                                                                                          \
		.verdict = LB_ERROR_ROUTED, .vip = v, .be = b, .by_addrs = true                    \
	}
#define TOO_BIG(bytes)                                                                             \
	{                                                                                          \
		.verdict = LB_TOO_BIG, .overhead = bytes                                           \
	}

_Static_assert(LB_IP6_EXT_MAX == 4, "the too-long quoted chain below is one header longer");

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

/* Rows laid out by hand (see lb_cases_fwd.c). */
/* clang-format off */
static const struct lb_row rows[] = {
	/* --- echo --- */
	{ "ICMP echo request to a VIP answered",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "192.0.2.10", .tos = 0x10 },
	  .want = { LB_ECHO_REPLY } },
	{ "ICMPv6 echo request to a VIP answered",
	  .pkt = { .proto = IPPROTO_ICMPV6, .dst = "2001:db8::10", .tos = 0x10 },
	  .want = { LB_ECHO_REPLY } },
	{ "ICMP echo answered with the VLAN tag kept",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "192.0.2.10", .vlan_tpid = 0x8100, .vlan_tci = 7 },
	  .want = { LB_ECHO_REPLY } },

	/* --- errors: .pkt names the flow whose reply the error quotes --- */
	{ "ICMP frag needed (minimal quote) goes to the Maglev backend",
	  .pkt = { LB_TCP4, .err = { .type = 3, .code = 4, .rest = 1400, .quote_len = 28 } },
	  .want = ROUTED(W_VIP4_TCP, W_BE1), .check = frag_needed4_creates_no_entry },
	{ "ICMP time exceeded routed to the flow's backend",
	  .pkt = { LB_TCP4, .err = { .type = 11 } }, .want = ROUTED(W_VIP4_TCP, W_BE1) },
	{ "ICMP error about a GUE VIP's flow encapsulated with GUE",
	  .pkt = { LB_UDP4, .err = { .type = 3, .code = 3 } },
	  .want = ROUTED(W_VIP4_UDP_GUE, W_BE2) },
	{ "ICMP error about a wildcard VIP's flow routed",
	  .world = { .icmp_entry = "192.0.2.11" },
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.11", .dport = 8443,
		   .err = { .type = 3, .code = 4, .rest = 1400 } },
	  .want = ROUTED(W_VIP4_WILD, W_BE1) },
	{ "ICMP error about an address-hashed VIP routed by addresses",
	  .world = { .icmp_entry = "192.0.2.13" },
	  .pkt = { .proto = IPPROTO_UDP, .dst = "192.0.2.13", .dport = 5000,
		   .err = { .type = 3, .code = 4, .rest = 1400 } },
	  .want = ROUTED_BY_ADDRS(W_VIP4_ADDRS, W_BE1) },
	{ "ICMP error forwarded with its VLAN tag kept",
	  .pkt = { LB_TCP4, .err = { .type = 11, .vlan_tci = 12 } },
	  .want = ROUTED(W_VIP4_TCP, W_BE1) },
	{ "ICMPv6 packet too big routed to the flow's backend",
	  .pkt = { LB_TCP6, .err = { .type = 2, .rest = 1280 } },
	  .want = ROUTED(W_VIP6_TCP, W_BE3) },
	{ "ICMPv6 time exceeded (minimal quote) routed",
	  .pkt = { LB_TCP6, .err = { .type = 3, .quote_len = 48 } },
	  .want = ROUTED(W_VIP6_TCP, W_BE3) },
	{ "ICMP error quoting no VIP flow: dropped",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.10", .dport = 81,
		   .err = { .type = 3, .code = 4, .rest = 1400 } },
	  .want = LB_DROPPED(LB_DROP_ICMP_UNMATCHED) },
	{ "ICMPv6 error quoting no VIP flow: dropped",
	  .pkt = { .proto = IPPROTO_UDP, .dst = "2001:db8::10", .dport = 54,
		   .err = { .type = 2, .rest = 1280 } },
	  .want = LB_DROPPED(LB_DROP_ICMP_UNMATCHED) },
	{ "ICMP error with a quote cut in the L4 header: dropped",
	  .pkt = { LB_TCP4, .err = { .type = 3, .code = 4, .rest = 1400, .quote_len = 24 } },
	  .want = LB_DROPPED(LB_DROP_ICMP_MALFORMED) },
	{ "ICMPv6 error with a quote cut in the IPv6 header: dropped",
	  .pkt = { LB_TCP6, .err = { .type = 2, .rest = 1280, .quote_len = 36 } },
	  .want = LB_DROPPED(LB_DROP_ICMP_MALFORMED) },

	/* --- too big after encapsulation: .l3_size is the client packet's --- */
	{ "IPv4 DF too big after IPIP: frag needed with MTU - 20",
	  .world = { .mtu = 1000 }, .pkt = { LB_TCP4, .l3_size = 981 }, .want = TOO_BIG(20) },
	{ "IPv4 exactly at MTU - 20 forwarded",
	  .world = { .mtu = 1000 }, .pkt = { LB_TCP4, .l3_size = 980 },
	  .want = LB_FWD(W_VIP4_TCP, W_BE1) },
	{ "IPv4 without DF too big: dropped",
	  .world = { .mtu = 1000 }, .pkt = { LB_TCP4, .l3_size = 1200, .no_df = true },
	  .want = LB_DROPPED(LB_DROP_TOO_BIG) },
	{ "IPv6 too big after 6in6: packet too big with MTU - 40",
	  .world = { .mtu = 1300 }, .pkt = { LB_TCP6, .l3_size = 1261 }, .want = TOO_BIG(40) },
	{ "IPv6 exactly at MTU - 40 forwarded",
	  .world = { .mtu = 1300 }, .pkt = { LB_TCP6, .l3_size = 1260 },
	  .want = LB_FWD(W_VIP6_TCP, W_BE3) },
	{ "GUE over IPv4 overhead is 28",
	  .world = { .mtu = 1000 }, .pkt = { LB_UDP4, .l3_size = 973 }, .want = TOO_BIG(28) },
	{ "GUE over IPv6 overhead is 48",
	  .world = { .mtu = 1300 }, .pkt = { LB_UDP6, .l3_size = 1253 }, .want = TOO_BIG(48) },
	{ "IPv6 too big after 6in4: packet too big with MTU - 20",
	  .world = { .mtu = 1400 },
	  .pkt = { .proto = IPPROTO_TCP, .dst = "2001:db8::16", .dport = 80, .l3_size = 1381 },
	  .want = TOO_BIG(20) },
	{ "IPv6 exactly at MTU - 20 forwarded in 6in4",
	  .world = { .mtu = 1400 },
	  .pkt = { .proto = IPPROTO_TCP, .dst = "2001:db8::16", .dport = 80, .l3_size = 1380 },
	  .want = LB_FWD(W_VIP6_TO4, W_BE1) },
	{ "GUE over IPv4 carrying IPv6 overhead is 28",
	  .world = { .mtu = 1400, .fill = { W_VIP6_UDP_GUE, W_BE2 } },
	  .pkt = { LB_UDP6, .l3_size = 1373 }, .want = TOO_BIG(28) },
	{ "ICMPv6 error about a 6in4 flow routed in 6in4",
	  .world = { .icmp_entry = "2001:db8::16" },
	  .pkt = { .proto = IPPROTO_TCP, .dst = "2001:db8::16", .dport = 80,
		   .err = { .type = 2, .rest = 1280 } },
	  .want = ROUTED(W_VIP6_TO4, W_BE1) },
	{ "IPv4 to an IPv6 backend overhead is 40",
	  .world = { .mtu = 1000 },
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.12", .dport = 80, .l3_size = 961 },
	  .want = TOO_BIG(40) },
	{ "too-big answer keeps the VLAN tag",
	  .world = { .mtu = 1000 },
	  .pkt = { LB_TCP4, .l3_size = 1100, .vlan_tpid = 0x8100, .vlan_tci = 42 },
	  .want = TOO_BIG(20) },
	{ "ICMP error too big to encapsulate: dropped",
	  .world = { .mtu = 100 },
	  .pkt = { LB_TCP4, .err = { .type = 3, .code = 4, .rest = 1400 } },
	  .want = LB_DROPPED(LB_DROP_TOO_BIG) },
	{ "ICMP error over GUE/IPv6: ICMPv4 inner summed in full",
	  .world = { .fill = { W_VIP4_UDP_GUE, W_BE4 } },
	  .pkt = { LB_UDP4, .err = { .type = 3, .code = 3 } },
	  .want = ROUTED(W_VIP4_UDP_GUE, W_BE4) },
	{ "ICMP error quoting ICMP: unmatched",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "192.0.2.10", .err = { .type = 3, .code = 1 } },
	  .want = LB_DROPPED(LB_DROP_ICMP_UNMATCHED) },
	{ "ICMPv6 error about a GUE/IPv6 VIP's flow routed",
	  .pkt = { LB_UDP6, .err = { .type = 1, .code = 4 } },
	  .want = ROUTED(W_VIP6_UDP_GUE, W_BE4) },
	/* A quoted later fragment has no ports: only an address-hashed (port 0) VIP matches. */
	{ "ICMP error quoting a later fragment routed by addresses",
	  .world = { .icmp_entry = "192.0.2.13" },
	  .pkt = { .proto = IPPROTO_UDP, .dst = "192.0.2.13", .dport = 5000,
		   .err = { .type = 11, .code = 1, .quote_frag = 185 } },
	  .want = ROUTED_BY_ADDRS(W_VIP4_ADDRS, W_BE1) },
	{ "ICMPv6 error quoting a later fragment routed by addresses",
	  .world = { .icmp_entry = "2001:db8::13" },
	  .pkt = { .proto = IPPROTO_UDP, .dst = "2001:db8::13", .dport = 5000,
		   .err = { .type = 3,
			    .quote_ext = (const struct pkt_ext6[]){ { .type = IPPROTO_FRAGMENT,
								      .frag_off = 185,
								      .frag_id = 9 } },
			    .quote_n_ext = 1 } },
	  .want = ROUTED_BY_ADDRS(W_VIP6_ADDRS, W_BE3) },
	{ "ICMPv6 error quoting more extension headers than skipped: malformed",
	  .pkt = { LB_TCP6,
		   .err = { .type = 2, .rest = 1280,
			    .quote_ext = (const struct pkt_ext6[]){
				    { .type = IPPROTO_DSTOPTS }, { .type = IPPROTO_DSTOPTS },
				    { .type = IPPROTO_DSTOPTS }, { .type = IPPROTO_DSTOPTS },
				    { .type = IPPROTO_DSTOPTS } },
			    .quote_n_ext = LB_IP6_EXT_MAX + 1 } },
	  .want = LB_DROPPED(LB_DROP_ICMP_MALFORMED) },
	{ "too-big answer quotes a short original whole",
	  .world = { .mtu = 100 }, .pkt = { LB_TCP4, .l3_size = 90 }, .want = TOO_BIG(20) },
};
/* clang-format on */

/* --- errors about a flow seen before: stories of two packets ---------------- */

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
	const struct lb_icmp_err e = {.type = 3, .code = 1};
	struct pkt_spec flow;

	track_flow_then_change_table(r, IPPROTO_TCP, "192.0.2.10", 80, W_VIP4_TCP, W_BE2);
	lbc_icmp_error(r, &flow, IPPROTO_TCP, "192.0.2.10", 80, &e);
	lbc_error_routed(r, &flow, W_VIP4_TCP, W_BE1, false);
}

static void error4_quote_with_options_routed(struct lb_run *r)
{
	static const uint8_t opts[] = { 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00 };
	const struct lb_icmp_err e = {.type = 3,
				      .code = 4,
				      .rest = 1400,
				      .quote_len = 36,
				      .quote_opts = opts,
				      .quote_opts_len = sizeof(opts)};
	struct pkt_spec flow;

	track_flow_then_change_table(r, IPPROTO_TCP, "192.0.2.10", 80, W_VIP4_TCP, W_BE2);
	lbc_icmp_error(r, &flow, IPPROTO_TCP, "192.0.2.10", 80, &e);
	lbc_error_routed(r, &flow, W_VIP4_TCP, W_BE1, false);
}

static void dest_unreachable6_to_tracked_backend(struct lb_run *r)
{
	const struct lb_icmp_err e = {.type = 1, .code = 4};
	struct pkt_spec flow;

	track_flow_then_change_table(r, IPPROTO_TCP, "2001:db8::10", 80, W_VIP6_TCP, W_BE4);
	lbc_icmp_error(r, &flow, IPPROTO_TCP, "2001:db8::10", 80, &e);
	lbc_error_routed(r, &flow, W_VIP6_TCP, W_BE3, false);
}

static void error_to_tracked_flow_not_counted_as_flow(struct lb_run *r)
{
	const struct lb_icmp_err e = {.type = 3, .code = 4, .rest = 1400};
	struct pkt_spec flow;

	track_flow_then_change_table(r, IPPROTO_TCP, "192.0.2.10", 80, W_VIP4_TCP, W_BE2);
	lbc_icmp_error(r, &flow, IPPROTO_TCP, "192.0.2.10", 80, &e);
	lbc_error_routed(r, &flow, W_VIP4_TCP, W_BE1, false);
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

/* The quoted IPv6 packet's extension headers are skipped as a packet's would be. */
static void error6_quote_with_ext(struct lb_run *r, const struct pkt_ext6 *ext, size_t n,
				  uint8_t proto, uint16_t port, uint32_t vip, uint32_t new_be,
				  struct pkt_spec *flow)
{
	const struct lb_icmp_err e = {.type = 2, .rest = 1280, .quote_ext = ext, .quote_n_ext = n};

	track_flow_then_change_table(r, proto, "2001:db8::10", port, vip, new_be);
	lbc_icmp_error(r, flow, proto, "2001:db8::10", port, &e);
}

static void error6_quoting_dstopts_routed(struct lb_run *r)
{
	static const struct pkt_ext6 ext[] = { { .type = IPPROTO_DSTOPTS, .len = 1 } };
	struct pkt_spec flow;

	error6_quote_with_ext(r, ext, 1, IPPROTO_TCP, 80, W_VIP6_TCP, W_BE4, &flow);
	lbc_error_routed(r, &flow, W_VIP6_TCP, W_BE3, false);
}

static void error6_quoting_hop_by_hop_and_first_fragment_routed(struct lb_run *r)
{
	static const struct pkt_ext6 ext[] = {
		{ .type = IPPROTO_HOPOPTS },
		{ .type = IPPROTO_FRAGMENT, .frag_more = true, .frag_id = 7 },
	};
	struct pkt_spec flow;

	error6_quote_with_ext(r, ext, 2, IPPROTO_UDP, 53, W_VIP6_UDP_GUE, W_BE3, &flow);
	lbc_error_routed(r, &flow, W_VIP6_UDP_GUE, W_BE4, false);
}

static const struct lb_case cases[] = {
    LB_CASE("ICMP dest unreachable goes to the tracked backend",
	    dest_unreachable4_to_tracked_backend),
    LB_CASE("ICMP error quoting IPv4 options finds the quoted ports",
	    error4_quote_with_options_routed),
    LB_CASE("ICMPv6 dest unreachable goes to the tracked backend",
	    dest_unreachable6_to_tracked_backend),
    LB_CASE_CHECKED("ICMP error to a tracked flow: no hit, no packet, not FORWARDED",
		    error_to_tracked_flow_not_counted_as_flow, error_to_tracked_flow_check),
    LB_CASE("ICMPv6 error quoting destination options goes to the tracked backend",
	    error6_quoting_dstopts_routed),
    LB_CASE("ICMPv6 error quoting hop-by-hop and a first fragment finds the ports",
	    error6_quoting_hop_by_hop_and_first_fragment_routed),
};

const struct lb_case_table lb_cases_icmp = LB_TABLE(cases, rows);
