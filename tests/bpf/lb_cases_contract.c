// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lb fixtures for what docs/DATAPLANE.md pinned where it first was silent:
 * tag truncation, second tags, lengths cut by the IP header, the VIP filter,
 * fail-open order, GUE over IPv6 checksums where the inner L4 says nothing.
 */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "lb_cases.h"
#include "lb_filter.h"

#define L3 14

static void vlan_tag_truncated_dropped(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.vlan_tpid = 0x8100;
	lbc_build(&r->in, &s);
	r->in.len = 16;
	lbc_drop(r, LB_DROP_ETH_TRUNCATED);
}

static void second_tag_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	s.vlan_tpid = 0x88a8;
	s.vlan_tci = 100;
	lbc_build(&r->in, &s);
	memmove(r->in.b + 20, r->in.b + 16, r->in.len - 16);
	r->in.b[16] = 0x81;
	r->in.b[17] = 0x00;
	r->in.b[18] = 0x00;
	r->in.b[19] = 0x07;
	r->in.len += 4;
	r->out = r->in;
	r->action = XDP_PASS;
	r->stat = LB_STAT_PASS;
}

/* The frame holds the whole TCP header, the IP packet's length does not. */
static void tcp_header_cut_by_ip_length(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	lbc_build(&r->in, &s);
	r->in.b[L3 + 2] = 0;
	r->in.b[L3 + 3] = 20 + 12;
	lbc_drop(r, LB_DROP_L4_MALFORMED);
}

static void udp_header_cut_by_ip6_length(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "2001:db8::10", 53);
	lbc_build(&r->in, &s);
	r->in.b[L3 + 4] = 0;
	r->in.b[L3 + 5] = 4;
	lbc_drop(r, LB_DROP_L4_MALFORMED);
}

static void icmpv6_in_ipv4_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMP, "192.0.2.10", 0);
	s.proto = IPPROTO_ICMPV6;
	s.icmp_type = 128;
	lbc_pass(r, &s);
}

static void icmp_in_ipv6_passes(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMPV6, "2001:db8::10", 0);
	s.proto = IPPROTO_ICMP;
	s.icmp_type = 8;
	lbc_pass(r, &s);
}

static void icmp_fragment_to_icmp_entry_dropped(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMP, "192.0.2.10", 0);
	s.frag = PKT_IP4_MF;
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_FRAGMENT);
}

/* Turns the VIP filter on, with the bits of the world's addresses or none. */
static void filter_on(bool with_vip_bits)
{
	int fd = harness_lb_map_fd("lb_vip_filter");
	uint32_t i, word, addr[4];
	uint64_t w;

	cr_assert_geq(fd, 0, "lb_vip_filter not pinned");
	w = 1ULL << LB_VIP_FILTER_ON_BIT;
	word = 0;
	cr_assert_eq(bpf_map_update_elem(fd, &word, &w, BPF_ANY), 0);
	for (i = 0; with_vip_bits && i < W_N_VIPS; i++) {
		struct lb_vip_key key = w_vip_key(i);
		uint32_t bit;

		memcpy(addr, key.addr, sizeof(addr));
		bit = lb_vip_filter_bit(addr, key.family);
		word = bit / 64;
		cr_assert_eq(bpf_map_lookup_elem(fd, &word, &w), 0);
		w |= 1ULL << (bit % 64);
		cr_assert_eq(bpf_map_update_elem(fd, &word, &w, BPF_ANY), 0);
	}
	close(fd);
}

static void filter_on_vip_bit_set_forwards(struct lb_run *r)
{
	struct pkt_spec s;

	filter_on(true);
	w_client(&s, IPPROTO_TCP, "2001:db8::10", 80);
	lbc_forward(r, &s, W_VIP6_TCP, W_BE3);
}

static void filter_on_vip_bit_clear_passes(struct lb_run *r)
{
	struct pkt_spec s;

	filter_on(false);
	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	lbc_pass(r, &s);
}

