// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lb fixtures of the per-CPU flow cache (docs/DATAPLANE.md, "Flow cache"): a
 * flow's third packet, a conntrack hit, fills its slot; the checked packet
 * after it is served from the slot, and must come out exactly as the
 * conntrack path would send it, under the same rules (DOWN, SYN, VIP gone).
 * Most go through the fast path (bpf/lib/fast_path.h); the shapes and
 * encapsulations it leaves to the full path are served from the cache too.
 */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "lb_cases.h"

/*
 * A flow to dst:dport: its first packet (a SYN for TCP), the second (confirms
 * into lb_conntrack), the third (a conntrack hit: cached), then n more.
 */
static void cached_flow_to(struct lb_run *r, struct pkt_spec *s, uint8_t proto, const char *dst,
			   uint16_t dport, int more)
{
	struct pkt p;
	int i, want;

	w_client(s, proto, dst, dport);
	for (i = 0; i < 3 + more; i++) {
		s->tcp_flags = proto != IPPROTO_TCP ? 0 : i ? PKT_TCP_ACK : PKT_TCP_SYN;
		lbc_build(&p, s);
		want = w_send(r, &p);
		cr_assert(want == XDP_TX || want == XDP_REDIRECT, "packet %d of the flow is forwarded",
			  i + 1);
	}
	if (proto == IPPROTO_TCP)
		s->tcp_flags = PKT_TCP_ACK;
}

/* SYN, ACK (confirms into lb_conntrack), ACK (conntrack hit: cached), then n more ACKs. */
static void cached_flow(struct lb_run *r, struct pkt_spec *s, int more)
{
	cached_flow_to(r, s, IPPROTO_TCP, "192.0.2.10", 80, more);
}

/* The lb_conntrack entry of the client's flow to dst:dport counted want packets. */
static void expect_packets_of(struct lb_run *r, uint8_t proto, const char *dst, uint16_t dport,
			      uint64_t want, const char *why)
{
	struct lb_flow_key key;
	struct lb_conn conn;
	struct pkt_spec s;

	w_client(&s, proto, dst, dport);
	key = w_key(&s, false);
	cr_assert_eq(bpf_map_lookup_elem(r->h.conntrack, &key, &conn), 0, "no conntrack entry");
	cr_expect_eq(conn.packets, want, "conntrack counted %llu packets, want %llu: %s",
		     (unsigned long long)conn.packets, (unsigned long long)want, why);
}

static void expect_conntrack_packets(struct lb_run *r, uint64_t want, const char *why)
{
	expect_packets_of(r, IPPROTO_TCP, "192.0.2.10", 80, want, why);
}

