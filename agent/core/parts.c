// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The table of the agent's parts, in start order (stop goes the other way):
 * checks before the data plane that asks them, the data plane before sync and
 * the cluster that read its maps, the control socket and metrics last. The
 * parts too small for a file of their own are here.
 */
#include <errno.h>
#include <string.h>

#include "backend/backend_mode.h"
#include "common/log.h"
#include "control/control.h"
#include "core/agent.h"
#include "core/parts.h"

/* role: backend (and proxy): the decap program attached and the VIPs on lo. */
static int backend_part_start(struct agent *a)
{
	int err;

	a->backend_adopted = backend_mode_pinned(&a->cfg);
	err = backend_mode_apply(&a->cfg);
	if (err) {
		log_msg(LOG_LVL_ERR, "agent: backend mode: %s", strerror(-err));
		/* Part way: what this start added goes, an adopted decap keeps running. */
		if (!a->backend_adopted)
			backend_mode_remove(&a->cfg);
		return err;
	}
	a->backend_applied = true;
	return 0;
}

static int backend_part_reload(struct agent *a, const struct lb_config *next)
{
	return a->backend_applied ? backend_mode_apply(next) : 0;
}

static void backend_part_stop(struct agent *a)
{
	if (a->backend_applied && (a->unload || (a->start_failed && !a->backend_adopted)))
		backend_mode_remove(&a->cfg);
}

const struct agent_part agent_part_backend = {
    .name = "backend mode",
    .roles = AGENT_PART_BACKEND | AGENT_PART_PROXY,
    .start = backend_part_start,
    .reload = backend_part_reload,
    .stop = backend_part_stop,
};

/* The control socket, with the verbs of the node's role. */
static int control_part_start(struct agent *a)
{
	bool backend = a->role != CFG_ROLE_BALANCER;

	a->ctl = control_open(a->socket, a->cfg.node.control_group,
			      backend ? agent_backend_verbs : agent_balancer_verbs,
			      backend ? agent_n_backend_verbs : agent_n_balancer_verbs, a);
	if (!a->ctl)
		return -errno;
	return agent_epoll_add(a, control_listen_fd(a->ctl));
}

/* node.control.group: the socket changes hands at once, its clients stay connected. */
static int control_part_reload(struct agent *a, const struct lb_config *next)
{
	if (!a->ctl || !strcmp(a->cfg.node.control_group, next->node.control_group))
		return 0;
	return control_set_group(a->ctl, next->node.control_group);
}

static void control_part_stop(struct agent *a)
{
	if (a->ctl)
		control_close(a->ctl);
	a->ctl = NULL;
}

static int control_part_fd(const struct agent *a)
{
	return a->ctl ? control_listen_fd(a->ctl) : -1;
}

static void control_part_event(struct agent *a)
{
	control_serve_one(a->ctl);
}

const struct agent_part agent_part_control = {
    .name = "control socket",
    .roles = AGENT_PART_BALANCER | AGENT_PART_BACKEND | AGENT_PART_PROXY,
    .start = control_part_start,
    .reload = control_part_reload,
    .stop = control_part_stop,
    .fd = control_part_fd,
    .event = control_part_event,
};

const struct agent_part *const agent_parts[] = {
    &agent_part_health,	 &agent_part_dataplane, &agent_part_backend, &agent_part_proxy_log,
    &agent_part_proxy,	 &agent_part_sync,	&agent_part_cluster, &agent_part_region,
    &agent_part_control, &agent_part_metrics,
};
const size_t agent_n_parts = sizeof(agent_parts) / sizeof(agent_parts[0]);
