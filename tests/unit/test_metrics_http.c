// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The metrics endpoint driven the way the agent drives it (its epoll fd in a
 * loop of our own, no thread): a reply far larger than a socket buffer still
 * arrives whole, other paths are 404, a taken port fails the open.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "config/config.h"
#include "config/config_metrics.h"
#include "metrics/metrics.h"

#define BIG_LEN (4u << 20) /* 4 MiB: many times what a loopback socket buffers */

static int big_render(void *ctx, char **text, size_t *len)
{
	*text = malloc(BIG_LEN);
	if (!*text)
		return -ENOMEM;
	memset(*text, 'x', BIG_LEN);
	(*text)[BIG_LEN - 1] = '\n';
	*len = BIG_LEN;
	return 0;
}

/* Opens the endpoint on a free loopback port (the kernel picks one for a probe socket). */
static struct metrics *http_open(struct cfg_metrics *m)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t slen = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	close(fd);
	cr_assert_eq(cfg_metrics_parse_listen("127.0.0.1:1", m), 0);
	m->port = ntohs(sin.sin_port);
	return metrics_open(m, big_render, NULL);
}

/* Sends req and reads the whole reply (the server closes), serving the endpoint meanwhile. */
static size_t http_get(struct metrics *srv, uint16_t port, const char *req, char *head,
		       size_t headlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(0x7f000001) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), rounds = 0;
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	for (;;) {
		struct pollfd p[2] = { { .fd = metrics_fd(srv), .events = POLLIN },
				       { .fd = fd, .events = POLLIN | POLLOUT } };

		cr_assert_lt(rounds++, 100000, "no progress");
		poll(p, 2, 1000);
		if (p[0].revents)
			metrics_process(srv);
		if ((p[1].revents & POLLOUT) && req) {
			cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
			req = NULL;
		}
		if (!(p[1].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			cr_assert_eq(errno, EAGAIN);
			continue;
		}
		if (!total)
			snprintf(head, headlen, "%.*s", (int)(n < 64 ? n : 64), buf);
		total += n;
	}
	close(fd);
	return total;
}

TestSuite(metrics_http, .init = cr_redirect_stderr);

Test(metrics_http, serves_a_reply_larger_than_the_socket_buffers_whole)
{
	struct cfg_metrics m;
	struct metrics *srv = http_open(&m);
	char head[80];
	size_t got;

	cr_assert_not_null(srv);
	got = http_get(srv, m.port, "GET /metrics HTTP/1.0\r\n\r\n", head, sizeof(head));
	cr_expect(!strncmp(head, "HTTP/1.0 200", 12) || !strncmp(head, "HTTP/1.1 200", 12), "%s",
		  head);
	cr_expect_gt(got, BIG_LEN, "got %zu bytes of a %u-byte body", got, BIG_LEN);
	got = http_get(srv, m.port, "GET /other HTTP/1.0\r\n\r\n", head, sizeof(head));
	cr_expect(strstr(head, " 404 "), "%s", head);
	metrics_close(srv);
}

Test(metrics_http, a_taken_port_fails_the_open)
{
	struct cfg_metrics m;
	struct metrics *srv = http_open(&m), *second;

	cr_assert_not_null(srv);
	second = metrics_open(&m, big_render, NULL);
	cr_expect_null(second);
	metrics_close(second);
	metrics_close(srv);
}
