// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Two (or three) sync instances over real multicast: namespaces A and B joined
 * by a veth pair, each instance with its own LRU conntrack, backend-id and VIP
 * maps, so records cross a real link, are authenticated, and land in a real
 * map with the receiver's own backend index. Criterion runs every test in its
 * own process, so the setns() here never touches the root namespace; fini
 * removes both namespaces, also after a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "common/clock.h"
#include "config/config.h"
#include "netns.h"
#include "sync/sync.h"
#include "sync/sync_int.h"

#define CT_ENTRIES 65536

struct node {
	int ns_fd;
	int ct, ids, vips;
	struct sync *s;
	uint32_t id;
};

static struct netns_pair net;
static int root_ns = -1;
static struct cfg_sync scfg;
static uint8_t key[SYNC_KEY_LEN];

static void sync_net_setup(void)
{
	static const char material[] = "sync-net test key, 32 bytes or more";

	netns_pair_create(&net, "xlbsy", "sa", "sb");
	cr_assert_eq(netns_sh("ip -n %s addr add 198.51.100.1/24 dev sa && "
			      "ip -n %s addr add 2001:db8::1/64 dev sa nodad && "
			      "ip -n %s link set sa up && ip -n %s link set lo up && "
			      "ip -n %s addr add 198.51.100.2/24 dev sb && "
			      "ip -n %s addr add 2001:db8::2/64 dev sb nodad && "
			      "ip -n %s link set sb up && ip -n %s link set lo up",
			      net.a, net.a, net.a, net.a, net.b, net.b, net.b, net.b),
		     0);
	root_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(root_ns, 0);
	cr_assert_eq(sync_key_derive(material, strlen(material), key), 0);
	memset(&scfg, 0, sizeof(scfg));
	scfg.enabled = true;
	cr_assert_eq(cfg_parse_addr("239.255.77.1", &scfg.group), 0);
	scfg.port = 18848;
	scfg.ttl = 1;
	scfg.heartbeat_ms = 100;
	scfg.peer_timeout_ms = 300;
	scfg.dump_timeout_ms = 3000;
}

static void sync_net_teardown(void)
{
	netns_pair_delete(&net);
}

TestSuite(sync_net, .init = sync_net_setup, .fini = sync_net_teardown, .timeout = 60);

static void node_maps(struct node *n)
{
	n->ct = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "lb_conntrack", sizeof(struct lb_flow_key),
			       sizeof(struct lb_conn), CT_ENTRIES, NULL);
	n->ids = bpf_map_create(BPF_MAP_TYPE_HASH, "lb_backend_ids", sizeof(struct lb_backend_key),
				sizeof(__u32), 64, NULL);
	n->vips = bpf_map_create(BPF_MAP_TYPE_HASH, "lb_vips", sizeof(struct lb_vip_key),
				 sizeof(struct lb_vip_info), 64, NULL);
	cr_assert(n->ct >= 0 && n->ids >= 0 && n->vips >= 0, "bpf_map_create: %m");
}

static void node_backend(struct node *n, const char *addr, __u32 index)
{
	struct lb_backend_key k = {};
	struct xaddr x;

	cr_assert_eq(cfg_parse_addr(addr, &x), 0);
	memcpy(k.addr, x.addr, 16);
	k.family = x.family;
	k.vip_index = 1; /* node_vip's VIPs: the backend serves them */
	cr_assert_eq(bpf_map_update_elem(n->ids, &k, &index, BPF_ANY), 0);
}

static void node_vip(struct node *n, const char *addr, uint16_t port)
{
	struct lb_vip_key k = {};
	struct lb_vip_info info = {.vip_index = 1};
	struct xaddr x;

	cr_assert_eq(cfg_parse_addr(addr, &x), 0);
	memcpy(k.addr, x.addr, 16);
	k.family = x.family;
	k.port = htons(port);
	k.proto = IPPROTO_TCP;
	cr_assert_eq(bpf_map_update_elem(n->vips, &k, &info, BPF_ANY), 0);
}

