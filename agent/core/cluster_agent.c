// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The cluster subsystem in the agent: every cluster.interval it reads what
 * the state machine needs (XDP attached, sync state and live peers, healthy
 * backends per VIP), lets cluster.c decide, and makes the announce table hold
 * the routes the verdicts ask for. BIRD does the rest, so a BIRD restart never
 * touches the data plane, and a killed agent leaves its routes where they are
 * (the XDP program keeps forwarding: the node keeps its traffic, hitless).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <bpf/libbpf.h>

#include "common/clock.h"
#include "cluster/announce.h"
#include "cluster/cluster.h"
#include "core/parts.h"
#include "core/cluster_agent.h"
#include "dataplane/dataplane.h"
#include "common/log.h"
#include "sync/sync.h"

/* The table is read back this often: a route someone removed is put back within it. */
#define CLUSTER_AGENT_REREAD_MS 1000

struct cluster_agent {
	struct cluster *sm;
	struct announce *an;
	int timerfd;
	uint32_t table;
	/* The last inputs, for the control verb. */
	bool attached, in_sync;
	struct sync_peer_info peers[SYNC_PEERS_MAX];
	size_t n_peers;
	bool *healthy;
	size_t n_healthy;
	uint64_t reread_ms; /* when the table was last read back from the kernel */
};

int cluster_agent_fd(const struct cluster_agent *cl)
{
	return cl->timerfd;
}

static int cluster_agent_arm(struct cluster_agent *cl, uint32_t interval_ms)
{
	struct itimerspec its = {
	    .it_interval = {interval_ms / 1000, (interval_ms % 1000) * 1000000L},
	    .it_value = {0, 1000000L}, /* the first decision at once */
	};

	return timerfd_settime(cl->timerfd, 0, &its, NULL) ? -errno : 0;
}

static void cluster_agent_free(struct cluster_agent *cl, bool withdraw)
{
	if (!cl)
		return;
	announce_close(cl->an, withdraw);
	cluster_free(cl->sm);
	if (cl->timerfd >= 0)
		close(cl->timerfd);
	free(cl->healthy);
	free(cl);
}

static struct cluster_agent *cluster_agent_new(const struct lb_config *cfg)
{
	struct cluster_agent *cl = calloc(1, sizeof(*cl));
	struct announce_route adopted[ANNOUNCE_MAX];
	size_t n;
	int err;

	if (!cl)
		return NULL;
	cl->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	cl->sm = cluster_new(cfg);
	cl->table = cfg->cluster.announce_table;
	if (cl->timerfd < 0 || !cl->sm) {
		err = -errno;
		goto cleanup;
	}
	cl->an = announce_open(cl->table);
	if (!cl->an) {
		err = -errno;
		goto cleanup;
	}
	n = announce_get(cl->an, adopted, ANNOUNCE_MAX);
	cluster_adopt_routes(cl->sm, cfg, adopted, n < ANNOUNCE_MAX ? n : ANNOUNCE_MAX);
	err = cluster_agent_arm(cl, cfg->cluster.interval_ms);
	if (err)
		goto cleanup;
	return cl;
cleanup:
	cluster_agent_free(cl, false);
	errno = -err;
	return NULL;
}

int cluster_agent_open(struct agent *a)
{
	struct epoll_event ev = {.events = EPOLLIN};

	if (!a->cfg.cluster.enabled)
		return 0;
	a->cluster = cluster_agent_new(&a->cfg);
	if (!a->cluster) {
		log_warnx("cluster: cannot start: %s", strerror(errno));
		return -errno;
	}
	ev.data.fd = a->cluster->timerfd;
	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev)) {
		log_warn("cluster: epoll_ctl");
		return -errno;
	}
	/* Without heartbeats no primary peer is ever alive: a standby would always stand in. */
	if (!a->sync && a->cfg.cluster.secondary_mode == CFG_SECONDARY_STANDBY)
		log_warnx("cluster: sync is off: secondary-zone VIPs of this node are announced "
			  "all the time (with the worse preference), as in backup mode");
	log_info("cluster: zone %s, VIP routes in table %u, secondary mode %s, hold-down %u ms",
		 a->cfg.node.zone, a->cfg.cluster.announce_table,
		 a->cfg.cluster.secondary_mode == CFG_SECONDARY_BACKUP ? "backup" : "standby",
		 a->cfg.cluster.hold_down_ms);
	return 0;
}

