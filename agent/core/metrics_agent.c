// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A scrape's snapshot of the agent: the model, the per-CPU counters of the
 * live maps (summed over CPUs), health verdicts and sync statistics. Taken on
 * the agent's thread, so it reads the same state lbctl's verbs do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <bpf/bpf.h>

#include "backend/backend_state.h"
#include "core/parts.h"
#include "core/cluster_agent.h"
#include "dataplane/ct_seen.h"
#include "dataplane/dataplane.h"
#include "health/health.h"
#include "common/log.h"
#include "core/metrics_agent.h"
#include "common/ct_walk.h"
#include "sync/sync.h"

int agent_metrics_open(struct agent *a)
{
	struct epoll_event ev = {.events = EPOLLIN};

	if (!a->cfg.node.metrics.enabled)
		return 0;
	a->metrics = metrics_open(&a->cfg.node.metrics, agent_metrics_render, a);
	if (!a->metrics)
		return -errno;
	ev.data.fd = metrics_fd(a->metrics);
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev)) {
		log_warn("metrics: epoll_ctl");
		agent_metrics_close(a);
		return -errno;
	}
	return 0;
}

void agent_metrics_close(struct agent *a)
{
	if (!a->metrics)
		return;
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, metrics_fd(a->metrics), NULL);
	metrics_close(a->metrics);
	a->metrics = NULL;
}

int agent_metrics_update(struct agent *a, const struct cfg_metrics *old)
{
	const struct cfg_metrics *m = &a->cfg.node.metrics;

	/* Only where it listens moves the endpoint: per_backend is read at each scrape. */
	if (old->enabled == m->enabled && old->port == m->port && cfg_addr_equal(&old->addr, &m->addr))
		return 0;
	agent_metrics_close(a);
	return agent_metrics_open(a);
}

#define MX_CT_CHUNK 262144

/*
 * Only for kernels before 6.6, which keep no element count a BPF program can
 * read (dataplane_ct_entries): every scrape then counts the table on the
 * agent's loop, a walk of the whole table.
 */
static uint64_t mx_count_conntrack(int fd)
{
	struct ct_walk *w = ct_walk_open(fd, MX_CT_CHUNK);
	uint64_t n = 0;

	while (w && !w->done && !ct_walk_next(w))
		n += w->n;
	ct_walk_close(w);
	return n;
}

static void mx_fill_vip(struct agent *a, const struct cfg_vip *v, struct mx_vip *out)
{
	struct lb_vip_stats st = {};
	uint32_t idx, b;
	size_t i;

	cfg_vip_label(v, out->name, sizeof(out->name));
	if (!dataplane_vip_index(a->dp, v, &idx))
		dataplane_read_percpu(a->dp, dataplane_map_fd(a->dp, "lb_vip_stats"), idx, &st,
				      sizeof(st));
	out->packets = st.packets;
	out->bytes = st.bytes;
	out->new_flows = st.new_flows;
	out->ct_hits = st.ct_hits;
	out->ct_misses = st.ct_misses;
	out->backends = v->n_backends;
	for (i = 0; i < v->n_backends; i++) {
		b = dataplane_pair_index(a->dp, v, &v->backends[i].addr);
		out->backends_up += b && !strcmp(dataplane_backend_state(a->dp, b), "up");
	}
}

static void mx_fill_backend(struct agent *a, const struct cfg_vip *v, const struct cfg_backend *be,
			    struct mx_backend *out)
{
	uint32_t idx = dataplane_pair_index(a->dp, v, &be->addr);
	struct lb_backend_stats st = {};

	cfg_vip_label(v, out->vip, sizeof(out->vip));
	cfg_format_addr(&be->addr, out->addr, sizeof(out->addr));
	snprintf(out->zone, sizeof(out->zone), "%s", be->zone[0] ? be->zone : a->cfg.node.zone);
	out->state = idx ? dataplane_backend_state(a->dp, idx) : "down";
	if (idx)
		dataplane_read_percpu(a->dp, dataplane_map_fd(a->dp, "lb_backend_stats"), idx, &st,
				      sizeof(st));
	out->packets = st.packets;
	out->bytes = st.bytes;
	out->new_flows = st.new_flows;
	out->checked = a->health && !health_check_status(a->health, &be->addr,
							 be->health ?: &v->health, &out->health);
}

