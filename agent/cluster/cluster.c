// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The zone state machine. The rules, per VIP, first match wins:
 *   - the data plane is not attached, sync has not caught up, or no backend
 *     is healthy: withdraw (the node would blackhole or break flows);
 *   - this node's zone is neither the VIP's primary nor its secondary: withdraw;
 *   - primary zone: announce with the primary preference, except right after
 *     this node became ready while no other primary peer is ready and the
 *     secondary zone is alive (it carries the traffic): then wait hold_down
 *     first, so that a flapping primary zone does not drag traffic back and forth;
 *   - secondary zone, mode backup: announce with the secondary preference;
 *   - secondary zone, mode standby: announce with the secondary preference
 *     while no primary peer has been ready for hold_down + an overlap; withdraw
 *     otherwise.
 * The secondary preference is worse everywhere, so that in every overlap the
 * router keeps the primary zone and a failback never leaves the prefix bare.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "common/log.h"

const char *cluster_verdict_name(enum cluster_verdict v)
{
	switch (v) {
	case CLUSTER_PRIMARY:
		return "primary";
	case CLUSTER_SECONDARY:
		return "secondary";
	case CLUSTER_WITHDRAW:
		break;
	}
	return "withdrawn";
}

struct cluster *cluster_new(const struct lb_config *cfg)
{
	struct cluster *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = cfg->cluster;
	c->node_id = cfg->node.id;
	snprintf(c->zone, sizeof(c->zone), "%s", cfg->node.zone);
	if (cfg->n_vips) {
		c->vips = calloc(cfg->n_vips, sizeof(*c->vips));
		if (!c->vips) {
			free(c);
			return NULL;
		}
	}
	c->n_vips = cfg->n_vips;
	return c;
}

void cluster_free(struct cluster *c)
{
	if (!c)
		return;
	free(c->vips);
	free(c);
}

static bool cluster_same_vip(const struct cfg_vip *a, const struct cfg_vip *b)
{
	return cfg_addr_equal(&a->addr, &b->addr) && a->port == b->port && a->proto == b->proto;
}

int cluster_reconfigure(struct cluster *c, const struct lb_config *old, const struct lb_config *cfg)
{
	struct cluster_vip_state *vips = NULL;
	size_t i, j;

	if (cfg->n_vips) {
		vips = calloc(cfg->n_vips, sizeof(*vips));
		if (!vips)
			return -ENOMEM;
	}
	for (i = 0; i < cfg->n_vips; i++)
		for (j = 0; j < old->n_vips && j < c->n_vips; j++)
			if (cluster_same_vip(&cfg->vips[i], &old->vips[j]))
				vips[i] = c->vips[j];
	free(c->vips);
	c->vips = vips;
	c->n_vips = cfg->n_vips;
	c->cfg = cfg->cluster;
	c->node_id = cfg->node.id;
	snprintf(c->zone, sizeof(c->zone), "%s", cfg->node.zone);
	return 0;
}

void cluster_adopt_routes(struct cluster *c, const struct lb_config *cfg,
			  const struct announce_route *routes, size_t n)
{
	size_t i, j;

	for (i = 0; i < cfg->n_vips && i < c->n_vips; i++)
		for (j = 0; j < n; j++)
			if (cfg_addr_equal(&routes[j].addr, &cfg->vips[i].addr))
				c->vips[i].verdict = routes[j].metric > c->cfg.metric_primary
							 ? CLUSTER_SECONDARY
							 : CLUSTER_PRIMARY;
}

/* Peers as the heartbeats show them now: keeps ready_ms of those still ready. */
static void cluster_track_peers(struct cluster *c, const struct cluster_inputs *in)
{
	struct cluster_peer next[CLUSTER_PEERS_MAX];
	size_t i, j, n = 0;

	for (i = 0; i < in->n_peers && n < CLUSTER_PEERS_MAX; i++) {
		const struct sync_peer_info *p = &in->peers[i];
		struct cluster_peer *q = &next[n++];

		memset(q, 0, sizeof(*q));
		q->id = p->id;
		snprintf(q->zone, sizeof(q->zone), "%s", p->zone);
		q->in_sync = p->in_sync;
		if (!p->in_sync)
			continue;
		q->ready_ms = in->now_ms;
		for (j = 0; j < c->n_peers; j++)
			if (c->peers[j].id == p->id && c->peers[j].ready_ms &&
			    !strcmp(c->peers[j].zone, q->zone))
				q->ready_ms = c->peers[j].ready_ms;
	}
	memcpy(c->peers, next, n * sizeof(next[0]));
	c->n_peers = n;
}

