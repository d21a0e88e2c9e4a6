// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The region subsystem: probes on the agent's loop (a health engine of its own, the same
 * check kinds as for backends), the DNS rounds on a worker thread. The two share the
 * probes' state and the last round's results under one mutex; the worker holds it only to
 * copy, never across a DNS exchange.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "config/config_region.h"
#include "health/health.h"
#include "region/region.h"
#include "region/region_dns.h"
#include "region/region_int.h"
#include "region/region_vote.h"

/* Probes and their results ----------------------------------------------------------------- */

/* A region is up while any of its VIPs answers: a VIP down inside a live region is its own. */
static bool region_probe_up(struct region *g, uint8_t idx)
{
	const struct cfg_region *r = &g->cfg;
	size_t i, j, k;
	bool any = false;

	for (i = 0; i < r->n_names; i++)
		for (j = 0; j < r->names[i].n_regions; j++) {
			const struct cfg_region_vips *rv = &r->names[i].regions[j];

			if (rv->region != idx)
				continue;
			for (k = 0; k < rv->n_addrs; k++) {
				any = true;
				if (health_check_up(g->health, &rv->addrs[k], r->check))
					return true;
			}
		}
	return !any;
}

static void region_on_change(void *ctx, const struct xaddr *addr, const struct cfg_health *hc,
			     enum health_state state, const char *cause)
{
	struct region *g = ctx;
	char buf[CFG_ADDR_STRLEN];
	uint64_t now = clock_now_ms();
	bool up;
	size_t i;

	log_msg(state == HEALTH_DOWN ? LOG_LVL_WARN : LOG_LVL_INFO,
		"region: VIP %s of another region is %s (%s)",
		cfg_format_addr(addr, buf, sizeof(buf)), health_state_name(state), cause);
	pthread_mutex_lock(&g->mu);
	for (i = 0; i < g->cfg.n_regions; i++) {
		struct region_local *l = &g->local[i];

		if (!l->probed)
			continue;
		up = region_probe_up(g, i);
		if (up == l->up)
			continue;
		l->up = up;
		if (up)
			l->up_since_ms = now;
		else
			l->ever_down = true;
		log_msg(up ? LOG_LVL_INFO : LOG_LVL_WARN, "region: this node sees region %s %s%s",
			g->cfg.regions[i], up ? "up" : "down",
			up && g->cfg.hold_down_ms ? " (published after the hold-down)" : "");
		/* A verdict flipped: the worker publishes it now, not at the end of its interval.
		 */
		g->kick = true;
		pthread_cond_signal(&g->cv);
	}
	pthread_mutex_unlock(&g->mu);
}

static int region_want_probes(struct region *g)
{
	const struct cfg_region *r = &g->cfg;
	size_t i, j, k;
	int err = 0;

	health_begin(g->health);
	for (i = 0; i < r->n_names && !err; i++)
		for (j = 0; j < r->names[i].n_regions && !err; j++) {
			const struct cfg_region_vips *rv = &r->names[i].regions[j];

			if (rv->region == r->self)
				continue; /* a region cannot be seen from inside */
			g->local[rv->region].probed = true;
			g->local[rv->region].up = true; /* as the checks start: initially up */
			for (k = 0; k < rv->n_addrs && !err; k++)
				err = health_want(g->health, &rv->addrs[k], r->check);
		}
	health_commit(g->health);
	return err;
}

int region_fd(const struct region *g)
{
	return health_fd(g->health);
}

void region_process(struct region *g)
{
	int err = health_process(g->health);

	if (err)
		log_warnx("region: probes: %s", strerror(-err));
}

/* The worker: one round per interval, or sooner when a probe flips -------------------------- */

/* Logs only the changes of the server's health: down is counted every time, told once. */
static void region_server_result(struct region *g, int err, const char *why)
{
	bool was;

	pthread_mutex_lock(&g->mu);
	was = g->stats.server_ok;
	g->stats.server_ok = !err || err == -EAGAIN;
	pthread_mutex_unlock(&g->mu);
	if (err && err != -EAGAIN && was)
		log_warnx("region: DNS server: %s (retried every round)", why);
	else if ((!err || err == -EAGAIN) && !was)
		log_info("region: DNS server answers again");
}

static void region_count_update(struct region *g, int err)
{
	pthread_mutex_lock(&g->mu);
	if (!err)
		g->stats.updates_sent++;
	else if (err == -EAGAIN)
		g->stats.conflicts++;
	else
		g->stats.updates_failed++;
	pthread_mutex_unlock(&g->mu);
}

static void region_publish(struct region *g)
{
	struct region_obs o = {.observer = g->cfg.self, .node = g->node_id, .at = time(NULL)};
	uint64_t now = clock_now_ms();
	char why[256];
	size_t i;
	int err;

	pthread_mutex_lock(&g->mu);
	for (i = 0; i < g->cfg.n_regions; i++)
		o.seen[i] = region_local_seen(&g->local[i], now, g->cfg.hold_down_ms);
	pthread_mutex_unlock(&g->mu);
	err = region_dns_publish(g->dns, &g->cfg, &o, why, sizeof(why));
	region_count_update(g, err);
	region_server_result(g, err, why);
}

static void region_log_verdicts(struct region *g, const struct region_verdict *v)
{
	size_t i;

	for (i = 0; i < g->cfg.n_regions; i++)
		if (!g->have_verdict || g->verdict[i].down != v[i].down)
			log_msg(v[i].down ? LOG_LVL_WARN : LOG_LVL_INFO,
				"region: region %s is %s by %u of %u observing regions",
				g->cfg.regions[i], v[i].down ? "down" : "up",
				v[i].down ? v[i].down_votes : v[i].voters - v[i].down_votes,
				v[i].voters);
}