/* A node that serves 192.0.2.10:80 and 2001:db8::10:80 with backend .11 at `index`. */
static void node_init(struct node *n, const char *ns, uint32_t id, __u32 index)
{
	memset(n, 0, sizeof(*n));
	n->ns_fd = netns_open(ns);
	n->id = id;
	node_maps(n);
	node_backend(n, "198.51.100.11", index);
	node_backend(n, "2001:db8:1::11", index + 1);
	node_vip(n, "192.0.2.10", 80);
	node_vip(n, "2001:db8::10", 80);
}

static void node_start(struct node *n, const char *ifname, const uint8_t *k)
{
	struct sync_params p = {
	    .cfg = &scfg,
	    .node_id = n->id,
	    .zone = n->id == 3 ? "zone-b" : "zone-a",
	    .ifname = ifname,
	    .conntrack_fd = n->ct,
	    .backend_ids_fd = n->ids,
	    .vips_fd = n->vips,
	    .events_fd = -1,
	    .key = k ? k : key,
	};

	cr_assert_eq(setns(n->ns_fd, CLONE_NEWNET), 0, "setns: %m");
	n->s = sync_open(&p);
	cr_assert_eq(setns(root_ns, CLONE_NEWNET), 0, "setns back: %m");
	cr_assert_not_null(n->s, "sync_open: %m");
}

typedef bool (*until_fn)(struct node **nodes, size_t n);

/* Runs every instance's loop until `until` holds or ms have passed; true if it held. */
static bool pump(struct node **nodes, size_t n, unsigned int ms, until_fn until)
{
	uint64_t end = clock_now_ms() + ms;
	struct pollfd pfd[4];
	size_t i;

	while (clock_now_ms() < end) {
		for (i = 0; i < n; i++) {
			pfd[i].fd = sync_fd(nodes[i]->s);
			pfd[i].events = POLLIN;
		}
		poll(pfd, n, 5);
		for (i = 0; i < n; i++)
			cr_assert_eq(sync_process(nodes[i]->s), 0);
		if (until && until(nodes, n))
			return true;
	}
	return until ? until(nodes, n) : true;
}

static struct lb_flow_event event4(uint16_t sport, const char *vip, const char *backend)
{
	struct lb_flow_event ev = {};
	struct xaddr x;

	ev.flow.family = LB_AF_INET;
	ev.flow.proto = IPPROTO_TCP;
	inet_pton(AF_INET, "203.0.113.7", ev.flow.src);
	inet_pton(AF_INET, vip, ev.flow.dst);
	ev.flow.sport = htons(sport);
	ev.flow.dport = htons(80);
	cfg_parse_addr(backend, &x);
	memcpy(ev.backend_addr, x.addr, 16);
	ev.backend_family = x.family;
	ev.reason = LB_EVENT_ESTABLISHED;
	ev.packets = 3;
	return ev;
}

static int ct_count(int fd)
{
	struct lb_flow_key k, next;
	void *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

static uint64_t want_applied;

static bool b_applied(struct node **nodes, size_t n)
{
	return sync_get_stats(nodes[1]->s)->records_applied >= want_applied;
}

static bool all_in_sync(struct node **nodes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!sync_in_sync(nodes[i]->s))
			return false;
	return true;
}

Test(sync_net, records_reach_the_peer_conntrack_with_its_own_backend_index)
{
	struct node a, b, *nodes[] = {&a, &b};
	struct lb_flow_event ev;
	struct lb_conn c;
	int i;

	node_init(&a, net.a, 1, 5);
	node_init(&b, net.b, 2, 9);
	node_start(&a, "sa", NULL);
	node_start(&b, "sb", NULL);
	cr_assert(pump(nodes, 2, 2000, all_in_sync), "both catch up (nothing to dump)");
	for (i = 0; i < 300; i++) {
		ev = event4(10000 + i, "192.0.2.10", "198.51.100.11");
		cr_assert_eq(sync_queue_flow(a.s, &ev), 0);
	}
	sync_flush(a.s);
	want_applied = 300;
	cr_assert(pump(nodes, 2, 3000, b_applied), "B applied %llu of 300",
		  (unsigned long long)sync_get_stats(b.s)->records_applied);
	cr_assert_eq(sync_get_stats(a.s)->records_sent, 300);
	cr_assert_eq(sync_get_stats(a.s)->queue_full, 0);
	cr_assert_eq(ct_count(b.ct), 300);
	ev = event4(10007, "192.0.2.10", "198.51.100.11");
	cr_assert_eq(bpf_map_lookup_elem(b.ct, &ev.flow, &c), 0);
	cr_assert_eq(c.backend_index, 9, "B's own index for the backend, not A's 5");
	cr_assert_eq(c.flags, LB_CONN_F_SYNCED);
	cr_assert_eq(c.backend_family, LB_AF_INET);
	cr_assert_eq(memcmp(c.backend_addr, ev.backend_addr, 16), 0);
	cr_assert_eq(ct_count(a.ct), 0, "A's own records never loop back into A");
	sync_close(a.s);
	sync_close(b.s);
}

