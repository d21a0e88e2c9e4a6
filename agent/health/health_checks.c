// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The check kinds as the core sees them: hc_kinds, a row of operations per
 * kind (health_tcp.c, health_exec.c, health_http.c). A new kind is one row
 * and its file; what the kinds share is in health_io.c, below them.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "health/health_int.h"

/* --- dispatch --------------------------------------------------------------------------------- */

static const struct hc_kind_ops *const hc_kinds[] = {
    [CFG_HC_TCP] = &hc_tcp_ops,	   /* connect() */
    [CFG_HC_UDP] = &hc_udp_ops,	   /* a datagram and its reply */
    [CFG_HC_EXEC] = &hc_exec_ops,  /* a command's exit status */
    [CFG_HC_HTTP] = &hc_http_ops,  /* libcurl, health_http.c */
    [CFG_HC_HTTPS] = &hc_http_ops, /* the same, the scheme from the type */
};

/* NULL for a kind without checks (none): its backends count as up. */
static const struct hc_kind_ops *hc_kind(const struct hc_target *t)
{
	uint8_t type = t->conf->hc.type;

	return type < sizeof(hc_kinds) / sizeof(hc_kinds[0]) ? hc_kinds[type] : NULL;
}

void hc_check_start(struct health_engine *e, struct hc_target *t)
{
	const struct hc_kind_ops *ops = hc_kind(t);

	if (ops) {
		ops->start(e, t);
		return;
	}
	hc_result(e, t, true, NULL);
}

void hc_check_event(struct health_engine *e, struct hc_target *t, uint32_t events)
{
	const struct hc_kind_ops *ops = hc_kind(t);

	/*
	 * An event for a check that is over (its result in, its descriptor
	 * closed) says nothing about the backend; only a killed command still
	 * waits for its pidfd.
	 */
	if (t->fd < 0 || (!t->running && !t->reaping))
		return;
	if (ops && ops->event)
		ops->event(e, t, events);
}

/*
 * At the deadline: a check whose fd became ready while the agent was busy (a
 * loaded machine delays the loop, not the backend) is judged on that, not
 * failed. Returns true when that gave its result.
 */
bool hc_check_ready(struct health_engine *e, struct hc_target *t)
{
	const struct hc_kind_ops *ops = hc_kind(t);

	return ops && ops->ready && ops->ready(e, t);
}

void hc_check_timeout(struct health_engine *e, struct hc_target *t, char *cause, size_t len)
{
	const struct hc_kind_ops *ops = hc_kind(t);

	if (ops) {
		ops->timeout(e, t, cause, len);
		return;
	}
	snprintf(cause, len, "timeout after %u ms", t->conf->hc.timeout_ms);
	hc_close_fd(e, t);
}

void hc_check_stop(struct health_engine *e, struct hc_target *t)
{
	const struct hc_kind_ops *ops = hc_kind(t);

	if (ops && ops->stop)
		ops->stop(e, t);
	hc_close_fd(e, t);
}
