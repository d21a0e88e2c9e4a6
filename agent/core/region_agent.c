// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The region subsystem in the agent: opened when the config has a region: section, opened
 * anew when a reload changes it (its probes restart from initially up), and the `dns` verb.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "common/log.h"
#include "core/agent.h"
#include "core/parts.h"
#include "core/region_agent.h"
#include "region/region.h"

static int region_agent_start(struct agent *a)
{
	if (!a->cfg.region.enabled)
		return 0;
	a->region = region_open(&a->cfg.region, a->cfg.node.id);
	if (!a->region) {
		log_warn("agent: region failover");
		return -errno;
	}
	log_info("agent: region %s: observing %zu other region%s, updating zone %s",
		 a->cfg.region.name, a->cfg.region.n_regions - 1,
		 a->cfg.region.n_regions > 2 ? "s" : "", a->cfg.region.zone);
	return agent_epoll_add(a, region_fd(a->region));
}

static void region_agent_stop(struct agent *a)
{
	if (!a->region)
		return;
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, region_fd(a->region), NULL);
	region_close(a->region);
	a->region = NULL;
}

static int region_agent_reloaded(struct agent *a, const struct lb_config *old)
{
	struct cfg_changes chg;

	cfg_diff(old, &a->cfg, &chg);
	if (!(chg.settings & (1u << CFG_SET_REGION)))
		return 0;
	region_agent_stop(a);
	return region_agent_start(a);
}

static int region_agent_fd(const struct agent *a)
{
	return a->region ? region_fd(a->region) : -1;
}

static void region_agent_event(struct agent *a)
{
	region_process(a->region);
}

int region_agent_verb(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;

	(void)args;
	if (!a->region) {
		*result = json_pack("{s:b}", "enabled", false);
		return *result ? 0 : -ENOMEM;
	}
	return region_status(a->region, result, err, errlen);
}

const struct agent_part agent_part_region = {
    .name = "region failover",
    .roles = AGENT_PART_BALANCER,
    .start = region_agent_start,
    .reloaded = region_agent_reloaded,
    .stop = region_agent_stop,
    .fd = region_agent_fd,
    .event = region_agent_event,
};