Test(sync_net, unknown_vip_and_backend_are_counted_and_skipped)
{
	struct node a, b, *nodes[] = {&a, &b};
	struct lb_flow_event ev;
	const struct sync_stats *st;

	node_init(&a, net.a, 1, 5);
	node_init(&b, net.b, 2, 9);
	node_start(&a, "sa", NULL);
	node_start(&b, "sb", NULL);
	cr_assert(pump(nodes, 2, 2000, all_in_sync));
	ev = event4(1, "192.0.2.99", "198.51.100.11");
	sync_queue_flow(a.s, &ev);
	ev = event4(2, "192.0.2.10", "198.51.100.99");
	sync_queue_flow(a.s, &ev);
	ev = event4(3, "192.0.2.10", "198.51.100.11");
	sync_queue_flow(a.s, &ev);
	sync_flush(a.s);
	want_applied = 1;
	cr_assert(pump(nodes, 2, 2000, b_applied));
	st = sync_get_stats(b.s);
	cr_assert_eq(st->rejected[SYNC_REJ_UNKNOWN_VIP], 1);
	cr_assert_eq(st->rejected[SYNC_REJ_UNKNOWN_BACKEND], 1);
	cr_assert_eq(st->records_received, 3);
	cr_assert_eq(ct_count(b.ct), 1);
	sync_close(a.s);
	sync_close(b.s);
}

static bool b_in_sync(struct node **nodes, size_t n)
{
	return sync_in_sync(nodes[1]->s);
}

Test(sync_net, a_starting_node_is_in_sync_only_once_the_dump_is_in)
{
	struct node a, b, *nodes[] = {&a, &b};
	struct lb_flow_event ev;
	struct lb_conn c = {};
	struct sync_peer_info peer;
	uint64_t t0;
	int i;

	node_init(&a, net.a, 1, 5);
	node_init(&b, net.b, 2, 9);
	/* A holds 50000 flows of its own before B exists: the dump spans 2400 datagrams. */
	memcpy(c.backend_addr, event4(0, "192.0.2.10", "198.51.100.11").backend_addr, 16);
	c.backend_family = LB_AF_INET;
	c.backend_index = 5;
	c.packets = 10;
	for (i = 0; i < 50000; i++) {
		ev = event4(1000 + i % 60000, "192.0.2.10", "198.51.100.11");
		ev.flow.src[0] = htonl(0xcb007100 + i / 60000); /* 203.0.113.0/24 */
		c.created_ns = c.last_seen_ns = 1;		/* ages are sent, not clocks */
		cr_assert_eq(bpf_map_update_elem(a.ct, &ev.flow, &c, BPF_ANY), 0);
	}
	node_start(&a, "sa", NULL);
	pump(nodes, 1, 300, NULL);
	t0 = clock_now_ms();
	node_start(&b, "sb", NULL);
	cr_assert_not(sync_in_sync(b.s), "a fresh node starts out of sync");
	cr_assert(pump(nodes, 2, 3000, b_in_sync), "B never caught up");
	cr_assert_lt(clock_now_ms() - t0, scfg.dump_timeout_ms,
		     "in sync by the dump, not the timeout");
	cr_assert_eq(ct_count(b.ct), 50000, "every flow is in when B says in sync");
	cr_assert_eq(sync_get_stats(b.s)->dump_records_received, 50000);
	cr_assert_eq(sync_get_stats(a.s)->dumps_served, 1);
	cr_assert_eq(sync_get_peers(b.s, &peer, 1), 1);
	cr_assert_eq(peer.id, 1);
	cr_assert_str_eq(peer.zone, "zone-a");
	cr_assert_str_eq(peer.addr, "198.51.100.1");
	cr_assert(peer.dump_done);
	sync_close(a.s);
	sync_close(b.s);
}

