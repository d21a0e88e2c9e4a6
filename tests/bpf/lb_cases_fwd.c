// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb fixtures: every encapsulation, what passes, conntrack and Maglev decisions. */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>

#include "lb_cases.h"

/* --- encapsulation ------------------------------------------------------ */

static void tcp4_syn_4in4(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.tcp_flags = PKT_TCP_SYN;
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void tcp4_ack_new_flow_4in4(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void udp4_gue_sport_range(struct lb_run *r)
{
	struct pkt_spec s;

	r->settings.gue_sport_min = 40000;
	r->settings.gue_sport_max = 40999;
	w_apply_settings(r);
	w_client(&s, IPPROTO_UDP, "192.0.2.10", 53);
	lbc_forward(r, &s, W_VIP4_UDP_GUE, W_BE2);
}

static void udp4_gue_default_sport(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "192.0.2.10", 53);
	s.sport = 5353;
	lbc_forward(r, &s, W_VIP4_UDP_GUE, W_BE2);
}

static void tcp6_6in6(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "2001:db8::10", 80);
	s.tcp_flags = PKT_TCP_SYN;
	lbc_forward(r, &s, W_VIP6_TCP, W_BE3);
}

static void udp6_gue_over_ipv6(struct lb_run *r)
{
	struct pkt_spec s;

	r->settings.gue_sport_min = 40000;
	r->settings.gue_sport_max = 40999;
	w_apply_settings(r);
	w_client(&s, IPPROTO_UDP, "2001:db8::10", 53);
	lbc_forward(r, &s, W_VIP6_UDP_GUE, W_BE4);
}

static void tcp4_4in6(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.12", 80);
	lbc_forward(r, &s, W_VIP4_TO6, W_BE3);
}

static void outer_ttl_tos_and_fixed_source(struct lb_run *r)
{
	struct pkt_spec s;

	r->settings.outer_ttl = 17;
	r->settings.tun_src4_bits = 0;
	w_apply_settings(r);
	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.tos = 0xb8;
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void tcp6_traffic_class_and_flow_label(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "2001:db8::10", 80);
	s.tos = 0x28;
	s.flow_label = 0x12345;
	lbc_forward(r, &s, W_VIP6_TCP, W_BE3);
}

static void tcp4_without_df_outer_without_df(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.frag = 0;
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void wildcard_port_vip(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.11", 8080);
	lbc_forward(r, &s, W_VIP4_WILD, W_BE1);
}

static void vlan_tag_kept(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.vlan_tpid = 0x8100;
	s.vlan_tci = 42;
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void redirect_to_backend_ifindex(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.18", 80);
	lbc_forward(r, &s, W_VIP4_REDIRECT, W_BE7);
}

static void ipv4_options_carried(struct lb_run *r)
{
	static const uint8_t opts[] = { 0x01, 0x01, 0x01, 0x00 }; /* NOP NOP NOP EOL */
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.ip_opts = opts;
	s.ip_opts_len = sizeof(opts);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void ipv6_extension_headers_skipped(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "2001:db8::10", 80);
	s.ext[0].type = 0;
	s.ext[1].type = 60;
	s.ext[1].len = 1;
	s.n_ext = 2;
	lbc_forward(r, &s, W_VIP6_TCP, W_BE3);
}

/* --- not for a VIP -------------------------------------------------------- */

static void non_vip4_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.99", 80);
	lbc_pass(r, &s);
}

static void non_vip6_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "2001:db8::99", 53);
	lbc_pass(r, &s);
}

static void vip_address_other_port_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 81);
	lbc_pass(r, &s);
}

static void vip_port_other_protocol_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "192.0.2.10", 80);
	lbc_pass(r, &s);
}

static void arp_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	lbc_build(&r->in, &s);
	r->in.b[12] = 0x08;
	r->in.b[13] = 0x06;
	r->out = r->in;
	r->action = XDP_PASS;
	r->stat = LB_STAT_PASS;
}

static void gre_to_vip_passes(struct lb_run *r)
{
	static const uint8_t gre[] = { 0, 0, 0x08, 0, 0x45, 0, 0, 20 };
	struct pkt_spec s;

	w_client(&s, 47, "192.0.2.10", 0);
	s.payload = gre;
	s.payload_len = sizeof(gre);
	lbc_build(&r->in, &s);
	r->out = r->in;
	r->action = XDP_PASS;
	r->stat = LB_STAT_PASS;
}

static void echo_to_address_without_icmp_entry_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMP, "192.0.2.11", 0);
	lbc_build(&r->in, &s);
	r->out = r->in;
	r->action = XDP_PASS;
	r->stat = LB_STAT_PASS;
}

