// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The Prometheus text exposition (format 0.0.4) of a metrics snapshot. Names
 * follow the Prometheus conventions: xdplb_ prefix, base units (bytes,
 * seconds), _total on counters; a family is written whole (HELP, TYPE, every
 * sample) before the next one starts, as promtool requires.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"
#include "region/region_vote.h"
#include "sync/sync_codec.h"

#define MX_DROP_NAME(id, nr, name, help) [LB_DROP_##id] = name,
static const char *const mx_drop_names[LB_DROP_MAX] = {LB_DROP_REASONS(MX_DROP_NAME)};
#undef MX_DROP_NAME

const char *metrics_drop_name(unsigned int reason)
{
	return reason < LB_DROP_MAX ? mx_drop_names[reason] : NULL;
}

bool metrics_drop_in_role(unsigned int reason, bool backend)
{
	bool decap = reason == LB_DROP_DECAP_MALFORMED || reason == LB_DROP_ADJUST_FAILED;

	if (!metrics_drop_name(reason))
		return false;
	return backend ? decap : reason != LB_DROP_DECAP_MALFORMED;
}

#define MX_DECAP_NAME(id, nr, name, help) [LB_DECAP_##id] = name,
static const char *const mx_decap_names[LB_DECAP_MAX] = {LB_DECAP_KINDS(MX_DECAP_NAME)};
#undef MX_DECAP_NAME

const char *metrics_decap_kind_name(unsigned int kind)
{
	return kind < LB_DECAP_MAX ? mx_decap_names[kind] : NULL;
}

#define MX_SC_NAME(id, nr, name, help) [LB_SC_##id] = name,
static const char *const mx_sc_names[LB_SC_MAX] = {LB_SC_OUTCOMES(MX_SC_NAME)};
#undef MX_SC_NAME

const char *metrics_sc_outcome_name(unsigned int outcome)
{
	return outcome < LB_SC_MAX ? mx_sc_names[outcome] : NULL;
}

bool metrics_sc_in_role(unsigned int outcome, bool backend)
{
	bool balancer = outcome == LB_SC_NAMED || outcome == LB_SC_NO_ROOM;

	return outcome < LB_SC_MAX && balancer != backend;
}

/* The global lb_stats counters, each its own family (they count different things). */
#define MX_STAT_FAMILY(id, nr, key, metric, help) [LB_STAT_##id] = {metric, help},
static const struct {
	const char *name, *help;
} mx_stat_families[LB_STAT_MAX] = {LB_STATS(MX_STAT_FAMILY)};
#undef MX_STAT_FAMILY

struct mx_out {
	FILE *f;
};

static void mx_family(struct mx_out *o, const char *name, const char *type, const char *help)
{
	fprintf(o->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newline escaped, as the format wants. */
static void mx_label_value(struct mx_out *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', o->f);
		if (*v == '\n') {
			fputs("\\n", o->f);
			continue;
		}
		fputc(*v, o->f);
	}
}

/*
 * One sample: name{k1="v1",...} value. The variadic part is label name/value
 * pairs ended by NULL.
 */
static void mx_sample(struct mx_out *o, const char *name, double value, ...)
{
	const char *k, *v;
	bool first = true;
	va_list ap;

	fputs(name, o->f);
	va_start(ap, value);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		fprintf(o->f, "%s%s=\"", first ? "{" : ",", k);
		mx_label_value(o, v);
		fputc('"', o->f);
		first = false;
	}
	va_end(ap);
	if (!first)
		fputc('}', o->f);
	/* Counts print whole (never 1e+06); fractions (seconds) with 9 digits, not 0.0330000000001.
	 */
	if (value == (double)(uint64_t)value)
		fprintf(o->f, " %.0f\n", value);
	else
		fprintf(o->f, " %.9g\n", value);
}

static void mx_one(struct mx_out *o, const char *name, const char *type, const char *help,
		   double value)
{
	mx_family(o, name, type, help);
	mx_sample(o, name, value, NULL);
}

