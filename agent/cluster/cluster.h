/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The zone state machine: per VIP, announce (primary preference), announce
 * with the worse (secondary) preference, or withdraw, from what the node knows:
 * data plane attached, sync caught up, a healthy backend, its zone against the
 * VIP's zones, and the live peers per zone from the sync heartbeats. Pure
 * decisions over inputs (cluster_update), so that tests drive it with a clock.
 */
#ifndef XDPLB_CLUSTER_H
#define XDPLB_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cluster/announce.h"
#include "config/config.h"
#include "model/model.h"
#include "sync/sync.h"

#define CLUSTER_TRANSITIONS_MAX 64 /* kept for lbctl cluster, oldest dropped first */
#define CLUSTER_WHY_MAX		192
#define CLUSTER_PEERS_MAX	SYNC_PEERS_MAX
/*
 * A standby secondary withdraws this much later than the recovered primary
 * announces, so that the two overlap (the primary wins on preference) and
 * the prefix is never without a route during failback.
 */
#define CLUSTER_FAILBACK_OVERLAP_MS 1000

enum cluster_verdict {
	CLUSTER_WITHDRAW = 0,
	CLUSTER_PRIMARY = 1,   /* announced, primary preference */
	CLUSTER_SECONDARY = 2, /* announced, the worse preference */
};

/* What the node knows at one instant (the agent fills it each interval). */
struct cluster_inputs {
	uint64_t now_ms;		    /* CLOCK_MONOTONIC */
	bool attached;			    /* the XDP program is on node.interface */
	bool in_sync;			    /* sync's catch-up is done (true when sync is off) */
	const struct sync_peer_info *peers; /* live peers */
	size_t n_peers;
	const bool *vip_healthy; /* per cfg->vips[i]: at least one backend takes new flows */
};

struct cluster_vip_state {
	enum cluster_verdict verdict;
	uint64_t since_ms;
	char why[CLUSTER_WHY_MAX];
};

struct cluster_transition {
	time_t at;	/* wall clock */
	uint64_t at_ms; /* CLOCK_MONOTONIC, for ordering and tests */
	char vip[CFG_LABEL_MAX];
	enum cluster_verdict from, to;
	char why[CLUSTER_WHY_MAX];
};

/* A peer as the state machine remembers it across intervals. */
struct cluster_peer {
	uint32_t id;
	char zone[SYNC_ZONE_LEN];
	bool in_sync;
	uint64_t ready_ms; /* since when it is continuously alive and in sync (0: not ready) */
};

struct cluster {
	struct cfg_cluster cfg;
	char zone[CFG_ZONE_MAX];
	uint32_t node_id;
	uint64_t ready_ms; /* since when this node is attached and in sync (0: not ready) */
	struct cluster_peer peers[CLUSTER_PEERS_MAX];
	size_t n_peers;
	struct cluster_vip_state *vips; /* per cfg vip */
	size_t n_vips;
	struct cluster_transition log[CLUSTER_TRANSITIONS_MAX];
	size_t log_next, log_len;
	uint64_t transitions;
};

/* NULL with errno set. */
struct cluster *cluster_new(const struct lb_config *cfg);
void cluster_free(struct cluster *c);

/*
 * A reload: keeps the verdicts of VIPs whose address, port and protocol stay
 * (so that a reload never withdraws a serving VIP), new VIPs start withdrawn.
 */
int cluster_reconfigure(struct cluster *c, const struct lb_config *old,
			const struct lb_config *cfg);

/*
 * Routes a killed agent left in the table: their VIPs start as announced, so
 * that the restart keeps them (no hold-down: the node never stopped serving).
 */
void cluster_adopt_routes(struct cluster *c, const struct lb_config *cfg,
			  const struct announce_route *routes, size_t n);

/* Decides every VIP of cfg from in; logs and records each change. Returns how many changed. */
size_t cluster_update(struct cluster *c, const struct lb_config *cfg,
		      const struct cluster_inputs *in);

/* The routes the verdicts ask for: one per VIP address, the best preference wins. */
size_t cluster_routes(const struct cluster *c, const struct lb_config *cfg,
		      struct announce_route *out, size_t max);

/* The i-th latest transition (0 = newest), NULL past the end. */
const struct cluster_transition *cluster_transition_get(const struct cluster *c, size_t i);

const char *cluster_verdict_name(enum cluster_verdict v);

#endif /* XDPLB_CLUSTER_H */