static void icmp_timestamp_to_vip_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMP, "192.0.2.10", 0);
	s.icmp_type = 13;
	lbc_build(&r->in, &s);
	r->out = r->in;
	r->action = XDP_PASS;
	r->stat = LB_STAT_PASS;
}

/* --- conntrack and Maglev ------------------------------------------------- */

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

static void waiting_backend_skipped_for_new_flow(struct lb_run *r)
{
	const uint32_t at[] = { W_BE1, W_BE2 };
	struct lb_flow_key key;
	struct pkt_spec s;

	w_set_backend_flags(r, W_BE1, LB_BE_F_NO_NEXTHOP);
	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.tcp_flags = PKT_TCP_SYN;
	key = w_key(&s, false);
	w_table_at(r, W_VIP4_TCP, W_BE1, w_slot(r, &key), at, 2);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

static void down_backend_skipped_for_new_flow(struct lb_run *r)
{
	const uint32_t at[] = { W_BE5, W_BE2 };
	struct lb_flow_key key;
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.tcp_flags = PKT_TCP_SYN;
	key = w_key(&s, false);
	w_table_at(r, W_VIP4_TCP, W_BE1, w_slot(r, &key), at, 2);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
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

static void drain_backend_gets_no_new_flow(struct lb_run *r)
{
	const uint32_t at[] = { W_BE6, W_BE2 };
	struct lb_flow_key key;
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.tcp_flags = PKT_TCP_SYN;
	key = w_key(&s, false);
	w_table_at(r, W_VIP4_TCP, W_BE1, w_slot(r, &key), at, 2);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

/* Seven unusable slots from the hashed one, a usable eighth: within LB_MAGLEV_PROBES. */
static void probe_finds_eighth_slot(struct lb_run *r)
{
	const uint32_t at[] = { W_BE5, W_BE6, W_BE5, W_BE6, W_BE5, W_BE6, W_BE5, W_BE2 };
	struct lb_flow_key key;
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	key = w_key(&s, false);
	w_table_at(r, W_VIP4_TCP, W_BE1, w_slot(r, &key), at, 8);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

static void probe_gives_up_past_limit(struct lb_run *r)
{
	const uint32_t at[] = { W_BE5, W_BE6, W_BE5, W_BE6, W_BE5, W_BE6, W_BE5, W_BE6, W_BE5 };
	struct lb_flow_key key;
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	key = w_key(&s, false);
	w_table_at(r, W_VIP4_TCP, W_BE1, w_slot(r, &key), at, 9);
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_NO_BACKEND);
}

static void fail_open_uses_down_backend(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.14", 80);
	lbc_forward(r, &s, W_VIP4_FAIL_OPEN, W_BE5);
}

static void all_backends_down_dropped(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.15", 80);
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_NO_BACKEND);
}

static void vip_without_table_dropped(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.16", 80);
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_NO_TABLE);
}

static void ipv6_vip_to_ipv4_backend_dropped(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "2001:db8::16", 80);
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_FAMILY_MISMATCH);
}

static void empty_table_dropped_bad_backend(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.17", 80);
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_BAD_BACKEND);
}

/* An entry as sync writes it: backend named by address, index from another node. */
static void insert_entry(struct lb_run *r, const struct pkt_spec *s, const char *backend,
			 uint32_t index)
{
	struct lb_flow_key key = w_key(s, false);
	struct lb_conn conn = { .backend_index = index, .flags = LB_CONN_F_SYNCED, .packets = 40 };

	pkt_addr(conn.backend_addr, backend);
	conn.backend_family = strchr(backend, ':') ? LB_AF_INET6 : LB_AF_INET;
	cr_assert_eq(bpf_map_update_elem(r->h.conntrack, &key, &conn, BPF_ANY), 0,
		     "inserting a synced entry");
}