static bool a_dumping(struct node **nodes, size_t n)
{
	return sync_get_stats(nodes[0]->s)->dumps_requested == 1;
}

/*
 * A requester slower than its peer lost dump parts to its full socket buffer:
 * a dump now runs at most SYNC_DUMP_WINDOW records ahead of the requester's
 * acks, and every record arrives.
 */
Test(sync_net, a_dump_waits_for_the_requesters_acks)
{
	struct node a, b, *nodes[] = {&a, &b};
	struct lb_flow_event ev;
	struct lb_conn c = {.backend_family = LB_AF_INET, .backend_index = 5};
	uint64_t sent, t0, windows;
	int i;

	node_init(&a, net.a, 1, 5);
	node_init(&b, net.b, 2, 9);
	memcpy(c.backend_addr, event4(0, "192.0.2.10", "198.51.100.11").backend_addr, 16);
	for (i = 0; i < 50000; i++) {
		ev = event4(1000 + i % 60000, "192.0.2.10", "198.51.100.11");
		ev.flow.src[0] = htonl(0xcb007100 + i / 60000);
		cr_assert_eq(bpf_map_update_elem(a.ct, &ev.flow, &c, BPF_ANY), 0);
	}
	node_start(&a, "sa", NULL);
	pump(nodes, 1, 300, NULL);
	t0 = clock_now_ms();
	node_start(&b, "sb", NULL);
	cr_assert(pump(nodes, 2, 2000, a_dumping), "A never started the dump");
	/*
	 * B stops reading: A stops at the window, and takes it as received only after
	 * SYNC_DUMP_ACK_WAIT_MS without an ack (a loaded host may let that pass once).
	 */
	pump(nodes, 1, 100, NULL);
	sent = sync_get_stats(a.s)->dump_records_sent;
	windows = 1 + (clock_now_ms() - t0) / SYNC_DUMP_ACK_WAIT_MS;
	cr_assert_leq(sent,
		      windows * SYNC_DUMP_WINDOW + sync_records_per_dgram(sync_dgram_max(a.s)),
		      "%llu records sent with none acknowledged", (unsigned long long)sent);
	cr_assert(pump(nodes, 2, 5000, b_in_sync), "B never caught up");
	cr_assert_eq(ct_count(b.ct), 50000, "records lost on the way");
	cr_assert_eq(sync_get_stats(b.s)->dump_records_received, 50000);
	sync_close(a.s);
	sync_close(b.s);
}

static bool a_saw_bad_tags(struct node **nodes, size_t n)
{
	return sync_get_stats(nodes[0]->s)->rejected[SYNC_REJ_BAD_TAG] >= 2;
}

Test(sync_net, a_node_with_another_key_is_refused_and_counted)
{
	static const char other[] = "not the cluster's key, though long enough";
	struct node a, b, *nodes[] = {&a, &b};
	struct sync_peer_info peer;
	uint8_t key2[SYNC_KEY_LEN];
	struct lb_flow_event ev;

	cr_assert_eq(sync_key_derive(other, strlen(other), key2), 0);
	node_init(&a, net.a, 1, 5);
	node_init(&b, net.b, 2, 9);
	node_start(&a, "sa", NULL);
	node_start(&b, "sb", key2);
	ev = event4(1, "192.0.2.10", "198.51.100.11");
	sync_queue_flow(b.s, &ev);
	sync_flush(b.s);
	cr_assert(pump(nodes, 2, 2000, a_saw_bad_tags));
	cr_assert_eq(sync_get_peers(a.s, &peer, 1), 0, "a forger is never a peer");
	cr_assert_eq(ct_count(a.ct), 0);
	sync_close(a.s);
	sync_close(b.s);
}

