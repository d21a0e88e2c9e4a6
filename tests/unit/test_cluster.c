// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The cluster: section and the zone state machine, driven by a fake clock and fake peers. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "cluster/cluster.h"
#include "config/config.h"
#include "config/config_cluster.h"

/* --- config ------------------------------------------------------------------------------- */

static struct lb_config cfg;
static char err[CFG_ERR_MAX];
static char dir[] = "/tmp/xdplb-cluster-config-XXXXXX";
static char cwd[PATH_MAX];

static void cluster_config_setup(void)
{
	cr_redirect_stderr();
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
}

static void cluster_config_teardown(void)
{
	cfg_free(&cfg);
	unlink("lb.yaml");
	cr_assert_eq(chdir(cwd), 0);
	rmdir(dir);
}

TestSuite(cluster_config, .init = cluster_config_setup, .fini = cluster_config_teardown);

static int load(const char *text)
{
	FILE *f = fopen("lb.yaml", "w");

	cr_assert_not_null(f);
	fprintf(f, "node:\n  id: 1\n  zone: a\n  interface: eth0\n%s", text);
	fclose(f);
	err[0] = '\0';
	return cfg_load("lb.yaml", &cfg, err, sizeof(err));
}

Test(cluster_config, defaults_when_the_section_is_absent)
{
	cr_assert_eq(load(""), 0, "%s", err);
	cr_assert_not(cfg.cluster.enabled);
	cr_assert_eq(cfg.cluster.secondary_mode, CFG_SECONDARY_STANDBY);
	cr_assert_eq(cfg.cluster.announce_table, 100);
	cr_assert_eq(cfg.cluster.metric_primary, 100);
	cr_assert_eq(cfg.cluster.metric_secondary, 200);
	cr_assert_eq(cfg.cluster.hold_down_ms, 5000);
	cr_assert_eq(cfg.cluster.interval_ms, 100);
}

Test(cluster_config, reads_every_key)
{
	cr_assert_eq(load("cluster:\n  enabled: true\n  announce_table: 1000\n"
			  "  metric_primary: 10\n  metric_secondary: 20\n"
			  "  secondary_mode: backup\n  hold_down: 0\n  interval: 50\n"),
		     0, "%s", err);
	cr_assert(cfg.cluster.enabled);
	cr_assert_eq(cfg.cluster.announce_table, 1000);
	cr_assert_eq(cfg.cluster.metric_primary, 10);
	cr_assert_eq(cfg.cluster.metric_secondary, 20);
	cr_assert_eq(cfg.cluster.secondary_mode, CFG_SECONDARY_BACKUP);
	cr_assert_eq(cfg.cluster.hold_down_ms, 0);
	cr_assert_eq(cfg.cluster.interval_ms, 50);
}

