// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TCP and UDP checks: a non-blocking socket in the engine's epoll; TCP is up
 * when connect() completes, UDP when a reply (with the expected bytes) comes.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "health/health_int.h"

#define HC_UDP_REPLY_MAX 2048

static socklen_t hc_sockaddr(const struct xaddr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == LB_AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = a->addr[0];
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, a->addr, sizeof(sin6->sin6_addr));
	return sizeof(*sin6);
}

static void hc_socket_start(struct health_engine *e, struct hc_target *t, int type)
{
	const struct cfg_health *hc = &t->conf->hc;
	/* RST on close: 10,000 checks a second would fill the port range with TIME_WAIT. */
	struct linger lin = {.l_onoff = 1, .l_linger = 0};
	struct sockaddr_storage ss;
	socklen_t len = hc_sockaddr(&t->addr, hc->port, &ss);
	bool tcp = type == SOCK_STREAM;
	int err;

	t->fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0) {
		hc_fail_local(e, t, "socket", errno);
		return;
	}
	if (tcp)
		setsockopt(t->fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
	if (connect(t->fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		hc_fail_errno(e, t, "connect", errno);
		return;
	}
	if (!tcp && send(t->fd, hc->payload, hc->payload_len, 0) < 0) {
		hc_fail_errno(e, t, "send", errno);
		return;
	}
	err = hc_watch(e, t->fd, tcp ? EPOLLOUT : EPOLLIN, t);
	if (err)
		hc_fail_local(e, t, "epoll", -err);
}

static void hc_tcp_event(struct health_engine *e, struct hc_target *t, uint32_t events)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &soerr, &len)) {
		hc_fail_local(e, t, "getsockopt", errno);
		return;
	}
	if (soerr) {
		hc_fail_errno(e, t, "connect", soerr);
		return;
	}
	hc_close_fd(e, t);
	hc_result(e, t, true, NULL);
}

static void hc_udp_event(struct health_engine *e, struct hc_target *t, uint32_t events)
{
	const struct cfg_health *hc = &t->conf->hc;
	char buf[HC_UDP_REPLY_MAX], cause[HEALTH_CAUSE_MAX];
	ssize_t n = recv(t->fd, buf, sizeof(buf), 0);

	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		hc_fail_errno(e, t, "recv", errno);
		return;
	}
	hc_close_fd(e, t);
	if (hc->expect_len && !memmem(buf, n, hc->expect, hc->expect_len)) {
		snprintf(cause, sizeof(cause), "reply of %zd bytes without the expected bytes", n);
		hc_result(e, t, false, cause);
		return;
	}
	hc_result(e, t, true, NULL);
}

static void hc_tcp_start(struct health_engine *e, struct hc_target *t)
{
	hc_socket_start(e, t, SOCK_STREAM);
}

static void hc_udp_start(struct health_engine *e, struct hc_target *t)
{
	hc_socket_start(e, t, SOCK_DGRAM);
}

static bool hc_tcp_ready(struct health_engine *e, struct hc_target *t)
{
	return hc_fd_ready(e, t, POLLOUT, hc_tcp_event);
}

static bool hc_udp_ready(struct health_engine *e, struct hc_target *t)
{
	return hc_fd_ready(e, t, POLLIN, hc_udp_event);
}

static void hc_tcp_timeout(struct health_engine *e, struct hc_target *t, char *cause, size_t len)
{
	snprintf(cause, len, "connect timeout after %u ms", t->conf->hc.timeout_ms);
	hc_close_fd(e, t);
}

static void hc_udp_timeout(struct health_engine *e, struct hc_target *t, char *cause, size_t len)
{
	snprintf(cause, len, "no reply after %u ms", t->conf->hc.timeout_ms);
	hc_close_fd(e, t);
}

const struct hc_kind_ops hc_tcp_ops = {
    .start = hc_tcp_start,
    .event = hc_tcp_event,
    .ready = hc_tcp_ready,
    .timeout = hc_tcp_timeout,
};

const struct hc_kind_ops hc_udp_ops = {
    .start = hc_udp_start,
    .event = hc_udp_event,
    .ready = hc_udp_ready,
    .timeout = hc_udp_timeout,
};
