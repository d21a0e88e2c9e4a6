// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The agent's data plane against the real kernel: lb.bpf.c loaded and attached
 * to a veth in a namespace of the test's own (Criterion runs every test in its
 * own process; setns() keeps the root namespace untouched), maps programmed
 * from configs, pins adopted by a second open, and unloaded. Backends sit
 * behind a gateway in a second namespace, so their next hop is the peer's MAC.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "common/ct_walk.h"
#include "config/config.h"
#include "dataplane/ct_seen.h"
#include "dataplane/dataplane.h"
#include "dataplane/dataplane_int.h"
#include "lb.skel.h"
#include "common/log.h"
#include "netns.h"

#define DP_PEER_MAC "02:00:5e:10:00:22"

static const uint8_t dp_peer_mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x22 };
static struct netns_pair dp_net;
static char dp_pins[64], dp_yaml[64];
static struct lb_config dp_cfg;
static struct dataplane *dp;

static void dp_setup(void)
{
	snprintf(dp_pins, sizeof(dp_pins), "/sys/fs/bpf/xlbdp-%d", getpid());
	snprintf(dp_yaml, sizeof(dp_yaml), "/tmp/xlbdp-%d.yaml", getpid());
	netns_bpffs_ensure();
	cr_assert_eq(mkdir(dp_pins, 0700), 0, "mkdir %s: %m", dp_pins);

	netns_pair_create(&dp_net, "xlbdp", "va", "vb");
	cr_assert_eq(netns_sh("ip -n %s link set lo up && ip -n %s addr add 198.51.100.1/24 dev va "
			      "&& ip -n %s link set va up && "
			      "ip -n %s route add 203.0.113.0/24 via 198.51.100.2",
			      dp_net.a, dp_net.a, dp_net.a, dp_net.a),
		     0);
	cr_assert_eq(netns_sh("ip -n %s link set vb address " DP_PEER_MAC " && "
			      "ip -n %s addr add 198.51.100.2/24 dev vb && ip -n %s link set vb up",
			      dp_net.b, dp_net.b, dp_net.b),
		     0);
	netns_enter(dp_net.a);
	log_init("test_dataplane", LOG_LVL_WARN);
}

static void dp_teardown(void)
{
	if (dp)
		dataplane_close(dp);
	cfg_free(&dp_cfg);
	/* The pins first: a pinned link would outlive the namespace's interfaces. */
	if (dp_pins[0])
		netns_sh("rm -rf %s", dp_pins);
	if (dp_yaml[0])
		unlink(dp_yaml);
	netns_pair_delete(&dp_net);
}

TestSuite(dataplane, .init = dp_setup, .fini = dp_teardown, .timeout = 60);

/* Loads a config made of the node section and `vips` (YAML list items). */
static void dp_load(const char *vips)
{
	char err[CFG_ERR_MAX];
	FILE *f = fopen(dp_yaml, "w");

	cr_assert_not_null(f);
	fprintf(f,
		"node:\n  id: 1\n  zone: a\n  role: balancer\n  interface: va\n"
		"  addresses: [198.51.100.1]\n  hash_seed: 0x5eed\n  conntrack_size: 4096\n"
		"  bpffs: %s/lb\nvips:\n%s",
		dp_pins, vips);
	fclose(f);
	cfg_free(&dp_cfg);
	cr_assert_eq(cfg_load(dp_yaml, &dp_cfg, err, sizeof(err)), 0, "%s", err);
}

/* Applies dp_cfg and waits for every next hop (the peer answers ARP within a second). */
static void dp_apply_resolved(void)
{
	int i;

	cr_assert_eq(dataplane_apply(dp, &dp_cfg), 0);
	for (i = 0; i < 100 && dp->nh_pending; i++) {
		usleep(50000);
		cr_assert_eq(dataplane_resolve(dp, &dp_cfg, true), 0);
	}
	cr_assert_eq(dp->nh_pending, 0, "next hops still unresolved");
}

/* The slot of the (VIP, backend) pair; vip NULL: the first VIP. */
static uint32_t dp_pair(const char *vip, const char *addr)
{
	const struct cfg_vip *v = vip ? cfg_find_vip(&dp_cfg, vip) : &dp_cfg.vips[0];
	struct xaddr x;

	cr_assert_not_null(v, "no VIP %s", vip);
	cr_assert_eq(cfg_parse_addr(addr, &x), 0);
	return dataplane_pair_index(dp, v, &x);
}

