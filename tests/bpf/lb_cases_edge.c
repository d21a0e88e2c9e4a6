// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb fixtures at the edges: ranges, wrap-around, table sizes, padding, address-hashed flows. */
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>

#include "lb_cases.h"

static const uint8_t odd[] = "0123456789abc";
static const uint8_t nop3_eol[] = { 0x01, 0x01, 0x01, 0x00 };

/* Rows laid out by hand (see lb_cases_fwd.c). */
/* clang-format off */
static const struct lb_row rows[] = {
	{ "802.1ad tag kept on the encapsulated frame",
	  .pkt = { LB_TCP6, .vlan_tpid = 0x88a8,
		   .vlan_tci = 300 },
	  .want = LB_FWD(W_VIP6_TCP, W_BE3) },
	/*
	 * Ethernet padding is no part of the IP packet: lengths come from the IP
	 * header and the padding is not carried to the backend.
	 */
	{ "Ethernet padding: lengths from the IP header, padding not carried",
	  .pkt = { LB_UDP4, .payload = (const uint8_t *)"he", .payload_len = 2 },
	  .bend = { .pad = 8 }, .want = LB_FWD(W_VIP4_UDP_GUE, W_BE2) },
	{ "GUE over IPv6 carrying an IPv4 VIP's packet",
	  .world = { .fill = { W_VIP4_UDP_GUE, W_BE4 } }, .pkt = { LB_UDP4 },
	  .want = LB_FWD(W_VIP4_UDP_GUE, W_BE4) },
	{ "GUE source port range of one port",
	  .world = { .gue_sport_min = 50000, .gue_sport_max = 50000 }, .pkt = { LB_UDP4 },
	  .want = LB_FWD(W_VIP4_UDP_GUE, W_BE2) },
	{ "GUE inverted source port range: default 0xc000 | h2",
	  .world = { .gue_sport_min = 50000, .gue_sport_max = 40000 }, .pkt = { LB_UDP4 },
	  .want = LB_FWD(W_VIP4_UDP_GUE, W_BE2) },
	{ "IPv6 outer source with 16 varied bits",
	  .world = { .tun_src6_bits = 16 },
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.12", .dport = 80 },
	  .want = LB_FWD(W_VIP4_TO6, W_BE3) },
	{ "IPv4 outer source with 16 varied bits",
	  .world = { .tun_src4_bits = 16 },
	  .pkt = { LB_TCP4, .sport = 40001 },
	  .want = LB_FWD(W_VIP4_TCP, W_BE1) },
	{ "IPv6 later fragment to a port-only VIP address passes",
	  .pkt = { LB_TCP6,
		   .ext = { { .type = IPPROTO_FRAGMENT, .frag_off = 100, .frag_id = 9 } },
		   .n_ext = 1, .raw = true },
	  .want = { LB_PASS } },
	{ "ICMP echo: TTL 3 -> 64, odd data length",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "192.0.2.10", .ttl = 3, .payload = odd,
		   .payload_len = sizeof(odd) - 1 },
	  .want = { LB_ECHO_REPLY } },
	{ "ICMPv6 echo: hop limit 2 -> 64, odd data length",
	  .pkt = { .proto = IPPROTO_ICMPV6, .dst = "2001:db8::10", .ttl = 2, .payload = odd,
		   .payload_len = sizeof(odd) - 1 },
	  .want = { LB_ECHO_REPLY } },
	{ "ICMP echo with IPv4 options answered",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "192.0.2.10", .ip_opts = nop3_eol,
		   .ip_opts_len = sizeof(nop3_eol) },
	  .want = { LB_ECHO_REPLY } },
	{ "IPv6 GUE too big: PTB with MTU - 48, VLAN kept",
	  .world = { .mtu = 1280 },
	  .pkt = { LB_UDP6, .vlan_tpid = 0x8100,
		   .vlan_tci = 5, .l3_size = 40 + 8 + 1300 },
	  .want = { .verdict = LB_TOO_BIG, .overhead = 48 } },
};
/* clang-format on */