Test(cluster_config, rejects_a_table_the_kernel_reserves)
{
	cr_assert_eq(load("cluster:\n  announce_table: 254\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:6:19: cluster.announce_table: 254 is a table the kernel "
			      "reserves (253 default, 254 main, 255 local); expected 1..252 or "
			      "above 255");
}

Test(cluster_config, rejects_a_secondary_metric_not_worse_than_the_primary)
{
	cr_assert_eq(load("cluster:\n  metric_primary: 300\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:6:3: cluster.metric_secondary: 200 must be larger (worse) "
			      "than metric_primary 300");
}

Test(cluster_config, rejects_an_unknown_secondary_mode)
{
	cr_assert_eq(load("cluster:\n  secondary_mode: hot\n"), -EINVAL);
	cr_assert_str_eq(err, "lb.yaml:6:19: cluster.secondary_mode: expected one of: standby, "
			      "backup, found 'hot'");
}

/* --- the state machine ----------------------------------------------------------------------- */

#define HOLD 3000

static struct lb_config sm_cfg;
static struct cfg_vip sm_vips[2];
static struct cluster *sm;
static struct sync_peer_info peers[4];
static size_t n_peers;
static bool healthy[2] = {true, true};
static uint64_t now_ms = 1000000;

static void sm_vip(struct cfg_vip *v, const char *name, const char *addr, uint16_t port)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	cr_assert_eq(cfg_parse_addr(addr, &v->addr), 0);
	v->port = port;
	v->proto = 6;
	snprintf(v->primary_zone, sizeof(v->primary_zone), "a");
	snprintf(v->secondary_zone, sizeof(v->secondary_zone), "b");
}

/* This node in `zone`, two VIPs on one address, primary a, secondary b. */
static void sm_start(const char *zone, enum cfg_secondary_mode mode)
{
	cr_redirect_stderr();
	memset(&sm_cfg, 0, sizeof(sm_cfg));
	sm_cfg.node.id = 9;
	snprintf(sm_cfg.node.zone, sizeof(sm_cfg.node.zone), "%s", zone);
	sm_cfg.cluster = (struct cfg_cluster){.enabled = true,
					      .secondary_mode = mode,
					      .announce_table = 100,
					      .metric_primary = 100,
					      .metric_secondary = 200,
					      .hold_down_ms = HOLD,
					      .interval_ms = 100};
	sm_vip(&sm_vips[0], "web", "192.0.2.10", 80);
	sm_vip(&sm_vips[1], "dns", "192.0.2.10", 53);
	sm_cfg.vips = sm_vips;
	sm_cfg.n_vips = 2;
	sm = cluster_new(&sm_cfg);
	cr_assert_not_null(sm);
	n_peers = 0;
	healthy[0] = healthy[1] = true;
}

static void sm_stop(void)
{
	cluster_free(sm);
	sm = NULL;
}

static void peer_set(uint32_t id, const char *zone, bool in_sync)
{
	size_t i;

	for (i = 0; i < n_peers && peers[i].id != id; i++)
		;
	if (i == n_peers)
		n_peers++;
	memset(&peers[i], 0, sizeof(peers[i]));
	peers[i].id = id;
	snprintf(peers[i].zone, sizeof(peers[i].zone), "%s", zone);
	peers[i].in_sync = in_sync;
}

static void peer_gone(uint32_t id)
{
	size_t i;

	for (i = 0; i < n_peers; i++)
		if (peers[i].id == id)
			peers[i] = peers[--n_peers];
}

/* Runs the machine for ms milliseconds in 100 ms steps; returns the web VIP's verdict. */
static enum cluster_verdict run(uint64_t ms, bool attached, bool in_sync)
{
	struct cluster_inputs in = {
	    .attached = attached, .in_sync = in_sync, .peers = peers, .vip_healthy = healthy};
	uint64_t end = now_ms + ms;

	do {
		in.now_ms = now_ms;
		in.n_peers = n_peers;
		cluster_update(sm, &sm_cfg, &in);
		now_ms += 100;
	} while (now_ms <= end);
	return sm->vips[0].verdict;
}

static enum cluster_verdict run_ok(uint64_t ms)
{
	return run(ms, true, true);
}

TestSuite(cluster, .fini = sm_stop);

Test(cluster, primary_zone_node_alone_announces_at_once)
{
	sm_start("a", CFG_SECONDARY_STANDBY);
	cr_assert_eq(run_ok(0), CLUSTER_PRIMARY);
	cr_assert_str_eq(sm->vips[0].why, "primary zone a");
}

Test(cluster, withdraws_without_data_plane_sync_or_healthy_backend)
{
	sm_start("a", CFG_SECONDARY_STANDBY);
	cr_assert_eq(run(0, false, true), CLUSTER_WITHDRAW);
	cr_assert_str_eq(sm->vips[0].why, "data plane not attached");
	cr_assert_eq(run(0, true, false), CLUSTER_WITHDRAW);
	cr_assert_str_eq(sm->vips[0].why, "sync catching up");
	healthy[0] = false;
	cr_assert_eq(run_ok(0), CLUSTER_WITHDRAW);
	cr_assert_str_eq(sm->vips[0].why, "no healthy backend");
	cr_assert_eq(sm->vips[1].verdict, CLUSTER_PRIMARY, "the other VIP is healthy");
}

Test(cluster, standby_secondary_stays_out_while_the_primary_zone_serves)
{
	sm_start("b", CFG_SECONDARY_STANDBY);
	peer_set(1, "a", true);
	peer_set(2, "a", true);
	/* Before the primary zone has been ready for hold-down + overlap, b stands in. */
	cr_assert_eq(run_ok(0), CLUSTER_SECONDARY);
	cr_assert_eq(run_ok(HOLD + CLUSTER_FAILBACK_OVERLAP_MS), CLUSTER_WITHDRAW);
	cr_assert_str_eq(sm->vips[0].why, "standby: primary zone a serves (2 of 2 node(s) ready)");
}

Test(cluster, one_primary_node_lost_is_no_failover)
{
	sm_start("b", CFG_SECONDARY_STANDBY);
	peer_set(1, "a", true);
	peer_set(2, "a", true);
	cr_assert_eq(run_ok(10000), CLUSTER_WITHDRAW);
	peer_gone(1);
	cr_assert_eq(run_ok(1000), CLUSTER_WITHDRAW);
	cr_assert_eq(sm->transitions, 4, "only the start-up stand-in and its end, of two VIPs");
}

Test(cluster, whole_primary_zone_lost_is_a_failover_within_one_interval)
{
	sm_start("b", CFG_SECONDARY_STANDBY);
	peer_set(1, "a", true);
	peer_set(2, "a", true);
	cr_assert_eq(run_ok(10000), CLUSTER_WITHDRAW);
	peer_gone(1);
	peer_gone(2);
	cr_assert_eq(run_ok(0), CLUSTER_SECONDARY);
	cr_assert_str_eq(sm->vips[0].why, "primary zone a down: no live node");
	cr_assert_eq(cluster_transition_get(sm, 0)->to, CLUSTER_SECONDARY);
}

Test(cluster, standby_secondary_keeps_the_vip_until_the_returning_zone_is_ready_long_enough)
{
	sm_start("b", CFG_SECONDARY_STANDBY);
	cr_assert_eq(run_ok(1000), CLUSTER_SECONDARY);
	peer_set(1, "a", false);
	cr_assert_eq(run_ok(5000), CLUSTER_SECONDARY, "alive but catching up");
	peer_set(1, "a", true);
	cr_assert_eq(run_ok(HOLD), CLUSTER_SECONDARY, "ready, but not for the hold-down yet");
	cr_assert_eq(run_ok(CLUSTER_FAILBACK_OVERLAP_MS), CLUSTER_WITHDRAW);
}

Test(cluster, backup_secondary_always_announces_with_the_worse_preference)
{
	struct announce_route r[2];

	sm_start("b", CFG_SECONDARY_BACKUP);
	peer_set(1, "a", true);
	cr_assert_eq(run_ok(20000), CLUSTER_SECONDARY);
	cr_assert_eq(cluster_routes(sm, &sm_cfg, r, 2), 1);
	cr_assert_eq(r[0].metric, 200);
}

Test(cluster, returning_primary_waits_the_hold_down_while_the_secondary_serves)
{
	sm_start("a", CFG_SECONDARY_STANDBY);
	peer_set(3, "b", true);
	cr_assert_eq(run_ok(HOLD - 200), CLUSTER_WITHDRAW);
	cr_assert_eq(strncmp(sm->vips[0].why, "failback hold-down: zone b", 26), 0, "%s",
		     sm->vips[0].why);
	cr_assert_eq(run_ok(200), CLUSTER_PRIMARY);
}

Test(cluster, serving_primary_keeps_serving_when_the_secondary_appears)
{
	sm_start("a", CFG_SECONDARY_STANDBY);
	cr_assert_eq(run_ok(0), CLUSTER_PRIMARY);
	peer_set(3, "b", true);
	cr_assert_eq(run_ok(1000), CLUSTER_PRIMARY);
}

Test(cluster, not_in_either_zone_withdraws)
{
	sm_start("c", CFG_SECONDARY_BACKUP);
	cr_assert_eq(run_ok(0), CLUSTER_WITHDRAW);
	cr_assert_str_eq(sm->vips[0].why, "zone c is neither primary (a) nor secondary (b)");
}

Test(cluster, one_route_per_address_with_the_best_preference)
{
	struct announce_route r[2];

	sm_start("a", CFG_SECONDARY_STANDBY);
	run_ok(0);
	sm->vips[1].verdict = CLUSTER_SECONDARY;
	cr_assert_eq(cluster_routes(sm, &sm_cfg, r, 2), 1);
	cr_assert_eq(r[0].metric, 100);
	sm->vips[0].verdict = CLUSTER_WITHDRAW;
	cr_assert_eq(cluster_routes(sm, &sm_cfg, r, 2), 1);
	cr_assert_eq(r[0].metric, 200);
}

Test(cluster, transitions_are_kept_newest_first)
{
	sm_start("a", CFG_SECONDARY_STANDBY);
	run_ok(0);
	run(0, false, true);
	cr_assert_eq(sm->transitions, 4, "two VIPs, up then down");
	cr_assert_eq(cluster_transition_get(sm, 0)->to, CLUSTER_WITHDRAW);
	cr_assert_str_eq(cluster_transition_get(sm, 0)->why, "data plane not attached");
	cr_assert_eq(cluster_transition_get(sm, 3)->to, CLUSTER_PRIMARY);
	cr_assert_null(cluster_transition_get(sm, 4));
}

Test(cluster, routes_left_by_a_killed_agent_are_kept_through_the_hold_down)
{
	struct announce_route left = {.metric = 100};

	sm_start("a", CFG_SECONDARY_STANDBY);
	cr_assert_eq(cfg_parse_addr("192.0.2.10", &left.addr), 0);
	cluster_adopt_routes(sm, &sm_cfg, &left, 1);
	peer_set(3, "b", true);
	cr_assert_eq(run_ok(0), CLUSTER_PRIMARY);
}

Test(cluster, a_reload_keeps_the_verdict_of_an_unchanged_vip)
{
	struct lb_config next = sm_cfg;
	struct cfg_vip v[1];

	sm_start("a", CFG_SECONDARY_STANDBY);
	cr_assert_eq(run_ok(0), CLUSTER_PRIMARY);
	next = sm_cfg;
	v[0] = sm_vips[1];
	next.vips = v;
	next.n_vips = 1;
	cr_assert_eq(cluster_reconfigure(sm, &sm_cfg, &next), 0);
	cr_assert_eq(sm->n_vips, 1);
	cr_assert_eq(sm->vips[0].verdict, CLUSTER_PRIMARY);
}
