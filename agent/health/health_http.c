// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * HTTP and HTTPS checks through libcurl's multi interface driven by our
 * epoll: libcurl says which sockets to watch (CURLMOPT_SOCKETFUNCTION) and
 * when to call it back (CURLMOPT_TIMERFUNCTION); the engine's timerfd and
 * epoll do the waiting. Every check is a fresh connection to the backend's
 * address (CURLOPT_CONNECT_TO when a Host is set, so TLS checks the name).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "common/clock.h"
#include "config/config.h"
#include "health/health_int.h"
#include "common/log.h"

#define HC_BODY_MAX (64 * 1024) /* expect_body is looked for in the first 64 KiB */

struct hc_http {
	CURL *easy;
	bool in_multi;
	char err[CURL_ERROR_SIZE];
	struct curl_slist *connect_to; /* CURLOPT_CONNECT_TO entry of the current run */
	char *body;		       /* kept only when expect_body is set */
	size_t len;
	int open_errno; /* this run's socket() failed with it: the agent's failure */
};

static int hc_curl_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct health_engine *e = userp;
	struct hc_curl_sock *cs = socketp;
	struct epoll_event ev = {};
	int op = EPOLL_CTL_MOD;

	if (what == CURL_POLL_REMOVE) {
		/* libcurl may have closed it already: then epoll dropped it by itself. */
		epoll_ctl(e->efd, EPOLL_CTL_DEL, s, NULL);
		curl_multi_assign(e->multi, s, NULL);
		if (!cs)
			return 0;
		/*
		 * Events of this batch may still point at it (one socket's action can end
		 * other transfers): freed once the batch is done, ignored until then.
		 */
		cs->fd = -1;
		cs->next_dead = e->curl_dead;
		e->curl_dead = cs;
		return 0;
	}
	if (!cs) {
		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return -1;
		cs->kind = HC_IO_CURL;
		cs->fd = s;
		curl_multi_assign(e->multi, s, cs);
		op = EPOLL_CTL_ADD;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	ev.data.ptr = cs;
	if (!epoll_ctl(e->efd, op, s, &ev))
		return 0;
	/* A number libcurl closed and opened again between two callbacks: take it over. */
	if (errno == ENOENT || errno == EEXIST)
		epoll_ctl(e->efd, errno == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, s, &ev);
	return 0;
}

/*
 * libcurl's sockets are close-on-exec like every other of the engine
 * (health_tcp.c, health_exec.c). A socket that cannot be had is remembered: libcurl
 * reports it only as "couldn't connect", which would read as the backend's.
 */
static curl_socket_t hc_curl_open(void *userp, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct hc_target *t = userp;
	int fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);

	if (fd < 0)
		t->http->open_errno = errno;
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

/* And leave epoll before they are closed, whatever order libcurl tells us in. */
static int hc_curl_close(void *userp, curl_socket_t s)
{
	struct health_engine *e = userp;

	epoll_ctl(e->efd, EPOLL_CTL_DEL, s, NULL);
	return close(s);
}

static int hc_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct health_engine *e = userp;

	e->curl_due_ns = timeout_ms < 0 ? 0 : clock_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	return 0;
}

static size_t hc_curl_write(char *data, size_t size, size_t n, void *userp)
{
	struct hc_target *t = userp;
	struct hc_http *h = t->http;
	size_t len = size * n, room;

	if (!t->conf->hc.expect_body[0] || h->len >= HC_BODY_MAX)
		return len;
	if (!h->body) {
		h->body = malloc(HC_BODY_MAX + 1);
		if (!h->body)
			return len;
	}
	room = HC_BODY_MAX - h->len;
	memcpy(h->body + h->len, data, len < room ? len : room);
	h->len += len < room ? len : room;
	h->body[h->len] = '\0';
	return len;
}

static int hc_http_multi(struct health_engine *e)
{
	if (e->multi)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return -ENOMEM;
	e->multi = curl_multi_init();
	if (!e->multi)
		return -ENOMEM;
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, hc_curl_socket);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, hc_curl_timer);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
	return 0;
}

