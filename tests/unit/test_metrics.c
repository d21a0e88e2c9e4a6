// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The Prometheus exposition from a canned snapshot: exact samples, label
 * escaping, families present only for what runs, and promtool's verdict on
 * the whole text; node.metrics.listen parsing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <criterion/criterion.h>

#include "skip.h"
#include <criterion/redirect.h>

#include "config/config.h"
#include "config/config_metrics.h"
#include "metrics/metrics.h"

static struct mx_vip vips[2] = {
    {.name = "web4",
     .packets = 1234,
     .bytes = 98765,
     .new_flows = 50,
     .ct_hits = 1184,
     .ct_misses = 50,
     .backends = 2,
     .backends_up = 1},
    {.name = "[2001:db8::10]:80/tcp", .packets = 7, .bytes = 420, .new_flows = 1},
};
static struct mx_backend backends[2] = {
    {.vip = "web4",
     .addr = "198.51.100.18",
     .zone = "a",
     .state = "up",
     .packets = 1000,
     .bytes = 80000,
     .new_flows = 40,
     .checked = true,
     .health = {.state = HEALTH_UP,
		.checked = true,
		.last_result = "ok",
		.latency_us = 1500,
		.changes = 1}},
    {.vip = "web4", .addr = "198.51.100.34", .zone = "b\"x", .state = "drain", .packets = 234},
};
static struct mx_cluster_vip cluster_vips[1] = {
    {.name = "web4", .verdict = "secondary", .served_by = "b", .for_s = 12.5},
};
static struct mx_zone zones[2] = {{.zone = "a", .nodes = 0}, {.zone = "b", .nodes = 2}};
static struct sync_peer_info peers[1] = {
    {.id = 2, .zone = "a", .last_seen_ms = 250, .lag_records = 3, .in_sync = true},
};

static void mx_canned(struct metrics_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->version = "1.2.3-test";
	s->node_id = 1;
	s->zone = "a";
	s->role = "balancer";
	s->started = 1700000000;
	s->attached = true;
	s->reloads_ok = 3;
	s->reloads_failed = 1;
	s->config_loaded_at = 1700000100;
	s->have_dp = true;
	s->conntrack_entries = 50;
	s->conntrack_unconfirmed = 7;
	s->stats[LB_STAT_FORWARDED] = 1241;
	s->drops[LB_DROP_NO_BACKEND].packets = 9;
	s->drops[LB_DROP_NO_BACKEND].bytes = 540;
	s->vips = vips;
	s->n_vips = 2;
	s->backends = backends;
	s->n_backends = 2;
	s->have_health = true;
	s->health.targets = 1;
	s->health.checks = 10;
	s->health.failures = 2;
	s->have_sync = true;
	s->sync.records_sent = 77;
	s->sync.rejected[SYNC_REJ_BAD_TAG] = 4;
	s->in_sync = true;
	s->peers = peers;
	s->n_peers = 1;
	s->have_cluster = true;
	s->cluster_ready = true;
	s->cluster_transitions = 2;
	s->cluster_vips = cluster_vips;
	s->n_cluster_vips = 1;
	s->zones = zones;
	s->n_zones = 2;
}

static char *mx_render_canned(struct metrics_snapshot *s)
{
	char *text, *z;
	size_t len;

	cr_assert_eq(metrics_render(s, &text, &len), 0);
	z = malloc(len + 1);
	cr_assert_not_null(z);
	memcpy(z, text, len);
	z[len] = '\0';
	free(text);
	return z;
}

static void mx_expect_line(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	cr_expect(strstr(text, want), "missing line: %s", line);
}