static void mx_render_node(struct mx_out *o, const struct metrics_snapshot *s)
{
	char id[16];

	mx_family(o, "xdplb_build_info", "gauge", "Version of the running lbagent (always 1).");
	mx_sample(o, "xdplb_build_info", 1, "version", s->version, NULL);
	snprintf(id, sizeof(id), "%u", s->node_id);
	mx_family(o, "xdplb_node_info", "gauge", "This node's id, zone and role (always 1).");
	mx_sample(o, "xdplb_node_info", 1, "node_id", id, "zone", s->zone, "role", s->role, NULL);
	mx_one(o, "xdplb_start_time_seconds", "gauge", "When lbagent started, Unix time.",
	       s->started);
	mx_one(o, "xdplb_dataplane_attached", "gauge",
	       "1 while the XDP program (or backend decap) is attached.", s->attached);
	mx_family(o, "xdplb_config_reloads_total", "counter",
		  "Config reloads (SIGHUP or lbctl reload) by result.");
	mx_sample(o, "xdplb_config_reloads_total", s->reloads_ok, "result", "success", NULL);
	mx_sample(o, "xdplb_config_reloads_total", s->reloads_failed, "result", "failure", NULL);
	mx_one(o, "xdplb_config_last_reload_successful", "gauge",
	       "1 unless the last reload was refused (the old config is still running).",
	       s->last_reload_ok);
	mx_one(o, "xdplb_config_last_reload_success_timestamp_seconds", "gauge",
	       "When the running config was loaded, Unix time.", s->config_loaded_at);
	mx_one(o, "xdplb_control_requests_rejected_total", "counter",
	       "Control socket requests refused: malformed, bad arguments or not permitted.",
	       s->control_rejected);
}

/* Drops by reason, only the reasons the role's program can count. */
static void mx_render_drops(struct mx_out *o, const struct metrics_snapshot *s, bool backend)
{
	unsigned int i;

	mx_family(o, "xdplb_dropped_packets_total", "counter", "Packets dropped, by reason.");
	for (i = 1; i < LB_DROP_MAX; i++)
		if (metrics_drop_in_role(i, backend))
			mx_sample(o, "xdplb_dropped_packets_total", s->drops[i].packets, "reason",
				  mx_drop_names[i], NULL);
	mx_family(o, "xdplb_dropped_bytes_total", "counter", "Bytes dropped, by reason.");
	for (i = 1; i < LB_DROP_MAX; i++)
		if (metrics_drop_in_role(i, backend))
			mx_sample(o, "xdplb_dropped_bytes_total", s->drops[i].bytes, "reason",
				  mx_drop_names[i], NULL);
}

/* Second chance outcomes (docs/SECOND_CHANCE.md), only those the role's program counts. */
static void mx_render_sc(struct mx_out *o, const struct metrics_snapshot *s, bool backend)
{
	unsigned int i;

	mx_family(o, "xdplb_second_chance_packets_total", "counter",
		  "Second chance: packets naming a previous backend (balancer), or what a backend "
		  "did with them, by outcome.");
	for (i = 0; i < LB_SC_MAX; i++)
		if (metrics_sc_in_role(i, backend))
			mx_sample(o, "xdplb_second_chance_packets_total", s->sc[i].packets,
				  "outcome", mx_sc_names[i], NULL);
	mx_family(o, "xdplb_second_chance_bytes_total", "counter",
		  "Bytes of the second chance packets, by outcome.");
	for (i = 0; i < LB_SC_MAX; i++)
		if (metrics_sc_in_role(i, backend))
			mx_sample(o, "xdplb_second_chance_bytes_total", s->sc[i].bytes, "outcome",
				  mx_sc_names[i], NULL);
}

static void mx_render_dataplane(struct mx_out *o, const struct metrics_snapshot *s)
{
	unsigned int i;

	mx_one(o, "xdplb_next_hops_pending", "gauge",
	       "Backends kept out of the tables: their next-hop MAC is not resolved yet.",
	       s->next_hops_pending);
	mx_one(o, "xdplb_conntrack_entries", "gauge", "Entries in the conntrack map.",
	       s->conntrack_entries);
	mx_one(o, "xdplb_conntrack_unconfirmed_entries", "gauge",
	       "Flows seen once, waiting for a second packet (lb_ct_new).",
	       s->conntrack_unconfirmed);
	/* The decap total is the backend's, by kind (mx_render_decap). */
	for (i = 0; i < LB_STAT_MAX; i++)
		if (mx_stat_families[i].name && i != LB_STAT_DECAP)
			mx_one(o, mx_stat_families[i].name, "counter", mx_stat_families[i].help,
			       s->stats[i]);
	mx_render_drops(o, s, false);
	mx_render_sc(o, s, false);
}