/* --- stories of several packets, and clients found by their hash ---------- */

/* A client port whose flow hashes into the table's last slot. */
static void client_in_last_slot(struct lb_run *r, struct pkt_spec *s)
{
	struct lb_flow_key key;

	w_client(s, IPPROTO_TCP, "192.0.2.10", 80);
	for (s->sport = 40000; s->sport < 50000; s->sport++) {
		key = w_key(s, false);
		if (w_slot(r, &key) == W_TABLE_SIZE - 1)
			return;
	}
	cr_assert_fail("no client port hashes into the last slot");
}

static void probe_wraps_around_table(struct lb_run *r)
{
	const uint32_t at[] = { W_BE5, W_BE2 };
	struct pkt_spec s;

	client_in_last_slot(r, &s);
	w_table_at(r, W_VIP4_TCP, W_BE1, W_TABLE_SIZE - 1, at, 2);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

/* maglev_size smaller than the installed table (the agent shrinking it): hash % size. */
static void smaller_maglev_size_indexes_inside(struct lb_run *r)
{
	struct lb_vip_key key = w_vip_key(W_VIP4_TCP);
	struct lb_vip_info info = w_vip_info(W_VIP4_TCP);
	uint32_t table[W_TABLE_SIZE], i, slot;
	struct lb_flow_key fkey;
	struct pkt_spec s;

	info.maglev_size = 7;
	cr_assert_eq(harness_lb_vip(&r->h, &key, &info), 0);
	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	/* A client whose slot differs between the two sizes, or the case proves nothing. */
	do {
		s.sport++;
		fkey = w_key(&s, false);
		slot = w_hash(r, &fkey) % 7;
	} while (slot == w_slot(r, &fkey));
	for (i = 0; i < W_TABLE_SIZE; i++)
		table[i] = i == slot ? W_BE2 : W_BE1;
	cr_assert_eq(harness_lb_maglev(&r->h, W_VIP4_TCP, table, W_TABLE_SIZE), 0);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

static void addrs_vip_other_port_same_entry(struct lb_run *r)
{
	struct pkt_spec s;
	struct pkt p;

	w_client(&s, IPPROTO_UDP, "192.0.2.13", 5000);
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_TX);
	w_table_fill(r, W_VIP4_ADDRS, W_BE2);
	s.sport = 41000;
	s.dport = 6000;
	lbc_forward(r, &s, W_VIP4_ADDRS, W_BE1);
}

static void syn_ack_is_no_new_connection(struct lb_run *r)
{
	struct pkt_spec s;
	struct pkt p;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.tcp_flags = PKT_TCP_SYN;
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_TX);
	w_table_fill(r, W_VIP4_TCP, W_BE2);
	s.tcp_flags = PKT_TCP_SYN | PKT_TCP_ACK;
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void syn_on_drained_flow_moves(struct lb_run *r)
{
	const uint32_t at[] = { W_BE6, W_BE2 };
	struct lb_flow_key key;
	struct pkt_spec s;
	struct pkt p;

	w_set_backend_flags(r, W_BE6, 0);
	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.tcp_flags = PKT_TCP_SYN;
	key = w_key(&s, false);
	w_table_at(r, W_VIP4_TCP, W_BE1, w_slot(r, &key), at, 2);
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_TX);
	w_set_backend_flags(r, W_BE6, LB_BE_F_DRAIN);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

static const struct lb_case cases[] = {
	LB_CASE("Maglev probe wraps from the last slot to the first", probe_wraps_around_table),
	LB_CASE("maglev_size below the table length: hash % maglev_size",
		smaller_maglev_size_indexes_inside),
	LB_CASE("address-hashed VIP: other ports of the client follow its entry",
		addrs_vip_other_port_same_entry),
	LB_CASE("SYN+ACK is no new connection: conntrack kept", syn_ack_is_no_new_connection),
	LB_CASE("SYN on a tuple tracked to a DRAIN backend moves", syn_on_drained_flow_moves),
};

const struct lb_case_table lb_cases_edge = LB_TABLE(cases, rows);
