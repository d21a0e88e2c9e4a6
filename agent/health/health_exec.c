// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Exec checks: a command, spawned in a process group of its own, is up when
 * it exits 0 within the timeout; its pidfd waits in the engine's epoll. A
 * command outlives neither its timeout (killed, then reaped) nor its target
 * (an orphan reaped from the loop).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "common/spawn.h"
#include "config/config.h"
#include "health/health_int.h"

extern char **environ;

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

/* In a process group of its own, so that a timeout kills whatever it started. */
static int hc_exec_spawn(struct hc_target *t, pid_t *pid)
{
	const struct cfg_health *hc = &t->conf->hc;
	char *argv[CFG_HC_ARGV_MAX + 1];
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
	err = spawn_clean(pid, argv, env, SPAWN_OUT_NULL);
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

static bool hc_exec_ready(struct health_engine *e, struct hc_target *t)
{
	return hc_fd_ready(e, t, POLLIN, hc_exec_event);
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
    .ready = hc_exec_ready,
    .timeout = hc_exec_timeout,
    .stop = hc_exec_stop,
};