Test(metrics, renders_counters_of_vips_backends_drops_and_sync)
{
	struct metrics_snapshot s;
	char *text;

	mx_canned(&s);
	text = mx_render_canned(&s);
	mx_expect_line(text, "xdplb_build_info{version=\"1.2.3-test\"} 1");
	mx_expect_line(text, "xdplb_node_info{node_id=\"1\",zone=\"a\",role=\"balancer\"} 1");
	mx_expect_line(text, "xdplb_config_reloads_total{result=\"success\"} 3");
	mx_expect_line(text, "xdplb_config_reloads_total{result=\"failure\"} 1");
	mx_expect_line(text, "xdplb_config_last_reload_success_timestamp_seconds 1700000100");
	mx_expect_line(text, "xdplb_forwarded_packets_total 1241");
	mx_expect_line(text, "xdplb_conntrack_entries 50");
	mx_expect_line(text, "xdplb_conntrack_unconfirmed_entries 7");
	mx_expect_line(text, "xdplb_dropped_packets_total{reason=\"no_backend\"} 9");
	mx_expect_line(text, "xdplb_dropped_bytes_total{reason=\"no_backend\"} 540");
	mx_expect_line(text, "xdplb_vip_packets_total{vip=\"web4\"} 1234");
	mx_expect_line(text, "xdplb_vip_bytes_total{vip=\"[2001:db8::10]:80/tcp\"} 420");
	mx_expect_line(text, "xdplb_vip_backends_up{vip=\"web4\"} 1");
	mx_expect_line(text,
		       "xdplb_backend_packets_total{vip=\"web4\",backend=\"198.51.100.18\"} 1000");
	mx_expect_line(text,
		       "xdplb_backend_state{vip=\"web4\",backend=\"198.51.100.34\",zone=\"b\\\"x\","
		       "state=\"drain\"} 1");
	mx_expect_line(text,
		       "xdplb_backend_state{vip=\"web4\",backend=\"198.51.100.34\",zone=\"b\\\"x\","
		       "state=\"up\"} 0");
	mx_expect_line(text, "xdplb_health_checks_total{result=\"success\"} 8");
	mx_expect_line(text, "xdplb_health_checks_total{result=\"failure\"} 2");
	mx_expect_line(
	    text,
	    "xdplb_backend_health_check_duration_seconds{vip=\"web4\",backend=\"198.51.100.18\"} "
	    "0.0015");
	mx_expect_line(text, "xdplb_sync_records_sent_total 77");
	mx_expect_line(text, "xdplb_sync_rejected_total{reason=\"bad_tag\"} 4");
	mx_expect_line(text, "xdplb_sync_peer_lag_records{peer=\"2\",zone=\"a\"} 3");
	mx_expect_line(text, "xdplb_sync_peer_last_seen_seconds{peer=\"2\",zone=\"a\"} 0.25");
	mx_expect_line(text,
		       "xdplb_cluster_vip_announcement{vip=\"web4\",verdict=\"secondary\"} 1");
	mx_expect_line(text, "xdplb_cluster_vip_announcement{vip=\"web4\",verdict=\"primary\"} 0");
	mx_expect_line(text, "xdplb_cluster_vip_served_by_zone{vip=\"web4\",zone=\"b\"} 1");
	mx_expect_line(text, "xdplb_cluster_zone_nodes{zone=\"b\"} 2");
	mx_expect_line(text, "xdplb_cluster_transitions_total 2");
	mx_expect_line(text, "xdplb_cluster_vip_announcement_seconds{vip=\"web4\"} 12.5");
	/* A backend nothing checks has no health samples. */
	cr_expect_null(
	    strstr(text, "xdplb_backend_health_up{vip=\"web4\",backend=\"198.51.100.34\"}"));
	mx_expect_line(text, "xdplb_backend_health_up{vip=\"web4\",backend=\"198.51.100.18\"} 1");
	free(text);
}

Test(metrics, backend_role_shows_no_dataplane_families)
{
	struct metrics_snapshot s;
	char *text;

	mx_canned(&s);
	s.have_dp = s.have_health = s.have_sync = s.have_cluster = false;
	s.role = "backend";
	text = mx_render_canned(&s);
	mx_expect_line(text, "xdplb_dataplane_attached 1");
	cr_expect_null(strstr(text, "xdplb_vip_"));
	cr_expect_null(strstr(text, "xdplb_sync_"));
	cr_expect_null(strstr(text, "xdplb_health_"));
	cr_expect_null(strstr(text, "xdplb_cluster_"));
	free(text);
}

static int mx_promtool(const char *text);

Test(metrics, balancer_exports_no_decap_counter)
{
	struct metrics_snapshot s;
	char *text;

	mx_canned(&s);
	text = mx_render_canned(&s);
	/* lb.bpf.c never decapsulates: such a counter could only ever be 0. */
	cr_expect_null(strstr(text, "xdplb_decapsulated_"), "%s", text);
	cr_expect_null(strstr(text, "reason=\"decap_malformed\""), "%s", text);
	mx_expect_line(text, "xdplb_dropped_packets_total{reason=\"adjust_failed\"} 0");
	free(text);
}