Test(sync_net, a_replayed_datagram_is_refused)
{
	struct node a, b, *nodes[] = {&a, &b};
	struct sync_record r = {};
	struct sync_hdr h = {.type = SYNC_MSG_RECORDS, .node_id = 2, .epoch = 5, .seq = 1};
	struct sockaddr_in from = {.sin_family = AF_INET};
	uint8_t buf[512];
	int len;

	node_init(&a, net.a, 1, 5);
	node_init(&b, net.b, 2, 9);
	node_start(&a, "sa", NULL);
	node_start(&b, "sb", NULL);
	pump(nodes, 2, 200, NULL);
	r.flow = event4(1, "192.0.2.10", "198.51.100.11").flow;
	memcpy(r.backend_addr, event4(1, "192.0.2.10", "198.51.100.11").backend_addr, 16);
	r.backend_family = LB_AF_INET;
	h.epoch = 1; /* older than B's real run: B already taught A its epoch */
	len = sync_encode_records(buf, sizeof(buf), &h, &r, 1, key);
	cr_assert_eq(sync_handle_dgram(a.s, buf, len, (void *)&from, sizeof(from)),
		     SYNC_REJ_OLD_EPOCH);
	h.node_id = 77;
	len = sync_encode_records(buf, sizeof(buf), &h, &r, 1, key);
	cr_assert_eq(sync_handle_dgram(a.s, buf, len, (void *)&from, sizeof(from)), SYNC_REJ_NONE);
	cr_assert_eq(sync_handle_dgram(a.s, buf, len, (void *)&from, sizeof(from)),
		     SYNC_REJ_REPLAY);
	h.node_id = 1;
	len = sync_encode_records(buf, sizeof(buf), &h, &r, 1, key);
	cr_assert_eq(sync_handle_dgram(a.s, buf, len, (void *)&from, sizeof(from)), SYNC_REJ_OWN);
	cr_assert_eq(sync_get_stats(a.s)->rejected[SYNC_REJ_REPLAY], 1);
	sync_close(a.s);
	sync_close(b.s);
}

static bool both_peered(struct node **nodes, size_t n)
{
	struct sync_peer_info p;

	return sync_get_peers(nodes[0]->s, &p, 1) && sync_get_peers(nodes[1]->s, &p, 1);
}

Test(sync_net, ipv6_group_carries_records)
{
	struct node a, b, *nodes[] = {&a, &b};
	struct lb_flow_event ev = {};
	struct lb_conn c;

	cr_assert_eq(cfg_parse_addr("ff02::1:88", &scfg.group), 0);
	node_init(&a, net.a, 1, 5);
	node_init(&b, net.b, 2, 9);
	node_start(&a, "sa", NULL);
	node_start(&b, "sb", NULL);
	/* Both ends hear each other first: IPv6 on a fresh link takes a moment to carry. */
	cr_assert(pump(nodes, 2, 5000, both_peered));
	ev.flow.family = LB_AF_INET6;
	ev.flow.proto = IPPROTO_TCP;
	inet_pton(AF_INET6, "2001:db8:2::7", ev.flow.src);
	inet_pton(AF_INET6, "2001:db8::10", ev.flow.dst);
	ev.flow.sport = htons(4242);
	ev.flow.dport = htons(80);
	inet_pton(AF_INET6, "2001:db8:1::11", ev.backend_addr);
	ev.backend_family = LB_AF_INET6;
	sync_queue_flow(a.s, &ev);
	sync_flush(a.s);
	want_applied = 1;
	cr_assert(pump(nodes, 2, 2000, b_applied), "B received %llu, sent %llu, errors %llu",
		  (unsigned long long)sync_get_stats(b.s)->records_received,
		  (unsigned long long)sync_get_stats(a.s)->dgrams_sent,
		  (unsigned long long)sync_get_stats(a.s)->send_errors);
	cr_assert_eq(bpf_map_lookup_elem(b.ct, &ev.flow, &c), 0);
	cr_assert_eq(c.backend_index, 10);
	sync_close(a.s);
	sync_close(b.s);
}

static bool a_served_two(struct node **nodes, size_t n)
{
	return sync_get_stats(nodes[0]->s)->dumps_served >= 2;
}

