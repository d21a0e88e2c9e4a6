/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Inside the health engine: targets, the engine, and what the check types give the core. */
#ifndef XDPLB_HEALTH_INT_H
#define XDPLB_HEALTH_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <curl/curl.h>

#include "health/health.h"
#include "health/health_state.h"
#include "model/model.h"

/* What an epoll_event's data.ptr points at: every such struct starts with its kind. */
enum hc_io_kind {
	HC_IO_TIMER = 1,
	HC_IO_TARGET = 2, /* a target's own socket or pidfd */
	HC_IO_CURL = 3,	  /* a socket libcurl asked us to watch */
	HC_IO_ORPHAN = 4, /* the pidfd of a command whose target is gone, until it is reaped */
};

#define HC_CONF_BUCKETS 256
/*
 * Checks started (or deadlines enforced) by one health_process at most: a loop
 * that runs late finds thousands due at once, and starting them all would hold
 * the agent's other work (and the results coming in) for as long.
 */
#define HC_STARTS_PER_CALL 128

/* Check settings shared by every target that uses them (10,000 backends, one copy). */
struct hc_conf {
	struct hc_conf *next;
	unsigned int refs;
	struct cfg_health hc;
};

struct hc_http; /* health_http.c */

struct hc_target {
	uint8_t kind; /* HC_IO_TARGET: first, see enum hc_io_kind */
	bool claimed; /* wanted by the config being applied */
	bool running; /* a check is in flight: due_ns is its deadline */
	bool reaping; /* exec: timed out and killed, pidfd not yet reaped */
	bool checked; /* a result is in */
	int fd;	      /* socket or pidfd of the check in flight, -1 */
	pid_t pid;    /* exec: the child in flight */
	struct xaddr addr;
	struct hc_conf *conf;
	struct hc_target *hnext; /* chain of the address hash */
	struct health_sm sm;
	uint64_t due_ns; /* CLOCK_MONOTONIC: next start, or deadline while running */
	uint64_t started_ns;
	uint64_t sched_ns; /* when the last check was due: its place in the interval */
	size_t heap_idx;
	struct hc_http *http; /* http(s) targets only */
	uint32_t latency_us;
	time_t since;
	char last[HEALTH_CAUSE_MAX];
};

/* A socket of libcurl's: its fd, found again from the epoll event. */
struct hc_curl_sock {
	uint8_t kind; /* HC_IO_CURL */
	int fd;	      /* -1 once libcurl is done with it */
	struct hc_curl_sock *next_dead;
};

/* A killed command of a removed target: reaped when its pidfd says it is gone. */
struct hc_orphan {
	uint8_t kind; /* HC_IO_ORPHAN */
	int pidfd;
	struct hc_orphan *next;
};

struct hc_timer_io {
	uint8_t kind; /* HC_IO_TIMER */
};

struct health_engine {
	int efd, tfd;
	struct hc_timer_io timer_io;
	health_change_fn fn;
	void *ctx;
	struct hc_target **buckets; /* by address */
	size_t n_buckets;
	struct hc_target **heap; /* by due_ns */
	size_t n_heap, heap_cap;
	struct hc_conf *confs[HC_CONF_BUCKETS]; /* by a hash of the settings */
	struct hc_conf *last_conf;
	uint64_t armed_ns; /* what tfd is set to, 0 = disarmed */
	uint64_t rng;
	CURLM *multi;			/* created with the first http(s) target */
	uint64_t curl_due_ns;		/* libcurl's timeout, 0 = none */
	struct hc_curl_sock *curl_dead; /* sockets libcurl dropped, freed after the event batch */
	struct hc_orphan *orphans;
	struct health_stats stats;
	uint64_t check_error_logged_ns; /* last "could not run" warning, rate limited */
	uint64_t skip_logged_ns;	/* last "skipped" warning, rate limited */
};

