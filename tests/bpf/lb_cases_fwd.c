// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb fixtures: every encapsulation, what passes, conntrack and Maglev decisions. */
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <netinet/in.h>

#include "lb_cases.h"

/*
 * The rows are laid out by hand, one case a paragraph: clang-format 14 would
 * indent braced lists with spaces.
 */
/* clang-format off */
static const uint8_t nop3_eol[] = { 0x01, 0x01, 0x01, 0x00 }; /* IPv4 options NOP NOP NOP EOL */
static const uint8_t gre[] = { 0, 0, 0x08, 0, 0x45, 0, 0, 20 };

static const struct lb_row rows[] = {
	/* --- encapsulation --- */
	{ "TCP SYN over IPv4 -> IPIP (4in4) to the picked backend",
	  .pkt = { LB_TCP4, .tcp_flags = PKT_TCP_SYN }, .want = LB_FWD(W_VIP4_TCP, W_BE1) },
	{ "TCP ACK of an untracked IPv4 flow is picked and forwarded",
	  .pkt = { LB_TCP4 }, .want = LB_FWD(W_VIP4_TCP, W_BE1) },
	{ "UDP over IPv4 -> GUE, source port from the configured range",
	  .world = { .gue_sport_min = 40000, .gue_sport_max = 40999 },
	  .pkt = { LB_UDP4 },
	  .want = LB_FWD(W_VIP4_UDP_GUE, W_BE2) },
	{ "UDP over IPv4 -> GUE, default source port 0xc000 | h2",
	  .pkt = { LB_UDP4, .sport = 5353 },
	  .want = LB_FWD(W_VIP4_UDP_GUE, W_BE2) },
	{ "TCP over IPv6 -> ip6ip6 (6in6)",
	  .pkt = { LB_TCP6, .tcp_flags = PKT_TCP_SYN }, .want = LB_FWD(W_VIP6_TCP, W_BE3) },
	{ "UDP over IPv6 -> GUE over IPv6 with full UDP checksum",
	  .world = { .gue_sport_min = 40000, .gue_sport_max = 40999 },
	  .pkt = { LB_UDP6 },
	  .want = LB_FWD(W_VIP6_UDP_GUE, W_BE4) },
	{ "IPv4 VIP with IPv6 backend -> 4in6",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.12", .dport = 80 },
	  .want = LB_FWD(W_VIP4_TO6, W_BE3) },
	{ "IPv6 VIP with an IPv4 backend -> 6in4 (protocol 41, DF)",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "2001:db8::16", .dport = 80, .tos = 0x28 },
	  .want = LB_FWD(W_VIP6_TO4, W_BE1) },
	{ "UDP over IPv6 -> GUE over IPv4 carrying IPv6 (DF, checksum 0)",
	  .world = { .fill = { W_VIP6_UDP_GUE, W_BE2 } },
	  .pkt = { LB_UDP6 }, .want = LB_FWD(W_VIP6_UDP_GUE, W_BE2) },
	{ "outer TTL setting, inner TOS copied, source bits 0",
	  .world = { .outer_ttl = 17, .tun_src4_bits = LB_BITS_NONE },
	  .pkt = { LB_TCP4, .tos = 0xb8 }, .want = LB_FWD(W_VIP4_TCP, W_BE1) },
	{ "IPv6 traffic class copied, outer flow label from hash",
	  .pkt = { LB_TCP6, .tos = 0x28, .flow_label = 0x12345 },
	  .want = LB_FWD(W_VIP6_TCP, W_BE3) },
	{ "inner IPv4 without DF -> outer without DF",
	  .pkt = { LB_TCP4, .no_df = true }, .want = LB_FWD(W_VIP4_TCP, W_BE1) },
	{ "wildcard port VIP matches any port",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.11", .dport = 8080 },
	  .want = LB_FWD(W_VIP4_WILD, W_BE1) },
	{ "802.1Q tag kept on the encapsulated frame",
	  .pkt = { LB_TCP4, .vlan_tpid = 0x8100, .vlan_tci = 42 },
	  .want = LB_FWD(W_VIP4_TCP, W_BE1) },
	{ "backend with ifindex -> XDP_REDIRECT with its source MAC",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.18", .dport = 80 },
	  .want = LB_FWD(W_VIP4_REDIRECT, W_BE7) },
	{ "IPv4 options carried verbatim in the inner packet",
	  .pkt = { LB_TCP4, .ip_opts = nop3_eol, .ip_opts_len = sizeof(nop3_eol) },
	  .want = LB_FWD(W_VIP4_TCP, W_BE1) },
	{ "IPv6 hop-by-hop and destination options skipped",
	  .pkt = { LB_TCP6, .ext = { { .type = 0 }, { .type = 60, .len = 1 } }, .n_ext = 2 },
	  .want = LB_FWD(W_VIP6_TCP, W_BE3) },

	/* --- not for a VIP --- */
	{ "IPv4 to a non-VIP address passes",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.99", .dport = 80 },
	  .want = { LB_PASS } },
	{ "IPv6 to a non-VIP address passes",
	  .pkt = { .proto = IPPROTO_UDP, .dst = "2001:db8::99", .dport = 53 },
	  .want = { LB_PASS } },
	{ "VIP address, other port passes",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.10", .dport = 81 }, .want = { LB_PASS } },
	{ "VIP address and port, other protocol passes",
	  .pkt = { .proto = IPPROTO_UDP, .dst = "192.0.2.10", .dport = 80 }, .want = { LB_PASS } },
	{ "ARP passes untouched", .pkt = { LB_TCP4 },
	  .bend = { .poke = { { 12, 0x08 }, { 13, 0x06 } }, .n_poke = 2 }, .want = { LB_PASS } },
	{ "GRE to a VIP address passes untouched",
	  .pkt = { .proto = 47, .dst = "192.0.2.10", .payload = gre, .payload_len = sizeof(gre) },
	  .want = { LB_PASS } },
	{ "ICMP echo to an address without ICMP entry passes",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "192.0.2.11" }, .want = { LB_PASS } },
	{ "ICMP timestamp request to a VIP passes",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "192.0.2.10", .icmp_type = 13 },
	  .want = { LB_PASS } },

	/* --- Maglev --- */
	{ "backend waiting for its MAC in the hashed slot: next slot for a new flow",
	  .world = { .be_flags = { W_BE1, LB_BE_F_NO_NEXTHOP },
		     .slots = { W_VIP4_TCP, W_BE1, { W_BE1, W_BE2 }, 2 } },
	  .pkt = { LB_TCP4, .tcp_flags = PKT_TCP_SYN }, .want = LB_FWD(W_VIP4_TCP, W_BE2) },
	{ "DOWN backend in the hashed slot: next slot for a new flow",
	  .world = { .slots = { W_VIP4_TCP, W_BE1, { W_BE5, W_BE2 }, 2 } },
	  .pkt = { LB_TCP4, .tcp_flags = PKT_TCP_SYN }, .want = LB_FWD(W_VIP4_TCP, W_BE2) },
	{ "DRAIN backend gets no new flow",
	  .world = { .slots = { W_VIP4_TCP, W_BE1, { W_BE6, W_BE2 }, 2 } },
	  .pkt = { LB_TCP4, .tcp_flags = PKT_TCP_SYN }, .want = LB_FWD(W_VIP4_TCP, W_BE2) },
	/* Seven unusable slots from the hashed one, a usable eighth: within LB_MAGLEV_PROBES. */
	{ "eighth probed slot is still used",
	  .world = { .slots = { W_VIP4_TCP, W_BE1,
				{ W_BE5, W_BE6, W_BE5, W_BE6, W_BE5, W_BE6, W_BE5, W_BE2 }, 8 } },
	  .pkt = { LB_TCP4 }, .want = LB_FWD(W_VIP4_TCP, W_BE2) },
	{ "nine unusable slots: dropped no backend",
	  .world = { .slots = { W_VIP4_TCP, W_BE1,
				{ W_BE5, W_BE6, W_BE5, W_BE6, W_BE5, W_BE6, W_BE5, W_BE6, W_BE5 },
				9 } },
	  .pkt = { LB_TCP4 }, .want = LB_DROPPED(LB_DROP_NO_BACKEND) },
	{ "fail-open VIP uses its DOWN backend",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.14", .dport = 80 },
	  .want = LB_FWD(W_VIP4_FAIL_OPEN, W_BE5) },
	{ "all backends DOWN: dropped no backend",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.15", .dport = 80 },
	  .want = LB_DROPPED(LB_DROP_NO_BACKEND) },
	{ "VIP without Maglev table: dropped no table",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.16", .dport = 80 },
	  .want = LB_DROPPED(LB_DROP_NO_TABLE) },
	{ "table of empty slots: dropped bad backend",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.17", .dport = 80 },
	  .want = LB_DROPPED(LB_DROP_BAD_BACKEND) },

	/* --- entries as sync writes them: backend named by address, index from another node --- */
	{ "synced entry with another node's index goes to its backend address",
	  .world = { .synced = { "198.51.100.2", 77, 40 } }, .pkt = { LB_TCP4 },
	  .want = LB_FWD(W_VIP4_TCP, W_BE2) },
	{ "synced entry whose index names another backend goes by address",
	  .world = { .synced = { "198.51.100.2", W_BE1, 40 } }, .pkt = { LB_TCP4 },
	  .want = LB_FWD(W_VIP4_TCP, W_BE2) },
	{ "synced entry with the local index honoured",
	  .world = { .synced = { "198.51.100.2", W_BE2, 40 } }, .pkt = { LB_TCP4 },
	  .want = LB_FWD(W_VIP4_TCP, W_BE2) },
	{ "entry naming an unknown backend is picked again",
	  .world = { .synced = { "198.51.100.99", 0, 40 } }, .pkt = { LB_TCP4 },
	  .want = LB_FWD(W_VIP4_TCP, W_BE1) },
};
/* clang-format on */