Test(sync_net, lost_records_bring_a_new_dump_at_most_once_per_dump_timeout)
{
	struct node a, b, *nodes[] = {&a, &b};
	struct sync_hdr h = {.type = SYNC_MSG_HEARTBEAT, .node_id = 77, .epoch = 9, .seq = 1};
	struct sync_heartbeat hb = {.records_sent = 40};
	struct sockaddr_in from = {.sin_family = AF_INET};
	uint64_t asked;
	uint8_t buf[256];
	int len;

	scfg.dump_timeout_ms = 400;
	node_init(&a, net.a, 1, 5);
	node_init(&b, net.b, 2, 9);
	node_start(&a, "sa", NULL);
	node_start(&b, "sb", NULL);
	cr_assert(pump(nodes, 2, 2000, all_in_sync));
	pump(nodes, 2, 500, NULL);
	asked = sync_get_stats(b.s)->dump_requests_sent;
	/* What node 77 sent before B heard it is the dump's business, not a loss. */
	len = sync_encode_heartbeat(buf, sizeof(buf), &h, &hb, key);
	cr_assert_eq(sync_handle_dgram(b.s, buf, len, (void *)&from, sizeof(from)), SYNC_REJ_NONE);
	cr_assert_eq(sync_get_stats(b.s)->dump_requests_sent, asked);
	/* Then it says it sent 40 more; B got none of them: they were lost. */
	h.seq = 2;
	hb.records_sent = 80;
	len = sync_encode_heartbeat(buf, sizeof(buf), &h, &hb, key);
	cr_assert_eq(sync_handle_dgram(b.s, buf, len, (void *)&from, sizeof(from)), SYNC_REJ_NONE);
	cr_assert_eq(sync_get_stats(b.s)->dump_requests_sent, asked + 1);
	cr_assert(sync_in_sync(b.s), "a few lost records do not take a node out of sync");
	h.seq = 3;
	hb.records_sent = 120;
	len = sync_encode_heartbeat(buf, sizeof(buf), &h, &hb, key);
	sync_handle_dgram(b.s, buf, len, (void *)&from, sizeof(from));
	cr_assert_eq(sync_get_stats(b.s)->dump_requests_sent, asked + 1, "once per dump_timeout");
	cr_assert(pump(nodes, 2, 2000, a_served_two), "A serves the second request too");
	sync_close(a.s);
	sync_close(b.s);
}

/* Feeds B one authenticated datagram of node 77 with record r; returns B's verdict. */
static enum sync_reject feed(struct node *b, uint64_t seq, const struct sync_record *r)
{
	struct sync_hdr h = {.type = SYNC_MSG_RECORDS, .node_id = 77, .epoch = 9, .seq = seq};
	struct sockaddr_in from = {.sin_family = AF_INET};
	uint8_t buf[256];
	int len = sync_encode_records(buf, sizeof(buf), &h, r, 1, key);

	cr_assert_gt(len, 0);
	return sync_handle_dgram(b->s, buf, len, (void *)&from, sizeof(from));
}

Test(sync_net, a_peer_record_replaces_the_local_entry_and_keeps_its_age)
{
	struct node b;
	struct lb_flow_event ev = event4(5555, "192.0.2.10", "198.51.100.11");
	struct lb_conn local = {.backend_family = LB_AF_INET, .backend_index = 3, .packets = 7};
	struct sync_record r = {};
	struct lb_conn c;
	uint64_t now;

	node_init(&b, net.b, 2, 9);
	node_start(&b, "sb", NULL);
	local.backend_addr[0] = htonl(0xc6336463); /* 198.51.100.99 */
	cr_assert_eq(bpf_map_update_elem(b.ct, &ev.flow, &local, BPF_ANY), 0);
	r.flow = ev.flow;
	memcpy(r.backend_addr, ev.backend_addr, 16);
	r.backend_family = LB_AF_INET;
	r.age_ms = 60000;
	r.idle_ms = 2000;
	cr_assert_eq(feed(&b, 1, &r), SYNC_REJ_NONE);
	cr_assert_eq(bpf_map_lookup_elem(b.ct, &ev.flow, &c), 0);
	cr_assert_eq(c.backend_addr[0], ev.backend_addr[0], "the peer's backend wins");
	cr_assert_eq(c.backend_index, 9);
	cr_assert_eq(c.flags, LB_CONN_F_SYNCED);
	now = clock_now_ns();
	cr_assert(now - c.created_ns >= 60000000000ULL && now - c.created_ns < 61000000000ULL,
		  "created a minute ago, as the record said");
	cr_assert(now - c.last_seen_ns >= 2000000000ULL && now - c.last_seen_ns < 3000000000ULL,
		  "last seen two seconds ago");
	sync_close(b.s);
}

