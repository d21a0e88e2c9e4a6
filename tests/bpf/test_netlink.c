// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Next-hop resolution, its change watch, and backend mode, against the real kernel: each
 * test builds two network namespaces joined by a veth pair (va in A, vb in B), enters A with
 * setns() (Criterion runs every test in its own process, so the root namespace is never
 * touched) and removes both namespaces and its bpffs pins in fini, also after a failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "backend/backend_mode.h"
#include "netns.h"
#include "dataplane/nexthop.h"

#define PEER_MAC      "02:00:5e:10:00:02"
#define RESOLVE_TRIES 100 /* x 20 ms: ARP / ND on a veth answers in well under a second */

static const uint8_t peer_mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x02};
static struct netns_pair net;
static char pin_root[64];

static void netns_setup(void)
{
	snprintf(pin_root, sizeof(pin_root), "/sys/fs/bpf/xlbnh-%d", getpid());
	netns_bpffs_ensure();
	netns_pair_create(&net, "xlbnh", "va", "vb");
	cr_assert_eq(netns_sh("ip -n %s link set lo up && "
			      "ip -n %s addr add 198.51.100.1/24 dev va && "
			      "ip -n %s addr add 2001:db8::1/64 dev va nodad && "
			      "ip -n %s link set va up && "
			      "ip -n %s route add 203.0.113.0/24 via 198.51.100.2 && "
			      "ip -n %s route add 2001:db8:cafe::/48 via 2001:db8::2",
			      net.a, net.a, net.a, net.a, net.a, net.a),
		     0);
	cr_assert_eq(netns_sh("ip -n %s link set vb address " PEER_MAC " && "
			      "ip -n %s addr add 198.51.100.2/24 dev vb && "
			      "ip -n %s addr add 2001:db8::2/64 dev vb nodad && "
			      "ip -n %s link set vb up && ip -n %s link set lo up",
			      net.b, net.b, net.b, net.b, net.b),
		     0);
	netns_enter(net.a);
}

static void netns_teardown(void)
{
	/* The pins first: a pinned link would outlive the namespace's interfaces. */
	if (pin_root[0])
		netns_sh("rm -rf %s", pin_root);
	netns_pair_delete(&net);
}

TestSuite(netlink, .init = netns_setup, .fini = netns_teardown, .timeout = 30);

static struct xaddr addr(const char *text)
{
	struct xaddr a = {};