/* A backend's snapshot: the decap program's counters, nothing of the balancer's. */
static void mx_canned_backend(struct metrics_snapshot *s)
{
	mx_canned(s);
	s->have_dp = s->have_health = s->have_sync = s->have_cluster = false;
	s->role = "backend";
	memset(s->stats, 0, sizeof(s->stats));
	memset(s->drops, 0, sizeof(s->drops));
	s->have_decap = true;
	s->decap[LB_DECAP_IPIP] = (struct lb_counter){.packets = 40, .bytes = 4000};
	s->decap[LB_DECAP_GUE] = (struct lb_counter){.packets = 2, .bytes = 300};
	s->stats[LB_STAT_DECAP] = 42;
	s->stats[LB_STAT_PASS] = 17;
	s->drops[LB_DROP_DECAP_MALFORMED] = (struct lb_counter){.packets = 3, .bytes = 180};
}

Test(metrics, backend_exports_decap_counters_by_kind_and_its_drops)
{
	struct metrics_snapshot s;
	char *text;

	mx_canned_backend(&s);
	text = mx_render_canned(&s);
	mx_expect_line(text, "xdplb_decapsulated_packets_total{kind=\"ipip\"} 40");
	mx_expect_line(text, "xdplb_decapsulated_packets_total{kind=\"gue\"} 2");
	mx_expect_line(text, "xdplb_decapsulated_packets_total{kind=\"ip6ip6\"} 0");
	mx_expect_line(text, "xdplb_decapsulated_bytes_total{kind=\"ipip\"} 4000");
	mx_expect_line(text, "xdplb_passed_packets_total 17");
	mx_expect_line(text, "xdplb_dropped_packets_total{reason=\"decap_malformed\"} 3");
	mx_expect_line(text, "xdplb_dropped_bytes_total{reason=\"decap_malformed\"} 180");
	mx_expect_line(text, "xdplb_dropped_packets_total{reason=\"adjust_failed\"} 0");
	/* Reasons only lb.bpf.c counts, and its counters, are not a backend's. */
	cr_expect_null(strstr(text, "reason=\"no_backend\""), "%s", text);
	cr_expect_null(strstr(text, "xdplb_forwarded_packets_total"), "%s", text);
	cr_expect_null(strstr(text, "xdplb_conntrack_"), "%s", text);
	if (!system("command -v promtool >/dev/null"))
		cr_expect_eq(mx_promtool(text), 0, "promtool check metrics refused:\n%s", text);
	free(text);
}

Test(metrics, second_chance_outcomes_by_role)
{
	struct metrics_snapshot s;
	char *text;

	mx_canned_backend(&s);
	s.sc[LB_SC_FORWARDED] = (struct lb_counter){.packets = 7, .bytes = 700};
	s.sc[LB_SC_UNOWNED].packets = 2;
	text = mx_render_canned(&s);
	mx_expect_line(text, "xdplb_second_chance_packets_total{outcome=\"forwarded\"} 7");
	mx_expect_line(text, "xdplb_second_chance_bytes_total{outcome=\"forwarded\"} 700");
	mx_expect_line(text, "xdplb_second_chance_packets_total{outcome=\"unowned\"} 2");
	/* Only a balancer names a previous backend. */
	cr_expect_null(strstr(text, "outcome=\"named\""), "%s", text);
	cr_expect(metrics_sc_in_role(LB_SC_NAMED, false) && !metrics_sc_in_role(LB_SC_NAMED, true));
	cr_expect(metrics_sc_in_role(LB_SC_UNOWNED, true) && !metrics_sc_in_role(LB_SC_MAX, true));
	free(text);
}