/* The names whose records differ from what the observations say: replaced. */
static void region_write_records(struct region *g, const struct region_zone *z,
				 const struct region_verdict *v)
{
	struct xaddr want[REGION_RRS_MAX];
	const struct region_name_rrs *cur;
	char why[256];
	bool fail_open;
	size_t i, n;
	int err;

	for (i = 0; i < g->cfg.n_names; i++) {
		const struct cfg_dns_name *dn = &g->cfg.names[i];

		cur = &z->names[i];
		n = region_records(dn, v, want, REGION_RRS_MAX, &fail_open);
		if (region_addrs_equal(want, n, cur->addrs, cur->n) && !cur->overflow &&
		    !cur->ttl_mixed && (!n || cur->ttl == dn->ttl))
			continue;
		err = region_dns_replace(g->dns, &g->cfg, dn, cur, want, n, why, sizeof(why));
		region_count_update(g, err);
		region_server_result(g, err, why);
		if (!err)
			log_info("region: %s now answers %zu address%s%s", dn->name, n,
				 n == 1 ? "" : "es",
				 fail_open ? " (every region down: fail open)" : "");
		else if (err == -EAGAIN)
			log_info("region: %s changed under us (another writer): next round",
				 dn->name);
	}
}

static void region_round(struct region *g)
{
	struct region_verdict v[CFG_REGIONS_MAX];
	struct region_zone z;
	char why[256];
	int err;

	region_publish(g);
	err = region_dns_read(g->dns, &g->cfg, &z, why, sizeof(why));
	pthread_mutex_lock(&g->mu);
	g->stats.rounds++;
	if (err)
		g->stats.reads_failed++;
	else
		g->stats.reads++;
	pthread_mutex_unlock(&g->mu);
	if (err) {
		region_server_result(g, err, why);
		region_zone_free(&z);
		return;
	}
	region_vote(&g->cfg, z.obs, z.n_obs, time(NULL), v);
	region_log_verdicts(g, v);
	pthread_mutex_lock(&g->mu);
	memcpy(g->verdict, v, sizeof(v));
	g->have_verdict = true;
	g->stats.malformed = z.malformed;
	pthread_mutex_unlock(&g->mu);
	region_write_records(g, &z, v);
	region_zone_free(&z);
}

static void *region_worker(void *arg)
{
	struct region *g = arg;
	struct timespec until;
	uint64_t ns;

	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		g->kick = false;
		pthread_mutex_unlock(&g->mu);
		region_round(g);
		pthread_mutex_lock(&g->mu);
		clock_gettime(CLOCK_MONOTONIC, &until);
		ns = until.tv_nsec + (uint64_t)g->cfg.interval_ms * 1000000;
		until.tv_sec += ns / 1000000000;
		until.tv_nsec = ns % 1000000000;
		while (!g->stop && !g->kick &&
		       pthread_cond_timedwait(&g->cv, &g->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* Life ------------------------------------------------------------------------------------- */

static int region_copy_cfg(struct region *g, const struct cfg_region *cfg)
{
	g->cfg = *cfg;
	g->cfg.names = calloc(cfg->n_names ?: 1, sizeof(*cfg->names));
	g->cfg.check = malloc(sizeof(*cfg->check));
	if (!g->cfg.names || !g->cfg.check)
		return -ENOMEM;
	memcpy(g->cfg.names, cfg->names, cfg->n_names * sizeof(*cfg->names));
	*g->cfg.check = *cfg->check;
	return 0;
}

struct region *region_open(const struct cfg_region *cfg, uint32_t node_id)
{
	struct region *g = calloc(1, sizeof(*g));
	pthread_condattr_t ca;
	char why[256];
	int err;

	if (!g)
		return NULL;
	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	g->node_id = node_id;
	g->stats.server_ok = true;
	err = region_copy_cfg(g, cfg);
	if (!err && cfg_region_read_key(cfg->tsig_key_file, &g->key, why, sizeof(why))) {
		log_warnx("region: tsig_key_file %s", why);
		err = -EINVAL;
	}
	if (!err) {
		g->dns = region_dns_open(&g->cfg, &g->key);
		g->health = health_open(region_on_change, g);
		err = g->dns && g->health ? 0 : -errno;
	}
	if (!err)
		err = region_want_probes(g);
	if (!err) {
		err = -pthread_create(&g->thread, NULL, region_worker, g);
		g->thread_started = !err;
	}
	if (err) {
		region_close(g);
		errno = -err;
		return NULL;
	}
	return g;
}

void region_close(struct region *g)
{
	if (!g)
		return;
	if (g->thread_started) {
		pthread_mutex_lock(&g->mu);
		g->stop = true;
		pthread_cond_signal(&g->cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->thread, NULL);
	}
	if (g->health)
		health_close(g->health);
	region_dns_close(g->dns);
	explicit_bzero(&g->key, sizeof(g->key));
	free(g->cfg.names);
	free(g->cfg.check);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

void region_get_stats(struct region *g, struct region_stats *out)
{
	pthread_mutex_lock(&g->mu);
	*out = g->stats;
	pthread_mutex_unlock(&g->mu);
}

size_t region_get_views(struct region *g, struct region_view *out, size_t max)
{
	uint64_t now = clock_now_ms();
	size_t i;

	pthread_mutex_lock(&g->mu);
	for (i = 0; i < g->cfg.n_regions && i < max; i++) {
		out[i].name = g->cfg.regions[i];
		out[i].seen = region_local_seen(&g->local[i], now, g->cfg.hold_down_ms);
		out[i].have_verdict = g->have_verdict;
		out[i].down = g->verdict[i].down;
		out[i].voters = g->verdict[i].voters;
		out[i].down_votes = g->verdict[i].down_votes;
	}
	pthread_mutex_unlock(&g->mu);
	return i;
}