	if (inet_pton(AF_INET, text, a.addr) == 1)
		a.family = LB_AF_INET;
	else
		cr_assert_eq(inet_pton(AF_INET6, text, a.addr), 1, "bad address %s", text);
	if (!a.family)
		a.family = LB_AF_INET6;
	return a;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Retries while the kernel resolves; returns the last result. */
static int resolve_wait(const char *dst, struct nexthop *nh)
{
	struct xaddr a = addr(dst);
	int i, err = -EAGAIN;

	for (i = 0; i < RESOLVE_TRIES && err == -EAGAIN; i++) {
		err = nexthop_resolve(&a, nh);
		if (err == -EAGAIN)
			sleep_ms(20);
	}
	return err;
}

static void expect_onlink_peer(const char *dst)
{
	struct xaddr a = addr(dst);
	struct nexthop nh;
	uint8_t va_mac[6];
	uint32_t va;

	cr_assert_eq(nexthop_ifindex("va", &va, va_mac), 0);
	cr_assert_eq(nexthop_resolve(&a, &nh), -EAGAIN, "a fresh namespace has no neighbour");
	cr_assert_eq(resolve_wait(dst, &nh), 0);
	cr_expect_eq(nh.ifindex, va);
	cr_expect_arr_eq(nh.dmac, peer_mac, 6);
	cr_expect_arr_eq(nh.smac, va_mac, 6);
	cr_expect_eq(nh.gateway.family, 0, "on-link: no gateway");
	/* XDP_TX never confirms the entry: the kernel must keep it fresh by itself. */
	cr_expect_eq(netns_sh("ip neigh show %s dev va | grep -q managed", dst), 0);
}

Test(netlink, resolve_returns_onlink_peer_mac_after_eagain_v4)
{
	expect_onlink_peer("198.51.100.2");
}

Test(netlink, resolve_returns_onlink_peer_mac_after_eagain_v6)
{
	expect_onlink_peer("2001:db8::2");
}

Test(netlink, resolve_keeps_eagain_for_silent_onlink_address)
{
	struct xaddr a = addr("198.51.100.77");
	struct nexthop nh;
	uint32_t va;

	cr_assert_eq(nexthop_ifindex("va", &va, NULL), 0);
	cr_assert_eq(nexthop_resolve(&a, &nh), -EAGAIN);
	cr_expect_eq(nh.ifindex, va, "ifindex is known while the MAC is not");
	sleep_ms(300);
	cr_assert_eq(nexthop_resolve(&a, &nh), -EAGAIN, "nobody answers for .77");
	/* The kernel was asked: it holds an entry being resolved (or failed) for .77. */
	cr_expect_eq(netns_sh("ip neigh show 198.51.100.77 dev va | grep -q managed"), 0);
}

Test(netlink, resolve_uses_stale_entry_and_has_the_kernel_keep_it_fresh)
{
	struct xaddr a = addr("198.51.100.2");
	struct nexthop nh;

	cr_assert_eq(netns_sh("ip neigh replace 198.51.100.2 lladdr " PEER_MAC " dev va nud stale"),
		     0);
	cr_assert_eq(nexthop_resolve(&a, &nh), 0, "a STALE entry still has a usable MAC");
	cr_expect_arr_eq(nh.dmac, peer_mac, 6);
	cr_expect_eq(
	    netns_sh("ip neigh show 198.51.100.2 dev va | grep -q 'lladdr " PEER_MAC ".*managed'"),
	    0, "MAC kept, entry now managed");
}

Test(netlink, resolve_uses_static_neighbour_without_touching_it)
{
	static const uint8_t mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x60};
	struct xaddr a = addr("198.51.100.60");
	struct nexthop nh;

	cr_assert_eq(netns_sh("ip neigh replace 198.51.100.60 lladdr 02:00:5e:10:00:60 dev va "
			      "nud permanent"),
		     0);
	cr_assert_eq(nexthop_resolve(&a, &nh), 0);
	cr_expect_arr_eq(nh.dmac, mac, 6);
	cr_expect_eq(
	    netns_sh("ip neigh show 198.51.100.60 dev va | grep -v managed | grep -q PERMANENT"), 0,
	    "the operator's static entry is left as it was");
}

Test(netlink, resolve_returns_gateway_mac_for_routed_destination)
{
	struct xaddr gw4 = addr("198.51.100.2"), gw6 = addr("2001:db8::2");
	struct nexthop nh;

	cr_assert_eq(resolve_wait("203.0.113.5", &nh), 0);
	cr_expect_arr_eq(nh.dmac, peer_mac, 6);
	cr_expect_eq(nh.gateway.family, LB_AF_INET);
	cr_expect_arr_eq(nh.gateway.addr, gw4.addr, sizeof(gw4.addr));

	cr_assert_eq(resolve_wait("2001:db8:cafe::5", &nh), 0);
	cr_expect_arr_eq(nh.dmac, peer_mac, 6);
	cr_expect_eq(nh.gateway.family, LB_AF_INET6);
	cr_expect_arr_eq(nh.gateway.addr, gw6.addr, sizeof(gw6.addr));
}

Test(netlink, resolve_reports_enetunreach_without_usable_route)
{
	struct xaddr none4 = addr("192.0.2.1"), none6 = addr("2001:db8:ffff::1");
	struct xaddr hole = addr("192.0.2.200"), local = addr("198.51.100.1");
	struct nexthop nh;

	cr_expect_eq(nexthop_resolve(&none4, &nh), -ENETUNREACH);
	cr_expect_eq(nexthop_resolve(&none6, &nh), -ENETUNREACH);
	cr_assert_eq(netns_sh("ip route add blackhole 192.0.2.128/25"), 0);
	cr_expect_eq(nexthop_resolve(&hole, &nh), -ENETUNREACH);
	cr_expect_eq(nexthop_resolve(&local, &nh), -ENETUNREACH, "our own address");
}