void cluster_agent_close(struct agent *a)
{
	if (!a->cluster)
		return;
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, a->cluster->timerfd, NULL);
	cluster_agent_free(a->cluster, true);
	a->cluster = NULL;
}

/* Attached means the kernel says some XDP program is on the interface, not what we believe. */
static bool cluster_agent_attached(const struct agent *a)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (!a->dp || !dataplane_attached(a->dp))
		return false;
	if (bpf_xdp_query(dataplane_ifindex(a->dp), 0, &q))
		return false;
	return q.prog_id || q.drv_prog_id || q.skb_prog_id;
}

/* A VIP can take new flows while one of its backends is up (healthy, next hop known, no drain). */
static bool cluster_agent_vip_healthy(const struct agent *a, const struct cfg_vip *v)
{
	uint32_t idx;
	size_t i;

	for (i = 0; i < v->n_backends; i++) {
		idx = dataplane_pair_index(a->dp, v, &v->backends[i].addr);
		if (idx && !strcmp(dataplane_backend_state(a->dp, idx), "up") &&
		    dataplane_weight(a->dp, v, &v->backends[i]))
			return true;
	}
	return false;
}

void cluster_agent_process(struct agent *a)
{
	struct cluster_agent *cl = a->cluster;
	struct announce_route routes[ANNOUNCE_MAX];
	struct cluster_inputs in = {};
	uint64_t expirations;
	bool *healthy;
	size_t i, n;

	if (read(cl->timerfd, &expirations, sizeof(expirations)) < 0)
		return;
	if (a->cfg.n_vips > cl->n_healthy) {
		healthy = realloc(cl->healthy, a->cfg.n_vips * sizeof(*healthy));
		if (!healthy)
			return;
		cl->healthy = healthy;
		cl->n_healthy = a->cfg.n_vips;
	}
	cl->attached = cluster_agent_attached(a);
	/*
	 * A data plane adopted from the pins never stopped forwarding: its conntrack is as current
	 * as the routes a killed agent left, so the restart keeps announcing through the catch-up.
	 */
	cl->in_sync = !a->sync || sync_in_sync(a->sync) || (a->dp && dataplane_adopted(a->dp));
	n = a->sync ? sync_get_peers(a->sync, cl->peers, SYNC_PEERS_MAX) : 0;
	cl->n_peers = n < SYNC_PEERS_MAX ? n : SYNC_PEERS_MAX;
	for (i = 0; i < a->cfg.n_vips; i++)
		cl->healthy[i] = a->dp && cluster_agent_vip_healthy(a, &a->cfg.vips[i]);
	in.now_ms = clock_now_ms();
	in.attached = cl->attached;
	in.in_sync = cl->in_sync;
	in.peers = cl->peers;
	in.n_peers = cl->n_peers;
	in.vip_healthy = cl->healthy;
	cluster_update(cl->sm, &a->cfg, &in);
	if (in.now_ms - cl->reread_ms >= CLUSTER_AGENT_REREAD_MS) {
		cl->reread_ms = in.now_ms;
		announce_reread(cl->an);
	}
	n = cluster_routes(cl->sm, &a->cfg, routes, ANNOUNCE_MAX);
	/* Failures are logged by announce_set and retried next interval. */
	announce_set(cl->an, routes, n);
}