static void filter_on_non_vip_passes(struct lb_run *r)
{
	struct pkt_spec s;

	filter_on(true);
	w_client(&s, IPPROTO_TCP, "198.51.100.200", 80);
	lbc_pass(r, &s);
}

static void fail_open_takes_first_real_backend(struct lb_run *r)
{
	const uint32_t at[] = { LB_NO_BACKEND, W_BE6 };
	struct lb_flow_key key;
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.14", 80);
	key = w_key(&s, false);
	w_table_at(r, W_VIP4_FAIL_OPEN, W_BE5, w_slot(r, &key), at, 2);
	lbc_forward(r, &s, W_VIP4_FAIL_OPEN, W_BE6);
}

static void maglev_size_zero_is_no_table(struct lb_run *r)
{
	struct lb_vip_key key = w_vip_key(W_VIP4_TCP);
	struct lb_vip_info info = w_vip_info(W_VIP4_TCP);
	struct pkt_spec s;

	info.maglev_size = 0;
	cr_assert_eq(harness_lb_vip(&r->h, &key, &info), 0);
	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	lbc_build(&r->in, &s);
	lbc_drop(r, LB_DROP_NO_TABLE);
}

static void synced_entry_index_rewritten(struct lb_run *r)
{
	struct lb_flow_key key;
	struct lb_conn conn = { .backend_index = 77, .flags = LB_CONN_F_SYNCED, .packets = 9 };
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	key = w_key(&s, false);
	pkt_addr(conn.backend_addr, "198.51.100.2");
	conn.backend_family = LB_AF_INET;
	cr_assert_eq(bpf_map_update_elem(r->h.conntrack, &key, &conn, BPF_ANY), 0);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

static void synced_entry_index_rewritten_check(struct lb_run *r)
{
	struct lb_flow_key key;
	struct lb_conn conn;
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, "192.0.2.10", 80);
	key = w_key(&s, false);
	cr_assert_eq(bpf_map_lookup_elem(r->h.conntrack, &key, &conn), 0);
	cr_expect_eq(conn.backend_index, W_BE2, "backend_index %u, local index %u",
		     conn.backend_index, W_BE2);
	cr_expect_eq(conn.flags, LB_CONN_F_SYNCED, "flags %u", conn.flags);
}

static void gue6_inner_udp4_without_checksum(struct lb_run *r)
{
	struct pkt_spec s;

	w_table_fill(r, W_VIP4_UDP_GUE, W_BE4);
	w_client(&s, IPPROTO_UDP, "192.0.2.10", 53);
	s.udp_csum_zero = true;
	lbc_forward(r, &s, W_VIP4_UDP_GUE, W_BE4);
}

static void gue6_inner_ipv6_routing_header(struct lb_run *r)
{
	struct pkt_spec s;

	w_client(&s, IPPROTO_UDP, "2001:db8::10", 53);
	s.ext[0].type = 43;
	s.n_ext = 1;
	lbc_forward(r, &s, W_VIP6_UDP_GUE, W_BE4);
}

static void gue6_inner_ipv4_options(struct lb_run *r)
{
	static const uint8_t opts[] = { 0x01, 0x01, 0x01, 0x00 };
	struct pkt_spec s;

	w_table_fill(r, W_VIP4_UDP_GUE, W_BE4);
	w_client(&s, IPPROTO_UDP, "192.0.2.10", 53);
	s.ip_opts = opts;
	s.ip_opts_len = sizeof(opts);
	lbc_forward(r, &s, W_VIP4_UDP_GUE, W_BE4);
}

static void gue6_inner_later_fragment(struct lb_run *r)
{
	struct lb_vip_key key = w_vip_key(W_VIP4_ADDRS);
	struct lb_vip_info info = w_vip_info(W_VIP4_ADDRS);
	struct pkt_spec s;

	info.encap = LB_ENCAP_GUE;
	cr_assert_eq(harness_lb_vip(&r->h, &key, &info), 0);
	w_table_fill(r, W_VIP4_ADDRS, W_BE4);
	w_client(&s, IPPROTO_UDP, "192.0.2.13", 5000);
	s.frag = 185;
	s.raw = true;
	lbc_forward(r, &s, W_VIP4_ADDRS, W_BE4);
}