/* Waits up to ms for the watch to become readable, then processes it. */
static int watch_wait(struct nexthop_watch *w, int ms)
{
	struct pollfd p = {.fd = nexthop_watch_fd(w), .events = POLLIN};

	poll(&p, 1, ms);
	return nexthop_watch_process(w);
}

Test(netlink, watch_reports_neighbour_mac_changes_only)
{
	struct nexthop_watch *w = nexthop_watch_open();

	cr_assert_not_null(w, "nexthop_watch_open: %m");
	cr_expect_eq(nexthop_watch_process(w), 0, "nothing happened yet");

	cr_assert_eq(netns_sh("ip neigh replace 198.51.100.50 lladdr 02:00:5e:10:00:50 dev va nud "
			      "reachable"),
		     0);
	cr_expect_eq(watch_wait(w, 1000), 1, "new neighbour with a MAC");
	cr_assert_eq(netns_sh("ip neigh replace 198.51.100.50 lladdr 02:00:5e:10:00:50 dev va nud "
			      "stale"),
		     0);
	cr_expect_eq(watch_wait(w, 200), 0, "same MAC, only the state moved");
	cr_assert_eq(netns_sh("ip neigh replace 198.51.100.50 lladdr 02:00:5e:10:00:51 dev va nud "
			      "stale"),
		     0);
	cr_expect_eq(watch_wait(w, 1000), 1, "MAC changed");
	cr_assert_eq(netns_sh("ip neigh del 198.51.100.50 dev va"), 0);
	cr_expect_eq(watch_wait(w, 1000), 1, "neighbour gone");
	cr_assert_eq(netns_sh("ip route add 192.0.2.0/24 via 198.51.100.3"), 0);
	cr_expect_eq(watch_wait(w, 1000), 1, "route added");
	nexthop_watch_close(w);
}

Test(netlink, watch_reports_interface_mac_changes_only)
{
	struct nexthop_watch *w = nexthop_watch_open();

	cr_assert_not_null(w, "nexthop_watch_open: %m");
	cr_assert_eq(netns_sh("ip link set va address 02:00:5e:10:00:01"), 0);
	cr_expect_eq(watch_wait(w, 1000), 1, "our MAC changed: every smac is stale");
	cr_assert_eq(netns_sh("ip link set va mtu 1400"), 0);
	cr_expect_eq(watch_wait(w, 200), 0, "same MAC");
	cr_assert_eq(netns_sh("ip link set va address 02:00:5e:10:00:03"), 0);
	cr_expect_eq(watch_wait(w, 1000), 1);
	nexthop_watch_close(w);
}

Test(netlink, watch_reports_when_asked_resolution_completes)
{
	struct nexthop_watch *w = nexthop_watch_open();
	struct xaddr peer = addr("198.51.100.2");
	struct nexthop nh;
	int i, changed = 0;

	cr_assert_not_null(w, "nexthop_watch_open: %m");
	cr_assert_eq(nexthop_resolve(&peer, &nh), -EAGAIN);
	for (i = 0; i < 20 && changed == 0; i++)
		changed = watch_wait(w, 100);
	cr_assert_eq(changed, 1, "the peer's answer is a relevant change");
	cr_assert_eq(nexthop_resolve(&peer, &nh), 0);
	cr_expect_arr_eq(nh.dmac, peer_mac, 6);
	nexthop_watch_close(w);
}