/* A backend: the decap program's counters, tunnels stripped by kind, and its own drops. */
static void mx_render_decap(struct mx_out *o, const struct metrics_snapshot *s)
{
	unsigned int i;

	mx_family(o, "xdplb_decapsulated_packets_total", "counter",
		  "Tunnel packets stripped and passed up (backend role), by tunnel kind.");
	for (i = 0; i < LB_DECAP_MAX; i++)
		mx_sample(o, "xdplb_decapsulated_packets_total", s->decap[i].packets, "kind",
			  mx_decap_names[i], NULL);
	mx_family(o, "xdplb_decapsulated_bytes_total", "counter",
		  "Bytes of the tunnel packets stripped (outer headers included), by tunnel kind.");
	for (i = 0; i < LB_DECAP_MAX; i++)
		mx_sample(o, "xdplb_decapsulated_bytes_total", s->decap[i].bytes, "kind",
			  mx_decap_names[i], NULL);
	mx_one(o, mx_stat_families[LB_STAT_PASS].name, "counter",
	       "Packets that were no tunnel to this host, handed to the kernel untouched.",
	       s->stats[LB_STAT_PASS]);
	mx_render_drops(o, s, true);
	mx_render_sc(o, s, true);
}

/* One family over every VIP; `off` is the uint64_t field of struct mx_vip to show. */
static void mx_vip_family(struct mx_out *o, const struct metrics_snapshot *s, const char *name,
			  const char *type, const char *help, size_t off)
{
	size_t i;

	mx_family(o, name, type, help);
	for (i = 0; i < s->n_vips; i++)
		mx_sample(o, name, *(const uint64_t *)((const char *)&s->vips[i] + off), "vip",
			  s->vips[i].name, NULL);
}

static void mx_render_vips(struct mx_out *o, const struct metrics_snapshot *s)
{
	size_t i;

	mx_vip_family(o, s, "xdplb_vip_packets_total", "counter", "Packets received for the VIP.",
		      offsetof(struct mx_vip, packets));
	mx_vip_family(o, s, "xdplb_vip_bytes_total", "counter",
		      "Bytes received for the VIP, before encapsulation.",
		      offsetof(struct mx_vip, bytes));
	mx_vip_family(o, s, "xdplb_vip_new_flows_total", "counter",
		      "Flows the VIP placed on a backend by its Maglev table.",
		      offsetof(struct mx_vip, new_flows));
	mx_vip_family(o, s, "xdplb_vip_conntrack_hits_total", "counter",
		      "VIP packets whose flow was found in conntrack.",
		      offsetof(struct mx_vip, ct_hits));
	mx_vip_family(o, s, "xdplb_vip_conntrack_misses_total", "counter",
		      "VIP packets whose flow was not in conntrack.",
		      offsetof(struct mx_vip, ct_misses));
	mx_family(o, "xdplb_vip_backends", "gauge", "Backends configured for the VIP.");
	for (i = 0; i < s->n_vips; i++)
		mx_sample(o, "xdplb_vip_backends", s->vips[i].backends, "vip", s->vips[i].name,
			  NULL);
	mx_family(o, "xdplb_vip_backends_up", "gauge", "Backends of the VIP taking new flows.");
	for (i = 0; i < s->n_vips; i++)
		mx_sample(o, "xdplb_vip_backends_up", s->vips[i].backends_up, "vip",
			  s->vips[i].name, NULL);
}

static void mx_backend_family(struct mx_out *o, const struct metrics_snapshot *s, const char *name,
			      const char *help, size_t off)
{
	size_t i;

	mx_family(o, name, "counter", help);
	for (i = 0; i < s->n_backends; i++)
		mx_sample(o, name, *(const uint64_t *)((const char *)&s->backends[i] + off), "vip",
			  s->backends[i].vip, "backend", s->backends[i].addr, NULL);
}

