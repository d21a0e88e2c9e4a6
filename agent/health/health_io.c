// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What every check kind uses on its fd: leaving epoll before the close,
 * telling the agent's own failures (no verdict) from the backend's, and the
 * look at the deadline.
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

/*
 * The ready operation of a check on its own fd: when poll gives it any of
 * events, the kind's own event handler judges it now.
 */
bool hc_fd_ready(struct health_engine *e, struct hc_target *t, short events,
		 void (*event)(struct health_engine *e, struct hc_target *t, uint32_t events))
{
	struct pollfd pfd = {.fd = t->fd, .events = events};

	if (t->fd < 0 || t->reaping)
		return false;
	if (poll(&pfd, 1, 0) <= 0 || !pfd.revents)
		return false;
	event(e, t, pfd.revents);
	return !t->running;
}
