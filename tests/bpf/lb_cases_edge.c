// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb fixtures at the edges: ranges, wrap-around, table sizes, padding, address-hashed flows. */
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>

#include "lb_cases.h"

static void qinq_tag_kept(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "2001:db8::10", 80);
	s.vlan_tpid = 0x88a8;
	s.vlan_tci = 300;
	lbc_forward(r, &s, W_VIP6_TCP, W_BE3);
}

/*
 * Ethernet padding is no part of the IP packet: lengths come from the IP
 * header and the padding is not carried to the backend.
 */
static void padded_frame_lengths_from_ip(struct lb_run *r)
{
	struct pkt_spec s;
	size_t pad = 8;

	w_client(&s, IPPROTO_UDP, "192.0.2.10", 53);
	s.payload_len = 2;
	lbc_forward(r, &s, W_VIP4_UDP_GUE, W_BE2);
	memset(r->in.b + r->in.len, 0, pad);
	r->in.len += pad;
}

static void gue_to_ipv6_backend_for_ipv4_vip(struct lb_run *r)
{
	struct pkt_spec s;

	w_table_fill(r, W_VIP4_UDP_GUE, W_BE4);
	w_client(&s, IPPROTO_UDP, "192.0.2.10", 53);
	lbc_forward(r, &s, W_VIP4_UDP_GUE, W_BE4);
}

static void gue_single_port_range(struct lb_run *r)
{
	struct pkt_spec s;

	r->settings.gue_sport_min = 50000;
	r->settings.gue_sport_max = 50000;
	w_apply_settings(r);
	w_client(&s, IPPROTO_UDP, "192.0.2.10", 53);
	lbc_forward(r, &s, W_VIP4_UDP_GUE, W_BE2);
}

static void gue_inverted_range_falls_back(struct lb_run *r)
{
	struct pkt_spec s;

	r->settings.gue_sport_min = 50000;
	r->settings.gue_sport_max = 40000;
	w_apply_settings(r);
	w_client(&s, IPPROTO_UDP, "192.0.2.10", 53);
	lbc_forward(r, &s, W_VIP4_UDP_GUE, W_BE2);
}

static void widest_source_ranges(struct lb_run *r)
{
	struct pkt_spec s;

	r->settings.tun_src6_bits = 16;
	w_apply_settings(r);
	w_client(&s, IPPROTO_TCP, "192.0.2.12", 80);
	lbc_forward(r, &s, W_VIP4_TO6, W_BE3);
}

static void widest_source_range4(struct lb_run *r)
{
	struct pkt_spec s;

	r->settings.tun_src4_bits = 16;
	w_apply_settings(r);
	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.sport = 40001;
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

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

static void ip6_later_fragment_to_port_vip_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "2001:db8::10", 80);
	s.ext[0].type = IPPROTO_FRAGMENT;
	s.ext[0].frag_off = 100;
	s.ext[0].frag_id = 9;
	s.n_ext = 1;
	s.raw = true;
	lbc_pass(r, &s);
}

static void echo_reply(struct lb_run *r, struct pkt_spec *s)
{
	lbc_build(&r->in, s);
	w_expect_echo_reply(s, &r->out);
	r->action = XDP_TX;
	r->stat = LB_STAT_ICMP_ECHO_REPLIED;
}

static void echo4_low_ttl_odd_length(struct lb_run *r)
{
	static const uint8_t odd[] = "0123456789abc";
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMP, "192.0.2.10", 0);
	s.ttl = 3;
	s.payload = odd;
	s.payload_len = sizeof(odd) - 1;
	echo_reply(r, &s);
}

static void echo6_low_hop_limit_odd_length(struct lb_run *r)
{
	static const uint8_t odd[] = "0123456789abc";
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMPV6, "2001:db8::10", 0);
	s.ttl = 2;
	s.payload = odd;
	s.payload_len = sizeof(odd) - 1;
	echo_reply(r, &s);
}

static void echo4_with_ip_options(struct lb_run *r)
{
	static const uint8_t opts[] = { 0x01, 0x01, 0x01, 0x00 };
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMP, "192.0.2.10", 0);
	s.ip_opts = opts;
	s.ip_opts_len = sizeof(opts);
	echo_reply(r, &s);
}

static void too_big6_vlan_answered(struct lb_run *r)
{
	static const uint8_t big[1400];
	struct pkt_spec s;

	r->settings.mtu = 1280;
	w_apply_settings(r);
	w_client(&s, IPPROTO_UDP, "2001:db8::10", 53);
	s.vlan_tpid = 0x8100;
	s.vlan_tci = 5;
	s.payload = big;
	s.payload_len = 1300;
	lbc_build(&r->in, &s);
	w_expect_too_big(r, &r->in, &s, 48, &r->out);
	r->action = XDP_TX;
	r->stat = LB_STAT_ICMP_TOO_BIG_SENT;
}

static const struct lb_case cases[] = {
	LB_CASE("802.1ad tag kept on the encapsulated frame", qinq_tag_kept),
	LB_CASE("Ethernet padding: lengths from the IP header, padding not carried",
		padded_frame_lengths_from_ip),
	LB_CASE("GUE over IPv6 carrying an IPv4 VIP's packet", gue_to_ipv6_backend_for_ipv4_vip),
	LB_CASE("GUE source port range of one port", gue_single_port_range),
	LB_CASE("GUE inverted source port range: default 0xc000 | h2",
		gue_inverted_range_falls_back),
	LB_CASE("IPv6 outer source with 16 varied bits", widest_source_ranges),
	LB_CASE("IPv4 outer source with 16 varied bits", widest_source_range4),
	LB_CASE("Maglev probe wraps from the last slot to the first", probe_wraps_around_table),
	LB_CASE("maglev_size below the table length: hash % maglev_size",
		smaller_maglev_size_indexes_inside),
	LB_CASE("address-hashed VIP: other ports of the client follow its entry",
		addrs_vip_other_port_same_entry),
	LB_CASE("SYN+ACK is no new connection: conntrack kept", syn_ack_is_no_new_connection),
	LB_CASE("SYN on a tuple tracked to a DRAIN backend moves", syn_on_drained_flow_moves),
	LB_CASE("IPv6 later fragment to a port-only VIP address passes",
		ip6_later_fragment_to_port_vip_passes),
	LB_CASE("ICMP echo: TTL 3 -> 64, odd data length", echo4_low_ttl_odd_length),
	LB_CASE("ICMPv6 echo: hop limit 2 -> 64, odd data length",
		echo6_low_hop_limit_odd_length),
	LB_CASE("ICMP echo with IPv4 options answered", echo4_with_ip_options),
	LB_CASE("IPv6 GUE too big: PTB with MTU - 48, VLAN kept", too_big6_vlan_answered),
};

const struct lb_case_table lb_cases_edge = LB_CASES_ONLY(cases);
