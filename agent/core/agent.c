// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The node agent's event loop: one epoll over a signalfd (SIGHUP reloads,
 * SIGTERM/SIGINT stop), a timerfd (next-hop retries), the control socket and
 * the rtnetlink watch. Everything runs on this one thread.
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
#include <linux/if_ether.h>

#include "common/clock.h"
#include "core/agent.h"
#include "backend/backend_mode.h"
#include "config/config.h"
#include "control/control.h"
#include "core/cluster_agent.h"
#include "dataplane/dataplane.h"
#include "health/health.h"
#include "common/log.h"
#include "core/metrics_agent.h"
#include "dataplane/nexthop.h"
#include "sync/sync.h"

static int agent_epoll_add(struct agent *a, int fd)
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

/* A pair follows its own check: the backend's, else its VIP's. */
static bool agent_health_up(void *ctx, const struct cfg_vip *vip, const struct cfg_backend *b)
{
	return health_check_up(ctx, &b->addr, b->health ?: &vip->health);
}

/*
 * After a restart, a pair the adopted data plane holds DOWN with its next
 * hop known was DOWN by its checks: its check goes on from down, not from
 * the configured initial state (else a dead backend takes new flows until
 * fall checks fail again).
 */
static void agent_health_adopt(struct agent *a)
{
	static const uint8_t zero_mac[ETH_ALEN];
	const struct cfg_vip *v;
	size_t i, j;

	for (i = 0; i < a->cfg.n_vips; i++) {
		v = &a->cfg.vips[i];
		for (j = 0; j < v->n_backends; j++) {
			uint32_t idx = dataplane_pair_index(a->dp, v, &v->backends[j].addr);
			struct dataplane_pair p;

			if (!dataplane_pair_get(a->dp, idx, &p) &&
			    (p.flags & (LB_BE_F_DOWN | LB_BE_F_DOWN_KEPT)) &&
			    memcmp(p.dmac, zero_mac, sizeof(zero_mac)))
				health_assume_down(a->health, &v->backends[j].addr,
						   cfg_backend_health(v, &v->backends[j]));
		}
	}
}

/* Every backend of every VIP with a check, under the VIP's check unless it has its own. */
static int agent_health_want(struct agent *a, const struct lb_config *cfg)
{
	size_t i, j;
	int err;

	health_begin(a->health);
	for (i = 0; i < cfg->n_vips; i++) {
		const struct cfg_vip *v = &cfg->vips[i];

		for (j = 0; j < v->n_backends; j++) {
			const struct cfg_health *hc = v->backends[j].health ?: &v->health;

			if (hc->type == CFG_HC_NONE)
				continue;
			err = health_want(a->health, &v->backends[j].addr, hc);
			if (err) {
				health_commit(a->health);
				return err;
			}
		}
	}
	health_commit(a->health);
	return 0;
}

/* A verdict flipped; the maps follow once the batch of results is handled. */
static void agent_on_health_change(void *ctx, const struct xaddr *addr,
				   const struct cfg_health *hc, enum health_state state,
				   const char *cause)
{
	struct agent *a = ctx;
	char buf[CFG_ADDR_STRLEN], vips[256] = "", label[CFG_LABEL_MAX];
	size_t i, j, off = 0;

	/* The verdict is the pairs' whose check this is: name their VIPs. */
	for (i = 0; i < a->cfg.n_vips; i++) {
		const struct cfg_vip *v = &a->cfg.vips[i];

		for (j = 0; j < v->n_backends; j++) {
			const struct cfg_backend *b = &v->backends[j];

			if (!cfg_addr_equal(&b->addr, addr) ||
			    !cfg_health_equal(b->health ?: &v->health, hc))
				continue;
			cfg_vip_label(v, label, sizeof(label));
			if (off < sizeof(vips))
				off += snprintf(vips + off, sizeof(vips) - off, "%s%s",
						off ? ", " : "", label);
		}
	}
	log_info("agent: backend %s is %s (%s) in VIP %s", cfg_format_addr(addr, buf, sizeof(buf)),
		 health_state_name(state), cause, vips[0] ? vips : "-");
	a->health_changed = true;
}

/* Conntrack sync to the peers: reads lb_events, writes their flows into lb_conntrack. */
static int agent_sync_open(struct agent *a)
{
	const struct lb_config *cfg = &a->cfg;
	struct sync_params p = {
		.cfg = &cfg->sync,
		.node_id = cfg->node.id,
		.zone = cfg->node.zone,
		.ifname = cfg->sync.interface[0] ? cfg->sync.interface : cfg->node.interface,
		.conntrack_fd = dataplane_map_fd(a->dp, "lb_conntrack"),
		.backend_ids_fd = dataplane_map_fd(a->dp, "lb_backend_ids"),
		.vips_fd = dataplane_map_fd(a->dp, "lb_vips"),
		.events_fd = dataplane_map_fd(a->dp, "lb_events"),
	};

	if (!cfg->sync.enabled)
		return 0;
	a->sync = sync_open(&p);
	if (!a->sync)
		return -errno;
	return agent_epoll_add(a, sync_fd(a->sync));
}

