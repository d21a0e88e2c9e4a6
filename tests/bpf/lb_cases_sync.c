// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb fixtures whose point is the state left behind: sync events, counters, conntrack entries. */
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "lb_cases.h"

#define MAX_EVENTS 8

static void client_tcp4(struct pkt_spec *s)
{
	w_client(s, IPPROTO_TCP, "192.0.2.10", 80);
}

/* The client_tcp4 flow's lb_conntrack entry; asserts it is there. */
static void tracked_entry(struct lb_run *r, struct lb_flow_key *key, struct lb_conn *conn)
{
	struct pkt_spec s;

	client_tcp4(&s);
	*key = w_key(&s, false);
	cr_assert_eq(bpf_map_lookup_elem(r->h.conntrack, key, conn), 0,
		     "the flow has no lb_conntrack entry");
}

/* Sends the flow's first n packets (SYN, then ACKs); the next one is the checked one. */
static void send_first(struct lb_run *r, struct pkt_spec *s, int n)
{
	struct pkt p;
	int i;

	for (i = 0; i < n; i++) {
		s->tcp_flags = i ? PKT_TCP_ACK : PKT_TCP_SYN;
		lbc_build(&p, s);
		cr_assert_eq(w_send(r, &p), XDP_TX, "packet %d of the flow is forwarded", i + 1);
	}
	s->tcp_flags = PKT_TCP_ACK;
}

/*
 * The client_tcp4 flow's first n packets, which must have sent exactly one
 * event (why: which), then the fixture's packet: the flow's next one.
 */
static void one_event_then_next_packet(struct lb_run *r, int n, const char *which)
{
	struct pkt_spec s;
	int events;

	client_tcp4(&s);
	send_first(r, &s, n);
	events = harness_lb_events(&r->h, NULL, 0);
	cr_assert_eq(events, 1, "one event (%s) in %d packets, got %d", which, n, events);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void expect_one_event(struct lb_run *r, uint8_t reason, uint64_t packets)
{
	struct lb_flow_event ev[MAX_EVENTS];
	struct lb_backend_key be = { 0 };
	struct lb_flow_key key;
	struct pkt_spec s;
	int n;

	client_tcp4(&s);
	key = w_key(&s, false);
	pkt_addr(be.addr, "198.51.100.1");
	n = harness_lb_events(&r->h, ev, MAX_EVENTS);
	cr_assert_eq(n, 1, "expected one event after the checked packet, got %d", n);
	cr_expect_eq(ev[0].reason, reason, "event reason %u", ev[0].reason);
	cr_expect_eq(ev[0].packets, packets, "event packets %llu",
		     (unsigned long long)ev[0].packets);
	cr_expect(!memcmp(&ev[0].flow, &key, sizeof(key)), "event flow key differs");
	cr_expect(!memcmp(ev[0].backend_addr, be.addr, sizeof(be.addr)), "event backend");
	cr_expect_eq(ev[0].backend_family, LB_AF_INET);
	cr_expect_eq(ev[0].vip_index, W_VIP4_TCP);
}

static void event_at_third_packet(struct lb_run *r)
{
	struct pkt_spec s;
	int n;

	w_apply_sync(r, 3, 0, 0);
	client_tcp4(&s);
	send_first(r, &s, 2);
	n = harness_lb_events(&r->h, NULL, 0);
	cr_assert_eq(n, 0, "no event before the 3rd packet, got %d", n);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void event_at_third_packet_check(struct lb_run *r)
{
	struct lb_counter sent;

	expect_one_event(r, LB_EVENT_ESTABLISHED, 3);
	cr_assert_eq(harness_percpu_sum(r->h.stats, LB_STAT_EVENTS_SENT, (uint64_t *)&sent, 2),
		     0);
	cr_expect_eq(sent.packets, 1, "LB_STAT_EVENTS_SENT %llu",
		     (unsigned long long)sent.packets);
}

/* With the flow cache off every packet counts in conntrack: the exact refresh packet. */
static void event_at_refresh(struct lb_run *r)
{
	cr_assert_eq(harness_lb_generation(&r->h, 0), 0, "turning the flow cache off");
	w_apply_sync(r, 3, 2, 0);
	one_event_then_next_packet(r, 4, "the 3rd packet");
}

static void event_at_refresh_check(struct lb_run *r)
{
	expect_one_event(r, LB_EVENT_REFRESH, 5);
}

/* The coarse clock's seconds as the data plane keeps them in struct lb_conn.synced_s. */
static uint16_t coarse_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint16_t)ts.tv_sec;
}

