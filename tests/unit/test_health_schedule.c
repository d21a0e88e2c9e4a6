// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The health engine's schedule when its loop runs late (a busy agent, a
 * stalled machine, 100,000 targets): checks start in bounded batches, and
 * each target keeps its place in the interval, so a stall never turns the
 * spread-out checks into one burst at every interval. The checks go to a
 * closed port on addresses of 127.0.0.0/8, so each result comes at once;
 * their verdicts do not matter here, only when they start.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <criterion/criterion.h>

#include "common/clock.h"
#include "config/config.h"
#include "health/health.h"
#include "health/health_int.h"

#define N_TARGETS   400
#define INTERVAL_MS 100
#define NS_PER_MS   1000000ULL

TestSuite(health_schedule, .timeout = 30);

/* A TCP port nothing listens on: bound on 0.0.0.0 once, then closed. */
static uint16_t closed_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

/* N_TARGETS backends 127.77.0.1 + i, one check each, due somewhere in the first interval. */
static struct health_engine *late_engine(void)
{
	struct health_engine *e = health_open(NULL, NULL);
	struct xaddr a = {.family = LB_AF_INET};
	struct cfg_health hc;
	uint32_t i;

	cr_assert_not_null(e);
	cfg_health_defaults(&hc);
	hc.type = CFG_HC_TCP;
	hc.port = closed_port();
	hc.interval_ms = INTERVAL_MS;
	hc.timeout_ms = INTERVAL_MS / 2;
	hc.jitter_ms = 0;
	hc.initial_up = false;
	health_begin(e);
	for (i = 0; i < N_TARGETS; i++) {
		a.addr[0] = htonl(0x7f4d0001U + i);
		cr_assert_eq(health_want(e, &a, &hc), 0);
	}
	health_commit(e);
	return e;
}

static uint64_t started(const struct health_engine *e)
{
	struct health_stats st;

	health_get_stats(e, &st);
	return st.checks + st.check_errors + st.running;
}

/* Where in the interval a time falls, in tenths. */
static size_t tenth(uint64_t t)
{
	return (t % (INTERVAL_MS * NS_PER_MS)) * 10 / (INTERVAL_MS * NS_PER_MS);
}

Test(health_schedule, a_late_loop_starts_a_bounded_batch_per_call)
{
	struct health_engine *e = late_engine();

	/* Every target overdue at once, as after a stall of more than an interval. */
	usleep(2 * INTERVAL_MS * 1000);
	cr_assert_eq(health_process(e), 0);
	cr_assert_leq(started(e), HC_STARTS_PER_CALL,
		      "one call started %llu checks: the agent's loop waits for all of them",
		      (unsigned long long)started(e));
	cr_assert_gt(started(e), 0);
	health_close(e);
}

Test(health_schedule, a_late_loop_keeps_each_targets_place_in_the_interval)
{
	struct health_engine *e = late_engine();
	uint64_t *due0 = calloc(N_TARGETS, sizeof(*due0)), end;
	struct hc_target **t = calloc(N_TARGETS, sizeof(*t));
	size_t i, buckets[10] = {}, before[10] = {};

	cr_assert(due0 && t);
	cr_assert_eq(e->n_heap, N_TARGETS);
	for (i = 0; i < N_TARGETS; i++) {
		t[i] = e->heap[i];
		due0[i] = t[i]->due_ns;
		before[tenth(due0[i])]++;
	}
	usleep(2 * INTERVAL_MS * 1000 + 30000);
	/* Catch up: every target checked once. */
	end = clock_now_ns() + 2000 * NS_PER_MS;
	while (started(e) < N_TARGETS && clock_now_ns() < end)
		cr_assert_eq(health_process(e), 0);
	while (e->stats.running && clock_now_ns() < end)
		cr_assert_eq(health_process(e), 0);
	cr_assert_geq(started(e), N_TARGETS);
	/* Each target missed at least one slot of the stall: counted, for the metrics. */
	cr_assert_geq(e->stats.skipped, N_TARGETS, "%llu skipped",
		      (unsigned long long)e->stats.skipped);
	for (i = 0; i < N_TARGETS; i++) {
		/* Its next start, or the start of the check in flight (a busy machine). */
		uint64_t at = t[i]->running ? t[i]->sched_ns : t[i]->due_ns;

		/* No jitter: every start is on the target's own grid, one interval apart. */
		cr_assert_eq((at - due0[i]) % (INTERVAL_MS * NS_PER_MS), 0,
			     "target %zu moved by %llu ns within its interval", i,
			     (unsigned long long)((at - due0[i]) % (INTERVAL_MS * NS_PER_MS)));
		buckets[tenth(at)]++;
	}
	for (i = 0; i < 10; i++)
		cr_assert_eq(buckets[i], before[i],
			     "tenth %zu of the interval: %zu starts, was %zu", i, buckets[i],
			     before[i]);
	free(due0);
	free(t);
	health_close(e);
}

/* hc_next_due on a target of its own: on time, started over an interval late, slow. */
Test(health_schedule, the_next_start_keeps_the_grid_and_a_slow_check_goes_again_at_once)
{
	struct health_engine *e = health_open(NULL, NULL);
	struct hc_conf conf = {.refs = 1};
	struct hc_target t = {.conf = &conf};
	uint64_t iv = INTERVAL_MS * NS_PER_MS, sched = 1000 * iv;

	cr_assert_not_null(e);
	cfg_health_defaults(&conf.hc);
	conf.hc.interval_ms = INTERVAL_MS;
	conf.hc.jitter_ms = 0;
	t.sched_ns = sched;

	t.started_ns = sched;
	cr_assert_eq(hc_next_due(e, &t, sched + NS_PER_MS, true), sched + iv);
	cr_assert_eq(e->stats.skipped, 0);

	/* The loop started it 2.5 intervals late: two slots are gone, the third is on the grid. */
	t.started_ns = sched + 5 * iv / 2;
	cr_assert_eq(hc_next_due(e, &t, t.started_ns + NS_PER_MS, true), sched + 3 * iv);
	cr_assert_eq(e->stats.skipped, 2);

	/* Started in time, timed out after a whole interval: again at once, nothing skipped. */
	t.started_ns = sched;
	cr_assert_eq(hc_next_due(e, &t, sched + iv + 5 * NS_PER_MS, true),
		     sched + iv + 5 * NS_PER_MS);
	cr_assert_eq(e->stats.skipped, 2);
	health_close(e);
}
