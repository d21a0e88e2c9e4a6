// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The checks that need no library: TCP connect, UDP request/reply and exec,
 * each one non-blocking fd (socket or pidfd) in the engine's epoll; http and
 * https go to health_http.c. The core reaches every kind through its row of
 * hc_kinds (struct hc_kind_ops), so a new kind is one row and its file.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "config.h"
#include "health_int.h"
#include "log.h"

#define HC_UDP_REPLY_MAX 2048

extern char **environ;

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

/*
 * Out of epoll first, then closed: epoll drops a registration by itself only
 * when the last descriptor of its file goes, and a copy held anywhere else
 * would keep reporting events for a target that has moved on.
 */
static void hc_close_fd(struct health_engine *e, struct hc_target *t)
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
static void hc_fail_local(struct health_engine *e, struct hc_target *t, const char *what, int err)
{
	char why[HEALTH_CAUSE_MAX];

	hc_close_fd(e, t);
	snprintf(why, sizeof(why), "%s: %s", what, strerror(err));
	hc_no_result(e, t, why);
}

static void hc_fail_errno(struct health_engine *e, struct hc_target *t, const char *what, int err)
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

/* --- tcp and udp ------------------------------------------------------------------------------ */

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
	return hc_fd_ready(e, t, POLLOUT);
}

static bool hc_pollin_ready(struct health_engine *e, struct hc_target *t)
{
	return hc_fd_ready(e, t, POLLIN);
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
    .ready = hc_pollin_ready,
    .timeout = hc_udp_timeout,
};

/* --- exec ------------------------------------------------------------------------------------- */

/* The command learns what to check from its environment: XDPLB_BACKEND, XDPLB_PORT. */
static char **hc_exec_env(const struct hc_target *t)
{
	char addr[CFG_ADDR_STRLEN];
	size_t n = 0, i;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		env[i] = environ[i];
	cfg_format_addr(&t->addr, addr, sizeof(addr));
	if (asprintf(&env[n], "XDPLB_BACKEND=%s", addr) < 0)
		env[n] = NULL;
	if (asprintf(&env[n + 1], "XDPLB_PORT=%u", t->conf->hc.port) < 0)
		env[n + 1] = NULL;
	return env;
}

static void hc_exec_env_free(char **env)
{
	size_t n = 0;

	if (!env)
		return;
	while (env[n])
		n++;
	/* Only the two entries of hc_exec_env are ours; the rest is environ's. */
	if (n >= 2) {
		free(env[n - 1]);
		free(env[n - 2]);
	}
	free(env);
}

/*
 * posix_spawn (vfork speed), in a process group of its own so that a timeout
 * kills whatever it started; signal mask and SIGPIPE back to defaults, since
 * the agent blocks the signals it reads from a signalfd and ignores SIGPIPE.
 */
static int hc_exec_spawn(struct hc_target *t, pid_t *pid)
{
	const struct cfg_health *hc = &t->conf->hc;
	char *argv[CFG_HC_ARGV_MAX + 1];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	size_t off = 0, i;
	char **env;
	int err;

	for (i = 0; i < hc->argc; i++) {
		argv[i] = (char *)hc->command + off;
		off += strlen(argv[i]) + 1;
	}
	argv[hc->argc] = NULL;
	env = hc_exec_env(t);
	if (!env)
		return -ENOMEM;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/*
	 * The command gets none of the agent's descriptors, whether or not they
	 * are close-on-exec (libraries open some that are not): a socket copy
	 * held by a command outlives the agent's close, and its epoll
	 * registration with it.
	 */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	err = -posix_spawn(pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	hc_exec_env_free(env);
	return err;
}

static void hc_exec_start(struct health_engine *e, struct hc_target *t)
{
	int err = hc_exec_spawn(t, &t->pid);

	if (err) {
		hc_fail_errno(e, t, "exec", -err);
		return;
	}
	/* pidfd_open's descriptor is close-on-exec by itself. */
	t->fd = pidfd_open(t->pid, 0);
	if (t->fd < 0) {
		err = errno;
		kill(-t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
		hc_fail_local(e, t, "pidfd_open", err);
		return;
	}
	err = hc_watch(e, t->fd, EPOLLIN, t);
	if (err) {
		kill(-t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
		hc_fail_local(e, t, "epoll", -err);
	}
}

static void hc_exec_event(struct health_engine *e, struct hc_target *t, uint32_t events)
{
	char cause[HEALTH_CAUSE_MAX];
	siginfo_t si = {};

	if (waitid(P_PIDFD, t->fd, &si, WEXITED | WNOHANG | WNOWAIT) || !si.si_pid)
		return;
	/* Anything the command left in its group goes with it; unreaped, its pid is still ours. */
	kill(-t->pid, SIGKILL);
	waitid(P_PIDFD, t->fd, &si, WEXITED | WNOHANG);
	hc_close_fd(e, t);
	if (t->reaping) {
		t->reaping = false;
		return;
	}
	if (si.si_code == CLD_EXITED && !si.si_status) {
		hc_result(e, t, true, NULL);
		return;
	}
	if (si.si_code == CLD_EXITED)
		snprintf(cause, sizeof(cause), "exit %d", si.si_status);
	else
		snprintf(cause, sizeof(cause), "killed by signal %d", si.si_status);
	hc_result(e, t, false, cause);
}

static void hc_exec_timeout(struct health_engine *e, struct hc_target *t, char *cause, size_t len)
{
	snprintf(cause, len, "timeout after %u ms, killed", t->conf->hc.timeout_ms);
	/* Reaped when its pidfd says it is gone; no new run starts before that. */
	kill(-t->pid, SIGKILL);
	t->reaping = true;
}

/* The target goes but its command may not be gone yet: killed now, reaped from the loop. */
static void hc_exec_orphan(struct health_engine *e, struct hc_target *t)
{
	struct hc_orphan *o = calloc(1, sizeof(*o));
	struct epoll_event ev = {.events = EPOLLIN};

	kill(-t->pid, SIGKILL);
	if (o) {
		o->kind = HC_IO_ORPHAN;
		o->pidfd = t->fd;
		ev.data.ptr = o;
		if (!epoll_ctl(e->efd, EPOLL_CTL_MOD, o->pidfd, &ev)) {
			o->next = e->orphans;
			e->orphans = o;
			t->fd = -1;
			return;
		}
		free(o);
	}
	/* No memory to wait for it later: a SIGKILLed child is gone almost at once. */
	waitpid(t->pid, NULL, 0);
}

void hc_orphan_event(struct health_engine *e, struct hc_orphan *o)
{
	struct hc_orphan **p;
	siginfo_t si = {};

	if (waitid(P_PIDFD, o->pidfd, &si, WEXITED | WNOHANG) || !si.si_pid)
		return;
	for (p = &e->orphans; *p != o; p = &(*p)->next)
		;
	*p = o->next;
	close(o->pidfd);
	free(o);
}

void hc_orphans_close(struct health_engine *e)
{
	struct hc_orphan *o;
	siginfo_t si;

	while ((o = e->orphans)) {
		e->orphans = o->next;
		waitid(P_PIDFD, o->pidfd, &si, WEXITED);
		close(o->pidfd);
		free(o);
	}
}

static void hc_exec_stop(struct health_engine *e, struct hc_target *t)
{
	if (t->fd >= 0)
		hc_exec_orphan(e, t);
}

const struct hc_kind_ops hc_exec_ops = {
    .start = hc_exec_start,
    .event = hc_exec_event,
    .ready = hc_pollin_ready,
    .timeout = hc_exec_timeout,
    .stop = hc_exec_stop,
};

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
