/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The lb fixtures' world (VIPs, backends, tables) and the packets docs/DATAPLANE.md predicts. */
#ifndef XDPLB_TESTS_LB_WORLD_H
#define XDPLB_TESTS_LB_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "harness.h"
#include "lb_common.h"
#include "pkt.h"

#define W_TABLE_SIZE 13 /* Maglev table size of every world VIP: small, prime */
#define W_GUE_PORT 6080
#define W_NO_STAT (-1)

/* vip_index of the world's VIPs. */
enum w_vip {
	W_VIP4_TCP = 0, /* 192.0.2.10:80 tcp, IPIP -> backend 1 */
	W_VIP4_UDP_GUE = 1, /* 192.0.2.10:53 udp, GUE -> backend 2 */
	W_VIP4_WILD = 2, /* 192.0.2.11:* tcp, IPIP -> backend 1 */
	W_VIP6_TCP = 3, /* [2001:db8::10]:80 tcp, 6in6 -> backend 3 */
	W_VIP6_UDP_GUE = 4, /* [2001:db8::10]:53 udp, GUE over IPv6 -> backend 4 */
	W_VIP4_TO6 = 5, /* 192.0.2.12:80 tcp, 4in6 -> backend 3 */
	W_VIP4_ADDRS = 6, /* 192.0.2.13:* udp, hashes on addresses -> backend 1 */
	W_VIP4_FAIL_OPEN = 7, /* 192.0.2.14:80 tcp, fail-open -> backend 5 (DOWN) */
	W_VIP4_ALL_DOWN = 8, /* 192.0.2.15:80 tcp -> backend 5 (DOWN) */
	W_VIP6_ADDRS = 9, /* [2001:db8::13]:* udp, hashes on addresses -> backend 3 */
	W_VIP4_NO_TABLE = 10, /* 192.0.2.16:80 tcp, no table installed */
	W_VIP6_TO4 = 11, /* [2001:db8::16]:80 tcp, 6in4 -> backend 1 */
	W_VIP4_EMPTY = 12, /* 192.0.2.17:80 tcp, table of LB_NO_BACKEND */
	W_VIP4_REDIRECT = 13, /* 192.0.2.18:80 tcp -> backend 7 (ifindex 1) */
	W_ICMP4 = 14, /* 192.0.2.10 ICMP entry */
	W_ICMP6 = 15, /* 2001:db8::10 ICMPv6 entry */
	W_N_VIPS
};

struct w_vip_def {
	const char *addr;
	uint16_t port; /* host order */
	uint8_t proto;
	uint32_t flags;
	uint8_t encap;
	uint32_t table_backend; /* every slot holds this backend; ~0 = no table */
};

/* Backend indices of the world. */
enum w_backend {
	W_BE1 = 1, /* 198.51.100.1 */
	W_BE2 = 2, /* 198.51.100.2 */
	W_BE3 = 3, /* 2001:db8:1::1 */
	W_BE4 = 4, /* 2001:db8:1::2 */
	W_BE5 = 5, /* 198.51.100.5, DOWN */
	W_BE6 = 6, /* 198.51.100.6, DRAIN */
	W_BE7 = 7, /* 198.51.100.7, redirected to ifindex 1 */
	W_N_BACKENDS
};

extern const struct w_vip_def w_vips[W_N_VIPS];

/* One lb fixture being run: the loaded program, its settings and the packets. */
struct lb_run {
	struct lb_harness h;
	struct lb_settings settings;
	struct lb_backend backends[W_N_BACKENDS];
	struct pkt in, out; /* the packet checked, and what must come out */
	uint32_t action;
	uint32_t drop; /* lb_drops index the checked packet counts, or LB_DROP_NONE */
	int stat; /* lb_stats index the checked packet counts, or W_NO_STAT */
	const struct lb_gue_sc *expect_sc; /* w_expect_encap(): GUE carries this header */
};

/* Loads lb and programs the world; asserts (Criterion) on failure. */
void w_setup(struct lb_run *r);
void w_apply_settings(struct lb_run *r);
/* Sync events at `first` packets, every `every` after, and `seconds` after the last; applied. */
void w_apply_sync(struct lb_run *r, uint32_t first, uint32_t every, uint16_t seconds);
void w_set_backend_flags(struct lb_run *r, uint32_t index, uint8_t flags);
void w_table_fill(struct lb_run *r, uint32_t vip, uint32_t backend);
/* Table of backend `fill` with `at` in slot (slot_of + k) for k = 0.., n entries. */
void w_table_at(struct lb_run *r, uint32_t vip, uint32_t fill, uint32_t slot, const uint32_t *at,
		size_t n);
struct lb_vip_key w_vip_key(uint32_t vip);
struct lb_vip_info w_vip_info(uint32_t vip);

/* A client packet from 203.0.113.5 / 2001:db8:3::5 to a world address. */
void w_client(struct pkt_spec *s, uint8_t proto, const char *dst, uint16_t dport);
/* The conntrack key of a packet spec (ports cleared for address-hashed VIPs). */
struct lb_flow_key w_key(const struct pkt_spec *s, bool hash_addrs);
uint32_t w_hash(const struct lb_run *r, const struct lb_flow_key *key);
uint32_t w_slot(const struct lb_run *r, const struct lb_flow_key *key);

/* Runs a packet that is not the one checked; asserts the run itself worked. */
uint32_t w_send(struct lb_run *r, const struct pkt *p);

/* Expected frame: the L3 packet of `in` encapsulated toward backend be for flow key. */
void w_expect_encap(struct lb_run *r, const struct pkt *in, uint32_t vip, uint32_t be,
		    const struct lb_flow_key *key, struct pkt *out);
/* Expected ICMP echo reply to the echo request in. */
void w_expect_echo_reply(const struct pkt_spec *req, struct pkt *out);
/* Expected "too big" answer (frag needed / PTB) to in, for an overhead in bytes. */
void w_expect_too_big(const struct lb_run *r, const struct pkt *in, const struct pkt_spec *s,
		      unsigned int overhead, struct pkt *out);

#endif /* XDPLB_TESTS_LB_WORLD_H */