static uint32_t dp_index(const char *addr)
{
	return dp_pair(NULL, addr);
}

static uint32_t dp_table_id(uint32_t vip_index)
{
	uint32_t id = 0;

	cr_assert_eq(bpf_map_lookup_elem(dataplane_map_fd(dp, "lb_maglev"), &vip_index, &id), 0);
	return id;
}

/* How many slots of a VIP's table hold backend index `be`. */
static uint32_t dp_table_count(uint32_t vip_index, uint32_t be)
{
	uint32_t id = dp_table_id(vip_index), slot, val, n = 0;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_map_get_fd_by_id(id);

	cr_assert_geq(fd, 0);
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	for (slot = 0; slot < info.max_entries; slot++) {
		cr_assert_eq(bpf_map_lookup_elem(fd, &slot, &val), 0);
		n += val == be;
	}
	close(fd);
	return n;
}

static struct lb_backend dp_slot(uint32_t idx)
{
	struct lb_backend b;

	cr_assert_eq(bpf_map_lookup_elem(dataplane_map_fd(dp, "lb_backends"), &idx, &b), 0);
	return b;
}

static uint32_t dp_vip_index(const char *name)
{
	const struct cfg_vip *v = cfg_find_vip(&dp_cfg, name);
	uint32_t idx;

	cr_assert_not_null(v, "no VIP %s", name);
	cr_assert_eq(dataplane_vip_index(dp, v, &idx), 0);
	return idx;
}

static uint32_t dp_xdp_prog_id(void)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	cr_assert_eq(bpf_xdp_query(if_nametoindex("va"), 0, &q), 0);
	return q.prog_id;
}

#define DP_WEB(backends)                                                                           \
	"  - name: web\n    address: 192.0.2.10\n    port: 80\n    maglev_size: 1009\n"          \
	"    backends: [" backends "]\n"
/* DP_WEB over GUE: second chance on, so a prev table. */
#define DP_WEB_GUE(backends)                                                                       \
	"  - name: web\n    address: 192.0.2.10\n    port: 80\n    maglev_size: 1009\n"          \
	"    encapsulation: gue\n    backends: [" backends "]\n"
#define DP_DNS(backends)                                                                           \
	"  - name: dns\n    address: 192.0.2.53\n    port: 53\n    protocol: udp\n"              \
	"    maglev_size: 1009\n    backends: [" backends "]\n"

Test(dataplane, programs_backends_vips_and_a_table_of_usable_backends)
{
	struct lb_vip_key key = { .addr = { htonl(0xc000020a) }, .port = htons(80),
				  .proto = IPPROTO_TCP, .family = LB_AF_INET };
	struct lb_vip_info info;
	uint32_t i;

	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}, "
		       "{address: 203.0.113.13, weight: 50}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	cr_assert_neq(dp_xdp_prog_id(), 0, "nothing attached to va");
	dp_apply_resolved();

	for (i = 1; i <= 3; i++) {
		struct lb_backend b = dp_slot(i);

		cr_assert_eq(b.family, LB_AF_INET);
		cr_assert_eq(b.flags, 0, "backend %u flags %#x", i, b.flags);
		cr_assert_eq(memcmp(b.dmac, dp_peer_mac, 6), 0, "backend %u: wrong MAC", i);
		cr_assert_eq(b.ifindex, 0, "out of the attached interface: XDP_TX");
	}
	cr_assert_eq(dp_index("203.0.113.11"), 1);
	cr_assert_eq(dp_index("203.0.113.13"), 3);
	cr_assert_eq(bpf_map_lookup_elem(dataplane_map_fd(dp, "lb_vips"), &key, &info), 0);
	cr_assert_eq(info.maglev_size, 1009);
	key.port = 0;
	key.proto = IPPROTO_ICMP;
	cr_assert_eq(bpf_map_lookup_elem(dataplane_map_fd(dp, "lb_vips"), &key, &info), 0,
		     "no ICMP entry for the VIP address");
	cr_assert_eq(info.flags, LB_VIP_F_ICMP);

	/* Weights 100:100:50 over 1009 slots, every slot filled. */
	cr_assert_eq(dp_table_count(0, 1) + dp_table_count(0, 2) + dp_table_count(0, 3), 1009);
	cr_assert_gt(dp_table_count(0, 1), 2 * dp_table_count(0, 3) * 8 / 10);
	cr_assert_lt(dp_table_count(0, 3), dp_table_count(0, 2));
}

