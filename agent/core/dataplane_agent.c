// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The data plane in the agent: lb.bpf.c opened (or adopted from its pins)
 * and programmed from the model, the pairs' health verdicts wired in, and
 * next hops kept resolved from the rtnetlink watch and the agent's tick.
 */
#include <errno.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "core/agent.h"
#include "core/health_agent.h"
#include "core/parts.h"
#include "dataplane/dataplane.h"
#include "dataplane/nexthop.h"

static int dataplane_agent_start(struct agent *a)
{
	int err;

	a->dp = dataplane_open(&a->cfg);
	if (!a->dp)
		return -errno;
	dataplane_set_health(a->dp, health_agent_pair_up, a->health);
	if (dataplane_adopted(a->dp))
		health_agent_adopt(a);
	a->nhw = nexthop_watch_open();
	if (!a->nhw) {
		log_warn("agent: opening the next-hop watch");
		return -errno;
	}
	err = agent_epoll_add(a, nexthop_watch_fd(a->nhw));
	if (err)
		return err;
	err = dataplane_apply(a->dp, &a->cfg);
	if (err)
		log_warnx("agent: programming the data plane: %s", strerror(-err));
	/* MACs adopted from the pins may be stale: check them all once. */
	if (dataplane_adopted(a->dp)) {
		err = dataplane_resolve(a->dp, &a->cfg, true);
		if (err)
			log_warnx("agent: resolving next hops: %s", strerror(-err));
	}
	return 0;
}

static int dataplane_agent_reload(struct agent *a, const struct lb_config *next)
{
	return a->dp ? dataplane_apply(a->dp, next) : 0;
}

static void dataplane_agent_stop(struct agent *a)
{
	if (a->nhw)
		nexthop_watch_close(a->nhw);
	a->nhw = NULL;
	if (a->dp) {
		if (a->unload || (a->start_failed && !dataplane_adopted(a->dp)))
			dataplane_unload(a->dp);
		dataplane_close(a->dp);
	}
	a->dp = NULL;
}

static int dataplane_agent_fd(const struct agent *a)
{
	return a->nhw ? nexthop_watch_fd(a->nhw) : -1;
}

static void dataplane_agent_netlink(struct agent *a)
{
	int err = nexthop_watch_process(a->nhw);

	if (err < 0)
		log_warnx("agent: next-hop watch: %s", strerror(-err));
	else if (err > 0)
		a->nh_changed = true;
}

/*
 * Route and neighbour changes are handled here, at most once a second: our own
 * resolutions make neighbour events, and answering each with a full pass would
 * feed itself.
 */
static void dataplane_agent_tick(struct agent *a)
{
	bool all;
	int err;

	if (!a->dp)
		return;
	all = a->nh_changed && clock_now_ms() - a->nh_full_ms >= AGENT_NH_FULL_MS;
	if (!all && !dataplane_next_hops_retrying(a->dp))
		return;
	if (all) {
		a->nh_changed = false;
		a->nh_full_ms = clock_now_ms();
	}
	err = dataplane_resolve(a->dp, &a->cfg, all);
	if (err)
		log_warnx("agent: resolving next hops: %s", strerror(-err));
}

const struct agent_part agent_part_dataplane = {
    .name = "programming the data plane",
    .roles = AGENT_PART_BALANCER,
    .start = dataplane_agent_start,
    .reload = dataplane_agent_reload,
    .stop = dataplane_agent_stop,
    .fd = dataplane_agent_fd,
    .event = dataplane_agent_netlink,
    .tick = dataplane_agent_tick,
};