int cluster_agent_reload(struct agent *a, const struct lb_config *next)
{
	struct cluster_agent *cl = a->cluster;
	struct epoll_event ev = {.events = EPOLLIN};
	int err;

	if (cl && (!next->cluster.enabled || next->cluster.announce_table != cl->table)) {
		cluster_agent_close(a);
		cl = NULL;
	}
	if (!cl) {
		if (!next->cluster.enabled)
			return 0;
		/* Opened against next: a->cfg is still the old config here. */
		a->cluster = cluster_agent_new(next);
		if (!a->cluster)
			return -errno;
		ev.data.fd = a->cluster->timerfd;
		return epoll_ctl(a->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) ? -errno : 0;
	}
	err = cluster_reconfigure(cl->sm, &a->cfg, next);
	if (!err && next->cluster.interval_ms != a->cfg.cluster.interval_ms)
		err = cluster_agent_arm(cl, next->cluster.interval_ms);
	return err;
}

/* --- lbctl cluster ------------------------------------------------------------------------- */

static json_t *cluster_agent_node(uint32_t id, bool self, const char *addr, uint64_t last_seen_ms,
				  bool in_sync, uint64_t ready_for_ms)
{
	return json_pack("{s:I, s:b, s:s, s:I, s:b, s:I}", "id", (json_int_t)id, "self", self,
			 "address", addr, "last_seen_ms", (json_int_t)last_seen_ms, "in_sync",
			 in_sync, "ready_for_ms", (json_int_t)ready_for_ms);
}

/* Zones as this node sees them: itself and every live peer, grouped. */
static json_t *cluster_agent_zones(const struct agent *a, uint64_t now)
{
	const struct cluster_agent *cl = a->cluster;
	const struct cluster *sm = cl->sm;
	json_t *zones = json_object(), *list;
	size_t i, j;

	json_object_set_new(zones, a->cfg.node.zone, json_array());
	json_array_append_new(json_object_get(zones, a->cfg.node.zone),
			      cluster_agent_node(a->cfg.node.id, true, "", 0, cl->in_sync,
						 sm->ready_ms ? now - sm->ready_ms : 0));
	for (i = 0; i < cl->n_peers; i++) {
		const struct sync_peer_info *p = &cl->peers[i];
		uint64_t ready = 0;

		for (j = 0; j < sm->n_peers; j++)
			if (sm->peers[j].id == p->id && sm->peers[j].ready_ms)
				ready = now - sm->peers[j].ready_ms;
		list = json_object_get(zones, p->zone);
		if (!list) {
			list = json_array();
			json_object_set_new(zones, p->zone, list);
		}
		json_array_append_new(list, cluster_agent_node(p->id, false, p->addr,
							       p->last_seen_ms, p->in_sync, ready));
	}
	return zones;
}

/* Which zone carries the VIP, as far as this node can tell from the heartbeats. */
static const char *cluster_agent_served_by(const struct agent *a, const struct cfg_vip *v,
					   enum cluster_verdict verdict)
{
	const struct cluster *sm = a->cluster->sm;
	bool secondary_alive = false;
	size_t i;

	if (verdict != CLUSTER_WITHDRAW &&
	    (!v->primary_zone[0] || !strcmp(v->primary_zone, a->cfg.node.zone)))
		return a->cfg.node.zone;
	if (!v->primary_zone[0])
		return "";
	for (i = 0; i < sm->n_peers; i++) {
		if (!strcmp(sm->peers[i].zone, v->primary_zone) && sm->peers[i].ready_ms)
			return v->primary_zone;
		secondary_alive |= !strcmp(sm->peers[i].zone, v->secondary_zone);
	}
	if (verdict != CLUSTER_WITHDRAW || secondary_alive)
		return v->secondary_zone;
	return "";
}

