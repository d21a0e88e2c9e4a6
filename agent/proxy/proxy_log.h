/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * HAProxy's request log, read by the agent: every listener logs each request as one line of a
 * fixed format (PROXY_LOG_FORMAT) to a unix datagram socket the agent owns; the agent keeps,
 * per (listener, group, server), a latency histogram and the responses by status class, for
 * its metrics endpoint. HAProxy 2.6's own exporter only has averages.
 */
#ifndef XDPLB_PROXY_LOG_H
#define XDPLB_PROXY_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

/*
 * The line: tag, frontend, backend, server, HTTP status, %Ta (the request's active time in
 * ms: from its first byte to the end of the response, without idle time before it). HAProxy
 * sends it raw (no syslog header), one datagram per request.
 */
#define PROXY_LOG_TAG	     "xlb1"
#define PROXY_LOG_FORMAT     PROXY_LOG_TAG " %f %b %s %ST %Ta"
#define PROXY_LOG_SOCK	     "log.sock"
#define PROXY_LOG_LINE_MAX   512  /* longer datagrams are malformed */
#define PROXY_LOG_SERIES_MAX 4096 /* (listener, group, server) kept; lines of more are counted */
#define PROXY_LOG_READ_MAX   256  /* datagrams read per wake-up: the loop stays responsive */
#define PROXY_LOG_NO_SERVER  "<NOSRV>" /* HAProxy's name when no server took the request */

/* The histogram's upper bounds in ms (Prometheus' default buckets, 5 ms .. 10 s); +Inf after. */
#define PROXY_LOG_BUCKETS 11
extern const uint32_t proxy_log_bucket_ms[PROXY_LOG_BUCKETS];

enum proxy_log_class { /* responses by status: 1xx..5xx, and anything else (-1: none) */
		       PROXY_LOG_1XX,
		       PROXY_LOG_2XX,
		       PROXY_LOG_3XX,
		       PROXY_LOG_4XX,
		       PROXY_LOG_5XX,
		       PROXY_LOG_OTHER,
		       PROXY_LOG_CLASSES,
};

/* One parsed line; the names without HAProxy's "l_" and "g_" prefixes. */
struct proxy_log_line {
	char listener[CFG_PROXY_NAME_MAX];
	char group[CFG_PROXY_NAME_MAX];
	char server[CFG_PROXY_NAME_MAX];
	int status;	   /* -1 when HAProxy had none */
	int32_t active_ms; /* %Ta; -1 when HAProxy had none */
};

struct proxy_log_series {
	char listener[CFG_PROXY_NAME_MAX];
	char group[CFG_PROXY_NAME_MAX];
	char server[CFG_PROXY_NAME_MAX];
	uint64_t buckets[PROXY_LOG_BUCKETS]; /* not cumulative: the render adds them up */
	uint64_t count;			     /* observations, +Inf included */
	uint64_t sum_ms;
	uint64_t responses[PROXY_LOG_CLASSES];
};

struct proxy_log_stats {
	uint64_t lines;	    /* read and counted */
	uint64_t notices;   /* HAProxy's own "Proxy ..." messages to the same target */
	uint64_t malformed; /* not a line of the format: dropped */
	uint64_t overflow;  /* well-formed, but PROXY_LOG_SERIES_MAX series exist already */
};

/* Parses one datagram of len bytes (no NUL needed). 0, or -EINVAL when it is malformed. */
int proxy_log_parse(const char *buf, size_t len, struct proxy_log_line *out);

/* The status class of an HTTP status. */
enum proxy_log_class proxy_log_class_of(int status);

struct proxy_log;

/* An empty table, no socket: for proxy_log_feed (tests) and proxy_log_open. NULL + errno. */
struct proxy_log *proxy_log_new(void);
/* Binds the datagram socket at path (a stale one replaced, mode 0600). 0 or -errno. */
int proxy_log_open(struct proxy_log *pl, const char *path);
void proxy_log_free(struct proxy_log *pl);
/* The socket for the agent's epoll; -1 when not open. */
int proxy_log_fd(const struct proxy_log *pl);
/* Reads what waits, at most PROXY_LOG_READ_MAX datagrams, never blocking. */
void proxy_log_read(struct proxy_log *pl);
/* Counts one datagram: parsed into its series, or counted as malformed or overflow. */
void proxy_log_feed(struct proxy_log *pl, const char *buf, size_t len);

/* The series (in the order first seen) and the totals, valid until the next feed or read. */
const struct proxy_log_series *proxy_log_series(const struct proxy_log *pl, size_t *n);
const struct proxy_log_stats *proxy_log_stats(const struct proxy_log *pl);

#endif /* XDPLB_PROXY_LOG_H */