/* health_result.c: the heap of due times (by due_ns) and the engine's epoll. */
uint64_t hc_random(struct health_engine *e, uint64_t below); /* 0..below-1, no pattern */
int hc_heap_push(struct health_engine *e, struct hc_target *t);
void hc_heap_remove(struct health_engine *e, struct hc_target *t);
void hc_reschedule(struct health_engine *e, struct hc_target *t, uint64_t due);
/* After the check due at t->sched_ns: when the next is due (jitter if asked); counts skips. */
uint64_t hc_next_due(struct health_engine *e, const struct hc_target *t, uint64_t now, bool jitter);
int hc_watch(struct health_engine *e, int fd, uint32_t events, void *ptr);

/* One result of a check in flight, with its cause when it failed. */
void hc_result(struct health_engine *e, struct hc_target *t, bool ok, const char *cause);
/* Or none: the check could not run for a reason of the agent's own (why says which). */
void hc_no_result(struct health_engine *e, struct hc_target *t, const char *why);

/*
 * What one kind of check does (keepalived's checker_t): a row per kind in
 * hc_kinds (health_checks.c), which the core calls through. start and timeout are
 * required; a kind without event (http: libcurl's sockets), ready or stop
 * leaves them NULL.
 */
struct hc_kind_ops {
	/* Starts a check; its result may come at once (hc_result, hc_no_result). */
	void (*start)(struct health_engine *e, struct hc_target *t);
	/* The target's own fd reported events while a check is in flight. */
	void (*event)(struct health_engine *e, struct hc_target *t, uint32_t events);
	/* At the deadline: true when what was already there gave the result. */
	bool (*ready)(struct health_engine *e, struct hc_target *t);
	/* The deadline passed: stops the check in flight, writes why into cause. */
	void (*timeout)(struct health_engine *e, struct hc_target *t, char *cause, size_t len);
	/* The target goes (removal, engine close): drops what the kind holds; no result. */
	void (*stop)(struct health_engine *e, struct hc_target *t);
};

extern const struct hc_kind_ops hc_tcp_ops, hc_udp_ops; /* health_tcp.c */
extern const struct hc_kind_ops hc_exec_ops;		/* health_exec.c */
extern const struct hc_kind_ops hc_http_ops;		/* health_http.c, http and https */

/* health_checks.c: the core's entry points, each through the target's kind. */
void hc_check_start(struct health_engine *e, struct hc_target *t);
void hc_check_event(struct health_engine *e, struct hc_target *t, uint32_t events);
bool hc_check_ready(struct health_engine *e, struct hc_target *t);
void hc_check_timeout(struct health_engine *e, struct hc_target *t, char *cause, size_t len);
/* Drops whatever a target holds (removal, engine close); no result. */
void hc_check_stop(struct health_engine *e, struct hc_target *t);
/* health_io.c, for the kinds: their fd out of epoll, then closed (-1 after). */
void hc_close_fd(struct health_engine *e, struct hc_target *t);
/* The check could not run for a reason of the agent's own: fd closed, no verdict. */
void hc_fail_local(struct health_engine *e, struct hc_target *t, const char *what, int err);
/* A system call of the check failed: a verdict (down), unless the errno is the agent's. */
void hc_fail_errno(struct health_engine *e, struct hc_target *t, const char *what, int err);
/* The ready operation of a kind on its own fd: judged at once by event if poll gives it events. */
bool hc_fd_ready(struct health_engine *e, struct hc_target *t, short events,
		 void (*event)(struct health_engine *e, struct hc_target *t, uint32_t events));

/* health_exec.c: commands whose target went, killed, reaped from the loop. */
void hc_orphan_event(struct health_engine *e, struct hc_orphan *o);
void hc_orphans_close(struct health_engine *e);

/* health_http.c */
void hc_http_socket_event(struct health_engine *e, int fd, uint32_t events);
void hc_http_free_dead(struct health_engine *e);
void hc_http_timer(struct health_engine *e);
void hc_http_close(struct health_engine *e);

#endif /* XDPLB_HEALTH_INT_H */