/* --- conntrack and Maglev: stories of several packets --------------------- */

static void syn_then(struct lb_run *r, struct pkt_spec *s, const char *vip_addr)
{
	struct pkt p;

	w_client(s, IPPROTO_TCP, vip_addr, 80);
	s->tcp_flags = PKT_TCP_SYN;
	lbc_build(&p, s);
	cr_assert_eq(w_send(r, &p), XDP_TX, "the flow's SYN is forwarded");
	s->tcp_flags = PKT_TCP_ACK;
}

static void conntrack_hit_after_table_change(struct lb_run *r)
{
	struct pkt_spec s;

	syn_then(r, &s, "192.0.2.10");
	w_table_fill(r, W_VIP4_TCP, W_BE2);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void syn_on_tracked_tuple_repicks(struct lb_run *r)
{
	struct pkt_spec s;

	syn_then(r, &s, "192.0.2.10");
	w_table_fill(r, W_VIP4_TCP, W_BE2);
	s.tcp_flags = PKT_TCP_SYN;
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

/* The reused tuple's fresh pick replaces its lb_conntrack entry: the next ACK follows it. */
static void syn_on_confirmed_tuple_repicks_in_place(struct lb_run *r)
{
	struct pkt_spec s;
	struct pkt p;

	syn_then(r, &s, "192.0.2.10");
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_TX, "the flow's ACK is forwarded");
	lbc_reused_tuple(r, &s);
}

static void down_backend_flow_repicked(struct lb_run *r)
{
	uint32_t next = W_BE2;
	struct lb_flow_key key;
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	key = w_key(&s, false);
	w_table_at(r, W_VIP4_TCP, W_BE1, (w_slot(r, &key) + 1) % W_TABLE_SIZE, &next, 1);
	syn_then(r, &s, "192.0.2.10");
	w_set_backend_flags(r, W_BE1, LB_BE_F_DOWN);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

/*
 * A backend waiting for its next hop's MAC (after an agent restart, say): its
 * tracked flow's packets are dropped, not picked again, and once the MAC is in
 * the flow goes on where it was. The next slot's backend is there to be picked
 * wrongly.
 */
static void waiting_backend_flow_kept(struct lb_run *r)
{
	uint32_t next = W_BE2;
	struct lb_flow_key key;
	struct pkt_spec s;
	struct pkt p;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	key = w_key(&s, false);
	w_table_at(r, W_VIP4_TCP, W_BE1, (w_slot(r, &key) + 1) % W_TABLE_SIZE, &next, 1);
	syn_then(r, &s, "192.0.2.10");
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_TX, "the flow's ACK is forwarded");
	w_set_backend_flags(r, W_BE1, LB_BE_F_NO_NEXTHOP);
	cr_assert_eq(w_send(r, &p), XDP_DROP, "a packet for a backend without a MAC is dropped");
	w_set_backend_flags(r, W_BE1, 0);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void drain_backend_keeps_its_flow(struct lb_run *r)
{
	struct pkt_spec s;

	w_set_backend_flags(r, W_BE6, 0);
	w_table_fill(r, W_VIP4_TCP, W_BE6);
	syn_then(r, &s, "192.0.2.10");
	w_set_backend_flags(r, W_BE6, LB_BE_F_DRAIN);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE6);
}

/*
 * A slot is a (VIP, backend) pair. A tracked flow whose hint names a slot of
 * the same address but of another VIP (a peer's index, a slot reused) must
 * not take that pair's state: here it is DOWN in the other VIP, and the flow
 * goes on with its own VIP's pair (looked up by address and VIP), not picked
 * again (the table now says BE2).
 */
#define W_OTHER_VIPS_PAIR 200

static void hint_to_another_vips_pair_finds_its_own(struct lb_run *r)
{
	struct lb_backend other = r->backends[W_BE1];
	struct lb_flow_key key;
	struct lb_conn conn;
	struct pkt_spec s;
	struct pkt p;

	other.vip_index = W_VIP4_WILD;
	other.flags = LB_BE_F_DOWN;
	cr_assert_eq(harness_lb_backend(&r->h, W_OTHER_VIPS_PAIR, &other, 0), 0);
	/* The flow cache off: every packet asks lb_conntrack and its hint. */
	cr_assert_eq(harness_lb_generation(&r->h, 0), 0);
	syn_then(r, &s, "192.0.2.10");
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_TX, "the flow's ACK is forwarded");
	key = w_key(&s, false);
	cr_assert_eq(bpf_map_lookup_elem(r->h.conntrack, &key, &conn), 0, "no conntrack entry");
	conn.backend_index = W_OTHER_VIPS_PAIR;
	cr_assert_eq(bpf_map_update_elem(r->h.conntrack, &key, &conn, BPF_ANY), 0);
	w_table_fill(r, W_VIP4_TCP, W_BE2);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

/* down_flows: keep: a pair its checks took down serves its tracked flows, no new ones. */
static void down_kept_backend_keeps_its_flow(struct lb_run *r)
{
	struct pkt_spec s;

	w_set_backend_flags(r, W_BE6, 0);
	w_table_fill(r, W_VIP4_TCP, W_BE6);
	syn_then(r, &s, "192.0.2.10");
	w_set_backend_flags(r, W_BE6, LB_BE_F_DOWN_KEPT);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE6);
}