static void mx_render_backends(struct mx_out *o, const struct metrics_snapshot *s)
{
	static const char *const states[] = {"up", "down", "drain"};
	size_t i, j;

	mx_backend_family(o, s, "xdplb_backend_packets_total", "Packets sent to the backend.",
			  offsetof(struct mx_backend, packets));
	mx_backend_family(o, s, "xdplb_backend_bytes_total",
			  "Bytes sent to the backend, before encapsulation.",
			  offsetof(struct mx_backend, bytes));
	mx_backend_family(o, s, "xdplb_backend_new_flows_total", "New flows placed on the backend.",
			  offsetof(struct mx_backend, new_flows));
	mx_family(o, "xdplb_backend_state", "gauge",
		  "The (VIP, backend) pair's state in the data plane: 1 for the current one.");
	for (i = 0; i < s->n_backends; i++)
		for (j = 0; j < sizeof(states) / sizeof(states[0]); j++)
			mx_sample(o, "xdplb_backend_state",
				  !strcmp(s->backends[i].state, states[j]), "vip",
				  s->backends[i].vip, "backend", s->backends[i].addr, "zone",
				  s->backends[i].zone, "state", states[j], NULL);
}

static void mx_render_health(struct mx_out *o, const struct metrics_snapshot *s)
{
	const struct health_stats *h = &s->health;
	const struct mx_backend *b;
	size_t i;

	mx_one(o, "xdplb_health_targets", "gauge", "Health check targets.", h->targets);
	mx_one(o, "xdplb_health_checks_in_flight", "gauge", "Health checks running now.",
	       h->running);
	mx_family(o, "xdplb_health_checks_total", "counter", "Health check results, by result.");
	mx_sample(o, "xdplb_health_checks_total", h->checks - h->failures, "result", "success",
		  NULL);
	mx_sample(o, "xdplb_health_checks_total", h->failures, "result", "failure", NULL);
	mx_one(o, "xdplb_health_check_errors_total", "counter",
	       "Checks that could not run for a reason of the agent's own (descriptors, memory): "
	       "no verdict about the backend.",
	       h->check_errors);
	mx_one(o, "xdplb_health_checks_skipped_total", "counter",
	       "Checks never started because the agent ran over an interval late (short of CPU): "
	       "backends are checked less often than configured.",
	       h->skipped);
	mx_one(o, "xdplb_health_state_changes_total", "counter",
	       "Health verdicts that flipped (up to down or down to up).", h->changes);

	mx_family(o, "xdplb_backend_health_up", "gauge",
		  "1 when the backend's health checks say up.");
	for (i = 0; i < s->n_backends; i++) {
		b = &s->backends[i];
		if (b->checked)
			mx_sample(o, "xdplb_backend_health_up", b->health.state == HEALTH_UP, "vip",
				  b->vip, "backend", b->addr, NULL);
	}
	mx_family(o, "xdplb_backend_health_last_check_success", "gauge",
		  "1 when the backend's last check succeeded.");
	for (i = 0; i < s->n_backends; i++) {
		b = &s->backends[i];
		if (b->checked && b->health.checked)
			mx_sample(o, "xdplb_backend_health_last_check_success",
				  !strcmp(b->health.last_result, "ok"), "vip", b->vip, "backend",
				  b->addr, NULL);
	}
	mx_family(o, "xdplb_backend_health_check_duration_seconds", "gauge",
		  "How long the backend's last check took.");
	for (i = 0; i < s->n_backends; i++) {
		b = &s->backends[i];
		if (b->checked && b->health.checked)
			mx_sample(o, "xdplb_backend_health_check_duration_seconds",
				  b->health.latency_us / 1e6, "vip", b->vip, "backend", b->addr,
				  NULL);
	}
	mx_family(o, "xdplb_backend_health_state_changes_total", "counter",
		  "Times the backend's health verdict flipped.");
	for (i = 0; i < s->n_backends; i++) {
		b = &s->backends[i];
		if (b->checked)
			mx_sample(o, "xdplb_backend_health_state_changes_total", b->health.changes,
				  "vip", b->vip, "backend", b->addr, NULL);
	}
}

