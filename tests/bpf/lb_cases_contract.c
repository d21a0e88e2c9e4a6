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

static void filter_with_vip_bits(struct lb_run *r)
{
	filter_on(true);
}

static void filter_without_vip_bits(struct lb_run *r)
{
	filter_on(false);
}

static void maglev_size_zero(struct lb_run *r)
{
	struct lb_vip_key key = w_vip_key(W_VIP4_TCP);
	struct lb_vip_info info = w_vip_info(W_VIP4_TCP);

	info.maglev_size = 0;
	cr_assert_eq(harness_lb_vip(&r->h, &key, &info), 0);
}

/* An address-hashed VIP turned to GUE, toward the IPv6 backend W_BE4. */
static void addrs_vip_gue_to_be4(struct lb_run *r, uint32_t vip)
{
	struct lb_vip_key key = w_vip_key(vip);
	struct lb_vip_info info = w_vip_info(vip);

	info.encap = LB_ENCAP_GUE;
	cr_assert_eq(harness_lb_vip(&r->h, &key, &info), 0);
	w_table_fill(r, vip, W_BE4);
}

static void vip4_addrs_gue(struct lb_run *r)
{
	addrs_vip_gue_to_be4(r, W_VIP4_ADDRS);
}

static void vip6_addrs_gue(struct lb_run *r)
{
	addrs_vip_gue_to_be4(r, W_VIP6_ADDRS);
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

static const uint8_t nop3_eol[] = { 0x01, 0x01, 0x01, 0x00 };

/* Rows laid out by hand (see lb_cases_fwd.c). */
/* clang-format off */
static const struct lb_row rows[] = {
	{ "VLAN tag cut by the frame end: dropped",
	  .pkt = { LB_TCP4, .vlan_tpid = 0x8100 }, .bend = { .frame_len = 16 },
	  .want = LB_DROPPED(LB_DROP_ETH_TRUNCATED) },
	{ "second VLAN tag passes",
	  .pkt = { LB_TCP4, .vlan_tpid = 0x88a8, .vlan_tci = 100 }, .bend = { .second_tag_tci = 7 },
	  .want = { LB_PASS } },
	/* The frame holds the whole TCP header, the IP packet's length does not. */
	{ "TCP header cut by the IPv4 length: dropped",
	  .pkt = { LB_TCP4 }, .bend = { .ip_len = 20 + 12 },
	  .want = LB_DROPPED(LB_DROP_L4_MALFORMED) },
	{ "UDP header cut by the IPv6 payload length: dropped",
	  .pkt = { LB_UDP6 },
	  .bend = { .ip_len = 4 }, .want = LB_DROPPED(LB_DROP_L4_MALFORMED) },
	{ "ICMPv6 in IPv4 passes",
	  .pkt = { .proto = IPPROTO_ICMPV6, .dst = "192.0.2.10", .icmp_type = 128 },
	  .want = { LB_PASS } },
	{ "ICMP in IPv6 passes",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "2001:db8::10", .icmp_type = 8 },
	  .want = { LB_PASS } },
	{ "ICMP fragment to an ICMP entry: dropped",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "192.0.2.10", .frag = PKT_IP4_MF },
	  .want = LB_DROPPED(LB_DROP_FRAGMENT) },
	{ "VIP filter on, VIP bit set: forwarded",
	  .world = { .maps = filter_with_vip_bits }, .pkt = { LB_TCP6 },
	  .want = LB_FWD(W_VIP6_TCP, W_BE3) },
	{ "VIP filter on, VIP bit clear: passes",
	  .world = { .maps = filter_without_vip_bits }, .pkt = { LB_TCP4 }, .want = { LB_PASS } },
	{ "VIP filter on, no VIP: passes",
	  .world = { .maps = filter_with_vip_bits },
	  .pkt = { .proto = IPPROTO_TCP, .dst = "198.51.100.200", .dport = 80 },
	  .want = { LB_PASS } },
	{ "fail-open: first probed slot naming a real backend, DRAIN too",
	  .world = { .slots = { W_VIP4_FAIL_OPEN, W_BE5, { LB_NO_BACKEND, W_BE6 }, 2 } },
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.14", .dport = 80 },
	  .want = LB_FWD(W_VIP4_FAIL_OPEN, W_BE6) },
	{ "maglev_size 0 counts as no table",
	  .world = { .maps = maglev_size_zero }, .pkt = { LB_TCP4 },
	  .want = LB_DROPPED(LB_DROP_NO_TABLE) },
	{ "synced entry's index rewritten to the local one",
	  .world = { .synced = { "198.51.100.2", 77, 9 } }, .pkt = { LB_TCP4 },
	  .want = LB_FWD(W_VIP4_TCP, W_BE2), .check = synced_entry_index_rewritten_check },
	{ "GUE/IPv6 around IPv4 UDP without checksum",
	  .world = { .fill = { W_VIP4_UDP_GUE, W_BE4 } }, .pkt = { LB_UDP4, .udp_csum_zero = true },
	  .want = LB_FWD(W_VIP4_UDP_GUE, W_BE4) },
	{ "GUE/IPv6 around IPv6 with a routing header",
	  .pkt = { LB_UDP6,
		   .ext = { { .type = 43 } }, .n_ext = 1 },
	  .want = LB_FWD(W_VIP6_UDP_GUE, W_BE4) },
	{ "GUE/IPv6 around IPv4 with options",
	  .world = { .fill = { W_VIP4_UDP_GUE, W_BE4 } },
	  .pkt = { LB_UDP4, .ip_opts = nop3_eol, .ip_opts_len = sizeof(nop3_eol) },
	  .want = LB_FWD(W_VIP4_UDP_GUE, W_BE4) },
	{ "GUE/IPv6 around a later IPv4 fragment",
	  .world = { .maps = vip4_addrs_gue },
	  .pkt = { .proto = IPPROTO_UDP, .dst = "192.0.2.13", .dport = 5000, .frag = 185,
		   .raw = true },
	  .want = LB_FWD(W_VIP4_ADDRS, W_BE4) },
	{ "GUE/IPv6 around a later IPv6 fragment",
	  .world = { .maps = vip6_addrs_gue },
	  .pkt = { .proto = IPPROTO_UDP, .dst = "2001:db8::13", .dport = 5000,
		   .ext = { { .type = IPPROTO_FRAGMENT, .frag_off = 185, .frag_id = 3 } },
		   .n_ext = 1, .raw = true },
	  .want = LB_FWD(W_VIP6_ADDRS, W_BE4) },
	{ "echo request's Ethernet padding cut from the reply",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "192.0.2.10",
		   .payload = (const uint8_t *)"ping", .payload_len = 4 },
	  .bend = { .pad_to = 60 }, .want = { LB_ECHO_REPLY } },
};
/* clang-format on */

const struct lb_case_table lb_cases_contract = LB_ROWS_ONLY(rows);