/* Sets every option for this run: a reload may have changed the settings since the last. */
static void hc_http_setup(struct health_engine *e, struct hc_target *t)
{
	const struct cfg_health *hc = &t->conf->hc;
	struct hc_http *h = t->http;
	bool v6 = t->addr.family == LB_AF_INET6;
	char addr[CFG_ADDR_STRLEN], url[CFG_HC_HOST_MAX + CFG_PATH_MAX + 32];
	char connect_to[2 * CFG_HC_HOST_MAX + 32];
	struct curl_slist *ct = NULL;
	CURL *c = h->easy;

	curl_easy_reset(c);
	cfg_format_addr(&t->addr, addr, sizeof(addr));
	if (hc->host[0]) {
		snprintf(url, sizeof(url), "%s://%s:%u%s", cfg_health_type_name(hc->type), hc->host,
			 hc->port, hc->path);
		snprintf(connect_to, sizeof(connect_to), "%s:%u:%s%s%s:%u", hc->host, hc->port,
			 v6 ? "[" : "", addr, v6 ? "]" : "", hc->port);
		ct = curl_slist_append(NULL, connect_to);
	} else {
		snprintf(url, sizeof(url), "%s://%s%s%s:%u%s", cfg_health_type_name(hc->type),
			 v6 ? "[" : "", addr, v6 ? "]" : "", hc->port, hc->path);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	/* libcurl copies option strings, but not lists: CONNECT_TO's lives until the next setup. */
	curl_slist_free_all(h->connect_to);
	h->connect_to = ct;
	if (ct)
		curl_easy_setopt(c, CURLOPT_CONNECT_TO, ct);
	if (!strcmp(hc->method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(hc->method, "GET"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, hc->method);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, hc_curl_open);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, t);
	curl_easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, hc_curl_close);
	curl_easy_setopt(c, CURLOPT_CLOSESOCKETDATA, e);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	/* Nothing to resolve, and a cache of 10,000 host:port entries is walked per check. */
	curl_easy_setopt(c, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, hc->tls_verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, hc->tls_verify ? 2L : 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "xdplb-health/" XDPLB_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hc_curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(c, CURLOPT_PRIVATE, t);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->err);
	/* Our own deadline ends the check; libcurl's is a backstop only. */
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)hc->timeout_ms + 1000);
	h->err[0] = '\0';
	h->len = 0;
	h->open_errno = 0;
}

static int hc_http_add(struct health_engine *e, struct hc_target *t, char *cause, size_t len)
{
	struct hc_http *h = t->http;
	int err = hc_http_multi(e);

	if (!err && !h) {
		h = t->http = calloc(1, sizeof(*h));
		if (h)
			h->easy = curl_easy_init();
		if (!h || !h->easy)
			err = -ENOMEM;
	}
	if (err) {
		snprintf(cause, len, "libcurl: %s", strerror(-err));
		return err;
	}
	hc_http_setup(e, t);
	if (curl_multi_add_handle(e->multi, h->easy)) {
		snprintf(cause, len, "libcurl: cannot add the request");
		return -ENOMEM;
	}
	h->in_multi = true;
	return 0;
}

static void hc_http_start(struct health_engine *e, struct hc_target *t)
{
	char cause[HEALTH_CAUSE_MAX];

	/* It fails only for want of memory in libcurl: the agent's failure. */
	if (hc_http_add(e, t, cause, sizeof(cause)))
		hc_no_result(e, t, cause);
}

static void hc_http_detach(struct health_engine *e, struct hc_target *t)
{
	if (t->http && t->http->in_multi) {
		curl_multi_remove_handle(e->multi, t->http->easy);
		t->http->in_multi = false;
	}
}

static bool hc_http_status_ok(const struct cfg_health *hc, long code)
{
	size_t i;

	for (i = 0; i < hc->n_status; i++)
		if (code >= hc->status[i][0] && code <= hc->status[i][1])
			return true;
	return false;
}

