/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The health check engine: every check of every backend runs on the caller's
 * thread, event driven, behind one pollable fd (an epoll fd holding the
 * check sockets, exec pidfds, libcurl's sockets and one timerfd).
 */
#ifndef XDPLB_HEALTH_H
#define XDPLB_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "health/health_state.h"
#include "model/model.h"

#define HEALTH_CAUSE_MAX 128

struct health_engine;

/*
 * Called from health_process when a check target changes state; cause is
 * the result that flipped it ("HTTP 503", "connect timeout after 500 ms",
 * "exit 2", or "ok").
 */
typedef void (*health_change_fn)(void *ctx, const struct xaddr *addr, const struct cfg_health *hc,
				 enum health_state state, const char *cause);

/* One backend as the checks see it (all its targets: one per distinct check). */
struct health_status {
	enum health_state state;	    /* down when any of its checks is down */
	uint8_t type;			    /* enum cfg_health_type of the check shown */
	bool checked;			    /* a result is in (else last_result is "") */
	char last_result[HEALTH_CAUSE_MAX]; /* "ok" or the cause of the failure */
	uint32_t latency_us;		    /* of the last result */
	time_t since;	  /* wall clock of the last state change, or of the first check set up */
	uint64_t changes; /* state changes counted so far */
};

struct health_stats {
	size_t targets;
	uint64_t checks; /* results in, successes and failures */
	uint64_t failures;
	uint64_t check_errors; /* checks that could not run (the agent's failure: no verdict) */
	uint64_t changes;      /* state changes */
	uint64_t running;      /* checks in flight now */
	/* Checks never started: the loop ran over an interval late (short of CPU). */
	uint64_t skipped;
};

/* NULL with errno set. fn may be NULL. */
struct health_engine *health_open(health_change_fn fn, void *ctx);
void health_close(struct health_engine *e);

/* Readable when health_process has work. */
int health_fd(const struct health_engine *e);

/* Handles what is ready: results, timeouts, checks due. 0 or -errno. */
int health_process(struct health_engine *e);

/*
 * Reconciling with a config: health_begin, one health_want per backend and
 * check, health_commit. A target already running with the same address, port
 * and type keeps its state (a reload never flaps it), taking the new settings;
 * new ones start in hc->initial_up, first checked at a random point of their
 * first interval so that thousands of them do not fire at once. health_commit
 * stops targets nobody wanted. Type none wants nothing.
 */
void health_begin(struct health_engine *e);
int health_want(struct health_engine *e, const struct xaddr *addr, const struct cfg_health *hc);
void health_commit(struct health_engine *e);

/*
 * A restarted agent's view of a (VIP, backend) pair the data plane it adopted
 * holds DOWN: the pair's check (hc) starts a fresh series in down instead of
 * the configured initial state, so a dead backend is not handed new flows
 * until rise checks pass. Other checks of the address, and addresses nothing
 * checks, are left alone.
 */
void health_assume_down(struct health_engine *e, const struct xaddr *addr,
			const struct cfg_health *hc);

/* A backend address's status: -ENOENT when nothing checks it (then it counts as up). */
int health_backend_status(const struct health_engine *e, const struct xaddr *addr,
			  struct health_status *out);

/* True unless some check of the address says down. */
bool health_backend_up(const struct health_engine *e, const struct xaddr *addr);

/*
 * One check of an address: the verdict a (VIP, backend) pair follows, hc
 * being the pair's check (the backend's own, else its VIP's). A check shared
 * by two VIPs runs once; its verdict applies to each VIP that uses it, and
 * only to those. -ENOENT when nothing runs that check (then it counts as up).
 */
int health_check_status(const struct health_engine *e, const struct xaddr *addr,
			const struct cfg_health *hc, struct health_status *out);
bool health_check_up(const struct health_engine *e, const struct xaddr *addr,
		     const struct cfg_health *hc);

void health_get_stats(const struct health_engine *e, struct health_stats *out);

#endif /* XDPLB_HEALTH_H */
