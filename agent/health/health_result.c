// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Below the engine and the check kinds: the min-heap of due times, the
 * engine's epoll, and a check's result (or its absence, when the agent itself
 * could not run it) turned into a verdict and the next start.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>

#include "common/clock.h"
#include "common/log.h"
#include "config/config.h"
#include "health/health_int.h"

#define NSEC_PER_MSEC  1000000ULL
#define HC_SKIP_LOG_NS (10 * 1000 * NSEC_PER_MSEC) /* one warning per 10 s at most */

/* xorshift64*: spreading start times needs no cryptography, only no pattern across targets. */
uint64_t hc_random(struct health_engine *e, uint64_t below)
{
	e->rng ^= e->rng >> 12;
	e->rng ^= e->rng << 25;
	e->rng ^= e->rng >> 27;
	return below ? (e->rng * 0x2545F4914F6CDD1DULL) % below : 0;
}

int hc_watch(struct health_engine *e, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = {.events = events, .data.ptr = ptr};

	if (epoll_ctl(e->efd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

/* --- the heap of due times ----------------------------------------------------------------- */

static void hc_heap_set(struct health_engine *e, size_t i, struct hc_target *t)
{
	e->heap[i] = t;
	t->heap_idx = i;
}

static void hc_heap_up(struct health_engine *e, size_t i)
{
	struct hc_target *t = e->heap[i];

	while (i) {
		size_t parent = (i - 1) / 2;

		if (e->heap[parent]->due_ns <= t->due_ns)
			break;
		hc_heap_set(e, i, e->heap[parent]);
		i = parent;
	}
	hc_heap_set(e, i, t);
}

static void hc_heap_down(struct health_engine *e, size_t i)
{
	struct hc_target *t = e->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= e->n_heap)
			break;
		if (c + 1 < e->n_heap && e->heap[c + 1]->due_ns < e->heap[c]->due_ns)
			c++;
		if (e->heap[c]->due_ns >= t->due_ns)
			break;
		hc_heap_set(e, i, e->heap[c]);
		i = c;
	}
	hc_heap_set(e, i, t);
}

int hc_heap_push(struct health_engine *e, struct hc_target *t)
{
	if (e->n_heap == e->heap_cap) {
		size_t cap = e->heap_cap ? 2 * e->heap_cap : 256;
		struct hc_target **h = realloc(e->heap, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		e->heap = h;
		e->heap_cap = cap;
	}
	hc_heap_set(e, e->n_heap++, t);
	hc_heap_up(e, t->heap_idx);
	return 0;
}

void hc_heap_remove(struct health_engine *e, struct hc_target *t)
{
	size_t i = t->heap_idx;
	struct hc_target *last = e->heap[--e->n_heap];

	if (last == t)
		return;
	hc_heap_set(e, i, last);
	hc_heap_up(e, i);
	hc_heap_down(e, last->heap_idx);
}

void hc_reschedule(struct health_engine *e, struct hc_target *t, uint64_t due)
{
	t->due_ns = due;
	hc_heap_up(e, t->heap_idx);
	hc_heap_down(e, t->heap_idx);
}

/*
 * An interval (and a random 0..jitter) after the last check was due, not after
 * it started: a loop that ran late starts a batch of overdue checks at one
 * moment, and timing their next ones from that moment would bunch them there
 * for good, a burst at every interval. A slot the loop missed by starting over
 * an interval late is skipped (the target keeps its place), never run twice,
 * and counted; a slow check never overlaps.
 */
uint64_t hc_next_due(struct health_engine *e, const struct hc_target *t, uint64_t now, bool jitter)
{
	const struct cfg_health *hc = &t->conf->hc;
	uint64_t iv = hc->interval_ms * NSEC_PER_MSEC, next = t->sched_ns + iv, skip;

	if (jitter)
		next += hc_random(e, hc->jitter_ms * NSEC_PER_MSEC + 1);
	if (next > now)
		return next;
	/* Started in time and ran long (a timeout as long as the interval): again at once. */
	if (t->started_ns >= t->sched_ns && t->started_ns - t->sched_ns < iv)
		return now;
	skip = (now - next) / iv + 1;
	e->stats.skipped += skip;
	/* Nothing else tells an operator that backends are checked less often than configured. */
	if (!e->skip_logged_ns || now - e->skip_logged_ns >= HC_SKIP_LOG_NS) {
		e->skip_logged_ns = now;
		log_warnx(
		    "health: %llu checks skipped so far: the agent runs over an interval late "
		    "(short of CPU for %zu targets?), so backends are checked less often",
		    (unsigned long long)e->stats.skipped, e->stats.targets);
	}
	return next + skip * iv;
}

/* --- results ---------------------------------------------------------------------------------- */

void hc_result(struct health_engine *e, struct hc_target *t, bool ok, const char *cause)
{
	const struct cfg_health *hc = &t->conf->hc;
	uint64_t now = clock_now_ns();
	char addr[CFG_ADDR_STRLEN];

	t->running = false;
	t->checked = true;
	t->latency_us = (now - t->started_ns) / 1000;
	snprintf(t->last, sizeof(t->last), "%s", ok ? "ok" : cause);
	/* Thousands of checks a second: no address formatted for a line nobody sees. */
	if (log_get_level() >= LOG_LVL_DEBUG)
		log_debug("health: %s check of %s port %u: %s in %llu us",
			  cfg_health_type_name(hc->type),
			  cfg_format_addr(&t->addr, addr, sizeof(addr)), hc->port, t->last,
			  (unsigned long long)t->latency_us);
	e->stats.checks++;
	e->stats.running--;
	if (!ok)
		e->stats.failures++;
	if (health_sm_feed(&t->sm, ok)) {
		t->since = time(NULL);
		e->stats.changes++;
		if (e->fn)
			e->fn(e->ctx, &t->addr, hc, t->sm.state, t->last);
	}
	hc_reschedule(e, t, hc_next_due(e, t, now, true));
}

/*
 * A check that could not run because of the agent itself (no descriptor, no
 * memory): no verdict either way. The backend keeps its state and its run of
 * results; the failure is the agent's, logged (once a second at most: a
 * descriptor shortage hits every target at once) and counted apart.
 */
void hc_no_result(struct health_engine *e, struct hc_target *t, const char *why)
{
	const struct cfg_health *hc = &t->conf->hc;
	uint64_t now = clock_now_ns();
	char addr[CFG_ADDR_STRLEN];

	t->running = false;
	e->stats.running--;
	e->stats.check_errors++;
	if (now - e->check_error_logged_ns >= 1000 * NSEC_PER_MSEC || !e->check_error_logged_ns) {
		e->check_error_logged_ns = now;
		cfg_format_addr(&t->addr, addr, sizeof(addr));
		log_warnx("health: %s check of %s port %u could not run (%s): the agent's failure, "
			  "not the backend's; %llu so far",
			  cfg_health_type_name(hc->type), addr, hc->port, why,
			  (unsigned long long)e->stats.check_errors);
	}
	hc_reschedule(e, t, hc_next_due(e, t, now, false));
}
