// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The health engine against real servers on 127.0.0.1 started by the test: a
 * TCP listener, HTTP responders (200, 503, silent), a UDP echo, a UDP sink,
 * commands, a closed port and a listener whose queue is full. Every wait is
 * bounded.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <criterion/criterion.h>

#include "skip.h"

#include "common/clock.h"
#include "config/config.h"
#include "health/health.h"
#include "health/health_int.h"

#define MAX_CHANGES 64

struct change {
	struct xaddr addr;
	uint16_t port;
	enum health_state state;
	char cause[HEALTH_CAUSE_MAX];
};

static struct change changes[MAX_CHANGES];
static int n_changes;

static void on_change(void *ctx, const struct xaddr *addr, const struct cfg_health *hc,
		      enum health_state state, const char *cause)
{
	struct change *c;

	cr_assert_lt(n_changes, MAX_CHANGES);
	c = &changes[n_changes++];
	c->addr = *addr;
	c->port = hc->port;
	c->state = state;
	snprintf(c->cause, sizeof(c->cause), "%s", cause);
}

/* --- servers ---------------------------------------------------------------------------------- */

enum srv_kind { SRV_TCP, SRV_HTTP200, SRV_HTTP503, SRV_HTTP_SILENT, SRV_UDP_ECHO, SRV_MAX };

struct servers {
	int fd[SRV_MAX];
	uint16_t port[SRV_MAX];
	int held[16]; /* connections the silent server keeps open */
	int n_held;
	int stop[2];
	pthread_t thread;
};

static struct servers srv;