Test(dataplane, keeps_indices_and_reuses_freed_ones_only_later)
{
	struct lb_backend empty;

	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}, "
		       "{address: 203.0.113.13}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp_apply_resolved();

	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.13}, "
		       "{address: 203.0.113.14}"));
	dp_apply_resolved();
	cr_assert_eq(dp_index("203.0.113.11"), 1);
	cr_assert_eq(dp_index("203.0.113.13"), 3);
	cr_assert_eq(dp_index("203.0.113.14"), 4, "a freed index came back too soon");
	cr_assert_eq(dp_index("203.0.113.12"), 0);
	empty = dp_slot(2);
	cr_assert_eq(empty.family, 0, "the removed backend's slot is still filled");
	cr_assert_eq(dp_table_count(0, 2), 0);
}

Test(dataplane, leaves_the_table_of_an_unchanged_vip_alone)
{
	uint32_t web_id, dns_id, web, dns;

	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}")
		DP_DNS("{address: 203.0.113.12}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp_apply_resolved();
	web = dp_vip_index("web");
	dns = dp_vip_index("dns");
	web_id = dp_table_id(web);
	dns_id = dp_table_id(dns);

	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}")
		DP_DNS("{address: 203.0.113.12}, {address: 203.0.113.13}"));
	dp_apply_resolved();
	cr_assert_eq(dp_vip_index("web"), web);
	cr_assert_eq(dp_table_id(web), web_id, "web's table was rewritten though web is the same");
	cr_assert_neq(dp_table_id(dns), dns_id, "dns changed but kept its table");
	cr_assert_gt(dp_table_count(dns, dp_pair("dns", "203.0.113.13")), 0);
}

/* Slot by slot, a VIP's table (name "lb_maglev") or its prev table; false if none. */
static bool dp_table_read(const char *outer, uint32_t vip_index, uint32_t *out, uint32_t m)
{
	uint32_t id, slot;
	int fd;

	if (bpf_map_lookup_elem(dataplane_map_fd(dp, outer), &vip_index, &id))
		return false;
	fd = bpf_map_get_fd_by_id(id);
	cr_assert_geq(fd, 0);
	for (slot = 0; slot < m; slot++)
		cr_assert_eq(bpf_map_lookup_elem(fd, &slot, &out[slot]), 0);
	close(fd);
	return true;
}