static void synced_entry_other_index_honoured(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	insert_entry(r, &s, "198.51.100.2", 77);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

static void synced_entry_stale_index_honoured(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	insert_entry(r, &s, "198.51.100.2", W_BE1);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

static void synced_entry_same_index_honoured(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	insert_entry(r, &s, "198.51.100.2", W_BE2);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

static void entry_for_unknown_backend_repicked(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	insert_entry(r, &s, "198.51.100.99", 0);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static const struct lb_case cases[] = {
	LB_CASE("TCP SYN over IPv4 -> IPIP (4in4) to the picked backend", tcp4_syn_4in4),
	LB_CASE("TCP ACK of an untracked IPv4 flow is picked and forwarded",
		tcp4_ack_new_flow_4in4),
	LB_CASE("UDP over IPv4 -> GUE, source port from the configured range",
		udp4_gue_sport_range),
	LB_CASE("UDP over IPv4 -> GUE, default source port 0xc000 | h2", udp4_gue_default_sport),
	LB_CASE("TCP over IPv6 -> ip6ip6 (6in6)", tcp6_6in6),
	LB_CASE("UDP over IPv6 -> GUE over IPv6 with full UDP checksum", udp6_gue_over_ipv6),
	LB_CASE("IPv4 VIP with IPv6 backend -> 4in6", tcp4_4in6),
	LB_CASE("outer TTL setting, inner TOS copied, source bits 0",
		outer_ttl_tos_and_fixed_source),
	LB_CASE("IPv6 traffic class copied, outer flow label from hash",
		tcp6_traffic_class_and_flow_label),
	LB_CASE("inner IPv4 without DF -> outer without DF", tcp4_without_df_outer_without_df),
	LB_CASE("wildcard port VIP matches any port", wildcard_port_vip),
	LB_CASE("802.1Q tag kept on the encapsulated frame", vlan_tag_kept),
	LB_CASE("backend with ifindex -> XDP_REDIRECT with its source MAC",
		redirect_to_backend_ifindex),
	LB_CASE("IPv4 options carried verbatim in the inner packet", ipv4_options_carried),
	LB_CASE("IPv6 hop-by-hop and destination options skipped", ipv6_extension_headers_skipped),
	LB_CASE("IPv4 to a non-VIP address passes", non_vip4_passes),
	LB_CASE("IPv6 to a non-VIP address passes", non_vip6_passes),
	LB_CASE("VIP address, other port passes", vip_address_other_port_passes),
	LB_CASE("VIP address and port, other protocol passes", vip_port_other_protocol_passes),
	LB_CASE("ARP passes untouched", arp_passes),
	LB_CASE("GRE to a VIP address passes untouched", gre_to_vip_passes),
	LB_CASE("ICMP echo to an address without ICMP entry passes",
		echo_to_address_without_icmp_entry_passes),
	LB_CASE("ICMP timestamp request to a VIP passes", icmp_timestamp_to_vip_passes),
	LB_CASE("conntrack hit keeps the backend after a Maglev table change",
		conntrack_hit_after_table_change),
	LB_CASE("SYN on a tracked tuple picks again from the new table",
		syn_on_tracked_tuple_repicks),
	LB_CASE("SYN on a confirmed tuple re-picks in place: the next ACK follows",
		syn_on_confirmed_tuple_repicks_in_place),
	LB_CASE("tracked flow of a DOWN backend is picked again", down_backend_flow_repicked),
	LB_CASE("tracked flow of a backend waiting for its MAC: dropped, then goes on there",
		waiting_backend_flow_kept),
	LB_CASE("backend waiting for its MAC in the hashed slot: next slot for a new flow",
		waiting_backend_skipped_for_new_flow),
	LB_CASE("DOWN backend in the hashed slot: next slot for a new flow",
		down_backend_skipped_for_new_flow),
	LB_CASE("DRAIN backend keeps its tracked flow", drain_backend_keeps_its_flow),
	LB_CASE("DRAIN backend gets no new flow", drain_backend_gets_no_new_flow),
	LB_CASE("eighth probed slot is still used", probe_finds_eighth_slot),
	LB_CASE("nine unusable slots: dropped no backend", probe_gives_up_past_limit),
	LB_CASE("fail-open VIP uses its DOWN backend", fail_open_uses_down_backend),
	LB_CASE("all backends DOWN: dropped no backend", all_backends_down_dropped),
	LB_CASE("VIP without Maglev table: dropped no table", vip_without_table_dropped),
	LB_CASE("IPv6 VIP with an IPv4 backend: dropped family mismatch",
		ipv6_vip_to_ipv4_backend_dropped),
	LB_CASE("table of empty slots: dropped bad backend", empty_table_dropped_bad_backend),
	LB_CASE("synced entry with another node's index goes to its backend address",
		synced_entry_other_index_honoured),
	LB_CASE("synced entry whose index names another backend goes by address",
		synced_entry_stale_index_honoured),
	LB_CASE("synced entry with the local index honoured", synced_entry_same_index_honoured),
	LB_CASE("entry naming an unknown backend is picked again",
		entry_for_unknown_backend_repicked),
};

const struct lb_case_table lb_cases_fwd = { cases, sizeof(cases) / sizeof(cases[0]) };
