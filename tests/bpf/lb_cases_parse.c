// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb fixtures: every malformed class of docs/DATAPLANE.md step 1, and fragments (step 3). */
#include <linux/if_ether.h>
#include <netinet/in.h>

#include "lb_cases.h"

#define L3	   ETH_HLEN /* L3 offset of an untagged frame */
#define UDP4_ADDRS .proto = IPPROTO_UDP, .dst = "192.0.2.13", .dport = 5000
#define UDP6_ADDRS .proto = IPPROTO_UDP, .dst = "2001:db8::13", .dport = 5000

_Static_assert(LB_IP6_EXT_MAX == 4, "the too-long chain below is one header longer");

/* Rows laid out by hand (see lb_cases_fwd.c). */
/* clang-format off */
static const struct lb_row rows[] = {
	{ "IPv4 header truncated: dropped",
	  .pkt = { LB_TCP4 }, .bend = { .frame_len = L3 + 10 },
	  .want = LB_DROPPED(LB_DROP_IP4_MALFORMED) },
	{ "IPv4 IHL 4: dropped",
	  .pkt = { LB_TCP4 }, .bend = { .poke = { { L3, 0x44 } }, .n_poke = 1 },
	  .want = LB_DROPPED(LB_DROP_IP4_MALFORMED) },
	{ "IPv4 EtherType with version 6: dropped",
	  .pkt = { LB_TCP4 }, .bend = { .poke = { { L3, 0x65 } }, .n_poke = 1 },
	  .want = LB_DROPPED(LB_DROP_IP4_MALFORMED) },
	{ "IPv4 tot_len beyond the frame: dropped",
	  .pkt = { LB_TCP4 }, .bend = { .ip_len_over = 1 },
	  .want = LB_DROPPED(LB_DROP_IP4_MALFORMED) },
	{ "IPv4 tot_len below IHL*4: dropped",
	  .pkt = { LB_TCP4 }, .bend = { .ip_len = 16 },
	  .want = LB_DROPPED(LB_DROP_IP4_MALFORMED) },
	{ "IPv4 options beyond the frame: dropped",
	  .pkt = { LB_TCP4 }, .bend = { .cut_l3 = 40, .poke = { { L3, 0x4f } }, .n_poke = 1 },
	  .want = LB_DROPPED(LB_DROP_IP4_MALFORMED) },
	{ "IPv6 header truncated: dropped",
	  .pkt = { LB_TCP6 }, .bend = { .frame_len = L3 + 30 },
	  .want = LB_DROPPED(LB_DROP_IP6_MALFORMED) },
	{ "IPv6 payload_len beyond the frame: dropped",
	  .pkt = { LB_TCP6 }, .bend = { .ip_len_over = 1 },
	  .want = LB_DROPPED(LB_DROP_IP6_MALFORMED) },
	{ "IPv6 extension chain longer than LB_IP6_EXT_MAX: dropped",
	  .pkt = { LB_TCP6, .ext = { { .type = 60 }, { .type = 60 }, { .type = 60 }, { .type = 60 },
				  { .type = 60 } },
		   .n_ext = LB_IP6_EXT_MAX + 1 },
	  .want = LB_DROPPED(LB_DROP_IP6_EXT_CHAIN) },
	{ "IPv6 extension header longer than the packet: dropped",
	  .pkt = { LB_TCP6, .ext = { { .type = 0 } }, .n_ext = 1,
		   .payload = (const uint8_t *)"", .payload_len = 0 },
	  /* The hop-by-hop header claims 248 bytes. */
	  .bend = { .poke = { { L3 + 40 + 1, 30 } }, .n_poke = 1 },
	  .want = LB_DROPPED(LB_DROP_IP6_EXT_CHAIN) },
	{ "IPv6 packet ending inside an extension header: dropped",
	  .pkt = { LB_TCP6, .ext = { { .type = 60 } }, .n_ext = 1 }, .bend = { .cut_l3 = 40 + 4 },
	  .want = LB_DROPPED(LB_DROP_IP6_EXT_CHAIN) },
	{ "TCP header truncated: dropped",
	  .pkt = { LB_TCP4 }, .bend = { .cut_l3 = 20 + 12 },
	  .want = LB_DROPPED(LB_DROP_L4_MALFORMED) },
	{ "TCP doff 4: dropped",
	  .pkt = { LB_TCP6 }, .bend = { .poke = { { L3 + 40 + 12, 4 << 4 } }, .n_poke = 1 },
	  .want = LB_DROPPED(LB_DROP_L4_MALFORMED) },
	{ "TCP options beyond the frame: dropped", /* a 32-byte header, 24 present */
	  .pkt = { LB_TCP4 },
	  .bend = { .cut_l3 = 20 + 24, .poke = { { L3 + 20 + 12, 8 << 4 } }, .n_poke = 1 },
	  .want = LB_DROPPED(LB_DROP_L4_MALFORMED) },
	{ "UDP header truncated: dropped",
	  .pkt = { LB_UDP6 },
	  .bend = { .cut_l3 = 40 + 4 }, .want = LB_DROPPED(LB_DROP_L4_MALFORMED) },
	/* The IP length ends inside the L4 header while the frame goes on (Ethernet padding). */
	{ "UDP header cut by the IPv4 length, frame padded: dropped",
	  .pkt = { LB_UDP4 },
	  .bend = { .ip_len = 20 + 7 }, .want = LB_DROPPED(LB_DROP_L4_MALFORMED) },
	{ "TCP header cut by the IPv6 length, frame padded: dropped",
	  .pkt = { LB_TCP6 }, .bend = { .ip_len = 19 }, .want = LB_DROPPED(LB_DROP_L4_MALFORMED) },
	{ "ICMP header truncated: dropped",
	  .pkt = { .proto = IPPROTO_ICMP, .dst = "192.0.2.10" }, .bend = { .cut_l3 = 20 + 4 },
	  .want = LB_DROPPED(LB_DROP_ICMP_MALFORMED) },
	{ "ICMPv6 header truncated: dropped",
	  .pkt = { .proto = IPPROTO_ICMPV6, .dst = "2001:db8::10" }, .bend = { .cut_l3 = 40 + 6 },
	  .want = LB_DROPPED(LB_DROP_ICMP_MALFORMED) },

	/* --- fragments --- */
	{ "IPv4 first fragment to a port VIP: dropped",
	  .pkt = { LB_TCP4, .frag = PKT_IP4_MF }, .want = LB_DROPPED(LB_DROP_FRAGMENT) },
	{ "IPv4 later fragment to a wildcard VIP: dropped",
	  .pkt = { .proto = IPPROTO_TCP, .dst = "192.0.2.11", .dport = 80, .frag = 185,
		   .raw = true },
	  .want = LB_DROPPED(LB_DROP_FRAGMENT) },
	/* No port in a later fragment, and this address has no port-0 VIP. */
	{ "IPv4 later fragment to a port-only VIP address passes",
	  .pkt = { LB_TCP4, .frag = 185, .raw = true }, .want = { LB_PASS } },
	{ "IPv6 fragment to a port VIP: dropped",
	  .pkt = { LB_TCP6,
		   .ext = { { .type = IPPROTO_FRAGMENT, .frag_more = true, .frag_id = 7 } },
		   .n_ext = 1 },
	  .want = LB_DROPPED(LB_DROP_FRAGMENT) },
	{ "IPv4 first fragment to an address-hashed VIP forwarded",
	  .pkt = { UDP4_ADDRS, .frag = PKT_IP4_MF, .ip_id = 99 },
	  .want = LB_FWD(W_VIP4_ADDRS, W_BE1) },
	{ "IPv4 later fragment to an address-hashed VIP forwarded alike",
	  .pkt = { UDP4_ADDRS, .frag = 185, .ip_id = 99, .raw = true },
	  .want = LB_FWD(W_VIP4_ADDRS, W_BE1) },
	{ "IPv6 first fragment to an address-hashed VIP forwarded",
	  .pkt = { UDP6_ADDRS,
		   .ext = { { .type = IPPROTO_FRAGMENT, .frag_more = true, .frag_id = 7 } },
		   .n_ext = 1 },
	  .want = LB_FWD(W_VIP6_ADDRS, W_BE3) },
	{ "IPv6 later fragment to an address-hashed VIP forwarded alike",
	  .pkt = { UDP6_ADDRS,
		   .ext = { { .type = IPPROTO_FRAGMENT, .frag_off = 185, .frag_id = 7 } },
		   .n_ext = 1, .raw = true },
	  .want = LB_FWD(W_VIP6_ADDRS, W_BE3) },
};
/* clang-format on */

const struct lb_case_table lb_cases_parse = LB_ROWS_ONLY(rows);