Test(dataplane, second_chance_prev_names_the_backend_a_moved_slot_left)
{
	static uint32_t t2[1009], t3[1009], prev[1009], t4[1009], prev2[1009], prev0[1009];
	uint32_t s, moved = 0, be13;

	dp_load(DP_WEB_GUE("{address: 203.0.113.11}, {address: 203.0.113.12}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp_apply_resolved();
	cr_assert(dp_table_read("lb_maglev", 0, t2, 1009));
	/* Slots a backend took when its next hop came in moved too: prev0 names those. */
	dp_table_read("lb_maglev_prev", 0, prev0, 1009);

	dp_load(DP_WEB_GUE("{address: 203.0.113.11}, {address: 203.0.113.12}, "
		       "{address: 203.0.113.13}"));
	dp_apply_resolved();
	be13 = dp_index("203.0.113.13");
	cr_assert(dp_table_read("lb_maglev", 0, t3, 1009));
	cr_assert(dp_table_read("lb_maglev_prev", 0, prev, 1009), "slots moved: a prev table");
	for (s = 0; s < 1009; s++) {
		cr_assert_eq(prev[s], t2[s] != t3[s] ? t2[s] : prev0[s] != t3[s] ? prev0[s] : 0,
			     "slot %u: %u -> %u, prev %u", s, t2[s], t3[s], prev[s]);
		moved += t3[s] == be13;
	}
	cr_assert_gt(moved, 1009 / 4, "the new backend took its share");

	/* Removing .12: its slots name it no more (its index is freed), others keep theirs. */
	dp_load(DP_WEB_GUE("{address: 203.0.113.11}, {address: 203.0.113.13}"));
	dp_apply_resolved();
	cr_assert(dp_table_read("lb_maglev", 0, t4, 1009));
	cr_assert(dp_table_read("lb_maglev_prev", 0, prev2, 1009));
	for (s = 0; s < 1009; s++) {
		cr_assert_neq(prev2[s], 2, "slot %u names a removed pair", s);
		if (t4[s] == t3[s] && prev[s] != 2)
			cr_assert_eq(prev2[s], prev[s], "slot %u lost its prev", s);
	}

	/* The VIP gone: its prev table too. */
	dp_load(DP_DNS("{address: 203.0.113.12}"));
	dp_apply_resolved();
	cr_assert_not(dp_table_read("lb_maglev_prev", 0, prev2, 1009), "prev table outlived its VIP");
}

/* An IPIP VIP cannot name a second backend: no prev table is kept for it. */
Test(dataplane, keeps_no_prev_table_for_a_vip_without_second_chance)
{
	static uint32_t prev[1009];

	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp_apply_resolved();
	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}, "
		       "{address: 203.0.113.13}"));
	dp_apply_resolved();
	cr_assert_not(dp_table_read("lb_maglev_prev", 0, prev, 1009), "slots moved: no prev table");

	/* Turned to GUE, it gets one at its next change, and loses it back on IPIP. */
	dp_load(DP_WEB_GUE("{address: 203.0.113.11}, {address: 203.0.113.12}"));
	dp_apply_resolved();
	cr_assert(dp_table_read("lb_maglev_prev", 0, prev, 1009), "GUE: a prev table");
	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.13}"));
	dp_apply_resolved();
	cr_assert_not(dp_table_read("lb_maglev_prev", 0, prev, 1009), "IPIP again: none");
}

Test(dataplane, drain_takes_a_backend_out_of_the_tables_and_keeps_its_slot)
{
	struct xaddr b2;

	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp_apply_resolved();
	cr_assert_eq(cfg_parse_addr("203.0.113.12", &b2), 0);

	cr_assert_eq(dataplane_set_drain(dp, &dp_cfg, &b2, NULL, true), 0);
	cr_assert_eq(dp_slot(2).flags, LB_BE_F_DRAIN);
	cr_assert_eq(dp_slot(2).family, LB_AF_INET, "a drained backend keeps its slot");
	cr_assert_eq(dp_table_count(0, 2), 0);
	cr_assert_eq(dp_table_count(0, 1), 1009);

	/* A reload keeps the drain while the address stays configured. */
	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}, "
		       "{address: 203.0.113.13}"));
	dp_apply_resolved();
	cr_assert_eq(dp_slot(2).flags, LB_BE_F_DRAIN);

	cr_assert_eq(dataplane_set_drain(dp, &dp_cfg, &b2, NULL, false), 0);
	cr_assert_eq(dp_slot(2).flags, 0);
	cr_assert_gt(dp_table_count(0, 2), 0);
}

Test(dataplane, a_restart_adopts_pins_indices_and_drains)
{
	uint32_t prog_id, table_id;
	struct xaddr b3;

	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}, "
		       "{address: 203.0.113.13}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp_apply_resolved();
	cr_assert_eq(cfg_parse_addr("203.0.113.13", &b3), 0);
	cr_assert_eq(dataplane_set_drain(dp, &dp_cfg, &b3, NULL, true), 0);
	/* Take .11 out so that the adopted assignment has a hole to respect. */
	dp_load(DP_WEB("{address: 203.0.113.12}, {address: 203.0.113.13}"));
	dp_apply_resolved();
	prog_id = dp_xdp_prog_id();
	table_id = dp_table_id(0);

	dataplane_close(dp);
	dp = NULL;
	cr_assert_eq(dp_xdp_prog_id(), prog_id, "closing the agent's side detached the program");

	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open (adopt): %m");
	cr_assert(dp->adopted, "the pinned link was not adopted");
	cr_assert_eq(dp_xdp_prog_id(), prog_id, "same program: the link keeps it");
	cr_assert_eq(dp_index("203.0.113.12"), 2);
	cr_assert_eq(dp_index("203.0.113.13"), 3);
	cr_assert(dp->be[3].drain, "the drain did not survive the restart");
	cr_assert_eq(dp_table_id(0), table_id);
	dp_apply_resolved();
	cr_assert_eq(dp_slot(3).flags, LB_BE_F_DRAIN);
	cr_assert_eq(dp_table_count(0, 3), 0);
	dp_load(DP_WEB("{address: 203.0.113.12}, {address: 203.0.113.13}, "
		       "{address: 203.0.113.14}"));
	dp_apply_resolved();
	cr_assert_eq(dp_index("203.0.113.14"), 4, "index 1 was freed before the restart");
}

