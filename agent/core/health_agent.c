// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The health engine in the agent: every (VIP, backend) pair with a check
 * wanted from the model, verdicts logged and turned into one data plane diff
 * per batch, and the data plane's question "may this pair take new flows".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_ether.h>

#include "common/log.h"
#include "core/agent.h"
#include "core/health_agent.h"
#include "core/parts.h"
#include "dataplane/dataplane.h"
#include "health/health.h"

/* A pair follows its own check: the backend's, else its VIP's. */
bool health_agent_pair_up(void *ctx, const struct cfg_vip *vip, const struct cfg_backend *b)
{
	return health_check_up(ctx, &b->addr, b->health ?: &vip->health);
}

/*
 * After a restart, a pair the adopted data plane holds DOWN with its next
 * hop known was DOWN by its checks: its check goes on from down, not from
 * the configured initial state (else a dead backend takes new flows until
 * fall checks fail again).
 */
void health_agent_adopt(struct agent *a)
{
	static const uint8_t zero_mac[ETH_ALEN];
	const struct cfg_vip *v;
	size_t i, j;

	for (i = 0; i < a->cfg.n_vips; i++) {
		v = &a->cfg.vips[i];
		for (j = 0; j < v->n_backends; j++) {
			uint32_t idx = dataplane_pair_index(a->dp, v, &v->backends[j].addr);
			struct dataplane_pair p;

			if (!dataplane_pair_get(a->dp, idx, &p) &&
			    (p.flags & (LB_BE_F_DOWN | LB_BE_F_DOWN_KEPT)) &&
			    memcmp(p.dmac, zero_mac, sizeof(zero_mac)))
				health_assume_down(a->health, &v->backends[j].addr,
						   cfg_backend_health(v, &v->backends[j]));
		}
	}
}

/* Every backend of every VIP with a check, under the VIP's check unless it has its own. */
static int health_agent_want(struct agent *a, const struct lb_config *cfg)
{
	size_t i, j;
	int err;

	health_begin(a->health);
	for (i = 0; i < cfg->n_vips; i++) {
		const struct cfg_vip *v = &cfg->vips[i];

		for (j = 0; j < v->n_backends; j++) {
			const struct cfg_health *hc = v->backends[j].health ?: &v->health;

			if (hc->type == CFG_HC_NONE)
				continue;
			err = health_want(a->health, &v->backends[j].addr, hc);
			if (err) {
				health_commit(a->health);
				return err;
			}
		}
	}
	health_commit(a->health);
	return 0;
}

/* "http check of port 80 (GET /health)": which check, for the log. */
static void health_agent_describe(const struct cfg_health *hc, char *buf, size_t len)
{
	if (hc->type == CFG_HC_EXEC)
		snprintf(buf, len, "exec check (%s)", log_cut(hc->command));
	else if (hc->type == CFG_HC_HTTP || hc->type == CFG_HC_HTTPS)
		snprintf(buf, len, "%s check of port %u (%s %s)", cfg_health_type_name(hc->type),
			 hc->port, hc->method, log_cut(hc->path));
	else
		snprintf(buf, len, "%s check of port %u", cfg_health_type_name(hc->type), hc->port);
}

/*
 * A verdict flipped; the maps follow once the batch of results is handled. One line per
 * verdict, naming every VIP the check serves: a backend down is a warning (it takes traffic
 * away), a backend up again is news.
 */
static void health_agent_on_change(void *ctx, const struct xaddr *addr,
				   const struct cfg_health *hc, enum health_state state,
				   const char *cause)
{
	struct agent *a = ctx;
	char buf[CFG_ADDR_STRLEN], vips[256] = "", label[CFG_LABEL_MAX], check[128];
	size_t i, j, off = 0;

	/* The verdict is the pairs' whose check this is: name their VIPs. */
	for (i = 0; i < a->cfg.n_vips; i++) {
		const struct cfg_vip *v = &a->cfg.vips[i];

		for (j = 0; j < v->n_backends; j++) {
			const struct cfg_backend *b = &v->backends[j];

			if (!cfg_addr_equal(&b->addr, addr) ||
			    !cfg_health_equal(b->health ?: &v->health, hc))
				continue;
			cfg_vip_label(v, label, sizeof(label));
			if (off < sizeof(vips))
				off += snprintf(vips + off, sizeof(vips) - off, "%s%s",
						off ? ", " : "", label);
		}
	}
	health_agent_describe(hc, check, sizeof(check));
	log_msg(state == HEALTH_DOWN ? LOG_LVL_WARN : LOG_LVL_INFO,
		"agent: backend %s is %s (%s) in VIP %s, by its %s",
		cfg_format_addr(addr, buf, sizeof(buf)), health_state_name(state), cause,
		vips[0] ? vips : "-", check);
	a->health_changed = true;
}

static int health_agent_start(struct agent *a)
{
	int err;

	a->health = health_open(health_agent_on_change, a);
	if (!a->health) {
		log_warn("agent: opening the health check engine");
		return -errno;
	}
	err = agent_epoll_add(a, health_fd(a->health));
	if (!err)
		err = health_agent_want(a, &a->cfg);
	return err;
}

static int health_agent_reload(struct agent *a, const struct lb_config *next)
{
	return a->health ? health_agent_want(a, next) : 0;
}

static void health_agent_stop(struct agent *a)
{
	if (a->health)
		health_close(a->health);
	a->health = NULL;
}

static int health_agent_fd(const struct agent *a)
{
	return a->health ? health_fd(a->health) : -1;
}

/*
 * One diff for all the verdicts of a batch: when a whole rack fails, its
 * backends leave the tables in one pass, each affected table rebuilt once.
 */
static void health_agent_event(struct agent *a)
{
	int err = health_process(a->health);

	if (err)
		log_warnx("agent: health checks: %s", strerror(-err));
	if (!a->health_changed || !a->dp)
		return;
	a->health_changed = false;
	err = dataplane_apply(a->dp, &a->cfg);
	if (err)
		log_warnx("agent: applying health changes: %s", strerror(-err));
}

const struct agent_part agent_part_health = {
    .name = "health checks",
    .roles = AGENT_PART_BALANCER,
    .start = health_agent_start,
    .reload = health_agent_reload,
    .stop = health_agent_stop,
    .fd = health_agent_fd,
    .event = health_agent_event,
};