static void down_kept_backend_gets_no_new_flow(struct lb_run *r)
{
	uint32_t next = W_BE2;
	struct lb_flow_key key;
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	key = w_key(&s, false);
	w_set_backend_flags(r, W_BE6, LB_BE_F_DOWN_KEPT);
	w_table_at(r, W_VIP4_TCP, W_BE6, (w_slot(r, &key) + 1) % W_TABLE_SIZE, &next, 1);
	s.tcp_flags = PKT_TCP_SYN;
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

static const struct lb_case cases[] = {
    LB_CASE("conntrack hit keeps the backend after a Maglev table change",
	    conntrack_hit_after_table_change),
    LB_CASE("SYN on a tracked tuple picks again from the new table", syn_on_tracked_tuple_repicks),
    LB_CASE("SYN on a confirmed tuple re-picks in place: the next ACK follows",
	    syn_on_confirmed_tuple_repicks_in_place),
    LB_CASE("tracked flow of a DOWN backend is picked again", down_backend_flow_repicked),
    LB_CASE("tracked flow of a backend waiting for its MAC: dropped, then goes on there",
	    waiting_backend_flow_kept),
    LB_CASE("DRAIN backend keeps its tracked flow", drain_backend_keeps_its_flow),
    LB_CASE("a hint to the same address's pair of another VIP: the flow's own pair",
	    hint_to_another_vips_pair_finds_its_own),
    LB_CASE("down_flows keep: a DOWN_KEPT pair keeps its tracked flow",
	    down_kept_backend_keeps_its_flow),
    LB_CASE("down_flows keep: a DOWN_KEPT pair gets no new flow",
	    down_kept_backend_gets_no_new_flow),
};

const struct lb_case_table lb_cases_fwd = LB_TABLE(cases, rows);