struct cluster_zone_view {
	size_t alive; /* live peers of the zone (not counting this node) */
	size_t ready; /* of those, ready for at least the asked time */
};

static struct cluster_zone_view cluster_zone(const struct cluster *c, const char *zone,
					     uint64_t now_ms, uint64_t for_ms)
{
	struct cluster_zone_view v = {};
	size_t i;

	for (i = 0; i < c->n_peers; i++) {
		const struct cluster_peer *p = &c->peers[i];

		if (strcmp(p->zone, zone))
			continue;
		v.alive++;
		if (p->ready_ms && now_ms - p->ready_ms >= for_ms)
			v.ready++;
	}
	return v;
}

static enum cluster_verdict
cluster_decide_primary(const struct cluster *c, const struct cfg_vip *vip, enum cluster_verdict now,
		       const struct cluster_inputs *in, char *why, size_t len)
{
	uint64_t hold = c->cfg.hold_down_ms, up = in->now_ms - c->ready_ms;
	struct cluster_zone_view mine, other;

	if (!vip->primary_zone[0]) {
		snprintf(why, len, "no zones: every node serves it");
		return CLUSTER_PRIMARY;
	}
	mine = cluster_zone(c, c->zone, in->now_ms, hold);
	if (mine.ready) {
		snprintf(why, len, "primary zone %s: %zu other node(s) serving", c->zone,
			 mine.ready);
		return CLUSTER_PRIMARY;
	}
	other = vip->secondary_zone[0] ? cluster_zone(c, vip->secondary_zone, in->now_ms, 0)
				       : (struct cluster_zone_view){};
	/* Only a return waits: a node already serving keeps serving when the secondary shows up. */
	if (other.alive && up < hold && now != CLUSTER_PRIMARY) {
		snprintf(why, len,
			 "failback hold-down: zone %s (%zu node(s)) keeps it for %llu ms more",
			 vip->secondary_zone, other.alive, (unsigned long long)(hold - up));
		return CLUSTER_WITHDRAW;
	}
	snprintf(why, len, "primary zone %s", c->zone);
	return CLUSTER_PRIMARY;
}

static enum cluster_verdict cluster_decide_secondary(const struct cluster *c,
						     const struct cfg_vip *vip,
						     const struct cluster_inputs *in, char *why,
						     size_t len)
{
	struct cluster_zone_view prim;

	prim = cluster_zone(c, vip->primary_zone, in->now_ms,
			    (uint64_t)c->cfg.hold_down_ms + CLUSTER_FAILBACK_OVERLAP_MS);
	if (c->cfg.secondary_mode == CFG_SECONDARY_BACKUP) {
		snprintf(why, len, "backup for zone %s (%zu node(s) alive there)",
			 vip->primary_zone, prim.alive);
		return CLUSTER_SECONDARY;
	}
	if (prim.ready) {
		snprintf(why, len, "standby: primary zone %s serves (%zu of %zu node(s) ready)",
			 vip->primary_zone, prim.ready, prim.alive);
		return CLUSTER_WITHDRAW;
	}
	if (prim.alive)
		snprintf(why, len,
			 "primary zone %s recovering (%zu node(s) alive, none ready for the "
			 "hold-down)",
			 vip->primary_zone, prim.alive);
	else
		snprintf(why, len, "primary zone %s down: no live node", vip->primary_zone);
	return CLUSTER_SECONDARY;
}