static void mx_render_sync_counters(struct mx_out *o, const struct sync_stats *st)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} c[] = {
#define MX_SYNC(n, f, h) {"xdplb_sync_" n "_total", h, offsetof(struct sync_stats, f)}
	    MX_SYNC("flow_events", events, "Flow events read from the data plane."),
	    MX_SYNC("records_sent", records_sent, "Flow records multicast to peers."),
	    MX_SYNC("datagrams_sent", dgrams_sent, "Sync datagrams sent."),
	    MX_SYNC("send_errors", send_errors, "Sync datagrams the socket refused."),
	    MX_SYNC("records_dropped_queue_full", queue_full,
		    "Flow records dropped: the send queue was full."),
	    MX_SYNC("datagrams_received", dgrams_received,
		    "Sync datagrams received, authenticated and in window."),
	    MX_SYNC("records_received", records_received, "Flow records received from peers."),
	    MX_SYNC("records_applied", records_applied,
		    "Received flow records written to conntrack."),
	    MX_SYNC("heartbeats_sent", heartbeats_sent, "Heartbeats sent."),
	    MX_SYNC("heartbeats_received", heartbeats_received, "Heartbeats received."),
	    MX_SYNC("dump_requests_sent", dump_requests_sent,
		    "Bulk dumps this node asked its peers for."),
	    MX_SYNC("dumps_requested", dumps_requested, "Bulk dumps peers asked this node for."),
	    MX_SYNC("dumps_served", dumps_served, "Bulk dumps this node finished sending."),
	    MX_SYNC("dump_records_sent", dump_records_sent, "Flow records sent in dumps."),
	    MX_SYNC("dump_records_received", dump_records_received,
		    "Flow records received in dumps."),
#undef MX_SYNC
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		mx_one(o, c[i].name, "counter", c[i].help,
		       *(const uint64_t *)((const char *)st + c[i].off));
	mx_family(o, "xdplb_sync_rejected_total", "counter",
		  "Sync datagrams and records refused, by reason.");
	for (i = SYNC_REJ_NONE + 1; i < SYNC_REJ_MAX; i++)
		mx_sample(o, "xdplb_sync_rejected_total", st->rejected[i], "reason",
			  sync_reject_name(i), NULL);
}

static void mx_render_sync(struct mx_out *o, const struct metrics_snapshot *s)
{
	const struct sync_peer_info *p;
	char id[16];
	size_t i;

	mx_render_sync_counters(o, &s->sync);
	mx_one(o, "xdplb_sync_in_sync", "gauge",
	       "1 once the catch-up dump is in from every live peer (or timed out).", s->in_sync);
	mx_one(o, "xdplb_sync_queue_depth", "gauge", "Sync datagrams waiting to be sent.",
	       s->sync_queue_depth);
	mx_one(o, "xdplb_sync_peers", "gauge", "Live peers (heard within the peer timeout).",
	       s->n_peers);
	mx_family(o, "xdplb_sync_peer_last_seen_seconds", "gauge",
		  "Time since the peer's last datagram.");
	for (i = 0; i < s->n_peers; i++) {
		p = &s->peers[i];
		snprintf(id, sizeof(id), "%u", p->id);
		mx_sample(o, "xdplb_sync_peer_last_seen_seconds", p->last_seen_ms / 1e3, "peer", id,
			  "zone", p->zone, NULL);
	}
	mx_family(o, "xdplb_sync_peer_lag_records", "gauge",
		  "Records the peer sent since we first heard it that never arrived.");
	for (i = 0; i < s->n_peers; i++) {
		p = &s->peers[i];
		snprintf(id, sizeof(id), "%u", p->id);
		mx_sample(o, "xdplb_sync_peer_lag_records", p->lag_records, "peer", id, "zone",
			  p->zone, NULL);
	}
	mx_family(o, "xdplb_sync_peer_in_sync", "gauge",
		  "1 when the peer reports its own catch-up done.");
	for (i = 0; i < s->n_peers; i++) {
		p = &s->peers[i];
		snprintf(id, sizeof(id), "%u", p->id);
		mx_sample(o, "xdplb_sync_peer_in_sync", p->in_sync, "peer", id, "zone", p->zone,
			  NULL);
	}
}

