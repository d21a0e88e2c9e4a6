/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The proxy role's layer 7: HAProxy run in master-worker mode from the model's proxy:
 * section, supervised (restarted when it dies), reloaded by diff: server weights and
 * states and the node's drain through the runtime API, anything else by a seamless
 * reload that keeps the listening sockets and lets in-flight requests finish.
 */
#ifndef XDPLB_PROXY_H
#define XDPLB_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/model.h"

#define PROXY_RESTART_MIN_MS 500
#define PROXY_RESTART_MAX_MS 30000
#define PROXY_STABLE_MS	     10000 /* running this long resets the restart back-off */
#define PROXY_RELOAD_WAIT_MS 5000  /* for the master to report a reload done */

struct proxy;

struct proxy_status {
	pid_t pid;		  /* of the master; 0 while not running */
	bool ready;		  /* a worker runs: the health endpoint may answer 200 */
	uint64_t restarts;	  /* the master died and was started again */
	uint64_t reloads;	  /* seamless reloads the agent asked for */
	uint64_t runtime_changes; /* server and drain changes applied with no reload */
};

/*
 * Writes HAProxy's config into cfg->proxy.run_dir (created 0700) and starts HAProxy, or
 * adopts the master a previous agent left running (and reloads it with the config).
 * NULL with errno set on failure.
 */
struct proxy *proxy_open(const struct lb_config *cfg);

/*
 * Reload, first half, before anything changes: renders next's config and has HAProxy
 * check it. 0, or -EINVAL with the reason in err; the running proxy is left as it is.
 */
int proxy_prepare(struct proxy *p, const struct lb_config *next, char *err, size_t errlen);

/*
 * Second half, with next the running model: what only the runtime API changes goes
 * through it; anything else writes the file and reloads HAProxy seamlessly. 0 or -errno.
 */
int proxy_apply(struct proxy *p, const struct lb_config *next);

/* Stops HAProxy (TERM, KILL after a few seconds) and frees p. */
void proxy_close(struct proxy *p);

/* The master's pidfd: readable when it exits (-1 while not running). */
int proxy_fd(const struct proxy *p);
void proxy_event(struct proxy *p);
/* Restarts a dead master when its back-off is over; marks a new worker ready. cfg: running. */
void proxy_tick(struct proxy *p, const struct lb_config *cfg);

void proxy_get_status(const struct proxy *p, struct proxy_status *st);

/*
 * lbctl listener drain|undrain: server in group (NULL: in every group that has it) takes no
 * new sessions, through the runtime API at once, and stays drained across reloads and agent
 * restarts until undrained or removed from the config (an undrain leaves a drain the file
 * sets). cfg: the running model. 0, -ENOENT when no group has that server, or -errno.
 */
int proxy_set_drain(struct proxy *p, const struct lb_config *cfg, const char *group,
		    const char *server, bool drain);
/* The state HAProxy was last given for a server ("ready", "drain", "maint"), NULL if none. */
const char *proxy_server_state(const struct proxy *p, const char *group, const char *server);
/* Whether lbctl drained it. */
bool proxy_server_drained(const struct proxy *p, const char *group, const char *server);

struct haproxy_stat_row;
/*
 * HAProxy's `show stat` of its frontends and servers, into a malloc'd *rows. -EAGAIN while no
 * worker runs; -errno.
 */
int proxy_show_stat(struct proxy *p, struct haproxy_stat_row **rows, size_t *n);

/*
 * For --check-config: renders cfg's HAProxy config into a temporary file and runs
 * `haproxy -c` on it. 0 (also when HAProxy is not installed: *checked says whether it
 * ran), or -EINVAL with "file:line:column: ..." of the listener or group HAProxy refused.
 */
int proxy_check_config(const struct lb_config *cfg, bool *checked, char *err, size_t errlen);

#endif /* XDPLB_PROXY_H */
