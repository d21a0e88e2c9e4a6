// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The node agent's core: one epoll over a signalfd (SIGHUP reloads,
 * SIGTERM/SIGINT stop), a timerfd (the parts' ticks) and the fds of its parts
 * (core/parts.h), whose table start, reload, stop and the loop walk. Everything
 * runs on this one thread.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "common/log.h"
#include "config/config.h"
#include "core/agent.h"
#include "core/notify.h"
#include "core/parts.h"

int agent_epoll_add(struct agent *a, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		log_warn("agent: epoll_ctl");
		return -errno;
	}
	return 0;
}

static int agent_open_loop(struct agent *a)
{
	struct itimerspec its = {
		.it_interval = { .tv_nsec = AGENT_TICK_MS * 1000000L },
		.it_value = { .tv_nsec = AGENT_TICK_MS * 1000000L },
	};
	sigset_t mask;
	int err;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	/* A client that hangs up mid-reply must not kill the agent. */
	signal(SIGPIPE, SIG_IGN);

	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	a->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	a->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (a->epfd < 0 || a->sigfd < 0 || a->timerfd < 0) {
		log_warn("agent: creating the event loop");
		return -errno;
	}
	if (timerfd_settime(a->timerfd, 0, &its, NULL))
		return -errno;
	err = agent_epoll_add(a, a->sigfd);
	if (!err)
		err = agent_epoll_add(a, a->timerfd);
	return err;
}

/* Whether part runs on this node's role. */
static bool agent_part_on(const struct agent *a, const struct agent_part *part)
{
	return part->roles & (1U << a->role);
}

int agent_start(struct agent *a, const struct agent_opts *opts)
{
	char err_msg[CFG_ERR_MAX];
	size_t i;
	int err;

	memset(a, 0, sizeof(*a));
	a->epfd = a->sigfd = a->timerfd = -1;
	a->started = time(NULL);
	a->force_backend = opts->backend;
	/* Absolute, so that status names the file whatever the caller's directory was. */
	if (!realpath(opts->config_path, a->config_path))
		snprintf(a->config_path, sizeof(a->config_path), "%s", opts->config_path);

	err = cfg_load(a->config_path, &a->cfg, err_msg, sizeof(err_msg));
	if (err) {
		log_msg(LOG_LVL_ERR, "%s", err_msg);
		return err;
	}
	a->config_loaded_at = time(NULL);
	a->role = opts->backend ? CFG_ROLE_BACKEND : a->cfg.node.role;
	a->socket_overridden = opts->socket != NULL;
	snprintf(a->socket, sizeof(a->socket), "%s",
		 opts->socket ? opts->socket : a->cfg.node.control_socket);

	err = agent_open_loop(a);
	if (err)
		return err;
	for (i = 0; i < agent_n_parts; i++) {
		const struct agent_part *part = agent_parts[i];

		if (!agent_part_on(a, part) || !part->start)
			continue;
		log_debug("agent: starting %s", part->name);
		err = part->start(a);
		if (err) {
			log_msg(LOG_LVL_ERR, "agent: %s failed (%s): what this start attached is taken down",
				part->name, strerror(-err));
			a->start_failed = true;
			return err;
		}
	}
	log_info("agent: %s node %u (zone %s) running, control socket %s",
		 cfg_role_name(a->role), a->cfg.node.id, a->cfg.node.zone, a->socket);
	return 0;
}

/* What a running data plane cannot change under its feet. */
static int agent_check_restart_keys(const struct agent *a, const struct lb_config *new,
				    char *err, size_t errlen)
{
	const struct cfg_node *o = &a->cfg.node, *n = &new->node;
	const char *what = NULL;

	if (!a->force_backend && o->role != n->role)
		what = "node.role";
	else if (strcmp(o->interface, n->interface))
		what = "node.interface";
	else if (o->xdp_mode != n->xdp_mode)
		what = "node.xdp_mode";
	else if (strcmp(o->bpffs_dir, n->bpffs_dir))
		what = "node.bpffs_dir";
	else if (strcmp(o->control_socket, n->control_socket) && !a->socket_overridden)
		what = "node.control_socket";
	if (!what)
		return 0;
	snprintf(err, errlen, "%s: %s changed: a reload cannot apply this, restart the agent",
		 new->path, what);
	return -EINVAL;
}