static void gue6_inner_ipv6_later_fragment(struct lb_run *r)
{
	struct lb_vip_key key = w_vip_key(W_VIP6_ADDRS);
	struct lb_vip_info info = w_vip_info(W_VIP6_ADDRS);
	struct pkt_spec s;

	info.encap = LB_ENCAP_GUE;
	cr_assert_eq(harness_lb_vip(&r->h, &key, &info), 0);
	w_table_fill(r, W_VIP6_ADDRS, W_BE4);
	w_client(&s, IPPROTO_UDP, "2001:db8::13", 5000);
	s.ext[0].type = IPPROTO_FRAGMENT;
	s.ext[0].frag_off = 185;
	s.ext[0].frag_id = 3;
	s.n_ext = 1;
	s.raw = true;
	lbc_forward(r, &s, W_VIP6_ADDRS, W_BE4);
}

static void echo_request_padding_cut(struct lb_run *r)
{
	static const uint8_t data[] = "ping";
	struct pkt_spec s;

	w_client(&s, IPPROTO_ICMP, "192.0.2.10", 0);
	s.payload = data;
	s.payload_len = sizeof(data) - 1;
	lbc_build(&r->in, &s);
	w_expect_echo_reply(&s, &r->out);
	memset(r->in.b + r->in.len, 0, 60 - r->in.len);
	r->in.len = 60;
	r->action = XDP_TX;
	r->stat = LB_STAT_ICMP_ECHO_REPLIED;
}

static const struct lb_case cases[] = {
	LB_CASE("VLAN tag cut by the frame end: dropped", vlan_tag_truncated_dropped),
	LB_CASE("second VLAN tag passes", second_tag_passes),
	LB_CASE("TCP header cut by the IPv4 length: dropped", tcp_header_cut_by_ip_length),
	LB_CASE("UDP header cut by the IPv6 payload length: dropped",
		udp_header_cut_by_ip6_length),
	LB_CASE("ICMPv6 in IPv4 passes", icmpv6_in_ipv4_passes),
	LB_CASE("ICMP in IPv6 passes", icmp_in_ipv6_passes),
	LB_CASE("ICMP fragment to an ICMP entry: dropped", icmp_fragment_to_icmp_entry_dropped),
	LB_CASE("VIP filter on, VIP bit set: forwarded", filter_on_vip_bit_set_forwards),
	LB_CASE("VIP filter on, VIP bit clear: passes", filter_on_vip_bit_clear_passes),
	LB_CASE("VIP filter on, no VIP: passes", filter_on_non_vip_passes),
	LB_CASE("fail-open: first probed slot naming a real backend, DRAIN too",
		fail_open_takes_first_real_backend),
	LB_CASE("maglev_size 0 counts as no table", maglev_size_zero_is_no_table),
	LB_CASE_CHECKED("synced entry's index rewritten to the local one",
			synced_entry_index_rewritten, synced_entry_index_rewritten_check),
	LB_CASE("GUE/IPv6 around IPv4 UDP without checksum", gue6_inner_udp4_without_checksum),
	LB_CASE("GUE/IPv6 around IPv6 with a routing header", gue6_inner_ipv6_routing_header),
	LB_CASE("GUE/IPv6 around IPv4 with options", gue6_inner_ipv4_options),
	LB_CASE("GUE/IPv6 around a later IPv4 fragment", gue6_inner_later_fragment),
	LB_CASE("GUE/IPv6 around a later IPv6 fragment", gue6_inner_ipv6_later_fragment),
	LB_CASE("echo request's Ethernet padding cut from the reply", echo_request_padding_cut),
};

const struct lb_case_table lb_cases_contract = LB_CASES_ONLY(cases);