static int mx_fill_dataplane(struct agent *a, struct metrics_snapshot *s)
{
	const struct lb_config *cfg = &a->cfg;
	int stats_fd = dataplane_map_fd(a->dp, "lb_stats");
	int drops_fd = dataplane_map_fd(a->dp, "lb_drops");
	int sc_fd = dataplane_map_fd(a->dp, "lb_sc_stats");
	struct lb_counter c;
	size_t i, j, n = 0;
	int seen;

	s->have_dp = true;
	s->next_hops_pending = dataplane_next_hops_pending(a->dp);
	if (dataplane_ct_entries(a->dp, &s->conntrack_entries))
		s->conntrack_entries = mx_count_conntrack(dataplane_map_fd(a->dp, "lb_conntrack"));
	seen = ct_seen_count(dataplane_map_fd(a->dp, "lb_ct_new"));
	s->conntrack_unconfirmed = seen > 0 ? (uint64_t)seen : 0;
	for (i = 0; i < LB_STAT_MAX; i++)
		if (!dataplane_read_percpu(a->dp, stats_fd, i, &c, sizeof(c)))
			s->stats[i] = c.packets;
	for (i = 1; i < LB_DROP_MAX; i++)
		dataplane_read_percpu(a->dp, drops_fd, i, &s->drops[i], sizeof(s->drops[i]));
	for (i = 0; i < LB_SC_MAX; i++)
		dataplane_read_percpu(a->dp, sc_fd, i, &s->sc[i], sizeof(s->sc[i]));

	s->vips = calloc(cfg->n_vips ?: 1, sizeof(*s->vips));
	/* Off, the backend families are left empty: ten series a pair is 100 MB at an edge. */
	for (i = 0; i < cfg->n_vips && cfg->node.metrics.per_backend; i++)
		n += cfg->vips[i].n_backends;
	s->backends = calloc(n ?: 1, sizeof(*s->backends));
	if (!s->vips || !s->backends)
		return -ENOMEM;
	for (i = 0; i < cfg->n_vips; i++) {
		mx_fill_vip(a, &cfg->vips[i], &s->vips[s->n_vips++]);
		/* One series per (VIP, backend) pair: each has its own slot, state and counters. */
		for (j = 0; j < cfg->vips[i].n_backends && cfg->node.metrics.per_backend; j++)
			mx_fill_backend(a, &cfg->vips[i], &cfg->vips[i].backends[j],
					&s->backends[s->n_backends++]);
	}
	return 0;
}

/* A backend's decap program, read from its pins; nothing pinned leaves the counters at 0. */
static int mx_fill_decap(struct agent *a, struct metrics_snapshot *s)
{
	struct backend_state st;
	int err = backend_state_read(&a->cfg, &st), i;

	if (err)
		return err;
	s->have_decap = true;
	memcpy(s->decap, st.decap, sizeof(s->decap));
	memcpy(s->drops, st.drops, sizeof(s->drops));
	memcpy(s->sc, st.sc, sizeof(s->sc));
	for (i = 0; i < LB_STAT_MAX; i++)
		s->stats[i] = st.stats[i].packets;
	return 0;
}

static int mx_fill_sync(struct agent *a, struct metrics_snapshot *s)
{
	s->have_sync = true;
	s->sync = *sync_get_stats(a->sync);
	s->in_sync = sync_in_sync(a->sync);
	s->sync_queue_depth = sync_queue_depth(a->sync);
	s->peers = calloc(SYNC_PEERS_MAX, sizeof(*s->peers));
	if (!s->peers)
		return -ENOMEM;
	s->n_peers = sync_get_peers(a->sync, s->peers, SYNC_PEERS_MAX);
	if (s->n_peers > SYNC_PEERS_MAX)
		s->n_peers = SYNC_PEERS_MAX;
	return 0;
}

static void mx_copy(char *dst, size_t size, json_t *obj, const char *key)
{
	snprintf(dst, size, "%s", json_string_value(json_object_get(obj, key)) ?: "");
}