static json_t *cluster_agent_vips(const struct agent *a, uint64_t now)
{
	const struct cluster *sm = a->cluster->sm;
	char label[CFG_LABEL_MAX], addr[CFG_ADDR_STRLEN];
	json_t *vips = json_array();
	size_t i;

	for (i = 0; i < a->cfg.n_vips && i < sm->n_vips; i++) {
		const struct cfg_vip *v = &a->cfg.vips[i];
		const struct cluster_vip_state *s = &sm->vips[i];

		cfg_vip_label(v, label, sizeof(label));
		cfg_format_addr(&v->addr, addr, sizeof(addr));
		json_array_append_new(
		    vips,
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "vip", label, "address",
			      addr, "primary_zone", v->primary_zone, "secondary_zone",
			      v->secondary_zone, "verdict", cluster_verdict_name(s->verdict),
			      "served_by", cluster_agent_served_by(a, v, s->verdict), "for_ms",
			      (json_int_t)(s->since_ms ? now - s->since_ms : 0), "why", s->why));
	}
	return vips;
}

static json_t *cluster_agent_transitions(const struct cluster *sm)
{
	const struct cluster_transition *t;
	json_t *list = json_array();
	char at[32];
	struct tm tm;
	size_t i;

	for (i = 0; (t = cluster_transition_get(sm, i)); i++) {
		gmtime_r(&t->at, &tm);
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_array_append_new(list, json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s}", "at",
						      at, "time", (json_int_t)t->at, "at_ms",
						      (json_int_t)t->at_ms, "vip", t->vip, "from",
						      cluster_verdict_name(t->from), "to",
						      cluster_verdict_name(t->to), "why", t->why));
	}
	return list;
}

static json_t *cluster_agent_routes(const struct cluster_agent *cl)
{
	struct announce_route r[ANNOUNCE_MAX];
	char addr[CFG_ADDR_STRLEN];
	json_t *list = json_array();
	size_t i, n = announce_get(cl->an, r, ANNOUNCE_MAX);

	for (i = 0; i < n && i < ANNOUNCE_MAX; i++) {
		json_array_append_new(list,
				      json_pack("{s:s, s:I}", "address",
						cfg_format_addr(&r[i].addr, addr, sizeof(addr)),
						"metric", (json_int_t)r[i].metric));
	}
	return list;
}

int cluster_agent_verb(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;
	const struct cluster_agent *cl = a->cluster;
	uint64_t now = clock_now_ms();

	(void)args;
	if (!cl) {
		*result = json_pack("{s:b}", "enabled", false);
		return *result ? 0 : -ENOMEM;
	}
	*result = json_pack(
	    "{s:b, s:I, s:s, s:s, s:I, s:I, s:b, s:b, s:b, s:o, s:o, s:o, s:o, s:I}", "enabled",
	    true, "node_id", (json_int_t)a->cfg.node.id, "zone", a->cfg.node.zone, "secondary_mode",
	    a->cfg.cluster.secondary_mode == CFG_SECONDARY_BACKUP ? "backup" : "standby",
	    "hold_down_ms", (json_int_t)a->cfg.cluster.hold_down_ms, "announce_table",
	    (json_int_t)cl->table, "attached", cl->attached, "in_sync", cl->in_sync, "ready",
	    cl->sm->ready_ms != 0, "zones", cluster_agent_zones(a, now), "vips",
	    cluster_agent_vips(a, now), "routes", cluster_agent_routes(cl), "transitions",
	    cluster_agent_transitions(cl->sm), "transitions_total",
	    (json_int_t)cl->sm->transitions);
	if (!*result)
		snprintf(err, errlen, "cluster: out of memory");
	return *result ? 0 : -ENOMEM;
}

static int cluster_agent_reload_part(struct agent *a, const struct lb_config *next)
{
	return a->dp && cluster_agent_reload(a, next) ? -EIO : 0;
}

static int cluster_agent_fd_part(const struct agent *a)
{
	return a->cluster ? cluster_agent_fd(a->cluster) : -1;
}

const struct agent_part agent_part_cluster = {
    .name = "cluster",
    .roles = AGENT_PART_BALANCER,
    .start = cluster_agent_open,
    /* Before the swap, whatever happened: the state machine maps its verdicts to the new VIPs. */
    .reload = cluster_agent_reload_part,
    .reload_always = true,
    .stop = cluster_agent_close,
    .fd = cluster_agent_fd_part,
    .event = cluster_agent_process,
};