static int listen_on(int type, uint16_t *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	if (type == SOCK_STREAM)
		cr_assert_eq(listen(fd, 64), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static void serve_http(int fd, const char *status, const char *body)
{
	struct timeval tv = {.tv_usec = 500000};
	char req[1024], resp[256];

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (read(fd, req, sizeof(req)) <= 0)
		return;
	snprintf(resp, sizeof(resp),
		 "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
		 strlen(body), body);
	if (write(fd, resp, strlen(resp)) < 0)
		return;
}

static void *servers_run(void *arg)
{
	struct pollfd pfd[SRV_MAX + 1];
	char buf[2048];
	int i, c;

	for (i = 0; i < SRV_MAX; i++)
		pfd[i] = (struct pollfd){.fd = srv.fd[i], .events = POLLIN};
	pfd[SRV_MAX] = (struct pollfd){.fd = srv.stop[0], .events = POLLIN};
	while (poll(pfd, SRV_MAX + 1, 10000) > 0 && !pfd[SRV_MAX].revents) {
		for (i = 0; i < SRV_MAX; i++) {
			if (!pfd[i].revents)
				continue;
			if (i == SRV_UDP_ECHO) {
				struct sockaddr_storage from;
				socklen_t flen = sizeof(from);
				ssize_t n = recvfrom(srv.fd[i], buf, sizeof(buf), 0,
						     (struct sockaddr *)&from, &flen);

				if (n >= 0)
					sendto(srv.fd[i], buf, n, 0, (struct sockaddr *)&from,
					       flen);
				continue;
			}
			c = accept(srv.fd[i], NULL, NULL);
			if (c < 0)
				continue;
			if (i == SRV_HTTP200)
				serve_http(c, "200 OK", "all good");
			else if (i == SRV_HTTP503)
				serve_http(c, "503 Service Unavailable", "busy");
			if (i == SRV_HTTP_SILENT && srv.n_held < 16)
				srv.held[srv.n_held++] = c;
			else
				close(c);
		}
	}
	return NULL;
}

static void servers_start(void)
{
	int i;

	for (i = 0; i < SRV_MAX; i++)
		srv.fd[i] = listen_on(i == SRV_UDP_ECHO ? SOCK_DGRAM : SOCK_STREAM, &srv.port[i]);
	cr_assert_eq(pipe(srv.stop), 0);
	cr_assert_eq(pthread_create(&srv.thread, NULL, servers_run, NULL), 0);
}

static void servers_stop(void)
{
	int i;

	if (write(srv.stop[1], "x", 1) == 1)
		pthread_join(srv.thread, NULL);
	for (i = 0; i < SRV_MAX; i++)
		close(srv.fd[i]);
	for (i = 0; i < srv.n_held; i++)
		close(srv.held[i]);
	close(srv.stop[0]);
	close(srv.stop[1]);
}

/*
 * 30 s: the https test may wait up to 8 s for openssl s_server and 12 s for its
 * checks on a loaded machine. (A per-test .timeout makes Criterion 2.4 leak in
 * its runner, which the ASan tier reports: one suite-wide bound instead.)
 */
TestSuite(health_engine, .init = servers_start, .fini = servers_stop, .timeout = 30);

/* A port nothing listens on: bound once, then closed. */
static uint16_t closed_port(int type)
{
	uint16_t port;

	close(listen_on(type, &port));
	return port;
}

/* --- driving the engine ----------------------------------------------------------------------- */

static struct xaddr loopback(const char *text)
{
	struct xaddr a;

	cr_assert_eq(cfg_parse_addr(text, &a), 0);
	return a;
}

static struct cfg_health check(uint8_t type, uint16_t port, bool initial_up)
{
	struct cfg_health hc;

	cfg_health_defaults(&hc);
	hc.type = type;
	hc.port = port;
	hc.interval_ms = 100;
	hc.timeout_ms = 80;
	hc.jitter_ms = 0;
	hc.rise = 1;
	hc.fall = 1;
	hc.initial_up = initial_up;
	return hc;
}

/* Every check of hcs on the loopback address text. */
static void want_all_at(struct health_engine *e, const char *text, const struct cfg_health *hcs,
			size_t n)
{
	struct xaddr a = loopback(text);
	size_t i;

	health_begin(e);
	for (i = 0; i < n; i++)
		cr_assert_eq(health_want(e, &a, &hcs[i]), 0);
	health_commit(e);
}

static void want_all(struct health_engine *e, const struct cfg_health *hcs, size_t n)
{
	want_all_at(e, "127.0.0.1", hcs, n);
}

/* Runs the engine until `want` state changes came in or ms passed. */
static void run_engine(struct health_engine *e, int want, int ms)
{
	struct pollfd pfd = {.fd = health_fd(e), .events = POLLIN};
	uint64_t end = clock_now_ns() + (uint64_t)ms * 1000000;

	while (n_changes < want && clock_now_ns() < end) {
		poll(&pfd, 1, 20);
		cr_assert_eq(health_process(e), 0);
	}
}

static const struct change *change_of(uint16_t port)
{
	int i;

	for (i = 0; i < n_changes; i++)
		if (changes[i].port == port)
			return &changes[i];
	cr_assert_fail("no state change for port %u", port);
	return NULL;
}

static void expect_change(uint16_t port, enum health_state state, const char *cause)
{
	const struct change *c = change_of(port);

	cr_assert_eq(c->state, state, "port %u: %s", port, health_state_name(c->state));
	cr_assert_str_eq(c->cause, cause, "port %u", port);
}

/* For two checks of one port: the change to `state` has the cause. */
static void expect_change_to(uint16_t port, enum health_state state, const char *cause)
{
	int i;

	for (i = 0; i < n_changes; i++)
		if (changes[i].port == port && changes[i].state == state) {
			cr_assert_str_eq(changes[i].cause, cause, "port %u: '%s', expected '%s'",
					 port, changes[i].cause, cause);
			return;
		}
	cr_assert_fail("port %u never went %s", port, health_state_name(state));
}

/* What a udp check sends and wants back, from string literals: NUL bytes inside count. */
#define UDP_BYTES(hc, send, want)                                                                  \
	do {                                                                                       \
		memcpy((hc)->payload, send, sizeof(send) - 1);                                     \
		(hc)->payload_len = sizeof(send) - 1;                                              \
		memcpy((hc)->expect, want, sizeof(want) - 1);                                      \
		(hc)->expect_len = sizeof(want) - 1;                                               \
	} while (0)

static struct health_engine *engine(void)
{
	struct health_engine *e = health_open(on_change, NULL);

	cr_assert_not_null(e);
	n_changes = 0;
	return e;
}

/* --- the checks ------------------------------------------------------------------------------- */

Test(health_engine, tcp_listener_is_up_and_closed_port_is_down)
{
	struct health_engine *e = engine();
	uint16_t closed = closed_port(SOCK_STREAM);
	struct cfg_health hcs[] = {
	    check(CFG_HC_TCP, srv.port[SRV_TCP], false),
	    check(CFG_HC_TCP, closed, true),
	};
	struct health_status st;
	struct xaddr a = loopback("127.0.0.1");

	want_all(e, hcs, 2);
	run_engine(e, 2, 2000);
	cr_assert_eq(n_changes, 2);
	expect_change(srv.port[SRV_TCP], HEALTH_UP, "ok");
	expect_change(closed, HEALTH_DOWN, "connection refused");
	cr_assert_eq(health_backend_status(e, &a, &st), 0);
	cr_assert_eq(st.state, HEALTH_DOWN, "one check down makes the backend down");
	cr_assert_str_eq(st.last_result, "connection refused");
	cr_assert_eq(st.changes, 1);
	cr_assert_not(health_backend_up(e, &a));
	health_close(e);
}

Test(health_engine, http_200_is_up_503_is_down_with_its_status)
{
	struct health_engine *e = engine();
	struct cfg_health hcs[] = {
	    check(CFG_HC_HTTP, srv.port[SRV_HTTP200], false),
	    check(CFG_HC_HTTP, srv.port[SRV_HTTP503], true),
	};

	strcpy(hcs[0].path, "/healthz");
	strcpy(hcs[0].host, "www.example.com");
	want_all(e, hcs, 2);
	run_engine(e, 2, 2000);
	cr_assert_eq(n_changes, 2);
	expect_change(srv.port[SRV_HTTP200], HEALTH_UP, "ok");
	expect_change(srv.port[SRV_HTTP503], HEALTH_DOWN, "HTTP 503");
	health_close(e);
}

Test(health_engine, http_expected_status_and_body_are_checked)
{
	struct health_engine *e = engine();
	struct cfg_health hcs[] = {
	    check(CFG_HC_HTTP, srv.port[SRV_HTTP503], false),
	    check(CFG_HC_HTTP, srv.port[SRV_HTTP200], true),
	};

	/* 503 accepted by a range, then 200 refused by its body. */
	hcs[0].n_status = 2;
	hcs[0].status[1][0] = 500;
	hcs[0].status[1][1] = 503;
	strcpy(hcs[1].expect_body, "ready");
	want_all(e, hcs, 2);
	run_engine(e, 2, 2000);
	cr_assert_eq(n_changes, 2);
	expect_change(srv.port[SRV_HTTP503], HEALTH_UP, "ok");
	expect_change(srv.port[SRV_HTTP200], HEALTH_DOWN, "HTTP 200, body without 'ready'");
	health_close(e);
}

Test(health_engine, http_silent_server_times_out_and_closed_port_is_refused)
{
	struct health_engine *e = engine();
	uint16_t closed = closed_port(SOCK_STREAM);
	struct cfg_health hcs[] = {
	    check(CFG_HC_HTTP, srv.port[SRV_HTTP_SILENT], true),
	    check(CFG_HC_HTTP, closed, true),
	};

	want_all(e, hcs, 2);
	run_engine(e, 2, 2000);
	cr_assert_eq(n_changes, 2);
	expect_change(srv.port[SRV_HTTP_SILENT], HEALTH_DOWN, "no response after 80 ms");
	expect_change(closed, HEALTH_DOWN, "connection refused");
	health_close(e);
}

Test(health_engine, udp_echo_is_up_and_silence_or_wrong_bytes_are_down)
{
	struct health_engine *e = engine();
	uint16_t sink_port, closed = closed_port(SOCK_DGRAM);
	int sink = listen_on(SOCK_DGRAM, &sink_port);
	struct cfg_health hcs[] = {
	    check(CFG_HC_UDP, srv.port[SRV_UDP_ECHO], false),
	    check(CFG_HC_UDP, sink_port, true),
	    check(CFG_HC_UDP, closed, true),
	    check(CFG_HC_UDP, srv.port[SRV_UDP_ECHO], true),
	};

	UDP_BYTES(&hcs[0], "ping", "ping");
	/* Same address, port and type as hcs[0] but other settings: a second target. */
	UDP_BYTES(&hcs[3], "ping", "pong");
	hcs[3].interval_ms = 90;
	want_all(e, hcs, 4);
	run_engine(e, 4, 2000);
	close(sink);
	cr_assert_eq(n_changes, 4);
	expect_change_to(srv.port[SRV_UDP_ECHO], HEALTH_UP, "ok");
	expect_change_to(srv.port[SRV_UDP_ECHO], HEALTH_DOWN,
			 "reply of 4 bytes without the expected bytes");
	expect_change(sink_port, HEALTH_DOWN, "no reply after 80 ms");
	expect_change(closed, HEALTH_DOWN, "port unreachable");
	health_close(e);
}

/* A DNS query is full of NUL bytes: every byte goes out, and expect is matched with its NULs. */
Test(health_engine, udp_payload_and_expect_hold_nul_bytes)
{
#define QUERY "\x12\x34\x01\x00\x00\x01\x00\x00ping\x00\x00\x01"
	struct health_engine *e = engine();
	struct cfg_health hcs[] = {
	    check(CFG_HC_UDP, srv.port[SRV_UDP_ECHO], false),
	    check(CFG_HC_UDP, srv.port[SRV_UDP_ECHO], true),
	};

	UDP_BYTES(&hcs[0], QUERY, "ping\x00\x00\x01");
	/* Cut at its first NUL, this expect would be "ping" and found: the check must fail. */
	UDP_BYTES(&hcs[1], QUERY, "ping\x00\x01");
#undef QUERY
	want_all(e, hcs, 2);
	run_engine(e, 2, 2000);
	cr_assert_eq(n_changes, 2);
	expect_change_to(srv.port[SRV_UDP_ECHO], HEALTH_UP, "ok");
	expect_change_to(srv.port[SRV_UDP_ECHO], HEALTH_DOWN,
			 "reply of 15 bytes without the expected bytes");
	health_close(e);
}

static struct cfg_health exec_check(const char *const *argv, int argc, bool initial_up)
{
	struct cfg_health hc = check(CFG_HC_EXEC, 0, initial_up);
	size_t off = 0;
	int i;

	for (i = 0; i < argc; i++) {
		strcpy(hc.command + off, argv[i]);
		off += strlen(argv[i]) + 1;
	}
	hc.argc = argc;
	return hc;
}

Test(health_engine, exec_exit_status_decides_and_a_slow_command_is_killed)
{
	static const char *const ok[] = {"/bin/true"};
	static const char *const bad[] = {"/bin/sh", "-c", "exit 2"};
	static const char *const slow[] = {"/bin/sleep", "5"};
	static const char *const env[] = {"/bin/sh", "-c",
					  "test \"$XDPLB_BACKEND:$XDPLB_PORT\" = 127.0.0.1:4242"};
	struct health_engine *e = engine();
	struct cfg_health hcs[] = {
	    exec_check(ok, 1, false),
	    exec_check(bad, 3, true),
	    exec_check(slow, 2, true),
	    exec_check(env, 3, false),
	};
	struct health_stats stats;

	/* Ports tell the changes apart (exec ignores them but passes XDPLB_PORT). */
	hcs[0].port = 1;
	hcs[1].port = 2;
	hcs[2].port = 3;
	hcs[3].port = 4242;
	want_all(e, hcs, 4);
	run_engine(e, 4, 3000);
	cr_assert_eq(n_changes, 4);
	expect_change(1, HEALTH_UP, "ok");
	expect_change(2, HEALTH_DOWN, "exit 2");
	expect_change(3, HEALTH_DOWN, "timeout after 80 ms, killed");
	expect_change(4242, HEALTH_UP, "ok");
	health_get_stats(e, &stats);
	cr_assert_eq(stats.targets, 4);
	cr_assert_geq(stats.failures, 2);
	health_close(e);
}

Test(health_engine, connect_to_a_full_listen_queue_times_out)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct health_engine *e = engine();
	socklen_t len = sizeof(sin);
	int full, fillers[4], i;
	uint16_t port;
	struct cfg_health hc;

	/* Backlog 0 queues one connection; SYNs beyond a full queue are dropped, unanswered. */
	full = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(full, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(full, 0), 0);
	cr_assert_eq(getsockname(full, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	for (i = 0; i < 4; i++) {
		fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		connect(fillers[i], (struct sockaddr *)&sin, sizeof(sin));
	}
	usleep(50000);
	hc = check(CFG_HC_TCP, port, true);
	want_all(e, &hc, 1);
	run_engine(e, 1, 2000);
	cr_assert_eq(n_changes, 1);
	expect_change(port, HEALTH_DOWN, "connect timeout after 80 ms");
	for (i = 0; i < 4; i++)
		close(fillers[i]);
	close(full);
	health_close(e);
}

/* --- reconciling with a config ---------------------------------------------------------------- */

Test(health_engine, reload_keeps_the_state_of_unchanged_and_retuned_checks)
{
	struct health_engine *e = engine();
	uint16_t closed = closed_port(SOCK_STREAM);
	struct cfg_health hcs[] = {
	    check(CFG_HC_TCP, srv.port[SRV_TCP], false),
	    check(CFG_HC_TCP, closed, true),
	};
	struct health_status st;
	struct xaddr a = loopback("127.0.0.1");

	want_all(e, hcs, 2);
	run_engine(e, 2, 2000);
	cr_assert_eq(n_changes, 2);
	/* Same checks, one with other timing and rise/fall, initial states reversed: no flip. */
	hcs[0].interval_ms = 150;
	hcs[0].rise = 3;
	hcs[0].initial_up = false;
	hcs[1].initial_up = true;
	want_all(e, hcs, 2);
	run_engine(e, 3, 600);
	cr_assert_eq(n_changes, 2, "a reload flipped a state: %s", changes[2].cause);
	cr_assert_eq(health_backend_status(e, &a, &st), 0);
	cr_assert_eq(st.state, HEALTH_DOWN);
	/* Dropping the failing check leaves the address with its healthy one. */
	want_all(e, hcs, 1);
	cr_assert(health_backend_up(e, &a));
	want_all(e, hcs, 0);
	cr_assert_eq(health_backend_status(e, &a, &st), -ENOENT);
	cr_assert(health_backend_up(e, &a), "an address nothing checks counts as up");
	health_close(e);
}

/* A restarted agent's DOWN backend: down at once, up again only after rise checks pass. */
Test(health_engine, assumed_down_starts_down_and_rises_by_its_checks)
{
	struct health_engine *e = engine();
	struct cfg_health hc = check(CFG_HC_TCP, srv.port[SRV_TCP], true);
	struct health_status st;
	struct xaddr a = loopback("127.0.0.1"), other;

	cr_assert_eq(cfg_parse_addr("192.0.2.99", &other), 0);
	want_all(e, &hc, 1);
	health_assume_down(e, &a, &hc);
	health_assume_down(e, &other, &hc);
	cr_assert_not(health_backend_up(e, &a), "assumed down but counted up");
	cr_assert(health_backend_up(e, &other), "an address nothing checks counts as up");
	run_engine(e, 1, 2000);
	cr_assert_eq(health_backend_status(e, &a, &st), 0);
	cr_assert_eq(st.state, HEALTH_UP, "the listening port's checks did not bring it up");
	health_close(e);
}

Test(health_engine, type_none_is_never_checked_and_a_check_wanted_twice_runs_once)
{
	struct health_engine *e = engine();
	struct cfg_health hcs[] = {
	    check(CFG_HC_NONE, 0, false),
	    check(CFG_HC_TCP, srv.port[SRV_TCP], true),
	    check(CFG_HC_TCP, srv.port[SRV_TCP], true),
	};
	struct health_stats stats;

	want_all(e, hcs, 3);
	health_get_stats(e, &stats);
	cr_assert_eq(stats.targets, 1);
	health_close(e);
}

Test(health_engine, first_checks_spread_over_the_first_interval)
{
	struct health_engine *e = engine();
	struct cfg_health hc = check(CFG_HC_TCP, srv.port[SRV_TCP], true);
	uint64_t now = clock_now_ns(), lo = UINT64_MAX, hi = 0, span = 1000 * 1000000ULL, late;
	size_t i, buckets[10] = {};
	struct xaddr a = loopback("127.0.0.1");

	hc.interval_ms = 1000;
	health_begin(e);
	for (i = 0; i < 1000; i++) {
		hc.port = 10000 + i;
		cr_assert_eq(health_want(e, &a, &hc), 0);
	}
	health_commit(e);
	/* Setting up 1000 targets takes a while under a sanitizer: allow for it. */
	late = clock_now_ns() - now;
	for (i = 0; i < e->n_heap; i++) {
		uint64_t d = e->heap[i]->due_ns;

		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		cr_assert_lt(d - now, span + late, "first check beyond one interval");
		buckets[(d - now) * 10 / (span + late)]++;
	}
	cr_assert_gt(hi - lo, span / 2, "starts bunched within %llu ns",
		     (unsigned long long)(hi - lo));
	for (i = 0; i < 9; i++)
		cr_assert_lt(buckets[i], 250, "a tenth of the interval holds %zu of 1000 starts",
			     buckets[i]);
	health_close(e);
}

Test(health_engine, ipv6_tcp_and_http_checks_reach_the_address)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct health_engine *e = engine();
	socklen_t len = sizeof(sin6);
	struct cfg_health hcs[4];
	uint16_t open_port, closed;
	struct xaddr a;
	int fd, gone, i;

	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	gone = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) || listen(fd, 16))
		XLB_SKIP("no IPv6 loopback here");
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin6, &len), 0);
	open_port = ntohs(sin6.sin6_port);
	sin6.sin6_port = 0;
	cr_assert_eq(bind(gone, (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	len = sizeof(sin6);
	cr_assert_eq(getsockname(gone, (struct sockaddr *)&sin6, &len), 0);
	closed = ntohs(sin6.sin6_port);
	close(gone);
	hcs[0] = check(CFG_HC_TCP, open_port, false);
	hcs[1] = check(CFG_HC_TCP, closed, true);
	/* HTTP to the listener nobody accepts on: connected over IPv6, never answered. */
	hcs[2] = check(CFG_HC_HTTP, open_port, true);
	hcs[3] = check(CFG_HC_HTTP, closed, true);
	cr_assert_eq(cfg_parse_addr("::1", &a), 0);
	health_begin(e);
	for (i = 0; i < 4; i++)
		cr_assert_eq(health_want(e, &a, &hcs[i]), 0);
	health_commit(e);
	run_engine(e, 4, 2000);
	cr_assert_eq(n_changes, 4);
	expect_change_to(open_port, HEALTH_UP, "ok");
	expect_change_to(open_port, HEALTH_DOWN, "no response after 80 ms");
	expect_change_to(closed, HEALTH_DOWN, "connection refused");
	cr_assert_eq(changes[0].state + changes[1].state + changes[2].state + changes[3].state, 1,
		     "one up, three down");
	close(fd);
	health_close(e);
}

/* openssl s_server with a fresh self-signed certificate for www.example.com; -1 if unavailable. */
static pid_t tls_server(char *dir, const char *host, uint16_t port)
{
	char cmd[512], portarg[32];
	pid_t pid;

	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
		 "-nodes -keyout k.pem -out c.pem -days 1 -subj /CN=www.example.com "
		 ">/dev/null 2>&1",
		 dir);
	if (system(cmd))
		return -1;
	snprintf(portarg, sizeof(portarg), "%s:%u", host, port);
	pid = fork();
	if (!pid) {
		if (chdir(dir) || !freopen("/dev/null", "w", stdout) ||
		    !freopen("/dev/null", "w", stderr))
			_exit(127);
		execlp("timeout", "timeout", "15", "openssl", "s_server", "-accept", portarg,
		       "-cert", "c.pem", "-key", "k.pem", "-www", "-quiet", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* True once something accepts TCP connections on 127.0.0.1:port (a child server started). */
static bool tcp_listening(uint16_t port, int ms)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	uint64_t end = clock_now_ns() + (uint64_t)ms * 1000000;
	int fd, ok;

	do {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ok = fd >= 0 && !connect(fd, (struct sockaddr *)&sin, sizeof(sin));
		if (fd >= 0)
			close(fd);
		if (ok)
			return true;
		usleep(20000);
	} while (clock_now_ns() < end);
	return false;
}

Test(health_engine, https_checks_the_certificate_only_when_told_to)
{
	char dir[] = "/tmp/xdplb-tls-XXXXXX", cmd[128];
	struct health_engine *e = engine();
	uint16_t port = closed_port(SOCK_STREAM);
	struct cfg_health hcs[3];
	pid_t pid;
	int i;

	cr_assert_not_null(mkdtemp(dir));
	pid = tls_server(dir, "127.0.0.1", port);
	if (pid < 0)
		XLB_SKIP("openssl cannot make a certificate here");
	/* openssl s_server takes its time to start on a loaded machine. */
	cr_assert(tcp_listening(port, 8000), "openssl s_server does not listen on port %u", port);
	for (i = 0; i < 3; i++) {
		hcs[i] = check(CFG_HC_HTTPS, port, i != 1);
		/* The first verification loads the CA store (slow under ASan on a loaded
		 * machine: 1.5 s once ran out): give the handshake time. */
		hcs[i].interval_ms = 5000;
		hcs[i].timeout_ms = 4500;
	}
	/* Verify on, self-signed: down with libcurl's reason. */
	strcpy(hcs[0].host, "www.example.com");
	hcs[1].tls_verify = false; /* verify off, by address: up */
	hcs[2].tls_verify = false; /* verify off, Host and SNI www.example.com: up */
	strcpy(hcs[2].host, "www.example.com");
	hcs[2].initial_up = false;
	want_all(e, hcs, 3);
	run_engine(e, 3, 12000);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(n_changes, 3, "%d changes", n_changes);
	/* libcurl's GnuTLS flavour (one TLS stack with libmicrohttpd): its words, and
	 * "CAfile: none" although it verifies against the CA path /etc/ssl/certs. */
	expect_change_to(port, HEALTH_DOWN,
			 "server certificate verification failed. CAfile: none CRLfile: none");
	cr_assert_eq(changes[0].state + changes[1].state + changes[2].state, 2, "two up");
	health_close(e);
}

Test(health_engine, a_reload_dropping_a_running_command_kills_it_and_reaps_it_later)
{
	static const char *const slow[] = {"/bin/sleep", "30"};
	struct health_engine *e = engine();
	struct cfg_health hc = exec_check(slow, 2, true);
	char proc[64];
	uint64_t t0;
	pid_t pid = 0;
	int i;

	hc.interval_ms = 2000;
	hc.timeout_ms = 1900;
	hc.port = 7;
	want_all(e, &hc, 1);
	for (i = 0; i < 150 && !pid; i++) {
		run_engine(e, 1, 20);
		if (e->n_heap && e->heap[0]->running)
			pid = e->heap[0]->pid;
	}
	cr_assert_gt(pid, 0, "the command never started");
	t0 = clock_now_ns();
	want_all(e, &hc, 0);
	cr_assert_lt(clock_now_ns() - t0, 50000000ULL, "the reload waited for the command");
	snprintf(proc, sizeof(proc), "/proc/%d", pid);
	for (i = 0; i < 100 && !access(proc, F_OK); i++)
		run_engine(e, 1, 20);
	cr_assert_neq(access(proc, F_OK), 0, "command %d killed but never reaped", pid);
	cr_assert_null(e->orphans);
	health_close(e);
}

/* --- verdicts about the backend only ---------------------------------------------------------- */

/* Runs the engine for ms, whatever changes come in. */
static void run_engine_for(struct health_engine *e, int ms)
{
	run_engine(e, MAX_CHANGES, ms);
}

Test(health_engine, an_event_for_a_check_that_is_over_is_no_verdict)
{
	struct health_engine *e = engine();
	struct cfg_health hc = check(CFG_HC_TCP, srv.port[SRV_TCP], true);
	struct health_stats stats;
	struct hc_target *t;
	int i;

	want_all(e, &hc, 1);
	for (i = 0; i < 100; i++) {
		run_engine_for(e, 20);
		health_get_stats(e, &stats);
		if (stats.checks && !e->heap[0]->running)
			break;
	}
	cr_assert_geq(stats.checks, 1, "no check ever finished");
	t = e->heap[0];
	cr_assert_eq(t->fd, -1);
	/* What a registration that outlived its socket would deliver. */
	hc_check_event(e, t, EPOLLOUT);
	health_get_stats(e, &stats);
	cr_assert_eq(stats.failures, 0, "a stale event was judged: %s", t->last);
	cr_assert_eq(n_changes, 0, "a stale event flipped the backend: %s", changes[0].cause);
	cr_assert_eq(stats.running, 0);
	health_close(e);
}

Test(health_engine, out_of_descriptors_is_the_agents_failure_not_the_backends)
{
	struct health_engine *e = engine();
	struct cfg_health hcs[] = {
	    check(CFG_HC_TCP, srv.port[SRV_TCP], true),
	    check(CFG_HC_HTTP, srv.port[SRV_HTTP200], true),
	    check(CFG_HC_UDP, srv.port[SRV_UDP_ECHO], true),
	};
	struct rlimit rl = {.rlim_cur = 256, .rlim_max = 256};
	struct health_stats stats;
	int fill[256], n = 0, i;

	UDP_BYTES(&hcs[2], "ping", "");
	want_all(e, hcs, 3);
	/* Every descriptor this process may have, taken: the checks cannot open a socket. */
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
	while (n < 256 && (fill[n] = dup(0)) >= 0)
		n++;
	cr_assert_eq(errno, EMFILE);
	run_engine_for(e, 400);
	for (i = 0; i < n; i++)
		close(fill[i]);
	health_get_stats(e, &stats);
	cr_assert_geq(stats.check_errors, 3, "only %llu checks could not run",
		      (unsigned long long)stats.check_errors);
	cr_assert_eq(stats.failures, 0,
		     "the agent's own shortage was held against a backend: %s %s %s",
		     e->heap[0]->last, e->heap[1]->last, e->heap[2]->last);
	cr_assert_eq(n_changes, 0, "port %u went %s: %s", changes[0].port,
		     health_state_name(changes[0].state), changes[0].cause);
	/* With descriptors back, the same checks run and pass. */
	run_engine_for(e, 400);
	health_get_stats(e, &stats);
	cr_assert_geq(stats.checks, 3);
	cr_assert_eq(stats.failures, 0);
	health_close(e);
}

/*
 * Commands forked beside socket checks at short intervals: a command must
 * never hold a copy of a check's socket (its epoll registration would outlive
 * the close and report for the next check), so no check fails.
 */
Test(health_engine, exec_checks_beside_socket_checks_give_no_false_verdict)
{
	static const char *const ok[] = {"/bin/true"};
	struct cfg_health hcs[12];
	struct health_engine *e = engine();
	struct health_stats stats;
	size_t i;

	for (i = 0; i < 12; i++) {
		if (i < 4)
			hcs[i] = exec_check(ok, 1, true);
		else if (i < 10)
			hcs[i] = check(CFG_HC_TCP, srv.port[SRV_TCP], true);
		else
			hcs[i] = check(CFG_HC_HTTP, srv.port[SRV_HTTP200], true);
		/* Distinct settings: twelve targets on one address. */
		hcs[i].rise = 1 + i;
		hcs[i].interval_ms = 50;
		hcs[i].timeout_ms = 45;
	}
	/*
	 * A loaded machine (or a sanitizer build) really delays a fork, and the
	 * test's one HTTP server thread: the commands are here to fork beside the
	 * sockets, not to be judged, so they never fall in 3 s. A connect on
	 * loopback is the kernel's alone: fall 1, one false failure shows.
	 */
	for (i = 0; i < 4; i++)
		hcs[i].fall = 100;
	/* The test's one server thread answers HTTP between the TCP accepts: slow under load. */
	for (i = 10; i < 12; i++) {
		hcs[i].interval_ms = 300;
		hcs[i].timeout_ms = 290;
		hcs[i].fall = 5;
	}
	want_all(e, hcs, 12);
	run_engine_for(e, 3000);
	health_get_stats(e, &stats);
	cr_assert_geq(stats.checks, 200, "only %llu checks ran", (unsigned long long)stats.checks);
	cr_assert_eq(n_changes, 0, "port %u went %s: %s", changes[0].port,
		     health_state_name(changes[0].state), changes[0].cause);
	health_close(e);
}

/* A UDP echo on [::1]:port in a child that ends by itself within 10 s; its pid, or -1. */
static pid_t udp6_echo(uint16_t *port)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	socklen_t len = sizeof(sin6);
	char buf[512];
	pid_t pid;
	int fd;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) ||
	    getsockname(fd, (struct sockaddr *)&sin6, &len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(sin6.sin6_port);
	pid = fork();
	if (!pid) {
		alarm(10);
		for (;;) {
			len = sizeof(sin6);
			ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sin6, &len);

			if (n >= 0)
				sendto(fd, buf, n, 0, (struct sockaddr *)&sin6, len);
		}
	}
	close(fd);
	return pid;
}

/* The kinds the test above leaves out, over IPv6: UDP, HTTPS and exec reach [::1]. */
Test(health_engine, ipv6_udp_https_and_exec_checks_reach_the_address)
{
	static const char *const env[] = {"/bin/sh", "-c",
					  "test \"$XDPLB_BACKEND:$XDPLB_PORT\" = ::1:4243"};
	char dir[] = "/tmp/xdplb-tls-XXXXXX", cmd[128];
	struct health_engine *e = engine();
	uint16_t echo_port, closed = closed_port(SOCK_DGRAM), tls_port = closed_port(SOCK_STREAM);
	struct cfg_health hcs[4];
	pid_t echo, tls;

	echo = udp6_echo(&echo_port);
	if (echo < 0)
		XLB_SKIP("no IPv6 loopback here");
	cr_assert_not_null(mkdtemp(dir));
	tls = tls_server(dir, "[::1]", tls_port);
	if (tls < 0) {
		kill(echo, SIGKILL);
		waitpid(echo, NULL, 0);
		XLB_SKIP("openssl cannot make a certificate here");
	}
	hcs[0] = check(CFG_HC_UDP, echo_port, false);
	UDP_BYTES(&hcs[0], "ping", "ping");
	/* A port nothing listens on over IPv4 may be taken over IPv6: ICMPv6 says unreachable. */
	hcs[1] = check(CFG_HC_UDP, closed, true);
	hcs[2] = check(CFG_HC_HTTPS, tls_port, false);
	hcs[2].tls_verify = false;
	hcs[2].interval_ms = 2000;
	hcs[2].timeout_ms = 1500;
	hcs[3] = exec_check(env, 3, false);
	hcs[3].port = 4243;
	usleep(300000);
	want_all_at(e, "::1", hcs, 4);
	run_engine(e, 4, 6000);
	kill(tls, SIGTERM);
	waitpid(tls, NULL, 0);
	kill(echo, SIGKILL);
	waitpid(echo, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(n_changes, 4, "%d changes", n_changes);
	expect_change(echo_port, HEALTH_UP, "ok");
	expect_change(closed, HEALTH_DOWN, "port unreachable");
	expect_change(tls_port, HEALTH_UP, "ok");
	expect_change(4243, HEALTH_UP, "ok");
	health_close(e);
}
