// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The metrics endpoint: libmicrohttpd in external epoll mode. MHD keeps its
 * own epoll fd; the agent's loop polls that fd and calls MHD_run, so every
 * scrape is rendered on the agent's thread and no lock guards its state.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "common/log.h"
#include "metrics/metrics.h"

struct metrics {
	struct MHD_Daemon *d;
	int fd;
	metrics_render_fn render;
	void *ctx;
};

static void metrics_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_warnx("metrics: %s", msg);
}

static enum MHD_Result metrics_reply(struct MHD_Connection *conn, unsigned int status,
				     const char *type, void *body, size_t len,
				     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result metrics_handle(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_size, void **state)
{
	static char not_found[] = "not found: metrics are at /metrics\n";
	static char not_allowed[] = "method not allowed: GET or HEAD\n";
	static char failed[] = "rendering the metrics failed\n";
	static int first_call;
	struct metrics *m = cls;
	size_t len;
	char *text;
	int err;

	/* MHD calls twice for a request: once for the headers, once to answer. */
	if (*state != &first_call) {
		*state = &first_call;
		return MHD_YES;
	}
	if (*upload_size)
		return MHD_NO; /* a scrape has no body: a client sending one is not a scraper */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return metrics_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", not_allowed,
				     strlen(not_allowed), MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return metrics_reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
				     strlen(not_found), MHD_RESPMEM_PERSISTENT);
	err = m->render(m->ctx, &text, &len);
	if (err) {
		log_warnx("metrics: rendering: %s", strerror(-err));
		return metrics_reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", failed,
				     strlen(failed), MHD_RESPMEM_PERSISTENT);
	}
	return metrics_reply(conn, MHD_HTTP_OK, METRICS_CONTENT_TYPE, text, len,
			     MHD_RESPMEM_MUST_FREE);
}

struct metrics *metrics_open(const struct cfg_metrics *cfg, metrics_render_fn fn, void *ctx)
{
	struct sockaddr_storage ss = {};
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	char addr[INET6_ADDRSTRLEN];
	struct metrics *m;
	int err;

	if (cfg->addr.family == LB_AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(cfg->port);
		memcpy(&s6->sin6_addr, cfg->addr.addr, sizeof(s6->sin6_addr));
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(cfg->port);
		s4->sin_addr.s_addr = cfg->addr.addr[0];
	}
	inet_ntop(ss.ss_family,
		  ss.ss_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
					   : (void *)&((struct sockaddr_in *)&ss)->sin_addr,
		  addr, sizeof(addr));

	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->render = fn;
	m->ctx = ctx;
	/* The logger first: MHD reports the options after it through it. */
	m->d = MHD_start_daemon(flags, cfg->port, NULL, NULL, metrics_handle, m,
				MHD_OPTION_EXTERNAL_LOGGER, metrics_mhd_log, NULL,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CONN_MAX,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_CONN_TIMEOUT_S,
				MHD_OPTION_END);
	if (!m->d) {
		/* MHD does not say why; a taken port is by far the likeliest. */
		err = errno ? errno : EADDRINUSE;
		log_warnx("metrics: cannot listen on %s%s%s:%u: %s",
			  flags & MHD_USE_IPv6 ? "[" : "", addr, flags & MHD_USE_IPv6 ? "]" : "",
			  cfg->port, strerror(err));
		free(m);
		errno = err;
		return NULL;
	}
	info = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		MHD_stop_daemon(m->d);
		free(m);
		errno = ENOTSUP;
		return NULL;
	}
	m->fd = info->epoll_fd;
	log_info("metrics: serving http://%s%s%s:%u/metrics", flags & MHD_USE_IPv6 ? "[" : "", addr,
		 flags & MHD_USE_IPv6 ? "]" : "", cfg->port);
	return m;
}

int metrics_fd(const struct metrics *m)
{
	return m->fd;
}

/*
 * MHD's own epoll is edge-triggered: a connection it left ready (a reply
 * half sent into a socket that still takes more) raises no new event, and
 * MHD_get_timeout says 0 then. Run again while it does, a bounded number of
 * times so that one busy scraper cannot hold the loop.
 */
void metrics_process(struct metrics *m)
{
	MHD_UNSIGNED_LONG_LONG timeout;
	int i;

	for (i = 0; i < METRICS_RUN_MAX; i++) {
		if (MHD_run(m->d) != MHD_YES) {
			log_warnx("metrics: MHD_run failed");
			return;
		}
		if (MHD_get_timeout(m->d, &timeout) != MHD_YES || timeout)
			return;
	}
}

void metrics_close(struct metrics *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d);
	free(m);
}