/* "node.mtu, sync": the names of the settings bits, "" for none. */
static void agent_settings_list(uint32_t settings, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int i;
	int n;

	buf[0] = '\0';
	for (i = 0; i < CFG_SET_COUNT && used < len; i++) {
		if (!(settings & (1u << i)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", cfg_setting_name(i));
		used += n > 0 ? (size_t)n : 0;
	}
}

static int agent_reload_file(struct agent *a, struct cfg_changes *chg, char *err, size_t errlen)
{
	char settings[CFG_SET_COUNT * 24];
	const char *stage = NULL;
	struct lb_config next = {}, old;
	size_t i;
	int ret;

	ret = cfg_load(a->config_path, &next, err, errlen);
	if (!ret)
		ret = agent_check_restart_keys(a, &next, err, errlen);
	if (ret) {
		a->reloads_failed++;
		snprintf(a->last_reload_error, sizeof(a->last_reload_error), "%s", err);
		log_warnx("agent: reload refused, keeping the running config: %s", err);
		cfg_free(&next);
		return -EINVAL;
	}
	if (next.node.conntrack_size != a->cfg.node.conntrack_size)
		log_warnx("agent: node.conntrack_size takes effect only after an unload");

	cfg_diff(&a->cfg, &next, chg);
	a->reload_why[0] = '\0';
	for (i = 0; i < agent_n_parts; i++) {
		const struct agent_part *part = agent_parts[i];
		int r;

		if (!agent_part_on(a, part) || !part->reload || (ret && !part->reload_always))
			continue;
		log_debug("agent: reload: %s", part->name);
		r = part->reload(a, &next);
		if (r && !ret) {
			ret = r;
			stage = part->name;
		}
	}
	old = a->cfg;
	a->cfg = next;
	a->config_loaded_at = time(NULL);
	for (i = 0; i < agent_n_parts && !ret; i++) {
		const struct agent_part *part = agent_parts[i];

		if (!agent_part_on(a, part) || !part->reloaded)
			continue;
		ret = part->reloaded(a, &old);
		if (ret)
			stage = part->name;
	}
	cfg_free(&old);
	if (ret) {
		a->reloads_failed++;
		snprintf(err, errlen, "reload: %s: %s", stage,
			 a->reload_why[0] ? a->reload_why : strerror(-ret));
		snprintf(a->last_reload_error, sizeof(a->last_reload_error), "%s", err);
		log_warnx("agent: %s", err);
		return ret;
	}
	a->reloads_ok++;
	a->last_reload_error[0] = '\0';
	agent_settings_list(chg->settings, settings, sizeof(settings));
	log_info("agent: reloaded %s: VIPs +%u -%u ~%u, backends +%u -%u, settings changed: %s",
		 a->config_path, chg->vips_added, chg->vips_removed, chg->vips_changed,
		 chg->backends_added, chg->backends_removed, settings[0] ? settings : "none");
	return 0;
}

/* systemd hears of every reload, refused or not: a refused one leaves the old config running. */
int agent_reload(struct agent *a, struct cfg_changes *chg, char *err, size_t errlen)
{
	int ret;

	notify_reloading();
	ret = agent_reload_file(a, chg, err, errlen);
	notify_ready(ret ? "forwarding; the last reload was refused, the previous config runs"
			 : "forwarding, config reloaded");
	return ret;
}

static void agent_on_signal(struct agent *a)
{
	struct signalfd_siginfo si;
	struct cfg_changes chg;
	char err[CFG_ERR_MAX];

	while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("agent: SIGHUP: reloading %s", a->config_path);
			agent_reload(a, &chg, err, sizeof(err));
		} else {
			log_info("agent: signal %u: exiting, the data plane keeps running",
				 si.ssi_signo);
			a->stopping = true;
		}
	}
}

static void agent_on_tick(struct agent *a)
{
	uint64_t expirations;
	size_t i;

	if (read(a->timerfd, &expirations, sizeof(expirations)) < 0)
		return;
	for (i = 0; i < agent_n_parts; i++)
		if (agent_parts[i]->tick && agent_part_on(a, agent_parts[i]))
			agent_parts[i]->tick(a);
}

/* The part whose fd is readable handles it. */
static void agent_on_fd(struct agent *a, int fd)
{
	size_t i;

	for (i = 0; i < agent_n_parts; i++) {
		const struct agent_part *part = agent_parts[i];

		if (part->fd && part->event && agent_part_on(a, part) && part->fd(a) == fd) {
			part->event(a);
			return;
		}
	}
}

int agent_run(struct agent *a)
{
	struct epoll_event evs[8];
	int n, i, fd;

	while (!a->stopping) {
		n = epoll_wait(a->epfd, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("agent: epoll_wait");
			return -errno;
		}
		for (i = 0; i < n && !a->stopping; i++) {
			fd = evs[i].data.fd;
			if (fd == a->sigfd)
				agent_on_signal(a);
			else if (fd == a->timerfd)
				agent_on_tick(a);
			else
				agent_on_fd(a, fd);
		}
	}
	return 0;
}

/* Parts stop in reverse: the cluster withdraws while the data plane still forwards. */
void agent_stop(struct agent *a)
{
	size_t i;

	for (i = agent_n_parts; i-- > 0;)
		if (agent_parts[i]->stop && agent_part_on(a, agent_parts[i]))
			agent_parts[i]->stop(a);
	if (a->timerfd >= 0)
		close(a->timerfd);
	if (a->sigfd >= 0)
		close(a->sigfd);
	if (a->epfd >= 0)
		close(a->epfd);
	cfg_free(&a->cfg);
}