/*
 * Refresh by time only: the 4th packet, right after the 3rd's event, emits
 * nothing; with the entry's last report moved 31 s back, the 5th refreshes.
 */
static void event_after_refresh_seconds(struct lb_run *r)
{
	struct lb_flow_key key;
	struct lb_conn conn;
	struct pkt_spec s;
	struct pkt p;
	int n;

	cr_assert_eq(harness_lb_generation(&r->h, 0), 0, "turning the flow cache off");
	w_apply_sync(r, 3, 0, 30);
	client_tcp4(&s);
	send_first(r, &s, 3);
	n = harness_lb_events(&r->h, NULL, 0);
	cr_assert_eq(n, 1, "one event (the 3rd packet), got %d", n);
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_TX, "the 4th packet is forwarded");
	n = harness_lb_events(&r->h, NULL, 0);
	cr_assert_eq(n, 0, "the 4th packet, right after the last report, sent %d events", n);
	tracked_entry(r, &key, &conn);
	cr_assert_leq((uint16_t)(coarse_seconds() - conn.synced_s), 1,
		      "synced_s %u is not the 3rd packet's time (now %u)", conn.synced_s,
		      coarse_seconds());
	conn.synced_s -= 31;
	cr_assert_eq(bpf_map_update_elem(r->h.conntrack, &key, &conn, BPF_EXIST), 0);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void event_after_refresh_seconds_check(struct lb_run *r)
{
	struct lb_flow_key key;
	struct lb_conn conn;

	expect_one_event(r, LB_EVENT_REFRESH, 5);
	tracked_entry(r, &key, &conn);
	cr_expect_leq((uint16_t)(coarse_seconds() - conn.synced_s), 1,
		      "the refresh did not restart the period: synced_s %u, now %u", conn.synced_s,
		      coarse_seconds());
}

/*
 * Synced at the 2nd packet, which confirms the flow: the event comes before
 * the entry exists, and the period starts at the insert all the same, so the
 * 3rd packet, a moment later, refreshes nothing.
 */
static void refresh_period_starts_at_the_confirm(struct lb_run *r)
{
	cr_assert_eq(harness_lb_generation(&r->h, 0), 0, "turning the flow cache off");
	w_apply_sync(r, 2, 0, 30);
	one_event_then_next_packet(r, 2, "the confirming 2nd packet");
}

static void refresh_period_starts_at_the_confirm_check(struct lb_run *r)
{
	int n = harness_lb_events(&r->h, NULL, 0);

	cr_expect_eq(n, 0, "the 3rd packet, a moment after the confirm, sent %d events", n);
}

/*
 * With the cache on, packets 4 to 3 + LB_FLOW_CACHE_BATCH are served from it;
 * the next one visits conntrack, adds them, and so crosses refresh counts 5, 7,
 * ...: one event, carrying the whole count.
 */
static void event_at_refresh_cached(struct lb_run *r)
{
	w_apply_sync(r, 3, 2, 0);
	one_event_then_next_packet(r, 3 + LB_FLOW_CACHE_BATCH, "the 3rd packet, the cache serving");
}

static void event_at_refresh_cached_check(struct lb_run *r)
{
	expect_one_event(r, LB_EVENT_REFRESH, 4 + LB_FLOW_CACHE_BATCH);
}