static void hc_http_done(struct health_engine *e, struct hc_target *t, CURLcode res)
{
	const struct cfg_health *hc = &t->conf->hc;
	struct hc_http *h = t->http;
	char cause[HEALTH_CAUSE_MAX];
	long code = 0, os_errno = 0;

	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &os_errno);
	hc_http_detach(e, t);
	/* libcurl could not get a socket or memory: the agent's failure, no verdict. */
	if (res == CURLE_OUT_OF_MEMORY || (res == CURLE_COULDNT_CONNECT && h->open_errno)) {
		snprintf(cause, sizeof(cause), "libcurl: %.100s",
			 h->open_errno ? strerror(h->open_errno)
				       : (h->err[0] ? h->err : curl_easy_strerror(res)));
		hc_no_result(e, t, cause);
		return;
	}
	if (res == CURLE_COULDNT_CONNECT && os_errno == ECONNREFUSED)
		snprintf(cause, sizeof(cause), "connection refused");
	else if (res == CURLE_OPERATION_TIMEDOUT)
		snprintf(cause, sizeof(cause), "timeout after %u ms", hc->timeout_ms);
	else if (res != CURLE_OK)
		snprintf(cause, sizeof(cause), "%.120s",
			 h->err[0] ? h->err : curl_easy_strerror(res));
	else if (!hc_http_status_ok(hc, code))
		snprintf(cause, sizeof(cause), "HTTP %ld", code);
	else if (hc->expect_body[0] && (!h->body || !strstr(h->body, hc->expect_body)))
		snprintf(cause, sizeof(cause), "HTTP %ld, body without '%.64s'", code,
			 hc->expect_body);
	else
		cause[0] = '\0';
	hc_result(e, t, !cause[0], cause);
}

static void hc_http_read_done(struct health_engine *e)
{
	struct hc_target *t;
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(e->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t) || !t)
			continue;
		hc_http_done(e, t, msg->data.result);
	}
}

void hc_http_free_dead(struct health_engine *e)
{
	struct hc_curl_sock *cs;

	while ((cs = e->curl_dead)) {
		e->curl_dead = cs->next_dead;
		free(cs);
	}
}

void hc_http_socket_event(struct health_engine *e, int fd, uint32_t events)
{
	int mask = (events & EPOLLIN ? CURL_CSELECT_IN : 0) |
		   (events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
		   (events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
	int running;

	curl_multi_socket_action(e->multi, fd, mask, &running);
	hc_http_read_done(e);
}

void hc_http_timer(struct health_engine *e)
{
	long ms = -1;
	int running;

	e->curl_due_ns = 0;
	curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	hc_http_read_done(e);
	/*
	 * libcurl calls the timer callback only when its earliest timer changes: a
	 * timer it reported as 0 ms that was not quite due stays, unannounced. Ask.
	 */
	if (!e->curl_due_ns && !curl_multi_timeout(e->multi, &ms) && ms >= 0)
		e->curl_due_ns = clock_now_ns() + (uint64_t)(ms ? ms : 1) * 1000000ULL;
}

/* hc_check_ready for http(s): lets libcurl read what its socket holds before the verdict. */
static bool hc_http_ready(struct health_engine *e, struct hc_target *t)
{
	curl_socket_t s = CURL_SOCKET_BAD;
	struct pollfd pfd;

	if (!t->http || !t->http->in_multi ||
	    curl_easy_getinfo(t->http->easy, CURLINFO_ACTIVESOCKET, &s) || s == CURL_SOCKET_BAD)
		return false;
	pfd = (struct pollfd){.fd = s, .events = POLLIN | POLLOUT};
	if (poll(&pfd, 1, 0) <= 0 || !pfd.revents)
		return false;
	hc_http_socket_event(e, s, pfd.revents);
	hc_http_free_dead(e);
	return !t->running;
}

static void hc_http_timeout(struct health_engine *e, struct hc_target *t, char *cause, size_t len)
{
	curl_off_t connected = 0;

	if (t->http)
		curl_easy_getinfo(t->http->easy, CURLINFO_CONNECT_TIME_T, &connected);
	hc_http_detach(e, t);
	if (connected)
		snprintf(cause, len, "no response after %u ms", t->conf->hc.timeout_ms);
	else
		snprintf(cause, len, "connect timeout after %u ms", t->conf->hc.timeout_ms);
}

static void hc_http_stop(struct health_engine *e, struct hc_target *t)
{
	struct hc_http *h = t->http;

	if (!h)
		return;
	hc_http_detach(e, t);
	curl_easy_cleanup(h->easy);
	curl_slist_free_all(h->connect_to);
	free(h->body);
	free(h);
	t->http = NULL;
}

/* Its events come through libcurl's sockets (hc_http_socket_event), not a target fd. */
const struct hc_kind_ops hc_http_ops = {
    .start = hc_http_start,
    .ready = hc_http_ready,
    .timeout = hc_http_timeout,
    .stop = hc_http_stop,
};

void hc_http_close(struct health_engine *e)
{
	if (!e->multi)
		return;
	curl_multi_cleanup(e->multi);
	hc_http_free_dead(e);
	e->multi = NULL;
	curl_global_cleanup();
}