static uint32_t dp_generation(void)
{
	uint32_t zero = 0, gen = 0;

	cr_assert_eq(bpf_map_lookup_elem(dataplane_map_fd(dp, "lb_generation"), &zero, &gen), 0);
	return gen;
}

/* Every apply empties the flow caches (bpf/lib/flow_cache.h), before and after a restart. */
Test(dataplane, every_apply_moves_the_flow_cache_generation_on)
{
	char path[128];
	uint32_t gen;

	dp_load(DP_WEB("{address: 203.0.113.11}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp_apply_resolved();
	gen = dp_generation();
	cr_assert_neq(gen, 0, "an applied config left the flow cache off");
	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}"));
	dp_apply_resolved();
	cr_assert_gt(dp_generation(), gen, "a changed config kept the cached decisions");
	gen = dp_generation();

	dataplane_close(dp);
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open (adopt): %m");
	cr_assert_eq(dp_generation(), gen, "the pinned generation was not adopted");
	dp_apply_resolved();
	cr_assert_gt(dp_generation(), gen, "the restarted agent's apply kept the cached decisions");
	snprintf(path, sizeof(path), "%s/lb/lb_generation", dp_pins);
	cr_assert_eq(access(path, F_OK), 0, "lb_generation is not pinned at %s", path);
	snprintf(path, sizeof(path), "%s/lb/lb_flow_cache", dp_pins);
	cr_assert_neq(access(path, F_OK), 0, "lb_flow_cache is pinned at %s", path);
	snprintf(path, sizeof(path), "%s/lb/lb_flow_cache_tags", dp_pins);
	cr_assert_neq(access(path, F_OK), 0, "lb_flow_cache_tags is pinned at %s", path);
}

/*
 * An agent from before lb_ct_new was an array left an LRU hash pinned under that name: the
 * program cannot use it, so the agent replaces it rather than refusing to start.
 */
Test(dataplane, replaces_an_older_layout_of_lb_ct_new)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/lb", dp_pins);
	cr_assert_eq(mkdir(path, 0700), 0, "mkdir %s: %m", path);
	fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "lb_ct_new", sizeof(struct lb_flow_key),
			    sizeof(struct lb_conn), 1024, &opts);
	cr_assert_geq(fd, 0, "creating the old lb_ct_new: %m");
	snprintf(path, sizeof(path), "%s/lb/lb_ct_new", dp_pins);
	cr_assert_eq(bpf_obj_pin(fd, path), 0, "pinning the old lb_ct_new: %m");
	close(fd);

	dp_load(DP_WEB("{address: 203.0.113.11}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open over an old lb_ct_new: %m");
	fd = dataplane_map_fd(dp, "lb_ct_new");
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	cr_expect_eq(info.type, BPF_MAP_TYPE_ARRAY, "lb_ct_new is still of type %u", info.type);
	cr_expect_eq(info.max_entries & (info.max_entries - 1), 0, "%u slots: not a power of two",
		     info.max_entries);
	cr_expect_eq(dp->skel->rodata->lb_ct_new_mask, info.max_entries - 1,
		     "the program's slot mask %u does not match %u slots",
		     dp->skel->rodata->lb_ct_new_mask, info.max_entries);
	cr_expect_eq(ct_seen_count(fd), 0, "a fresh lb_ct_new has flows");
}

