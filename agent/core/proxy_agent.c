// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The proxy role's layer 7 in the agent: HAProxy started after backend mode has put the
 * VIPs on lo (its listeners bind them), checked before a reload changes anything and
 * applied once the new model is in, watched through the master's pidfd.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "core/agent.h"
#include "core/parts.h"
#include "core/proxy_agent.h"
#include "proxy/proxy.h"
#include "proxy/proxy_log.h"

json_t *proxy_agent_status_json(const struct agent *a)
{
	struct proxy_status st;

	if (!a->proxy)
		return json_null();
	proxy_get_status(a->proxy, &st);
	return json_pack("{s:i, s:b, s:I, s:I, s:I}", "pid", (int)st.pid, "ready", st.ready,
			 "restarts", (json_int_t)st.restarts, "reloads", (json_int_t)st.reloads,
			 "runtime_changes", (json_int_t)st.runtime_changes);
}

static int proxy_part_start(struct agent *a)
{
	a->proxy = proxy_open(&a->cfg);
	if (!a->proxy) {
		log_msg(LOG_LVL_ERR, "agent: proxy: %s", strerror(errno));
		return -errno;
	}
	return agent_epoll_add(a, proxy_fd(a->proxy));
}

static int proxy_part_reload(struct agent *a, const struct lb_config *next)
{
	return proxy_prepare(a->proxy, next, a->reload_why, sizeof(a->reload_why));
}

static int proxy_part_reloaded(struct agent *a, const struct lb_config *old)
{
	return proxy_apply(a->proxy, &a->cfg);
}

static void proxy_part_stop(struct agent *a)
{
	proxy_close(a->proxy);
	a->proxy = NULL;
}

static int proxy_part_fd(const struct agent *a)
{
	return a->proxy ? proxy_fd(a->proxy) : -1;
}

static void proxy_part_event(struct agent *a)
{
	proxy_event(a->proxy);
}

/* A master restarted by the tick has a new pidfd for the loop. */
static void proxy_part_tick(struct agent *a)
{
	int before = proxy_fd(a->proxy), after;

	proxy_tick(a->proxy, &a->cfg);
	after = proxy_fd(a->proxy);
	if (after >= 0 && after != before)
		agent_epoll_add(a, after);
}

const struct agent_part agent_part_proxy = {
    .name = "proxy",
    .roles = AGENT_PART_PROXY,
    .start = proxy_part_start,
    .reload = proxy_part_reload,
    .reloaded = proxy_part_reloaded,
    .stop = proxy_part_stop,
    .fd = proxy_part_fd,
    .event = proxy_part_event,
    .tick = proxy_part_tick,
};

/* Before the proxy: the socket is there when HAProxy sends its first line. */
static int proxy_log_part_start(struct agent *a)
{
	char path[CFG_PROXY_PATH_MAX + sizeof("/" PROXY_LOG_SOCK)];
	int err;

	if (mkdir(a->cfg.proxy.run_dir, 0700) && errno != EEXIST)
		return -errno;
	a->proxy_log = proxy_log_new();
	if (!a->proxy_log)
		return -errno;
	snprintf(path, sizeof(path), "%s/" PROXY_LOG_SOCK, a->cfg.proxy.run_dir);
	err = proxy_log_open(a->proxy_log, path);
	if (err) {
		log_msg(LOG_LVL_ERR, "agent: proxy log socket %s: %s", path, strerror(-err));
		return err;
	}
	return agent_epoll_add(a, proxy_log_fd(a->proxy_log));
}

static void proxy_log_part_stop(struct agent *a)
{
	proxy_log_free(a->proxy_log);
	a->proxy_log = NULL;
}

static int proxy_log_part_fd(const struct agent *a)
{
	return proxy_log_fd(a->proxy_log);
}

static void proxy_log_part_event(struct agent *a)
{
	proxy_log_read(a->proxy_log);
}

const struct agent_part agent_part_proxy_log = {
    .name = "proxy log",
    .roles = AGENT_PART_PROXY,
    .start = proxy_log_part_start,
    .stop = proxy_log_part_stop,
    .fd = proxy_log_part_fd,
    .event = proxy_log_part_event,
};
