/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Prometheus metrics: a snapshot of the agent's counters (plain data, filled by
 * metrics_agent.c), its text exposition (metrics_render.c), and the HTTP
 * endpoint that serves it (metrics.c, libmicrohttpd driven by the agent's epoll).
 */
#ifndef XDPLB_METRICS_H
#define XDPLB_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"
#include "health/health.h"
#include "lb_common.h"
#include "model/model.h"
#include "proxy/proxy_log.h"
#include "region/region.h"
#include "sync/sync.h"

#define METRICS_CONTENT_TYPE   "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_CONN_MAX       16 /* scrapers at once; more are refused */
#define METRICS_CONN_TIMEOUT_S 5  /* an idle or stuck scraper is dropped after this */
#define METRICS_RUN_MAX	       16 /* MHD_run passes per wakeup while MHD has work left */

struct mx_vip {
	char name[CFG_LABEL_MAX]; /* config name, else addr:port/proto */
	uint64_t packets, bytes, new_flows, ct_hits, ct_misses;
	uint32_t backends, backends_up;
};

/* One (VIP, backend) pair: state, counters and health are the pair's. */
struct mx_backend {
	char vip[CFG_LABEL_MAX];
	char addr[CFG_ADDR_STRLEN];
	char zone[CFG_ZONE_MAX];
	const char *state; /* "up", "down", "drain": as the data plane has it */
	uint64_t packets, bytes, new_flows;
	bool checked; /* a health check watches it: the health_ fields hold */
	struct health_status health;
};

/* A VIP as the zone state machine sees it (cluster.enabled). */
struct mx_cluster_vip {
	char name[CFG_LABEL_MAX];
	char verdict[16];	      /* "withdrawn", "primary", "secondary" */
	char served_by[CFG_ZONE_MAX]; /* the zone carrying it as far as this node can tell; "" none
				       */
	double for_s;		      /* time in the current verdict */
};

struct mx_zone {
	char zone[CFG_ZONE_MAX];
	uint32_t nodes; /* live nodes this node knows of, itself included */
};

/* Everything one scrape shows; zero/false/NULL for what this node does not run. */
struct metrics_snapshot {
	const char *version;
	uint32_t node_id;
	const char *zone, *role;
	time_t started;
	bool have_dp; /* balancer with its data plane open */
	bool attached;
	uint64_t reloads_ok, reloads_failed;
	bool last_reload_ok;
	time_t config_loaded_at;
	uint64_t control_rejected;
	uint64_t next_hops_pending;
	uint64_t conntrack_entries;
	uint64_t conntrack_unconfirmed;	      /* lb_ct_new */
	uint64_t stats[LB_STAT_MAX];	      /* packets of each lb_stats counter */
	struct lb_counter drops[LB_DROP_MAX]; /* by reason; [0] unused */
	bool have_decap; /* backend: stats, drops and decap hold the decap program's counters */
	struct lb_counter decap[LB_DECAP_MAX]; /* tunnels stripped, by kind */
	struct lb_counter sc[LB_SC_MAX]; /* second chance outcomes (balancer or backend ones) */
	struct mx_vip *vips;
	size_t n_vips;
	struct mx_backend *backends;
	size_t n_backends;
	bool have_health;
	struct health_stats health;
	bool have_sync;
	struct sync_stats sync;
	bool in_sync;
	uint64_t sync_queue_depth;
	struct sync_peer_info *peers;
	size_t n_peers;
	bool have_cluster;
	bool cluster_ready; /* attached and in sync: this node may announce */
	uint64_t cluster_transitions;
	struct mx_cluster_vip *cluster_vips;
	size_t n_cluster_vips;
	struct mx_zone *zones;
	size_t n_zones;
	bool have_proxy_log; /* proxy: HAProxy's request log read by the agent */
	struct proxy_log_stats proxy_log;
	const struct proxy_log_series *l7; /* per (listener, group, server), borrowed */
	size_t n_l7;
	bool have_region; /* a region: section: DNS failover */
	struct region_stats region;
	struct region_view region_views[CFG_REGIONS_MAX];
	size_t n_region_views;
};

/* Lower-case drop reason names without LB_DROP_ (the `stats` verb's), NULL for gaps. */
const char *metrics_drop_name(unsigned int reason);
/*
 * Whether the program of a role can count that drop reason: decap (backend) only its own two,
 * lb.bpf.c (balancer) every other. A counter that can only ever be 0 is left out.
 */
bool metrics_drop_in_role(unsigned int reason, bool backend);
/* The tunnel kinds of decap_stats (LB_DECAP_KINDS): "ipip", "6in4", ...; NULL out of range. */
const char *metrics_decap_kind_name(unsigned int kind);

/* Second chance outcome names (LB_SC_OUTCOMES): "named", "forwarded", ...; NULL out of range. */
const char *metrics_sc_outcome_name(unsigned int outcome);
/* Whether the program of a role counts that outcome: named and no_room the balancer, the rest
 * the backend's decap. */
bool metrics_sc_in_role(unsigned int outcome, bool backend);

/* The text exposition of s into a malloc'ed *text (not NUL-terminated: *len bytes). */
int metrics_render(const struct metrics_snapshot *s, char **text, size_t *len);

/* What the endpoint serves: a fresh exposition per scrape, 0 or -errno. */
typedef int (*metrics_render_fn)(void *ctx, char **text, size_t *len);

struct metrics;

/*
 * Listens on cfg's address with libmicrohttpd in external epoll mode: no
 * thread, the caller polls metrics_fd and calls metrics_process, so rendering
 * reads the agent's state on the agent's own thread. NULL with errno set.
 */
struct metrics *metrics_open(const struct cfg_metrics *cfg, metrics_render_fn fn, void *ctx);
int metrics_fd(const struct metrics *m);
/* Serves what is ready, never blocking. */
void metrics_process(struct metrics *m);
void metrics_close(struct metrics *m);

#endif /* XDPLB_METRICS_H */