/* lbctl backend weight outlives the agent as a drain does; leaving the config drops it. */
Test(dataplane, runtime_weights_survive_a_restart)
{
	struct xaddr b2, b3;

	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}, "
		       "{address: 203.0.113.13}") DP_DNS("{address: 203.0.113.12}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp_apply_resolved();
	cr_assert_eq(cfg_parse_addr("203.0.113.12", &b2), 0);
	cr_assert_eq(cfg_parse_addr("203.0.113.13", &b3), 0);
	cr_assert_eq(dataplane_set_weight(dp, &dp_cfg, &b2, NULL, 0), 0);
	cr_assert_eq(dataplane_set_weight(dp, &dp_cfg, &b3, &dp_cfg.vips[0], 300), 0);
	cr_assert_eq(dp_table_count(0, 2), 0, "weight 0 left b2 in web's table");

	dataplane_close(dp);
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open (adopt): %m");
	cr_assert_eq(dataplane_weight(dp, &dp_cfg.vips[0], &dp_cfg.vips[0].backends[1]), 0,
		     "b2's weight for every VIP was lost in the restart");
	cr_assert_eq(dataplane_weight(dp, &dp_cfg.vips[1], &dp_cfg.vips[1].backends[0]), 0);
	cr_assert_eq(dataplane_weight(dp, &dp_cfg.vips[0], &dp_cfg.vips[0].backends[2]), 300,
		     "b3's weight in web was lost in the restart");
	dp_apply_resolved();
	cr_assert_eq(dp_table_count(0, 2), 0, "b2 back in web's table after the restart");

	/* b2 leaves the config: its weight goes, and a later b2 starts from the file's. */
	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.13}"));
	dp_apply_resolved();
	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}, "
		       "{address: 203.0.113.13}"));
	dataplane_close(dp);
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open (adopt): %m");
	cr_assert_eq(dataplane_weight(dp, &dp_cfg.vips[0], &dp_cfg.vips[0].backends[1]),
		     dp_cfg.vips[0].backends[1].weight, "a pruned weight came back");
	cr_assert_eq(dataplane_weight(dp, &dp_cfg.vips[0], &dp_cfg.vips[0].backends[2]), 300);
}

Test(dataplane, unload_detaches_and_removes_the_pins)
{
	char path[128];

	dp_load(DP_WEB("{address: 203.0.113.11}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp_apply_resolved();
	snprintf(path, sizeof(path), "%s/lb/link", dp_pins);
	cr_assert_eq(access(path, F_OK), 0, "no pinned link");

	cr_assert_eq(dataplane_unload(dp), 0);
	cr_assert_eq(dp_xdp_prog_id(), 0, "still attached");
	snprintf(path, sizeof(path), "%s/lb", dp_pins);
	cr_assert_neq(access(path, F_OK), 0, "pin directory left behind");
}

static bool dp_filter_has(const char *addr)
{
	int fd = dataplane_map_fd(dp, "lb_vip_filter");
	uint32_t bit, word;
	struct xaddr x;
	uint64_t w;

	cr_assert_eq(cfg_parse_addr(addr, &x), 0);
	bit = lb_vip_filter_bit(x.addr, x.family);
	word = bit / 64;
	cr_assert_eq(bpf_map_lookup_elem(fd, &word, &w), 0);
	return w & (1ULL << (bit % 64));
}

/* XDP verdict of a TCP SYN from 198.51.100.7:40000 to daddr:80 (host order). */
static int dp_syn_verdict(uint32_t daddr)
{
	uint8_t f[54] = { 0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00, 0x45, 0, 0, 40,
			  0, 0, 0x40, 0, 64, IPPROTO_TCP };
	uint32_t saddr = htonl(0xc6336407), d = htonl(daddr);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f, .data_size_in = sizeof(f), .repeat = 1);

	memcpy(f + 26, &saddr, 4);
	memcpy(f + 30, &d, 4);
	f[34] = 40000 >> 8;
	f[35] = 40000 & 0xff;
	f[37] = 80;
	f[46] = 0x50;
	f[47] = 0x02;
	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(dp->skel->progs.xdp_lb), &opts), 0);
	return opts.retval;
}