Test(netlink, ifindex_and_ifaddrs_describe_the_interface)
{
	struct xaddr got[8], want4 = addr("198.51.100.1"), want6 = addr("2001:db8::1");
	uint8_t mac[6], zero[6] = {};
	int n, i, seen = 0;
	uint32_t va;

	cr_assert_eq(nexthop_ifindex("va", &va, mac), 0);
	cr_expect_eq(va, if_nametoindex("va"));
	cr_expect_arr_neq(mac, zero, 6);
	cr_expect_eq(nexthop_ifindex("xlbnh-none0", &va, NULL), -ENODEV);

	n = nexthop_ifaddrs(if_nametoindex("va"), got, 8);
	cr_assert_eq(n, 2, "198.51.100.1 and 2001:db8::1; link-local left out (got %d)", n);
	for (i = 0; i < n; i++) {
		if (!memcmp(&got[i], &want4, sizeof(want4)))
			seen |= 1;
		if (!memcmp(&got[i], &want6, sizeof(want6)))
			seen |= 2;
	}
	cr_expect_eq(seen, 3);
	cr_expect_eq(nexthop_ifaddrs(if_nametoindex("va"), got, 1), -E2BIG);
}

/* --- backend mode ---------------------------------------------------------------------------- */

static struct cfg_vip test_vips[3];

static void backend_cfg(struct lb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memset(test_vips, 0, sizeof(test_vips));
	cfg->node.role = CFG_ROLE_BACKEND;
	cfg->node.xdp_mode = CFG_XDP_AUTO;
	snprintf(cfg->node.interface, sizeof(cfg->node.interface), "va");
	snprintf(cfg->node.bpffs_dir, sizeof(cfg->node.bpffs_dir), "%s", pin_root);
	test_vips[0] = (struct cfg_vip){.addr = addr("192.0.2.10"),
					.port = 80,
					.proto = 6,
					.encap = LB_ENCAP_GUE,
					.gue_port = 6080};
	test_vips[1] = (struct cfg_vip){.addr = addr("192.0.2.10"),
					.port = 53,
					.proto = 17,
					.encap = LB_ENCAP_GUE,
					.gue_port = 6080};
	test_vips[2] = (struct cfg_vip){
	    .addr = addr("2001:db8:10::10"), .port = 80, .proto = 6, .encap = LB_ENCAP_IPIP};
	cfg->vips = test_vips;
	cfg->n_vips = 3;
}

static int lo_has(const char *text)
{
	struct xaddr got[16], want = addr(text);
	int n, i;

	n = nexthop_ifaddrs(if_nametoindex("lo"), got, 16);
	cr_assert_geq(n, 0);
	for (i = 0; i < n; i++) {
		if (!memcmp(&got[i], &want, sizeof(want)))
			return 1;
	}
	return 0;
}

static uint32_t xdp_prog_id(uint8_t *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	cr_assert_eq(bpf_xdp_query(if_nametoindex("va"), 0, &q), 0);
	*mode = q.attach_mode;
	return q.prog_id;
}

static uint32_t pinned_link_id(void)
{
	struct bpf_link_info info = {};
	uint32_t len = sizeof(info);
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/decap/link", pin_root);
	fd = bpf_obj_get(path);
	cr_assert_geq(fd, 0, "pinned link %s: %m", path);
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	close(fd);
	return info.id;
}

static int sysctl_value(const char *dev, const char *name)
{
	char path[128];
	int v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dev, name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %m", path);
	cr_assert_eq(fscanf(f, "%d", &v), 1);
	fclose(f);
	return v;
}

static int pinned_map(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/decap/%s", pin_root, name);
	fd = bpf_obj_get(path);
	cr_assert_geq(fd, 0, "pinned map %s: %m", path);
	return fd;
}

static int decap_has(int fd, const char *text)
{
	struct lb_backend_key k = {};
	struct xaddr a = addr(text);
	uint8_t v;

	k.family = a.family;
	memcpy(k.addr, a.addr, sizeof(k.addr));
	return bpf_map_lookup_elem(fd, &k, &v) == 0;
}