static void agent_sync_close(struct agent *a)
{
	if (!a->sync)
		return;
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, sync_fd(a->sync), NULL);
	sync_close(a->sync);
	a->sync = NULL;
}

static int agent_start_balancer(struct agent *a)
{
	int err;

	a->health = health_open(agent_on_health_change, a);
	if (!a->health) {
		log_warn("agent: opening the health check engine");
		return -errno;
	}
	err = agent_epoll_add(a, health_fd(a->health));
	if (!err)
		err = agent_health_want(a, &a->cfg);
	if (err)
		return err;
	a->dp = dataplane_open(&a->cfg);
	if (!a->dp)
		return -errno;
	dataplane_set_health(a->dp, agent_health_up, a->health);
	if (dataplane_adopted(a->dp))
		agent_health_adopt(a);
	a->nhw = nexthop_watch_open();
	if (!a->nhw) {
		log_warn("agent: opening the next-hop watch");
		return -errno;
	}
	err = agent_epoll_add(a, nexthop_watch_fd(a->nhw));
	if (err)
		return err;
	err = dataplane_apply(a->dp, &a->cfg);
	if (err)
		log_warnx("agent: programming the data plane: %s", strerror(-err));
	err = agent_sync_open(a);
	if (!err)
		err = cluster_agent_open(a);
	if (err)
		return err;
	/* MACs adopted from the pins may be stale: check them all once. */
	if (dataplane_adopted(a->dp)) {
		err = dataplane_resolve(a->dp, &a->cfg, true);
		if (err)
			log_warnx("agent: resolving next hops: %s", strerror(-err));
	}
	return 0;
}