Test(sync_net, an_address_only_flow_needs_the_vip_address_here)
{
	struct node b;
	struct lb_vip_key icmp = {.proto = IPPROTO_ICMP, .family = LB_AF_INET};
	struct lb_vip_info info = {.flags = LB_VIP_F_ICMP};
	struct sync_record r = {};

	node_init(&b, net.b, 2, 9);
	node_start(&b, "sb", NULL);
	/* Flows of hash: addresses VIPs have no ports; only port 80 is configured here. */
	r.flow = event4(0, "192.0.2.10", "198.51.100.11").flow;
	r.flow.sport = r.flow.dport = 0;
	memcpy(r.backend_addr, event4(0, "192.0.2.10", "198.51.100.11").backend_addr, 16);
	r.backend_family = LB_AF_INET;
	cr_assert_eq(feed(&b, 1, &r), SYNC_REJ_NONE, "the datagram is fine");
	cr_assert_eq(sync_get_stats(b.s)->rejected[SYNC_REJ_UNKNOWN_VIP], 1,
		     "no entry says 192.0.2.10 is a VIP address here");
	inet_pton(AF_INET, "192.0.2.10", icmp.addr);
	cr_assert_eq(bpf_map_update_elem(b.vips, &icmp, &info, BPF_ANY), 0);
	usleep(300 * 1000); /* past the cached answer */
	cr_assert_eq(feed(&b, 2, &r), SYNC_REJ_NONE);
	cr_assert_eq(sync_get_stats(b.s)->records_applied, 1, "the VIP address's ICMP entry");
	sync_close(b.s);
}

static bool a_has_no_peer(struct node **nodes, size_t n)
{
	return sync_get_peers(nodes[0]->s, NULL, 0) == 0;
}

Test(sync_net, a_gone_peer_keeps_its_window_against_replays)
{
	struct node a, *nodes[] = {&a};
	struct sync_record r = {};
	struct sync_hdr h = {.type = SYNC_MSG_RECORDS, .node_id = 77, .epoch = 9, .seq = 1};
	struct sockaddr_in from = {.sin_family = AF_INET};
	uint8_t buf[256];
	int len;

	node_init(&a, net.a, 1, 5);
	node_start(&a, "sa", NULL);
	r.flow = event4(1, "192.0.2.10", "198.51.100.11").flow;
	memcpy(r.backend_addr, event4(1, "192.0.2.10", "198.51.100.11").backend_addr, 16);
	r.backend_family = LB_AF_INET;
	len = sync_encode_records(buf, sizeof(buf), &h, &r, 1, key);
	cr_assert_eq(sync_handle_dgram(a.s, buf, len, (void *)&from, sizeof(from)), SYNC_REJ_NONE);
	cr_assert_eq(sync_get_peers(a.s, NULL, 0), 1);
	cr_assert(pump(nodes, 1, 2000, a_has_no_peer), "node 77 times out (300 ms)");
	cr_assert_eq(sync_handle_dgram(a.s, buf, len, (void *)&from, sizeof(from)), SYNC_REJ_REPLAY,
		     "recorded before it went silent, replayed after");
	cr_assert_eq(sync_get_peers(a.s, NULL, 0), 0, "a refused datagram makes no one live");
	sync_close(a.s);
}

static bool a_lost_b(struct node **nodes, size_t n)
{
	struct sync_peer_info p;

	return sync_get_peers(nodes[0]->s, &p, 1) == 0;
}

Test(sync_net, a_silent_peer_leaves_the_live_set)
{
	struct node a, b, *nodes[] = {&a, &b};
	struct sync_peer_info p;

	node_init(&a, net.a, 1, 5);
	node_init(&b, net.b, 3, 9);
	node_start(&a, "sa", NULL);
	node_start(&b, "sb", NULL);
	pump(nodes, 2, 400, NULL);
	cr_assert_eq(sync_get_peers(a.s, &p, 1), 1);
	cr_assert_eq(p.id, 3);
	cr_assert_str_eq(p.zone, "zone-b");
	cr_assert_lt(p.last_seen_ms, 200);
	sync_close(b.s);
	cr_assert(pump(nodes, 1, 1000, a_lost_b), "peer_timeout is 300 ms");
	sync_close(a.s);
}
