// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The check kinds as the core sees them: hc_kinds, a row of operations per
 * kind (health_tcp.c, health_exec.c, health_http.c), and what those kinds
 * share to close a check's fd and to tell the agent's own failures from the
 * backend's. A new kind is one row and its file.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "health/health_int.h"

/*
 * Out of epoll first, then closed: epoll drops a registration by itself only
 * when the last descriptor of its file goes, and a copy held anywhere else
 * would keep reporting events for a target that has moved on.
 */
void hc_close_fd(struct health_engine *e, struct hc_target *t)
{
	if (t->fd >= 0) {
		epoll_ctl(e->efd, EPOLL_CTL_DEL, t->fd, NULL);
		close(t->fd);
	}
	t->fd = -1;
}

/*
 * Whether an errno is the agent's own trouble (out of descriptors, memory,
 * buffers or local ports; a descriptor it got wrong) rather than something
 * the backend or the path to it did. Those are never a verdict.
 */
static bool hc_errno_is_local(int err)
{
	switch (err) {
	case EBADF:
	case ENOTSOCK:
	case EMFILE:
	case ENFILE:
	case ENOMEM:
	case ENOBUFS:
	case EAGAIN:
	case EINVAL:
	case EFAULT:
	case EADDRNOTAVAIL:
		return true;
	}
	return false;
}

/* The check could not run here: no verdict about the backend (see hc_no_result). */
void hc_fail_local(struct health_engine *e, struct hc_target *t, const char *what, int err)
{
	char why[HEALTH_CAUSE_MAX];

	hc_close_fd(e, t);
	snprintf(why, sizeof(why), "%s: %s", what, strerror(err));
	hc_no_result(e, t, why);
}

void hc_fail_errno(struct health_engine *e, struct hc_target *t, const char *what, int err)
{
	char cause[HEALTH_CAUSE_MAX];

	if (hc_errno_is_local(err)) {
		hc_fail_local(e, t, what, err);
		return;
	}
	hc_close_fd(e, t);
	if (err == ECONNREFUSED)
		snprintf(cause, sizeof(cause), "%s",
			 strcmp(what, "connect") ? "port unreachable" : "connection refused");
	else
		snprintf(cause, sizeof(cause), "%s: %s", what, strerror(err));
	hc_result(e, t, false, cause);
}

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

/* hc_check_ready for a check on its own fd, ready when poll gives it any of events. */
bool hc_fd_ready(struct health_engine *e, struct hc_target *t, short events)
{
	struct pollfd pfd = {.fd = t->fd, .events = events};

	if (t->fd < 0 || t->reaping)
		return false;
	if (poll(&pfd, 1, 0) <= 0 || !pfd.revents)
		return false;
	hc_check_event(e, t, pfd.revents);
	return !t->running;
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