int agent_start(struct agent *a, const struct agent_opts *opts)
{
	const struct control_verb *verbs;
	char err_msg[CFG_ERR_MAX];
	size_t n_verbs;
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

	if (a->role == CFG_ROLE_BACKEND) {
		err = backend_mode_apply(&a->cfg);
		if (err) {
			log_msg(LOG_LVL_ERR, "agent: backend mode: %s", strerror(-err));
			return err;
		}
		a->backend_applied = true;
		verbs = agent_backend_verbs;
		n_verbs = agent_n_backend_verbs;
	} else {
		err = agent_start_balancer(a);
		if (err)
			return err;
		verbs = agent_balancer_verbs;
		n_verbs = agent_n_balancer_verbs;
	}

	a->ctl = control_open(a->socket, a->cfg.node.control_group, verbs, n_verbs, a);
	if (!a->ctl)
		return -errno;
	err = agent_epoll_add(a, control_listen_fd(a->ctl));
	if (!err)
		err = agent_metrics_open(a);
	if (err)
		return err;
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

int agent_reload(struct agent *a, struct cfg_changes *chg, char *err, size_t errlen)
{
	const char *stage = "health checks";
	struct lb_config new = {};
	struct cfg_metrics old_metrics = a->cfg.node.metrics;
	bool resync;
	int ret;

	ret = cfg_load(a->config_path, &new, err, errlen);
	if (!ret)
		ret = agent_check_restart_keys(a, &new, err, errlen);
	if (ret) {
		a->reloads_failed++;
		snprintf(a->last_reload_error, sizeof(a->last_reload_error), "%s", err);
		log_warnx("agent: reload refused, keeping the running config: %s", err);
		cfg_free(&new);
		return -EINVAL;
	}
	if (new.node.conntrack_size != a->cfg.node.conntrack_size)
		log_warnx("agent: node.conntrack_size takes effect only after an unload");

	cfg_diff(&a->cfg, &new, chg);
	if (a->health)
		ret = agent_health_want(a, &new);
	if (!ret && a->dp) {
		stage = "programming the data plane";
		ret = dataplane_apply(a->dp, &new);
	}
	if (!ret && a->backend_applied) {
		stage = "backend mode";
		ret = backend_mode_apply(&new);
	}
	/* Sync carries node id and zone in every message: a change of either restarts it. */
	resync = a->dp && (memcmp(&a->cfg.sync, &new.sync, sizeof(new.sync)) ||
			   a->cfg.node.id != new.node.id ||
			   strcmp(a->cfg.node.zone, new.node.zone));
	if (resync)
		agent_sync_close(a);
	/* Before the swap: the state machine maps its verdicts from the old VIPs to the new. */
	if (a->dp && cluster_agent_reload(a, &new) && !ret) {
		stage = "cluster";
		ret = -EIO;
	}
	cfg_free(&a->cfg);
	a->cfg = new;
	a->config_loaded_at = time(NULL);
	if (!ret && resync) {
		stage = "connection sync";
		ret = agent_sync_open(a);
	}
	if (!ret) {
		stage = "metrics endpoint";
		ret = agent_metrics_update(a, &old_metrics);
	}
	if (ret) {
		a->reloads_failed++;
		snprintf(err, errlen, "reload: %s: %s", stage, strerror(-ret));
		snprintf(a->last_reload_error, sizeof(a->last_reload_error), "%s", err);
		log_warnx("agent: %s", err);
		return ret;
	}
	a->reloads_ok++;
	a->last_reload_error[0] = '\0';
	log_info("agent: reloaded %s: VIPs +%u -%u ~%u, backends +%u -%u", a->config_path,
		 chg->vips_added, chg->vips_removed, chg->vips_changed, chg->backends_added,
		 chg->backends_removed);
	return 0;
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

/*
 * Route and neighbour changes are handled here, at most once a second: our own
 * resolutions make neighbour events, and answering each with a full pass would
 * feed itself.
 */
static void agent_on_tick(struct agent *a)
{
	uint64_t expirations;
	bool all;
	int err;

	if (read(a->timerfd, &expirations, sizeof(expirations)) < 0 || !a->dp)
		return;
	all = a->nh_changed && clock_now_ms() - a->nh_full_ms >= AGENT_NH_FULL_MS;
	if (!all && !dataplane_next_hops_retrying(a->dp))
		return;
	if (all) {
		a->nh_changed = false;
		a->nh_full_ms = clock_now_ms();
	}
	err = dataplane_resolve(a->dp, &a->cfg, all);
	if (err)
		log_warnx("agent: resolving next hops: %s", strerror(-err));
}

static void agent_on_netlink(struct agent *a)
{
	int err = nexthop_watch_process(a->nhw);

	if (err < 0)
		log_warnx("agent: next-hop watch: %s", strerror(-err));
	else if (err > 0)
		a->nh_changed = true;
}

/*
 * One diff for all the verdicts of a batch: when a whole rack fails, its
 * backends leave the tables in one pass, each affected table rebuilt once.
 */
static void agent_on_health(struct agent *a)
{
	int err = health_process(a->health);

	if (err)
		log_warnx("agent: health checks: %s", strerror(-err));
	if (!a->health_changed || !a->dp)
		return;
	a->health_changed = false;
	err = dataplane_apply(a->dp, &a->cfg);
	if (err)
		log_warnx("agent: applying health changes: %s", strerror(-err));
}

static void agent_on_sync(struct agent *a)
{
	int err = sync_process(a->sync);

	if (err)
		log_warnx("agent: connection sync: %s", strerror(-err));
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
			else if (fd == a->timerfd) {
				agent_on_tick(a);
				/* MHD enforces its connection timeout only when it runs. */
				if (a->metrics)
					metrics_process(a->metrics);
			}
			else if (a->ctl && fd == control_listen_fd(a->ctl))
				control_serve_one(a->ctl);
			else if (a->nhw && fd == nexthop_watch_fd(a->nhw))
				agent_on_netlink(a);
			else if (a->health && fd == health_fd(a->health))
				agent_on_health(a);
			else if (a->sync && fd == sync_fd(a->sync))
				agent_on_sync(a);
			else if (a->cluster && fd == cluster_agent_fd(a->cluster))
				cluster_agent_process(a);
			else if (a->metrics && fd == metrics_fd(a->metrics))
				metrics_process(a->metrics);
		}
	}
	return 0;
}

void agent_stop(struct agent *a)
{
	cluster_agent_close(a); /* withdraw first: the router moves traffic while we still forward */
	agent_metrics_close(a);
	if (a->ctl)
		control_close(a->ctl);
	if (a->nhw)
		nexthop_watch_close(a->nhw);
	agent_sync_close(a);
	if (a->dp) {
		if (a->unload)
			dataplane_unload(a->dp);
		dataplane_close(a->dp);
	}
	if (a->health)
		health_close(a->health);
	if (a->backend_applied && a->unload)
		backend_mode_remove(&a->cfg);
	if (a->timerfd >= 0)
		close(a->timerfd);
	if (a->sigfd >= 0)
		close(a->sigfd);
	if (a->epfd >= 0)
		close(a->epfd);
	cfg_free(&a->cfg);
}