static void short_flow_not_synced(struct lb_run *r)
{
	struct pkt_spec s;

	w_apply_sync(r, 3, 2, 0);
	client_tcp4(&s);
	send_first(r, &s, 1);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void no_event_check(struct lb_run *r)
{
	int n = harness_lb_events(&r->h, NULL, 0);

	cr_expect_eq(n, 0, "a 2-packet flow must not be synced, got %d events", n);
}

static void sync_disabled_no_event(struct lb_run *r)
{
	struct pkt_spec s;

	client_tcp4(&s);
	send_first(r, &s, 2);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void new_flow_counted_check(struct lb_run *r)
{
	struct lb_vip_stats vs;
	struct lb_backend_stats bs;

	cr_assert_eq(harness_percpu_sum(r->h.vip_stats, W_VIP4_TCP, (uint64_t *)&vs, 5), 0);
	cr_expect_eq(vs.packets, 1);
	cr_expect_eq(vs.bytes, r->in.len, "VIP bytes %llu, frame %zu",
		     (unsigned long long)vs.bytes, r->in.len);
	cr_expect_eq(vs.new_flows, 1);
	cr_expect_eq(vs.ct_misses, 1);
	cr_expect_eq(vs.ct_hits, 0);
	cr_assert_eq(harness_percpu_sum(r->h.backend_stats, W_BE1, (uint64_t *)&bs, 3), 0);
	cr_expect_eq(bs.packets, 1);
	cr_expect_eq(bs.bytes, r->in.len);
	cr_expect_eq(bs.new_flows, 1);
}

static void new_flow_entry_content(struct lb_run *r)
{
	struct lb_ct_seen seen;
	struct lb_flow_key key;
	struct lb_conn conn;
	struct pkt_spec s;
	uint32_t be[4];

	client_tcp4(&s);
	key = w_key(&s, false);
	pkt_addr(be, "198.51.100.1");
	cr_expect_neq(bpf_map_lookup_elem(r->h.conntrack, &key, &conn), 0,
		      "a flow seen once is in lb_conntrack: a spoofed SYN could evict a real flow");
	cr_assert_eq(harness_lb_ct_seen(&r->h, &key, &seen), 0,
		     "no lb_ct_new entry for the new flow");
	cr_expect(!memcmp(seen.backend_addr, be, sizeof(be)), "entry backend address");
	cr_expect_eq(seen.backend_index, W_BE1);
	cr_expect_eq(seen.backend_family, LB_AF_INET);
	cr_expect_neq(seen.seen_us, 0);
}

static void tracked_flow_counted(struct lb_run *r)
{
	struct pkt_spec s;

	client_tcp4(&s);
	send_first(r, &s, 1);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void tracked_flow_counted_check(struct lb_run *r)
{
	struct lb_ct_seen seen;
	struct lb_vip_stats vs;
	struct lb_flow_key key;
	struct lb_conn conn;
	struct pkt_spec s;

	cr_assert_eq(harness_percpu_sum(r->h.vip_stats, W_VIP4_TCP, (uint64_t *)&vs, 5), 0);
	cr_expect_eq(vs.packets, 2);
	cr_expect_eq(vs.new_flows, 1);
	cr_expect_eq(vs.ct_misses, 1);
	cr_expect_eq(vs.ct_hits, 1);
	client_tcp4(&s);
	key = w_key(&s, false);
	cr_expect_neq(harness_lb_ct_seen(&r->h, &key, &seen), 0,
		      "the confirmed flow is still in lb_ct_new");
	cr_assert_eq(bpf_map_lookup_elem(r->h.conntrack, &key, &conn), 0,
		     "the second packet did not confirm the flow into lb_conntrack");
	cr_expect_eq(conn.packets, 2);
	cr_expect_neq(conn.created_ns, 0);
	cr_expect_geq(conn.last_seen_ns, conn.created_ns);
	cr_expect_leq(conn.last_seen_ns - conn.created_ns, 1000000000ULL,
		      "created %llu ns before the second packet: the first packet's time, in 1024 ns "
		      "steps", (unsigned long long)(conn.last_seen_ns - conn.created_ns));
}

static void synced_entry_counts_on_check(struct lb_run *r)
{
	struct lb_flow_key key;
	struct lb_conn conn;

	tracked_entry(r, &key, &conn);
	cr_expect_eq(conn.packets, 41, "packets %llu", (unsigned long long)conn.packets);
	cr_expect_neq(conn.last_seen_ns, 0);
}

/* Client b: a flow of the same client whose lb_ct_new slot is a's (found by trying ports). */
static void colliding_client(struct lb_run *r, const struct pkt_spec *a, struct pkt_spec *b)
{
	struct lb_flow_key ka = w_key(a, false), kb;
	uint32_t mask = HARNESS_CT_NEW_SIZE - 1;
	unsigned int port;

	for (port = a->sport + 1; port < 65536; port++) {
		*b = *a;
		b->sport = (uint16_t)port;
		kb = w_key(b, false);
		if ((w_hash(r, &kb) & mask) == (w_hash(r, &ka) & mask))
			return;
	}
	cr_assert_fail("no client port shares flow a's lb_ct_new slot");
}

static void send_flags(struct lb_run *r, struct pkt_spec *s, uint8_t flags, const char *what)
{
	struct pkt p;

	s->tcp_flags = flags;
	lbc_build(&p, s);
	cr_assert_eq(w_send(r, &p), XDP_TX, "%s is forwarded", what);
}

/*
 * Two handshakes in flight at once in one lb_ct_new pair: a's SYN takes its
 * own slot, b's SYN (same own slot) the other; b's ACK confirms b, and the
 * checked packet, a's ACK, confirms a. Neither handshake lost its entry.
 */
static void colliding_flows_both_confirm(struct lb_run *r)
{
	struct pkt_spec a, b;

	w_table_fill(r, W_VIP4_TCP, W_BE1);
	client_tcp4(&a);
	colliding_client(r, &a, &b);
	send_flags(r, &a, PKT_TCP_SYN, "a's SYN");
	send_flags(r, &b, PKT_TCP_SYN, "b's SYN, a's slot taken");
	send_flags(r, &b, PKT_TCP_ACK, "b's ACK");
	a.tcp_flags = PKT_TCP_ACK;
	lbc_forward(r, &a, W_VIP4_TCP, W_BE1);
}

static void colliding_flows_both_confirm_check(struct lb_run *r)
{
	struct pkt_spec a, b;
	struct lb_flow_key ka, kb;
	struct lb_ct_seen seen;
	struct lb_conn conn;

	client_tcp4(&a);
	colliding_client(r, &a, &b);
	ka = w_key(&a, false);
	kb = w_key(&b, false);
	cr_assert_eq(bpf_map_lookup_elem(r->h.conntrack, &kb, &conn), 0,
		     "b, whose SYN found its slot taken, was not confirmed by its ACK");
	cr_expect_eq(conn.packets, 2);
	cr_assert_eq(bpf_map_lookup_elem(r->h.conntrack, &ka, &conn), 0,
		     "a was not confirmed by its ACK: b's SYN overwrote its slot");
	cr_expect_eq(conn.packets, 2, "a's ACK is its second packet");
	cr_expect_neq(harness_lb_ct_seen(&r->h, &ka, &seen), 0, "a is still in lb_ct_new");
	cr_expect_neq(harness_lb_ct_seen(&r->h, &kb, &seen), 0, "b is still in lb_ct_new");
}

/*
 * Two CPUs writing one lb_ct_new slot at once can leave one flow's key with
 * the other's backend. Made here by hand: a's slot given W_BE2's address and
 * index after a's SYN went to W_BE1. a's ACK must not follow the mix: it is
 * picked again (W_BE1, as its SYN), and the slot is written afresh.
 */
static void torn_slot_does_not_confirm(struct lb_run *r)
{
	struct lb_ct_seen seen;
	struct lb_flow_key ka;
	struct pkt_spec a;
	uint32_t slot;

	client_tcp4(&a);
	ka = w_key(&a, false);
	send_flags(r, &a, PKT_TCP_SYN, "a's SYN");
	slot = w_hash(r, &ka) & (HARNESS_CT_NEW_SIZE - 1);
	cr_assert_eq(bpf_map_lookup_elem(r->h.ct_new, &slot, &seen), 0);
	cr_assert(!memcmp(&seen.key, &ka, sizeof(ka)), "a's SYN is in its own slot");
	cr_assert_eq(seen.backend_index, W_BE1);
	memcpy(seen.backend_addr, r->backends[W_BE2].addr, sizeof(seen.backend_addr));
	seen.backend_index = W_BE2;
	cr_assert_eq(bpf_map_update_elem(r->h.ct_new, &slot, &seen, BPF_EXIST), 0);
	a.tcp_flags = PKT_TCP_ACK;
	lbc_forward(r, &a, W_VIP4_TCP, W_BE1);
}

static void torn_slot_does_not_confirm_check(struct lb_run *r)
{
	struct lb_flow_key ka;
	struct lb_ct_seen seen;
	struct lb_conn conn;
	struct pkt_spec a;

	client_tcp4(&a);
	ka = w_key(&a, false);
	cr_expect_neq(bpf_map_lookup_elem(r->h.conntrack, &ka, &conn), 0,
		      "the torn slot confirmed a into lb_conntrack");
	cr_assert_eq(harness_lb_ct_seen(&r->h, &ka, &seen), 0, "a is seen once again");
	cr_expect_eq(seen.backend_index, W_BE1, "a's slot written afresh names backend %u",
		     seen.backend_index);
}

/* Rows laid out by hand (see lb_cases_fwd.c). */
/* clang-format off */
static const struct lb_row rows[] = {
	{ "new flow counted per VIP and per backend",
	  .pkt = { LB_TCP4, .tcp_flags = PKT_TCP_SYN }, .want = LB_FWD(W_VIP4_TCP, W_BE1),
	  .check = new_flow_counted_check },
	{ "new flow's lb_ct_new entry names backend by address",
	  .pkt = { LB_TCP4, .tcp_flags = PKT_TCP_SYN }, .want = LB_FWD(W_VIP4_TCP, W_BE1),
	  .check = new_flow_entry_content },
	{ "synced entry keeps counting its packets",
	  .world = { .synced = { "198.51.100.2", 77, 40 } }, .pkt = { LB_TCP4 },
	  .want = LB_FWD(W_VIP4_TCP, W_BE2), .check = synced_entry_counts_on_check },
};
/* clang-format on */

static const struct lb_case cases[] = {
	LB_CASE_CHECKED("sync event at the 3rd packet",
			event_at_third_packet, event_at_third_packet_check),
	LB_CASE_CHECKED("sync refresh event at first + refresh packets (flow cache off)",
			event_at_refresh, event_at_refresh_check),
	LB_CASE_CHECKED("sync refresh event after sync_refresh_s seconds (flow cache off)",
			event_after_refresh_seconds, event_after_refresh_seconds_check),
	LB_CASE_CHECKED("sync at the 2nd packet: the refresh period starts at the confirm",
			refresh_period_starts_at_the_confirm,
			refresh_period_starts_at_the_confirm_check),
	LB_CASE_CHECKED("sync refresh event at the flow cache's next conntrack visit",
			event_at_refresh_cached, event_at_refresh_cached_check),
	LB_CASE_CHECKED("2-packet flow is not synced", short_flow_not_synced, no_event_check),
	LB_CASE_CHECKED("sync off (0) emits nothing", sync_disabled_no_event, no_event_check),
	LB_CASE_CHECKED("2nd packet confirms the flow into lb_conntrack, counts a hit",
			tracked_flow_counted, tracked_flow_counted_check),
	LB_CASE_CHECKED("two flows seen once in one lb_ct_new slot both confirm",
			colliding_flows_both_confirm, colliding_flows_both_confirm_check),
	LB_CASE_CHECKED("a torn lb_ct_new slot (one flow's key, another's backend) is not used",
			torn_slot_does_not_confirm, torn_slot_does_not_confirm_check),
};

const struct lb_case_table lb_cases_sync = LB_TABLE(cases, rows);