/* The zone state machine keeps its state private: its control verb's answer is the interface. */
static int mx_fill_cluster(struct agent *a, struct metrics_snapshot *s)
{
	json_t *res = NULL, *args = json_object(), *vips, *zones, *item, *nodes;
	const char *zone;
	char err[256];
	size_t i;
	int ret;

	ret = args ? cluster_agent_verb(a, args, &res, err, sizeof(err)) : -ENOMEM;
	json_decref(args);
	if (ret)
		return ret;
	if (!json_is_true(json_object_get(res, "enabled")))
		goto cleanup;
	s->have_cluster = true;
	s->cluster_ready = json_is_true(json_object_get(res, "ready"));
	s->cluster_transitions = json_integer_value(json_object_get(res, "transitions_total"));
	vips = json_object_get(res, "vips");
	zones = json_object_get(res, "zones");
	s->cluster_vips = calloc(json_array_size(vips) ?: 1, sizeof(*s->cluster_vips));
	s->zones = calloc(json_object_size(zones) ?: 1, sizeof(*s->zones));
	if (!s->cluster_vips || !s->zones) {
		ret = -ENOMEM;
		goto cleanup;
	}
	json_array_foreach (vips, i, item) {
		struct mx_cluster_vip *v = &s->cluster_vips[s->n_cluster_vips++];

		mx_copy(v->name, sizeof(v->name), item, "vip");
		mx_copy(v->verdict, sizeof(v->verdict), item, "verdict");
		mx_copy(v->served_by, sizeof(v->served_by), item, "served_by");
		v->for_s = json_integer_value(json_object_get(item, "for_ms")) / 1e3;
	}
	json_object_foreach (zones, zone, nodes) {
		struct mx_zone *z = &s->zones[s->n_zones++];

		snprintf(z->zone, sizeof(z->zone), "%s", zone);
		z->nodes = json_array_size(nodes);
	}
cleanup:
	json_decref(res);
	return ret;
}

int agent_metrics_render(void *ctx, char **text, size_t *len)
{
	struct agent *a = ctx;
	struct metrics_snapshot s = {
	    .version = XDPLB_VERSION,
	    .node_id = a->cfg.node.id,
	    .zone = a->cfg.node.zone,
	    .role = cfg_role_name(a->role),
	    .started = a->started,
	    .attached = a->dp ? dataplane_attached(a->dp) : a->backend_applied,
	    .reloads_ok = a->reloads_ok,
	    .reloads_failed = a->reloads_failed,
	    .last_reload_ok = !a->last_reload_error[0],
	    .config_loaded_at = a->config_loaded_at,
	    .control_rejected = a->ctl ? control_rejected(a->ctl) : 0,
	};
	int err = 0;

	if (a->dp)
		err = mx_fill_dataplane(a, &s);
	else if (a->role != CFG_ROLE_BALANCER) /* backend or proxy: decap */
		err = mx_fill_decap(a, &s);
	if (!err && a->health) {
		s.have_health = true;
		health_get_stats(a->health, &s.health);
	}
	if (!err && a->sync)
		err = mx_fill_sync(a, &s);
	if (!err && a->cluster)
		err = mx_fill_cluster(a, &s);
	if (a->proxy_log) {
		s.have_proxy_log = true;
		s.proxy_log = *proxy_log_stats(a->proxy_log);
		s.l7 = proxy_log_series(a->proxy_log, &s.n_l7);
	}
	if (!err && a->region) {
		s.have_region = true;
		region_get_stats(a->region, &s.region);
		s.n_region_views = region_get_views(a->region, s.region_views, CFG_REGIONS_MAX);
	}
	if (!err)
		err = metrics_render(&s, text, len);
	free(s.vips);
	free(s.backends);
	free(s.peers);
	free(s.cluster_vips);
	free(s.zones);
	return err;
}

static int agent_metrics_reloaded(struct agent *a, const struct lb_config *old)
{
	return agent_metrics_update(a, &old->node.metrics);
}

static int agent_metrics_fd(const struct agent *a)
{
	return a->metrics ? metrics_fd(a->metrics) : -1;
}

static void agent_metrics_event(struct agent *a)
{
	metrics_process(a->metrics);
}

/* MHD enforces its connection timeout only when it runs. */
static void agent_metrics_tick(struct agent *a)
{
	if (a->metrics)
		metrics_process(a->metrics);
}

const struct agent_part agent_part_metrics = {
    .name = "metrics endpoint",
    .roles = AGENT_PART_BALANCER | AGENT_PART_BACKEND | AGENT_PART_PROXY,
    .start = agent_metrics_open,
    .reloaded = agent_metrics_reloaded,
    .stop = agent_metrics_close,
    .fd = agent_metrics_fd,
    .event = agent_metrics_event,
    .tick = agent_metrics_tick,
};