/* promtool (Debian package prometheus) lints names, types, units and the syntax. */
static int mx_promtool(const char *text)
{
	char path[] = "/tmp/xdplb-metrics-XXXXXX", cmd[128];
	int fd = mkstemp(path), status;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s >&2", path);
	status = system(cmd);
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(metrics, promtool_accepts_the_exposition)
{
	struct metrics_snapshot s;
	char *text;

	if (system("command -v promtool >/dev/null"))
		XLB_SKIP("promtool missing: install the Debian package prometheus");
	mx_canned(&s);
	text = mx_render_canned(&s);
	cr_expect_eq(mx_promtool(text), 0, "promtool check metrics refused:\n%s", text);
	free(text);
}

Test(metrics, promtool_catches_a_counter_without_total)
{
	if (system("command -v promtool >/dev/null"))
		XLB_SKIP("promtool missing: install the Debian package prometheus");
	/* The check above is only worth something if promtool does refuse bad input. */
	cr_expect_neq(mx_promtool("# HELP xdplb_x_packets x\n# TYPE xdplb_x_packets counter\n"
				  "xdplb_x_packets 1\n"),
		      0);
}

Test(metrics, listen_parses_ipv4_and_bracketed_ipv6)
{
	struct cfg_metrics m;

	cfg_metrics_defaults(&m);
	cr_expect(m.enabled);
	cr_expect_eq(m.port, CFG_METRICS_DEFAULT_PORT);
	cr_assert_eq(cfg_metrics_parse_listen("192.0.2.1:9100", &m), 0);
	cr_expect_eq(m.port, 9100);
	cr_expect_eq(m.addr.family, LB_AF_INET);
	cr_assert_eq(cfg_metrics_parse_listen("[2001:db8::1]:9742", &m), 0);
	cr_expect_eq(m.addr.family, LB_AF_INET6);
	cr_expect_eq(cfg_metrics_parse_listen("2001:db8::1:9742", &m), -EINVAL);
	cr_expect_eq(cfg_metrics_parse_listen("[192.0.2.1]:80", &m), -EINVAL);
	cr_expect_eq(cfg_metrics_parse_listen("192.0.2.1:0", &m), -EINVAL);
	cr_expect_eq(cfg_metrics_parse_listen("192.0.2.1:65536", &m), -EINVAL);
	cr_expect_eq(cfg_metrics_parse_listen("192.0.2.1", &m), -EINVAL);
}

static int mx_load(const char *metrics_yaml, struct lb_config *cfg, char *err, size_t errlen)
{
	char path[] = "/tmp/xdplb-metrics-cfg-XXXXXX";
	int fd = mkstemp(path), ret;
	FILE *f = fdopen(fd, "w");

	cr_assert_not_null(f);
	fprintf(f,
		"node:\n  id: 1\n  zone: a\n  role: backend\n  interface: lo\n"
		"  addresses: [198.51.100.1]\n%s",
		metrics_yaml);
	fclose(f);
	ret = cfg_load(path, cfg, err, errlen);
	unlink(path);
	return ret;
}

Test(metrics, config_defaults_to_loopback_and_off_disables, .init = cr_redirect_stderr)
{
	struct lb_config cfg = {};
	char err[CFG_ERR_MAX] = "";

	cr_assert_eq(mx_load("", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect(cfg.node.metrics.enabled);
	cr_expect_eq(cfg.node.metrics.addr.addr[0], htonl(0x7f000001));
	cfg_free(&cfg);
	cr_assert_eq(mx_load("  metrics: {listen: off}\n", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_not(cfg.node.metrics.enabled);
	cfg_free(&cfg);
	cr_assert_eq(mx_load("  metrics: {listen: \"\"}\n", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect_not(cfg.node.metrics.enabled);
	cfg_free(&cfg);
}

/* Series per (VIP, backend) pair unless turned off, as an exporter's collector switch. */
Test(metrics, config_per_backend_defaults_on_and_takes_a_boolean, .init = cr_redirect_stderr)
{
	struct lb_config cfg = {};
	char err[CFG_ERR_MAX] = "";

	cr_assert_eq(mx_load("", &cfg, err, sizeof(err)), 0, "%s", err);
	cr_expect(cfg.node.metrics.per_backend);
	cfg_free(&cfg);
	cr_assert_eq(mx_load("  metrics: {per_backend: false}\n", &cfg, err, sizeof(err)), 0, "%s",
		     err);
	cr_expect_not(cfg.node.metrics.per_backend);
	cr_expect(cfg.node.metrics.enabled, "the endpoint stays on");
	cfg_free(&cfg);
	cr_assert_eq(mx_load("  metrics:\n    per_backend: some\n", &cfg, err, sizeof(err)),
		     -EINVAL);
	cr_expect(strstr(err, ":8:18: node.metrics.per_backend:"), "%s", err);
}

Test(metrics, config_names_position_of_a_bad_listen, .init = cr_redirect_stderr)
{
	struct lb_config cfg = {};
	char err[CFG_ERR_MAX] = "";

	cr_assert_eq(mx_load("  metrics:\n    listen: 2001:db8::1:80\n", &cfg, err, sizeof(err)),
		     -EINVAL);
	cr_expect(strstr(err, ":8:13: node.metrics.listen: 2001:db8::1:80: expected addr:port"),
		  "%s", err);
}
