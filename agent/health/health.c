// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The health engine's core: targets by address, a min-heap of what is due
 * next (a check to start or a deadline to enforce), one timerfd armed for the
 * earliest of those and libcurl's timeout, all inside one epoll fd that the
 * agent's loop watches. No thread per check: 10,000 targets are a heap of
 * 10,000 pointers and, at any moment, a few hundred sockets in flight.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/timerfd.h>

#include "common/clock.h"
#include "config/config.h"
#include "health/health.h"
#include "health/health_int.h"
#include "common/log.h"

#define HC_BUCKETS_MIN	1024
#define HC_EVENTS	256
#define HC_EVENT_ROUNDS 8 /* epoll batches per health_process: the agent's other fds get a turn */
#define NSEC_PER_MSEC	1000000ULL

static void hc_start(struct health_engine *e, struct hc_target *t, uint64_t now)
{
	const struct cfg_health *hc = &t->conf->hc;

	t->sched_ns = t->due_ns;
	if (t->reaping) {
		/* The command killed at its last timeout is still around: skip this round. */
		hc_reschedule(e, t, hc_next_due(e, t, now, false));
		return;
	}
	t->running = true;
	t->started_ns = now;
	e->stats.running++;
	hc_reschedule(e, t, now + hc->timeout_ms * NSEC_PER_MSEC);
	hc_check_start(e, t);
}

static void hc_timeout(struct health_engine *e, struct hc_target *t)
{
	char cause[HEALTH_CAUSE_MAX];

	if (hc_check_ready(e, t))
		return;
	hc_check_timeout(e, t, cause, sizeof(cause));
	hc_result(e, t, false, cause);
}

/*
 * At most HC_STARTS_PER_CALL of what is due: the rest keeps the timer armed in
 * the past, so the loop comes back at once, with results and the agent's other
 * work handled in between. Each start reads the clock: a check's latency runs
 * from its own connect, not from the start of the batch.
 */
static void hc_run_due(struct health_engine *e)
{
	struct hc_target *t;
	uint64_t now;
	int n;

	for (n = 0; n < HC_STARTS_PER_CALL && e->n_heap; n++) {
		t = e->heap[0];
		now = clock_now_ns();
		if (t->due_ns > now)
			break;
		if (t->running)
			hc_timeout(e, t);
		else
			hc_start(e, t, now);
	}
}