static void served_from_cache(struct lb_run *r)
{
	struct pkt_spec s;

	cached_flow(r, &s, 0);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

/* The 4th packet went out (byte for byte, above) without touching the entry. */
static void served_from_cache_check(struct lb_run *r)
{
	expect_conntrack_packets(r, 3, "the cache did not serve the 4th");
}

static void cached_flow_keeps_backend_after_table_change(struct lb_run *r)
{
	struct pkt_spec s;

	cached_flow(r, &s, 0);
	w_table_fill(r, W_VIP4_TCP, W_BE2);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void cached_flow_of_down_backend_repicked(struct lb_run *r)
{
	struct pkt_spec s;

	cached_flow(r, &s, 0);
	w_table_fill(r, W_VIP4_TCP, W_BE2);
	w_set_backend_flags(r, W_BE1, LB_BE_F_DOWN);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

/* A cached flow whose backend lost its MAC is dropped meanwhile, then served there again. */
static void cached_flow_of_waiting_backend_kept(struct lb_run *r)
{
	struct pkt_spec s;
	struct pkt p;

	cached_flow(r, &s, 0);
	w_table_fill(r, W_VIP4_TCP, W_BE2);
	w_set_backend_flags(r, W_BE1, LB_BE_F_NO_NEXTHOP);
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_DROP, "a packet for a backend without a MAC is dropped");
	w_set_backend_flags(r, W_BE1, 0);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void syn_on_cached_tuple_repicks(struct lb_run *r)
{
	struct pkt_spec s;

	cached_flow(r, &s, 0);
	lbc_reused_tuple(r, &s);
}

/* The agent removes the VIP and moves lb_generation on: the cached flow is no VIP's any more. */
static void cached_flow_of_removed_vip_passes(struct lb_run *r)
{
	struct lb_vip_key key = w_vip_key(W_VIP4_TCP);
	struct pkt_spec s;

	cached_flow(r, &s, 0);
	cr_assert_eq(bpf_map_delete_elem(r->h.vips, &key), 0, "removing the VIP");
	cr_assert_eq(harness_lb_generation(&r->h, 2), 0, "moving lb_generation on");
	lbc_pass(r, &s);
}

/* A used-up batch sends the packet through conntrack, which adds what the cache served. */
static void batch_used_up_visits_conntrack(struct lb_run *r)
{
	struct pkt_spec s;

	cached_flow(r, &s, LB_FLOW_CACHE_BATCH);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void batch_used_up_visits_conntrack_check(struct lb_run *r)
{
	expect_conntrack_packets(r, 4 + LB_FLOW_CACHE_BATCH, "every packet sent, cached or not");
}

/* A cached flow still visits conntrack once a second: idle ages and LRU recency stay true. */
static void second_since_visit_visits_conntrack(struct lb_run *r)
{
	struct timespec wait = { .tv_sec = 1, .tv_nsec = 100 * 1000 * 1000 };
	struct pkt_spec s;

	cached_flow(r, &s, 1);
	nanosleep(&wait, NULL);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void second_since_visit_visits_conntrack_check(struct lb_run *r)
{
	expect_conntrack_packets(r, 5, "the 4th from the cache, the 5th a second later through it");
}

/*
 * A cached flow whose backend went DOWN is picked afresh: a new entry, whose
 * count starts again at 1. The packets the cache served went with the old
 * entry: no sync event may come of them.
 */
static void repicked_cached_flow_reports_nothing(struct lb_run *r)
{
	struct pkt_spec s;
	int n;

	w_apply_sync(r, 3, 2, 0);
	cached_flow(r, &s, 5);
	n = harness_lb_events(&r->h, NULL, 0);
	cr_assert_eq(n, 1, "one event (the 3rd packet) while the cache serves, got %d", n);
	w_table_fill(r, W_VIP4_TCP, W_BE2);
	w_set_backend_flags(r, W_BE1, LB_BE_F_DOWN);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE2);
}

static void repicked_cached_flow_reports_nothing_check(struct lb_run *r)
{
	int n = harness_lb_events(&r->h, NULL, 0);

	cr_expect_eq(n, 0, "the re-picked flow's first packet sent %d sync events", n);
	expect_conntrack_packets(r, 1, "the re-picked flow's entry starts afresh");
}

/* With lb_generation 0 (an agent that never applied a config) nothing is cached. */
static void generation_zero_caches_nothing(struct lb_run *r)
{
	struct pkt_spec s;

	cr_assert_eq(harness_lb_generation(&r->h, 0), 0, "clearing lb_generation");
	cached_flow(r, &s, 0);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void generation_zero_caches_nothing_check(struct lb_run *r)
{
	expect_conntrack_packets(r, 4, "every packet went through conntrack");
}

/*
 * A flow to dst:dport of VIP vip, cached: its 4th packet reaches backend be
 * byte for byte as the conntrack path would send it, and the flow's conntrack
 * entry never saw it (the cache served it). One pair of fixture functions.
 */
#define CACHED_FLOW_CASE(fn, proto, dst, dport, vip, be)                                       \
	static void fn(struct lb_run *r)                                                         \
	{                                                                                        \
		struct pkt_spec s;                                                               \
                                                                                                 \
		cached_flow_to(r, &s, proto, dst, dport, 0);                                     \
		lbc_forward(r, &s, vip, be);                                                     \
	}                                                                                        \
	static void fn##_check(struct lb_run *r)                                                 \
	{                                                                                        \
		expect_packets_of(r, proto, dst, dport, 3, "the cache did not serve the 4th");  \
	}

/* From the fast path: IPv6 in IPv6, and a backend behind another interface (redirect). */
CACHED_FLOW_CASE(cached_ipv6_flow, IPPROTO_TCP, "2001:db8::10", 80, W_VIP6_TCP, W_BE3)
CACHED_FLOW_CASE(cached_flow_redirected, IPPROTO_TCP, "192.0.2.18", 80, W_VIP4_REDIRECT, W_BE7)
/* Left to the full path, which still serves them from their slot: GUE, GUE over IPv6, 4in6. */
CACHED_FLOW_CASE(cached_gue_flow, IPPROTO_UDP, "192.0.2.10", 53, W_VIP4_UDP_GUE, W_BE2)
CACHED_FLOW_CASE(cached_gue6_flow, IPPROTO_UDP, "2001:db8::10", 53, W_VIP6_UDP_GUE, W_BE4)
CACHED_FLOW_CASE(cached_4in6_flow, IPPROTO_TCP, "192.0.2.12", 80, W_VIP4_TO6, W_BE3)

/* A padded frame (a bare ACK is 54 bytes, sent as 60): the padding is not carried. */
static void cached_flow_padded_frame(struct lb_run *r)
{
	struct pkt_spec s;
	size_t pad = 6;

	cached_flow(r, &s, 0);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
	memset(r->in.b + r->in.len, 0, pad);
	r->in.len += pad;
}

/* A cached flow's malformed packet is dropped by the full parser, never forwarded. */
static void cached_flow_bad_tcp_header(struct lb_run *r)
{
	struct pkt_spec s;

	cached_flow(r, &s, 0);
	lbc_build(&r->in, &s);
	r->in.b[ETH_HLEN + 20 + 12] = 4 << 4; /* data offset 4: shorter than a TCP header */
	lbc_drop(r, LB_DROP_L4_MALFORMED);
}

static const struct lb_case cases[] = {
	LB_CASE_CHECKED("flow cache: 4th packet served from the cache, bytes as by conntrack",
			served_from_cache, served_from_cache_check),
	LB_CASE("flow cache: cached flow keeps its backend after a table change",
		cached_flow_keeps_backend_after_table_change),
	LB_CASE("flow cache: cached flow of a DOWN backend is picked again",
		cached_flow_of_down_backend_repicked),
	LB_CASE("flow cache: cached flow of a backend waiting for its MAC: dropped, then kept",
		cached_flow_of_waiting_backend_kept),
	LB_CASE("flow cache: SYN on a cached tuple re-picks, the next ACK follows",
		syn_on_cached_tuple_repicks),
	LB_CASE("flow cache: removed VIP and a new generation: the cached flow passes",
		cached_flow_of_removed_vip_passes),
	LB_CASE_CHECKED("flow cache: a used-up batch visits conntrack with the served packets",
			batch_used_up_visits_conntrack, batch_used_up_visits_conntrack_check),
	LB_CASE_CHECKED("flow cache: a second after its visit a flow visits conntrack again",
			second_since_visit_visits_conntrack,
			second_since_visit_visits_conntrack_check),
	LB_CASE_CHECKED("flow cache: a re-picked cached flow sends no event for the served packets",
			repicked_cached_flow_reports_nothing,
			repicked_cached_flow_reports_nothing_check),
	LB_CASE_CHECKED("flow cache: generation 0 caches nothing",
			generation_zero_caches_nothing, generation_zero_caches_nothing_check),
	LB_CASE_CHECKED("fast path: cached IPv6 flow, 6in6 bytes as by conntrack",
			cached_ipv6_flow, cached_ipv6_flow_check),
	LB_CASE_CHECKED("fast path: cached flow in a padded frame, padding not carried",
			cached_flow_padded_frame, served_from_cache_check),
	LB_CASE_CHECKED("fast path: cached flow of a backend behind another interface: redirect",
			cached_flow_redirected, cached_flow_redirected_check),
	LB_CASE_CHECKED("flow cache: cached GUE flow, served by the full path",
			cached_gue_flow, cached_gue_flow_check),
	LB_CASE_CHECKED("flow cache: cached GUE-over-IPv6 flow, served by the full path",
			cached_gue6_flow, cached_gue6_flow_check),
	LB_CASE_CHECKED("flow cache: cached 4in6 flow, served by the full path",
			cached_4in6_flow, cached_4in6_flow_check),
	LB_CASE("fast path: a cached flow's packet with a bad TCP header is dropped",
		cached_flow_bad_tcp_header),
};

const struct lb_case_table lb_cases_cache = LB_CASES_ONLY(cases);
