// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lb.bpf.c under a SYN flood of spoofed sources: far more new tuples than lb_conntrack holds.
 * The established connections' backend is made observable by moving the VIP's Maglev table to
 * another backend once they are set up: a connection that still reaches its first backend
 * afterwards was found in conntrack; one that reaches the new backend lost its entry.
 * Before lb_ct_new (docs/DATAPLANE.md, "Admission") idle connections lost theirs to a flood of
 * only 1x the table (0 of 100 kept): docs/design/flood.md has those measurements.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "lb_world.h"
#include "pkt.h"

#define FLOOD_CONNS	 100			/* long-lived connections */
#define FLOOD_SYNS	 (20 * HARNESS_CT_SIZE) /* spoofed SYNs: 20 times the table */
#define FLOOD_TOUCH	 1000			/* SYNs between two packets of a connection */
#define FLOOD_FIRST_PORT 30000

static struct lb_run r;

/* One TCP packet from src:sport to the IPv4 TCP VIP; the outer destination, 0 if not sent. */
static uint32_t flood_send(uint32_t src, uint16_t sport, uint8_t flags, uint32_t *action)
{
	static struct pkt in, out;
	struct pkt_spec s;

	w_client(&s, IPPROTO_TCP, w_vips[W_VIP4_TCP].addr, w_vips[W_VIP4_TCP].port);
	s.src[0] = src;
	s.sport = sport;
	s.tcp_flags = flags;
	cr_assert_gt(pkt_build(&in, &s), 0);
	cr_assert_eq(harness_run(r.h.prog_fd, &in, &out, action), 0, "running a packet");
	if (*action != XDP_TX)
		return 0;
	return *(uint32_t *)(out.b + 14 + 16); /* IPIP: the outer IPv4 header's daddr */
}

/*
 * Sets up FLOOD_CONNS connections on backend 1, then floods; the connections send a packet
 * every touch SYNs (0: none, they stay idle). Returns how many still reach backend 1.
 */
static uint32_t flood_run(long syns, long touch)
{
	uint32_t client[4], be1[4], action, dst, i, kept = 0, forwarded = 0;
	uint64_t ct_failed[2];
	long k;

	w_setup(&r);
	pkt_addr(client, "203.0.113.5");
	pkt_addr(be1, "198.51.100.1");
	for (i = 0; i < FLOOD_CONNS; i++) {
		flood_send(client[0], FLOOD_FIRST_PORT + i, PKT_TCP_SYN, &action);
		dst = flood_send(client[0], FLOOD_FIRST_PORT + i, PKT_TCP_ACK, &action);
		cr_assert_eq(dst, be1[0], "connection %u set up on backend 1", i);
	}
	/* From now on a fresh pick says backend 2: only conntrack remembers backend 1. */
	w_table_fill(&r, W_VIP4_TCP, W_BE2);

	srand(1);
	for (k = 0; k < syns; k++) {
		/* Spoofed: any host of 203.0.113.0/24, any port, never seen again. */
		uint32_t src = htonl(0xcb007100u | (uint32_t)(rand() & 0xff));

		if (flood_send(src, 1024 + rand() % 60000, PKT_TCP_SYN, &action))
			forwarded++;
		if (touch && k % touch == 0)
			for (i = 0; i < FLOOD_CONNS; i++)
				flood_send(client[0], FLOOD_FIRST_PORT + i, PKT_TCP_ACK, &action);
	}
	for (i = 0; i < FLOOD_CONNS; i++)
		if (flood_send(client[0], FLOOD_FIRST_PORT + i, PKT_TCP_ACK, &action) == be1[0])
			kept++;
	cr_assert_eq(harness_percpu_sum(r.h.stats, LB_STAT_CT_INSERT_FAILED, ct_failed, 2), 0);
	harness_lb_destroy(&r.h);

	cr_log_info("flood: %ld SYNs into a %d-entry table (lb_ct_new %d), %d connections with a "
		    "packet every %ld SYNs: %u kept their backend, %u SYNs forwarded, %llu conntrack "
		    "writes refused", syns, HARNESS_CT_SIZE, HARNESS_CT_NEW_SIZE, FLOOD_CONNS, touch,
		    kept, forwarded, (unsigned long long)ct_failed[0]);
	cr_assert_eq(forwarded, syns, "the balancer kept forwarding the flood");
	return kept;
}

Test(flood, active_connections_keep_their_backend_under_a_syn_flood_of_20x_the_table)
{
	uint32_t kept = flood_run(FLOOD_SYNS, FLOOD_TOUCH);

	cr_assert_eq(kept, FLOOD_CONNS, "only %u of %d connections kept their backend", kept,
		     FLOOD_CONNS);
}

Test(flood, idle_connections_keep_their_backend_under_a_syn_flood_of_20x_the_table)
{
	uint32_t kept = flood_run(FLOOD_SYNS, 0);

	cr_assert_eq(kept, FLOOD_CONNS, "only %u of %d idle connections kept their backend",
		     kept, FLOOD_CONNS);
}
