/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The node agent: its state and its one event loop (epoll: signals, timer, control, netlink). */
#ifndef XDPLB_AGENT_H
#define XDPLB_AGENT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "config/config.h"
#include "control/control.h"
#include "model/model.h"

#define AGENT_TICK_MS 200 /* next-hop retry period */
#define AGENT_NH_FULL_MS 1000 /* at most one full next-hop pass per this, after changes */

struct agent {
	char config_path[PATH_MAX];
	char socket[CFG_PATH_MAX]; /* --socket, else node.control_socket */
	bool socket_overridden;
	bool force_backend; /* --backend: role backend whatever the file says */
	struct lb_config cfg;
	enum cfg_role role;
	struct dataplane *dp; /* balancer only */
	bool backend_applied; /* backend only: decap attached, VIPs on lo */
	struct proxy *proxy; /* proxy only: HAProxy and its config */
	struct proxy_log *proxy_log; /* proxy only: HAProxy's request log, for the metrics */
	struct control_server *ctl;
	struct nexthop_watch *nhw;
	bool nh_changed; /* the watch reported a change not yet re-resolved */
	uint64_t nh_full_ms;	      /* when the last full pass ran (clock_now_ms) */
	struct health_engine *health; /* balancer only */
	bool health_changed; /* verdicts flipped during this health_process */
	struct sync *sync; /* balancer with sync.enabled */
	bool sync_restart; /* a reload changed what sync messages carry: reopen after the swap */
	struct cluster_agent *cluster; /* balancer with cluster.enabled: zones, announcements */
	struct metrics *metrics; /* node.metrics endpoint; NULL when off */
	struct region *region; /* balancer with a region: section: DNS failover */
	int epfd, sigfd, timerfd;
	time_t started, config_loaded_at;
	uint64_t reloads_ok, reloads_failed;
	char last_reload_error[CFG_ERR_MAX];
	char reload_why[CFG_ERR_MAX - 64]; /* a part that refuses a reload may say why here */
	bool stopping; /* leave the loop after this event */
	bool unload; /* and take the data plane down on the way out */
	/*
	 * The start failed: what it attached anew goes on the way out (the data plane, backend
	 * mode); what it adopted from the pins of an earlier agent stays and keeps forwarding.
	 */
	bool start_failed;
	bool backend_adopted; /* backend only: the decap link was pinned before this start */
};

/* What a reload changed, for the reply of the reload verb. */
struct agent_opts {
	const char *config_path;
	const char *socket; /* overrides node.control_socket when set */
	bool backend; /* role backend whatever the file says */
};

/* Loads the config, brings up the data plane (or backend mode) and the control socket. */
int agent_start(struct agent *a, const struct agent_opts *opts);

/* Runs until SIGTERM/SIGINT or the shutdown verb. */
int agent_run(struct agent *a);

/* Frees everything; the data plane stays attached unless a shutdown asked to unload. */
void agent_stop(struct agent *a);

/* Re-reads the config file; a bad file leaves everything as it was (-EINVAL, message in err). */
/* Adds fd to the agent's epoll (readable). 0 or -errno. */
int agent_epoll_add(struct agent *a, int fd);

int agent_reload(struct agent *a, struct cfg_changes *chg, char *err, size_t errlen);

/* The verb tables of ctl_verbs.c. */
extern const struct control_verb agent_balancer_verbs[];
extern const size_t agent_n_balancer_verbs;
extern const struct control_verb agent_backend_verbs[];
extern const size_t agent_n_backend_verbs;

#endif /* XDPLB_AGENT_H */