Test(netlink, backend_mode_apply_sets_up_and_remove_undoes)
{
	struct lb_config cfg;
	uint32_t zero = 0, prog1, prog2, link1;
	uint16_t port = 0;
	uint8_t mode;
	int fd;

	backend_cfg(&cfg);
	cr_assert_eq(netns_sh("ip link set lo down"), 0, "lo starts down: apply must bring it up");
	cr_assert_eq(netns_sh("sysctl -qw net.ipv4.conf.all.rp_filter=1"), 0);
	cr_assert_eq(backend_mode_apply(&cfg), 0);

	cr_expect(lo_has("192.0.2.10"));
	cr_expect(lo_has("2001:db8:10::10"));
	prog1 = xdp_prog_id(&mode);
	cr_expect_neq(prog1, 0, "decap attached to va");
	cr_expect_eq(mode, XDP_ATTACHED_DRV, "veth has native XDP");
	cr_expect_eq(sysctl_value("all", "rp_filter"), 2, "strict relaxed to loose");
	cr_expect_eq(sysctl_value("va", "arp_ignore"), 1);
	cr_expect_eq(sysctl_value("all", "arp_announce"), 2);

	fd = pinned_map("decap_addrs");
	cr_expect(decap_has(fd, "198.51.100.1"), "va's addresses are the decap targets");
	cr_expect(decap_has(fd, "2001:db8::1"));
	close(fd);
	fd = pinned_map("decap_settings");
	cr_assert_eq(bpf_map_lookup_elem(fd, &zero, &port), 0);
	cr_expect_eq(port, htons(6080));
	close(fd);

	/* A restarted agent applies again: same link, maps updated in place. */
	link1 = pinned_link_id();
	cfg.node.addresses[0] = addr("198.51.100.1");
	cfg.node.n_addresses = 1;
	cr_assert_eq(backend_mode_apply(&cfg), 0, "apply is idempotent");
	cr_expect_eq(pinned_link_id(), link1, "the pinned link is adopted, not re-created");
	prog2 = xdp_prog_id(&mode);
	cr_expect(prog2 != 0 && prog2 != prog1, "the new program replaced the old one in the link");
	fd = pinned_map("decap_addrs");
	cr_expect(decap_has(fd, "198.51.100.1"));
	cr_expect(!decap_has(fd, "2001:db8::1"), "an address no longer configured is removed");
	close(fd);

	cfg.node.xdp_mode = CFG_XDP_GENERIC;
	cr_assert_eq(backend_mode_apply(&cfg), 0);
	cr_expect_neq(xdp_prog_id(&mode), 0);
	cr_expect_eq(mode, XDP_ATTACHED_SKB, "a mode change in the config re-attaches");
	cr_expect_neq(pinned_link_id(), link1);

	cr_assert_eq(backend_mode_remove(&cfg), 0);
	cr_expect_eq(xdp_prog_id(&mode), 0, "detached at once");
	cr_expect(!lo_has("192.0.2.10"));
	cr_expect(!lo_has("2001:db8:10::10"));
	cr_expect_eq(netns_sh("test -e %s/decap", pin_root), 1, "pins removed");
	cr_expect_eq(backend_mode_remove(&cfg), 0, "remove is idempotent");
}

/* Client 203.0.113.7:40000 -> VIP 192.0.2.10:53, UDP "xdplb", as lb.bpf.c forwards it. */
static size_t inner_udp4(uint8_t *p)
{
	static const uint8_t pkt[] = {
	    0x45, 0x00, 0x00, 0x21, /* IPv4, IHL 5, total length 33 */
	    0x00, 0x00, 0x40, 0x00, /* id 0, DF */
	    0x40, 0x11, 0x00, 0x00, /* TTL 64, UDP, header checksum below */
	    203,  0,	113,  7,    /* client */
	    192,  0,	2,    10,   /* VIP */
	    0x9c, 0x40, 0x00, 0x35, /* 40000 -> 53 */
	    0x00, 0x0d, 0x00, 0x00, /* UDP length 13, no checksum */
	    'x',  'd',	'p',  'l',  'b',
	};
	uint32_t sum = 0;
	size_t i;

	memcpy(p, pkt, sizeof(pkt));
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (uint8_t)(~sum >> 8);
	p[11] = (uint8_t)~sum;
	return sizeof(pkt);
}