Test(dataplane, vip_filter_holds_every_vip_address_and_lets_vip_traffic_through)
{
	const uint32_t web[4] = { htonl(0xc000020a) }, dns[4] = { htonl(0xc0000235) };
	uint32_t on = 0;
	uint64_t w0;

	dp_load(DP_WEB("{address: 203.0.113.11}") DP_DNS("{address: 203.0.113.12}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp_apply_resolved();
	cr_assert_eq(bpf_map_lookup_elem(dataplane_map_fd(dp, "lb_vip_filter"), &on, &w0), 0);
	cr_assert(w0 & (1ULL << LB_VIP_FILTER_ON_BIT), "filter not switched on");
	cr_assert(dp_filter_has("192.0.2.10"));
	cr_assert(dp_filter_has("192.0.2.53"));
	cr_assert_eq(dp_syn_verdict(0xc000020a), XDP_TX, "VIP traffic filtered out");
	cr_assert_eq(dp_syn_verdict(0xc0000263), XDP_PASS);

	/* The dropped VIP's bit goes (these two addresses do not share a bit). */
	cr_assert_neq(lb_vip_filter_bit(web, LB_AF_INET), lb_vip_filter_bit(dns, LB_AF_INET));
	dp_load(DP_WEB("{address: 203.0.113.11}"));
	dp_apply_resolved();
	cr_assert(dp_filter_has("192.0.2.10"));
	cr_assert_not(dp_filter_has("192.0.2.53"), "the removed VIP's bit stayed set");
	cr_assert_eq(dp_syn_verdict(0xc000020a), XDP_TX);

	/* A restart takes the filter over and keeps it. */
	dataplane_close(dp);
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open (adopt): %m");
	dp_apply_resolved();
	cr_assert(dp_filter_has("192.0.2.10"));
	cr_assert_eq(dp_syn_verdict(0xc000020a), XDP_TX);
}

/* The health verdict of the test: every pair up but the ones named here. */
static const char *dp_down_vip, *dp_down_addr;

static bool dp_test_health(void *ctx, const struct cfg_vip *vip, const struct cfg_backend *b)
{
	char addr[CFG_ADDR_STRLEN];

	return !dp_down_vip || strcmp(vip->name, dp_down_vip) ||
	       strcmp(cfg_format_addr(&b->addr, addr, sizeof(addr)), dp_down_addr);
}

Test(dataplane, a_backend_in_two_vips_is_two_pairs_with_their_own_state)
{
	uint32_t web, dns, web12, dns12;
	struct xaddr b2;

	dp_load(DP_WEB("{address: 203.0.113.11}, {address: 203.0.113.12}")
		    DP_DNS("{address: 203.0.113.12}, {address: 203.0.113.13}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	dp->health_up = dp_test_health;
	dp_apply_resolved();
	web = dp_vip_index("web");
	dns = dp_vip_index("dns");
	web12 = dp_pair("web", "203.0.113.12");
	dns12 = dp_pair("dns", "203.0.113.12");
	cr_assert(web12 && dns12 && web12 != dns12, "one address, two VIPs: %u and %u", web12,
		  dns12);
	cr_assert_eq(dp_slot(web12).vip_index, web);
	cr_assert_eq(dp_slot(dns12).vip_index, dns);
	cr_assert_eq(memcmp(dp_slot(dns12).dmac, dp_peer_mac, 6), 0, "the second pair has no MAC");

	/* DOWN for dns only: web keeps it in its table. */
	dp_down_vip = "dns";
	dp_down_addr = "203.0.113.12";
	dp_apply_resolved();
	cr_assert_eq(dp_slot(dns12).flags, LB_BE_F_DOWN);
	cr_assert_eq(dp_slot(web12).flags, 0);
	cr_assert_eq(dp_table_count(dns, dns12), 0);
	cr_assert_gt(dp_table_count(web, web12), 0);

	/* down_flows: keep: no new flows, tracked ones stay (not DOWN, not the operator's drain).
	 */
	dp_cfg.vips[1].down_keeps_flows = true;
	dp_apply_resolved();
	cr_assert_eq(dp_slot(dns12).flags, LB_BE_F_DOWN_KEPT);
	cr_assert_eq(dp_table_count(dns, dns12), 0);
	cr_assert_eq(strcmp(dataplane_backend_state(dp, dns12), "down"), 0);
	dp_down_vip = NULL;

	/* A drain of one pair leaves the other alone. */
	cr_assert_eq(cfg_parse_addr("203.0.113.12", &b2), 0);
	cr_assert_eq(dataplane_set_drain(dp, &dp_cfg, &b2, &dp_cfg.vips[0], true), 0);
	cr_assert_eq(dp_slot(web12).flags, LB_BE_F_DRAIN);
	cr_assert_eq(dp_slot(dns12).flags, 0);
	cr_assert_eq(dataplane_set_drain(dp, &dp_cfg, &b2, NULL, true), 0);
	cr_assert_eq(dp_slot(dns12).flags, LB_BE_F_DRAIN);
}

/* lbctl status and the metrics read lb_conntrack's size from the kernel's counter, not a walk. */
Test(dataplane, counts_conntrack_entries_without_walking_them)
{
	struct lb_flow_key k = { .family = LB_AF_INET, .proto = IPPROTO_TCP };
	struct lb_conn c = { .backend_family = LB_AF_INET };
	uint64_t n = 1;
	int fd, i;

	dp_load(DP_WEB("{address: 203.0.113.11}"));
	dp = dataplane_open(&dp_cfg);
	cr_assert_not_null(dp, "dataplane_open: %m");
	cr_assert_eq(dataplane_ct_entries(dp, &n), 0, "counting: %s", strerror(errno));
	cr_expect_eq(n, 0, "an empty lb_conntrack counts %llu", (unsigned long long)n);
	fd = dataplane_map_fd(dp, "lb_conntrack");
	for (i = 0; i < 300; i++) {
		k.src[0] = htonl(0xc0000200 + i);
		cr_assert_eq(bpf_map_update_elem(fd, &k, &c, BPF_ANY), 0, "insert %d: %m", i);
	}
	/* A rewrite of an existing flow replaces its element: still one entry. */
	cr_assert_eq(bpf_map_update_elem(fd, &k, &c, BPF_ANY), 0);
	for (i = 0; i < 100; i++) {
		k.src[0] = htonl(0xc0000200 + i);
		cr_assert_eq(bpf_map_delete_elem(fd, &k), 0, "delete %d: %m", i);
	}
	cr_assert_eq(dataplane_ct_entries(dp, &n), 0);
	cr_expect_eq(n, 200, "300 inserted, 100 deleted, counted %llu", (unsigned long long)n);
	cr_expect_eq(dataplane_ct_size(dp), dp_cfg.node.conntrack_size, "size %u, configured %u",
		     dataplane_ct_size(dp), dp_cfg.node.conntrack_size);
}

/* conntrack.list, the metrics and sync dumps read lb_conntrack a chunk at a time: each entry once. */
Test(dataplane, walks_conntrack_in_chunks_seeing_each_entry_once)
{
	struct lb_flow_key k = {.family = LB_AF_INET, .proto = IPPROTO_TCP};
	struct lb_conn c = {.backend_family = LB_AF_INET};
	static uint8_t seen[3000];
	struct ct_walk *w;
	uint32_t i, total = 0, chunks = 0;
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "lb_conntrack", sizeof(k), sizeof(c), 5000, NULL);
	cr_assert_geq(fd, 0, "creating the map: %m");
	for (i = 0; i < 3000; i++) {
		k.src[0] = htonl(0xcb007100 | (i >> 8));
		k.sport = htons(i);
		cr_assert_eq(bpf_map_update_elem(fd, &k, &c, BPF_ANY), 0, "insert %u: %m", i);
	}
	w = ct_walk_open(fd, 1000);
	cr_assert_not_null(w, "ct_walk_open: %m");
	cr_expect_not_null(w->skel, "the walk fell back to get_next_key on this kernel");
	while (!w->done) {
		cr_assert_eq(ct_walk_next(w), 0);
		chunks++;
		for (i = 0; i < w->n; i++) {
			uint16_t port = ntohs(w->e[i].key.sport);

			cr_assert_lt(port, 3000);
			cr_expect_eq(seen[port]++, 0, "entry %u seen twice", port);
		}
		total += w->n;
	}
	cr_expect_eq(total, 3000, "walked %u of 3000 entries", total);
	cr_expect_geq(chunks, 3, "%u chunks of at most 1000", chunks);
	ct_walk_close(w);
	close(fd);
}