static void mx_render_cluster(struct mx_out *o, const struct metrics_snapshot *s)
{
	static const char *const verdicts[] = {"withdrawn", "primary", "secondary"};
	const struct mx_cluster_vip *v;
	size_t i, j;

	mx_one(o, "xdplb_cluster_ready", "gauge",
	       "1 when this node may announce: attached and its sync caught up.", s->cluster_ready);
	mx_one(o, "xdplb_cluster_transitions_total", "counter",
	       "Announcement changes of any VIP (withdrawn, primary, secondary).",
	       s->cluster_transitions);
	mx_family(o, "xdplb_cluster_zone_nodes", "gauge",
		  "Live nodes per zone as this node knows them, itself included.");
	for (i = 0; i < s->n_zones; i++)
		mx_sample(o, "xdplb_cluster_zone_nodes", s->zones[i].nodes, "zone",
			  s->zones[i].zone, NULL);
	mx_family(o, "xdplb_cluster_vip_announcement", "gauge",
		  "How this node announces the VIP: 1 for the current verdict.");
	for (i = 0; i < s->n_cluster_vips; i++)
		for (j = 0; j < sizeof(verdicts) / sizeof(verdicts[0]); j++)
			mx_sample(o, "xdplb_cluster_vip_announcement",
				  !strcmp(s->cluster_vips[i].verdict, verdicts[j]), "vip",
				  s->cluster_vips[i].name, "verdict", verdicts[j], NULL);
	mx_family(o, "xdplb_cluster_vip_announcement_seconds", "gauge",
		  "Time since the VIP's announcement last changed.");
	for (i = 0; i < s->n_cluster_vips; i++)
		mx_sample(o, "xdplb_cluster_vip_announcement_seconds", s->cluster_vips[i].for_s,
			  "vip", s->cluster_vips[i].name, NULL);
	mx_family(o, "xdplb_cluster_vip_served_by_zone", "gauge",
		  "The zone carrying the VIP as far as this node can tell (always 1).");
	for (i = 0; i < s->n_cluster_vips; i++) {
		v = &s->cluster_vips[i];
		if (v->served_by[0])
			mx_sample(o, "xdplb_cluster_vip_served_by_zone", 1, "vip", v->name, "zone",
				  v->served_by, NULL);
	}
}

/* HAProxy's request log: responses and a latency histogram per (listener, group, server). */
static void mx_render_proxy(struct mx_out *o, const struct metrics_snapshot *s)
{
	static const char *const classes[PROXY_LOG_CLASSES] = {"1xx", "2xx", "3xx",
							       "4xx", "5xx", "other"};
	const char *rs = "xdplb_proxy_response_seconds";
	const struct proxy_log_series *l;
	uint64_t cum;
	char le[16];
	size_t i, b;

	mx_family(o, "xdplb_proxy_log_lines_total", "counter",
		  "HAProxy request log lines read, by result: ok, malformed (dropped), overflow "
		  "(too many listener, group, server series; dropped), notice (HAProxy's own "
		  "messages).");
	mx_sample(o, "xdplb_proxy_log_lines_total", s->proxy_log.lines, "result", "ok", NULL);
	mx_sample(o, "xdplb_proxy_log_lines_total", s->proxy_log.malformed, "result", "malformed",
		  NULL);
	mx_sample(o, "xdplb_proxy_log_lines_total", s->proxy_log.overflow, "result", "overflow",
		  NULL);
	mx_sample(o, "xdplb_proxy_log_lines_total", s->proxy_log.notices, "result", "notice", NULL);
	if (!s->n_l7)
		return;
	mx_family(o, "xdplb_proxy_responses_total", "counter",
		  "HTTP responses per listener, group and server, by status class.");
	for (i = 0; i < s->n_l7; i++)
		for (b = 0; b < PROXY_LOG_CLASSES; b++)
			mx_sample(o, "xdplb_proxy_responses_total", s->l7[i].responses[b],
				  "listener", s->l7[i].listener, "group", s->l7[i].group, "server",
				  s->l7[i].server, "code", classes[b], NULL);
	mx_family(o, rs, "histogram",
		  "Time HAProxy was active on a request, first byte in to last byte out (%Ta).");
	for (i = 0; i < s->n_l7; i++) {
		l = &s->l7[i];
		for (b = 0, cum = 0; b < PROXY_LOG_BUCKETS; b++) {
			cum += l->buckets[b];
			snprintf(le, sizeof(le), "%g", proxy_log_bucket_ms[b] / 1000.0);
			mx_sample(o, "xdplb_proxy_response_seconds_bucket", cum, "listener",
				  l->listener, "group", l->group, "server", l->server, "le", le,
				  NULL);
		}
		mx_sample(o, "xdplb_proxy_response_seconds_bucket", l->count, "listener",
			  l->listener, "group", l->group, "server", l->server, "le", "+Inf", NULL);
		mx_sample(o, "xdplb_proxy_response_seconds_sum", l->sum_ms / 1000.0, "listener",
			  l->listener, "group", l->group, "server", l->server, NULL);
		mx_sample(o, "xdplb_proxy_response_seconds_count", l->count, "listener",
			  l->listener, "group", l->group, "server", l->server, NULL);
	}
}