/* A socket of namespace B: sockets keep the namespace they were made in. */
static int socket_in_b(int type, int proto)
{
	char path[64];
	int here, there, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", net.b);
	here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	there = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert(here >= 0 && there >= 0);
	cr_assert_eq(setns(there, CLONE_NEWNET), 0);
	fd = socket(AF_INET, type | SOCK_CLOEXEC, proto);
	cr_assert_eq(setns(here, CLONE_NEWNET), 0);
	close(here);
	close(there);
	cr_assert_geq(fd, 0, "socket in %s: %m", net.b);
	return fd;
}

static void expect_delivered(int rx, const char *what)
{
	struct pollfd p = {.fd = rx, .events = POLLIN};
	char got[16] = "";

	cr_assert_eq(poll(&p, 1, 1000), 1, "%s: nothing reached the VIP socket", what);
	cr_expect_eq(recv(rx, got, sizeof(got) - 1, 0), 5);
	cr_expect_str_eq(got, "xdplb", "%s", what);
}

Test(netlink, backend_mode_delivers_tunnelled_datagrams_to_the_vip)
{
	struct sockaddr_in vip = {.sin_family = AF_INET, .sin_port = htons(53)};
	struct sockaddr_in node = {.sin_family = AF_INET};
	struct lb_config cfg;
	uint8_t pkt[64];
	size_t len;
	int rx, tx;

	backend_cfg(&cfg);
	cr_assert_eq(backend_mode_apply(&cfg), 0);
	inet_pton(AF_INET, "192.0.2.10", &vip.sin_addr);
	inet_pton(AF_INET, "198.51.100.1", &node.sin_addr);
	rx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(rx, (struct sockaddr *)&vip, sizeof(vip)), 0, "bind VIP: %m");
	len = inner_udp4(pkt);

	/* Resolved first, so that no datagram waits on ARP. */
	cr_assert_eq(netns_sh("ip netns exec %s ping -c1 -W1 -q 198.51.100.1 >/dev/null", net.b),
		     0);
	tx = socket_in_b(SOCK_RAW, IPPROTO_IPIP);
	cr_assert_eq(sendto(tx, pkt, len, 0, (struct sockaddr *)&node, sizeof(node)), (ssize_t)len);
	close(tx);
	expect_delivered(rx, "IPIP");

	node.sin_port = htons(6080);
	tx = socket_in_b(SOCK_DGRAM, 0);
	cr_assert_eq(sendto(tx, pkt, len, 0, (struct sockaddr *)&node, sizeof(node)), (ssize_t)len);
	close(tx);
	expect_delivered(rx, "GUE");
	close(rx);
}

Test(netlink, backend_mode_apply_drops_vips_of_the_previous_config_only)
{
	struct lb_config cfg;

	backend_cfg(&cfg);
	cr_assert_eq(netns_sh("ip link set lo up && ip addr add 192.0.2.99/32 dev lo"), 0);
	cr_assert_eq(backend_mode_apply(&cfg), 0);
	cr_assert(lo_has("2001:db8:10::10"));

	cfg.n_vips = 2; /* the reloaded config drops 2001:db8:10::10 */
	cr_assert_eq(backend_mode_apply(&cfg), 0);
	cr_expect(lo_has("192.0.2.10"));
	cr_expect(!lo_has("2001:db8:10::10"), "a VIP no longer configured leaves lo");
	cr_expect(lo_has("192.0.2.99"), "an address the operator put on lo stays");

	cfg.n_vips = 0; /* remove finds the stamped ones even without their config */
	cr_assert_eq(backend_mode_remove(&cfg), 0);
	cr_expect(!lo_has("192.0.2.10"));
	cr_expect(lo_has("192.0.2.99"));
}

Test(netlink, backend_mode_refuses_two_gue_ports)
{
	struct lb_config cfg;
	uint8_t mode;

	backend_cfg(&cfg);
	test_vips[1].gue_port = 6081;
	cr_expect_eq(backend_mode_apply(&cfg), -EINVAL);
	cr_expect_eq(xdp_prog_id(&mode), 0, "nothing attached");
	cr_expect(!lo_has("192.0.2.10"), "nothing changed before the check");
}