static enum cluster_verdict cluster_decide(const struct cluster *c, const struct cfg_vip *vip,
					   enum cluster_verdict now, bool healthy,
					   const struct cluster_inputs *in, char *why, size_t len)
{
	if (!in->attached) {
		snprintf(why, len, "data plane not attached");
		return CLUSTER_WITHDRAW;
	}
	if (!in->in_sync) {
		snprintf(why, len, "sync catching up");
		return CLUSTER_WITHDRAW;
	}
	if (!healthy) {
		snprintf(why, len, "no healthy backend");
		return CLUSTER_WITHDRAW;
	}
	if (!vip->primary_zone[0] || !strcmp(vip->primary_zone, c->zone))
		return cluster_decide_primary(c, vip, now, in, why, len);
	if (!strcmp(vip->secondary_zone, c->zone))
		return cluster_decide_secondary(c, vip, in, why, len);
	snprintf(why, len, "zone %s is neither primary (%s) nor secondary (%s)", c->zone,
		 vip->primary_zone, vip->secondary_zone[0] ? vip->secondary_zone : "none");
	return CLUSTER_WITHDRAW;
}

static void cluster_record(struct cluster *c, const struct cfg_vip *vip, enum cluster_verdict from,
			   enum cluster_verdict to, const char *why, uint64_t now_ms)
{
	struct cluster_transition *t = &c->log[c->log_next];

	memset(t, 0, sizeof(*t));
	t->at = time(NULL);
	t->at_ms = now_ms;
	cfg_vip_label(vip, t->vip, sizeof(t->vip));
	t->from = from;
	t->to = to;
	snprintf(t->why, sizeof(t->why), "%s", why);
	c->log_next = (c->log_next + 1) % CLUSTER_TRANSITIONS_MAX;
	if (c->log_len < CLUSTER_TRANSITIONS_MAX)
		c->log_len++;
	c->transitions++;
	log_info("cluster: %s: %s -> %s: %s", t->vip, cluster_verdict_name(from),
		 cluster_verdict_name(to), why);
}

size_t cluster_update(struct cluster *c, const struct lb_config *cfg,
		      const struct cluster_inputs *in)
{
	char why[CLUSTER_WHY_MAX], label[CFG_LABEL_MAX];
	enum cluster_verdict v;
	size_t i, changed = 0;

	cluster_track_peers(c, in);
	if (!in->attached || !in->in_sync)
		c->ready_ms = 0;
	else if (!c->ready_ms)
		c->ready_ms = in->now_ms;
	for (i = 0; i < cfg->n_vips && i < c->n_vips; i++) {
		struct cluster_vip_state *s = &c->vips[i];

		v = cluster_decide(c, &cfg->vips[i], s->verdict, in->vip_healthy[i], in, why,
				   sizeof(why));
		if (v != s->verdict) {
			cluster_record(c, &cfg->vips[i], s->verdict, v, why, in->now_ms);
			s->verdict = v;
			s->since_ms = in->now_ms;
			changed++;
		} else if (!s->since_ms) {
			s->since_ms = in->now_ms;
			cfg_vip_label(&cfg->vips[i], label, sizeof(label));
			log_info("cluster: %s: %s: %s", label, cluster_verdict_name(v), why);
		}
		snprintf(s->why, sizeof(s->why), "%s", why);
	}
	return changed;
}

size_t cluster_routes(const struct cluster *c, const struct lb_config *cfg,
		      struct announce_route *out, size_t max)
{
	size_t i, j, n = 0;
	uint32_t metric;

	for (i = 0; i < cfg->n_vips && i < c->n_vips; i++) {
		if (c->vips[i].verdict == CLUSTER_WITHDRAW)
			continue;
		metric = c->vips[i].verdict == CLUSTER_PRIMARY ? c->cfg.metric_primary
							       : c->cfg.metric_secondary;
		for (j = 0; j < n; j++)
			if (cfg_addr_equal(&out[j].addr, &cfg->vips[i].addr))
				break;
		if (j < n) {
			if (metric < out[j].metric)
				out[j].metric = metric;
			continue;
		}
		if (n == max)
			break;
		out[n].addr = cfg->vips[i].addr;
		out[n].metric = metric;
		n++;
	}
	return n;
}

const struct cluster_transition *cluster_transition_get(const struct cluster *c, size_t i)
{
	if (i >= c->log_len)
		return NULL;
	return &c->log[(c->log_next + CLUSTER_TRANSITIONS_MAX - 1 - i) % CLUSTER_TRANSITIONS_MAX];
}