static void hc_arm(struct health_engine *e)
{
	struct itimerspec its = {};
	uint64_t due = e->n_heap ? e->heap[0]->due_ns : 0;

	if (e->curl_due_ns && (!due || e->curl_due_ns < due))
		due = e->curl_due_ns;
	if (due == e->armed_ns)
		return;
	its.it_value.tv_sec = due / 1000000000ULL;
	its.it_value.tv_nsec = due % 1000000000ULL;
	/* An absolute time already past fires at once; 0 would disarm instead. */
	if (due && !its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	if (timerfd_settime(e->tfd, TFD_TIMER_ABSTIME, &its, NULL))
		log_warn("health: arming the timer");
	else
		e->armed_ns = due;
}

int health_process(struct health_engine *e)
{
	struct epoll_event evs[HC_EVENTS];
	uint64_t expirations;
	int n, i, round;

	for (round = 0; round < HC_EVENT_ROUNDS; round++) {
		n = epoll_wait(e->efd, evs, HC_EVENTS, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n; i++) {
			uint8_t kind = *(uint8_t *)evs[i].data.ptr;

			if (kind == HC_IO_TIMER) {
				if (read(e->tfd, &expirations, sizeof(expirations)) > 0)
					e->armed_ns = 0;
			} else if (kind == HC_IO_TARGET) {
				hc_check_event(e, evs[i].data.ptr, evs[i].events);
			} else if (kind == HC_IO_ORPHAN) {
				hc_orphan_event(e, evs[i].data.ptr);
			} else {
				struct hc_curl_sock *cs = evs[i].data.ptr;

				if (cs->fd >= 0)
					hc_http_socket_event(e, cs->fd, evs[i].events);
			}
		}
		hc_http_free_dead(e);
		if (n < HC_EVENTS)
			break;
	}
	if (e->curl_due_ns && e->curl_due_ns <= clock_now_ns())
		hc_http_timer(e);
	hc_run_due(e);
	hc_arm(e);
	return 0;
}

/* --- targets and their settings --------------------------------------------------------------- */

/* Settings that differ in a field hashed here land in different chains: enough to tell apart. */
static size_t hc_conf_bucket(const struct cfg_health *hc)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint32_t v[] = {hc->type, hc->port, hc->interval_ms, hc->timeout_ms, hc->rise, hc->fall};
	const char *c;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		h = (h ^ v[i]) * 0x100000001b3ULL;
	for (c = hc->path; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ULL;
	return h % HC_CONF_BUCKETS;
}

static struct hc_conf *hc_conf_get(struct health_engine *e, const struct cfg_health *hc)
{
	struct hc_conf *c;
	size_t k;

	/* Backends of one VIP share their settings: the last one found is the usual answer. */
	c = e->last_conf;
	if (!c || !cfg_health_equal(&c->hc, hc)) {
		k = hc_conf_bucket(hc);
		for (c = e->confs[k]; c && !cfg_health_equal(&c->hc, hc); c = c->next)
			;
		if (!c) {
			c = calloc(1, sizeof(*c));
			if (!c)
				return NULL;
			c->hc = *hc;
			c->next = e->confs[k];
			e->confs[k] = c;
		}
	}
	c->refs++;
	e->last_conf = c;
	return c;
}

static void hc_conf_put(struct health_engine *e, struct hc_conf *c)
{
	struct hc_conf **p;

	if (--c->refs)
		return;
	for (p = &e->confs[hc_conf_bucket(&c->hc)]; *p != c; p = &(*p)->next)
		;
	*p = c->next;
	if (e->last_conf == c)
		e->last_conf = NULL;
	free(c);
}

static size_t hc_bucket(const struct health_engine *e, const struct xaddr *a)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const uint8_t *p = (const uint8_t *)a->addr;
	size_t i;

	for (i = 0; i < sizeof(a->addr); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return (h ^ a->family) & (e->n_buckets - 1);
}

static int hc_grow_buckets(struct health_engine *e)
{
	size_t n = e->n_buckets * 2, i, old = e->n_buckets;
	struct hc_target **b = calloc(n, sizeof(*b)), *t, *next;

	if (!b)
		return -ENOMEM;
	e->n_buckets = n;
	for (i = 0; i < old; i++)
		for (t = e->buckets[i]; t; t = next) {
			size_t k = hc_bucket(e, &t->addr);

			next = t->hnext;
			t->hnext = b[k];
			b[k] = t;
		}
	free(e->buckets);
	e->buckets = b;
	return 0;
}

static void hc_target_free(struct health_engine *e, struct hc_target *t)
{
	if (t->running)
		e->stats.running--;
	hc_check_stop(e, t);
	hc_conf_put(e, t->conf);
	free(t);
}

void health_begin(struct health_engine *e)
{
	size_t i;

	for (i = 0; i < e->n_heap; i++)
		e->heap[i]->claimed = false;
}

static struct hc_target *hc_find(struct health_engine *e, const struct xaddr *addr,
				 const struct cfg_health *hc)
{
	struct hc_target *t, *similar = NULL;

	for (t = e->buckets[hc_bucket(e, addr)]; t; t = t->hnext) {
		if (!cfg_addr_equal(&t->addr, addr))
			continue;
		/* The same check wanted twice (one backend in two VIPs) runs once. */
		if (cfg_health_equal(&t->conf->hc, hc))
			return t;
		if (!similar && !t->claimed && t->conf->hc.type == hc->type &&
		    t->conf->hc.port == hc->port)
			similar = t;
	}
	return similar;
}

/*
 * A check whose settings changed keeps its state. One in flight finishes as it
 * was started (checks read their settings when they start) and is judged and
 * rescheduled under the new ones.
 */
static int hc_target_update(struct health_engine *e, struct hc_target *t,
			    const struct cfg_health *hc)
{
	struct hc_conf *c;

	c = hc_conf_get(e, hc);
	if (!c)
		return -ENOMEM;
	hc_conf_put(e, t->conf);
	t->conf = c;
	health_sm_reconfigure(&t->sm, hc->rise, hc->fall);
	if (!t->running)
		hc_reschedule(e, t, clock_now_ns() + hc_random(e, hc->interval_ms * NSEC_PER_MSEC));
	return 0;
}

int health_want(struct health_engine *e, const struct xaddr *addr, const struct cfg_health *hc)
{
	struct hc_target *t;
	size_t k;
	int err;

	if (hc->type == CFG_HC_NONE)
		return 0;
	t = hc_find(e, addr, hc);
	if (t) {
		t->claimed = true;
		return cfg_health_equal(&t->conf->hc, hc) ? 0 : hc_target_update(e, t, hc);
	}
	if (e->n_heap >= e->n_buckets && (err = hc_grow_buckets(e)))
		return err;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->kind = HC_IO_TARGET;
	t->fd = -1;
	t->addr = *addr;
	t->claimed = true;
	t->since = time(NULL);
	t->conf = hc_conf_get(e, hc);
	health_sm_init(&t->sm, hc->rise, hc->fall, hc->initial_up);
	/* First check anywhere in the first interval: no thundering herd at start or reload. */
	t->due_ns = clock_now_ns() + hc_random(e, hc->interval_ms * NSEC_PER_MSEC);
	if (!t->conf || hc_heap_push(e, t)) {
		if (t->conf)
			hc_conf_put(e, t->conf);
		free(t);
		return -ENOMEM;
	}
	k = hc_bucket(e, addr);
	t->hnext = e->buckets[k];
	e->buckets[k] = t;
	e->stats.targets++;
	return 0;
}

void health_commit(struct health_engine *e)
{
	struct hc_target **p, *t;
	size_t i;

	for (i = 0; i < e->n_buckets; i++) {
		for (p = &e->buckets[i]; (t = *p);) {
			if (t->claimed) {
				p = &t->hnext;
				continue;
			}
			*p = t->hnext;
			hc_heap_remove(e, t);
			hc_target_free(e, t);
			e->stats.targets--;
		}
	}
	hc_arm(e);
}

/* --- what the agent reads --------------------------------------------------------------------- */

static void hc_status_fill(const struct hc_target *t, struct health_status *out)
{
	memset(out, 0, sizeof(*out));
	out->state = t->sm.state;
	out->type = t->conf->hc.type;
	out->checked = t->checked;
	snprintf(out->last_result, sizeof(out->last_result), "%s", t->checked ? t->last : "");
	out->latency_us = t->latency_us;
	out->since = t->since;
	out->changes = t->sm.changes;
}

int health_backend_status(const struct health_engine *e, const struct xaddr *addr,
			  struct health_status *out)
{
	const struct hc_target *t, *shown = NULL;

	for (t = e->buckets[hc_bucket(e, addr)]; t; t = t->hnext) {
		if (!cfg_addr_equal(&t->addr, addr))
			continue;
		/* A down check explains the state best; among equals, the latest change. */
		if (!shown || (t->sm.state < shown->sm.state) ||
		    (t->sm.state == shown->sm.state && t->since > shown->since))
			shown = t;
	}
	if (!shown)
		return -ENOENT;
	hc_status_fill(shown, out);
	return 0;
}

int health_check_status(const struct health_engine *e, const struct xaddr *addr,
			const struct cfg_health *hc, struct health_status *out)
{
	const struct hc_target *t;

	for (t = e->buckets[hc_bucket(e, addr)]; t; t = t->hnext)
		if (cfg_addr_equal(&t->addr, addr) && cfg_health_equal(&t->conf->hc, hc))
			break;
	if (!t)
		return -ENOENT;
	hc_status_fill(t, out);
	return 0;
}

bool health_check_up(const struct health_engine *e, const struct xaddr *addr,
		     const struct cfg_health *hc)
{
	struct health_status st;

	return hc->type == CFG_HC_NONE || health_check_status(e, addr, hc, &st) ||
	       st.state == HEALTH_UP;
}

void health_assume_down(struct health_engine *e, const struct xaddr *addr,
			const struct cfg_health *hc)
{
	struct hc_target *t;

	for (t = e->buckets[hc_bucket(e, addr)]; t; t = t->hnext) {
		if (!cfg_addr_equal(&t->addr, addr) || t->sm.state == HEALTH_DOWN ||
		    !cfg_health_equal(&t->conf->hc, hc))
			continue;
		health_sm_init(&t->sm, t->sm.rise, t->sm.fall, false);
		t->since = time(NULL);
	}
}

bool health_backend_up(const struct health_engine *e, const struct xaddr *addr)
{
	struct health_status st;

	return health_backend_status(e, addr, &st) || st.state == HEALTH_UP;
}

void health_get_stats(const struct health_engine *e, struct health_stats *out)
{
	*out = e->stats;
}

int health_fd(const struct health_engine *e)
{
	return e->efd;
}

struct health_engine *health_open(health_change_fn fn, void *ctx)
{
	struct health_engine *e = calloc(1, sizeof(*e));
	struct rlimit rl;
	int err = -ENOMEM;

	if (!e)
		goto cleanup;
	e->efd = e->tfd = -1;
	e->fn = fn;
	e->ctx = ctx;
	e->timer_io.kind = HC_IO_TIMER;
	e->n_buckets = HC_BUCKETS_MIN;
	e->buckets = calloc(e->n_buckets, sizeof(*e->buckets));
	if (!e->buckets)
		goto cleanup;
	/*
	 * One fd per check in flight: 10,000 backends timing out at once are
	 * thousands of sockets, far over the usual soft limit of 1024.
	 */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			log_warn("health: raising the open files limit");
	}
	if (getrandom(&e->rng, sizeof(e->rng), GRND_NONBLOCK) != sizeof(e->rng) || !e->rng)
		e->rng = clock_now_ns() | 1;
	e->efd = epoll_create1(EPOLL_CLOEXEC);
	e->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (e->efd < 0 || e->tfd < 0) {
		err = -errno;
		goto cleanup;
	}
	err = hc_watch(e, e->tfd, EPOLLIN, &e->timer_io);
	if (err)
		goto cleanup;
	return e;
cleanup:
	health_close(e);
	errno = -err;
	return NULL;
}

void health_close(struct health_engine *e)
{
	struct hc_target *t, *next;
	size_t i;

	if (!e)
		return;
	for (i = 0; e->buckets && i < e->n_buckets; i++)
		for (t = e->buckets[i]; t; t = next) {
			next = t->hnext;
			hc_target_free(e, t);
		}
	hc_http_close(e);
	hc_orphans_close(e);
	if (e->tfd >= 0)
		close(e->tfd);
	if (e->efd >= 0)
		close(e->efd);
	free(e->buckets);
	free(e->heap);
	free(e);
}