static void mx_render_region(struct mx_out *o, const struct metrics_snapshot *s)
{
	const struct region_view *v;
	size_t i;

	mx_family(o, "xdplb_dns_updates_total", "counter",
		  "RFC 2136 updates to the DNS server: sent (accepted), failed, conflict (a "
		  "prerequisite failed: another writer came first).");
	mx_sample(o, "xdplb_dns_updates_total", s->region.updates_sent, "result", "sent", NULL);
	mx_sample(o, "xdplb_dns_updates_total", s->region.updates_failed, "result", "failed", NULL);
	mx_sample(o, "xdplb_dns_updates_total", s->region.conflicts, "result", "conflict", NULL);
	mx_family(o, "xdplb_dns_reads_total", "counter",
		  "Zone transfers from the DNS server: ok or failed.");
	mx_sample(o, "xdplb_dns_reads_total", s->region.reads, "result", "ok", NULL);
	mx_sample(o, "xdplb_dns_reads_total", s->region.reads_failed, "result", "failed", NULL);
	mx_family(o, "xdplb_region_up", "gauge",
		  "1 while the majority of the other regions' observers keep the region in DNS.");
	for (i = 0; i < s->n_region_views; i++) {
		v = &s->region_views[i];
		if (v->have_verdict)
			mx_sample(o, "xdplb_region_up", !v->down, "region", v->name, NULL);
	}
	mx_family(o, "xdplb_region_seen_up", "gauge",
		  "What this node publishes of another region: 1 up, 0 down (or held down).");
	for (i = 0; i < s->n_region_views; i++) {
		v = &s->region_views[i];
		if (v->seen != REGION_SEEN_NONE)
			mx_sample(o, "xdplb_region_seen_up", v->seen == REGION_SEEN_UP, "region",
				  v->name, NULL);
	}
}

int metrics_render(const struct metrics_snapshot *s, char **text, size_t *len)
{
	struct mx_out o;

	*text = NULL;
	*len = 0;
	o.f = open_memstream(text, len);
	if (!o.f)
		return -errno;
	mx_render_node(&o, s);
	if (s->have_dp) {
		mx_render_dataplane(&o, s);
		mx_render_vips(&o, s);
		mx_render_backends(&o, s);
	}
	if (s->have_decap)
		mx_render_decap(&o, s);
	if (s->have_health)
		mx_render_health(&o, s);
	if (s->have_sync)
		mx_render_sync(&o, s);
	if (s->have_cluster)
		mx_render_cluster(&o, s);
	if (s->have_proxy_log)
		mx_render_proxy(&o, s);
	if (s->have_region)
		mx_render_region(&o, s);
	if (fclose(o.f)) {
		free(*text);
		*text = NULL;
		return -ENOMEM;
	}
	return 0;
}
