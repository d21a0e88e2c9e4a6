// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The proxy subsystem: HAProxy's master process started and watched through a pidfd,
 * its config kept equal to the model, and a reload turned into the least it needs:
 * runtime API commands when only server weights and states or the node's drain
 * changed, a seamless reload (SIGUSR2 to the master: listening sockets pass to the new
 * worker, the old one finishes its requests) for anything else.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common/clock.h"
#include "common/log.h"
#include "config/config.h"
#include "config/config_proxy.h"
#include "proxy/haproxy_cfg.h"
#include "proxy/haproxy_ctl.h"
#include "proxy/haproxy_stat.h"
#include "proxy/proxy.h"

#define PROXY_FILE_MAX (CFG_PROXY_PATH_MAX + 32) /* run_dir and a file name in it */
#define PROXY_DRAINS_FILE "runtime-drains"	    /* lbctl listener drain, kept across restarts */
#define PROXY_STAT_MAX	  (1024 * 1024)		    /* the longest `show stat` read */

/* What the runtime API can change, as last applied: one entry per server. */
struct proxy_srv {
	char group[CFG_PROXY_NAME_MAX];
	char name[CFG_PROXY_NAME_MAX];
	uint32_t weight;
	uint8_t state;
};

/* A server drained by lbctl: it stays drained across reloads until undrained or removed. */
struct proxy_drain {
	char group[CFG_PROXY_NAME_MAX];
	char name[CFG_PROXY_NAME_MAX];
};

/* The model as HAProxy should run it: cfg with the runtime drains applied (proxy_view_make). */
struct proxy_view {
	struct lb_config cfg;
	struct cfg_proxy_group *groups; /* owned copies when drains apply, else NULL */
};

struct proxy {
	char bin[CFG_PROXY_PATH_MAX];
	char dir[CFG_PROXY_PATH_MAX];
	char cfg_file[PROXY_FILE_MAX];
	char master_sock[PROXY_FILE_MAX];
	char pid_file[PROXY_FILE_MAX];
	char drains_file[PROXY_FILE_MAX];
	pid_t pid;
	int pidfd;
	bool child; /* started by this agent (else adopted: no waitpid) */
	bool ready;
	bool drain;
	uint64_t started_ms, restart_at_ms;
	unsigned int backoff_ms;
	char *structure; /* the running config without what the runtime API changes */
	struct proxy_srv *srvs;
	size_t n_srvs;
	struct proxy_drain *drains;
	size_t n_drains;
	/* Between prepare and apply. */
	char *next_structure;
	struct proxy_status st;
};

static int proxy_write_file(const char *path, const char *text)
{
	char tmp[PROXY_FILE_MAX + 8];
	size_t len = strlen(text);
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	/* Renamed into place: HAProxy re-reads the file on a reload, never half of it. */
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static bool proxy_drained(const struct proxy *p, const char *group, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_drains; i++)
		if (!strcmp(p->drains[i].group, group) && !strcmp(p->drains[i].name, name))
			return true;
	return false;
}

static void proxy_view_free(struct proxy_view *v)
{
	size_t i;

	for (i = 0; v->groups && i < v->cfg.proxy.n_groups; i++)
		free(v->groups[i].servers);
	free(v->groups);
	v->groups = NULL;
}

/*
 * cfg as HAProxy runs it: a server the file has ready and lbctl drained is drained. A shallow
 * copy; only the groups and their servers are copied, when a drain applies. 0 or -ENOMEM.
 */
static int proxy_view_make(const struct proxy *p, const struct lb_config *cfg, struct proxy_view *v)
{
	const struct cfg_proxy *cp = &cfg->proxy;
	struct cfg_proxy_server *srv;
	size_t i, j;

	v->cfg = *cfg;
	v->groups = NULL;
	if (!p->n_drains || !cp->n_groups)
		return 0;
	v->groups = calloc(cp->n_groups, sizeof(*v->groups));
	if (!v->groups)
		return -ENOMEM;
	v->cfg.proxy.groups = v->groups;
	for (i = 0; i < cp->n_groups; i++) {
		v->groups[i] = cp->groups[i];
		v->groups[i].servers = NULL;
		srv = calloc(cp->groups[i].n_servers ?: 1, sizeof(*srv));
		if (!srv) {
			proxy_view_free(v);
			return -ENOMEM;
		}
		memcpy(srv, cp->groups[i].servers, cp->groups[i].n_servers * sizeof(*srv));
		v->groups[i].servers = srv;
		for (j = 0; j < cp->groups[i].n_servers; j++)
			if (srv[j].state == CFG_SRV_READY &&
			    proxy_drained(p, cp->groups[i].name, srv[j].name))
				srv[j].state = CFG_SRV_DRAIN;
	}
	return 0;
}

static int proxy_write_config(struct proxy *p, const struct lb_config *cfg)
{
	struct proxy_view v;
	char *text;
	int err = proxy_view_make(p, cfg, &v);

	if (err)
		return err;
	text = haproxy_cfg_render(&v.cfg, p->ready ? HAPROXY_CFG_READY : 0);
	proxy_view_free(&v);
	if (!text)
		return -errno;
	err = proxy_write_file(p->cfg_file, text);
	free(text);
	if (err)
		log_warnx("proxy: writing %s: %s", p->cfg_file, strerror(-err));
	return err;
}

static int proxy_snapshot(struct proxy *p, const struct lb_config *cfg)
{
	const struct cfg_proxy *cp = &cfg->proxy;
	struct proxy_srv *srvs;
	size_t i, j, n = 0;

	for (i = 0; i < cp->n_groups; i++)
		n += cp->groups[i].n_servers;
	srvs = calloc(n ? n : 1, sizeof(*srvs));
	if (!srvs)
		return -ENOMEM;
	free(p->srvs);
	p->srvs = srvs;
	p->n_srvs = 0;
	for (i = 0; i < cp->n_groups; i++) {
		for (j = 0; j < cp->groups[i].n_servers; j++, srvs++) {
			strcpy(srvs->group, cp->groups[i].name);
			strcpy(srvs->name, cp->groups[i].servers[j].name);
			srvs->weight = cp->groups[i].servers[j].weight;
			srvs->state = cp->groups[i].servers[j].state;
			p->n_srvs++;
		}
	}
	p->drain = cp->drain;
	return 0;
}

static int proxy_snapshot_view(struct proxy *p, const struct lb_config *cfg)
{
	struct proxy_view v;
	int err = proxy_view_make(p, cfg, &v);

	if (err)
		return err;
	err = proxy_snapshot(p, &v.cfg);
	proxy_view_free(&v);
	return err;
}

static bool proxy_has_server(const struct lb_config *cfg, const char *group, const char *name)
{
	const struct cfg_proxy_group *g;
	size_t i, j;

	for (i = 0; i < cfg->proxy.n_groups; i++) {
		g = &cfg->proxy.groups[i];
		for (j = 0; !strcmp(g->name, group) && j < g->n_servers; j++)
			if (!strcmp(g->servers[j].name, name))
				return true;
	}
	return false;
}

/* One "group server" line per drain; written whole, renamed into place. */
static int proxy_drains_save(struct proxy *p)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		return -errno;
	for (i = 0; i < p->n_drains; i++)
		fprintf(f, "%s %s\n", p->drains[i].group, p->drains[i].name);
	if (fclose(f)) {
		free(text);
		return -ENOMEM;
	}
	err = proxy_write_file(p->drains_file, text);
	free(text);
	if (err)
		log_warnx("proxy: writing %s: %s", p->drains_file, strerror(-err));
	return err;
}

static int proxy_drain_add(struct proxy *p, const char *group, const char *name)
{
	struct proxy_drain *more;

	if (proxy_drained(p, group, name))
		return 0;
	more = realloc(p->drains, (p->n_drains + 1) * sizeof(*more));
	if (!more)
		return -ENOMEM;
	p->drains = more;
	snprintf(more[p->n_drains].group, sizeof(more->group), "%s", group);
	snprintf(more[p->n_drains].name, sizeof(more->name), "%s", name);
	p->n_drains++;
	return 0;
}

static void proxy_drain_remove(struct proxy *p, size_t i)
{
	p->drains[i] = p->drains[--p->n_drains];
}

/* A server gone from the config takes its runtime drain with it (as lbctl backend drain). */
static void proxy_drains_prune(struct proxy *p, const struct lb_config *cfg)
{
	size_t i, before = p->n_drains;

	for (i = 0; i < p->n_drains;) {
		if (proxy_has_server(cfg, p->drains[i].group, p->drains[i].name))
			i++;
		else
			proxy_drain_remove(p, i);
	}
	if (p->n_drains != before)
		proxy_drains_save(p);
}

/* The drains an earlier agent set: a restart keeps them, as HAProxy kept running. */
static void proxy_drains_load(struct proxy *p, const struct lb_config *cfg)
{
	char group[CFG_PROXY_NAME_MAX], name[CFG_PROXY_NAME_MAX];
	FILE *f = fopen(p->drains_file, "re");

	if (!f)
		return;
	while (fscanf(f, "%63s %63s", group, name) == 2)
		if (proxy_drain_add(p, group, name))
			break;
	fclose(f);
	proxy_drains_prune(p, cfg);
	if (p->n_drains)
		log_info("proxy: %zu server(s) drained by lbctl before the restart stay drained",
			 p->n_drains);
}

static void proxy_watch_pid(struct proxy *p)
{
	p->started_ms = clock_now_ms();
	p->ready = false;
	p->st.pid = p->pid;
	p->st.ready = false;
}

static int proxy_start_master(struct proxy *p)
{
	int err;

	err = haproxy_spawn(p->bin, p->cfg_file, p->master_sock, p->pid_file, &p->pid, &p->pidfd);
	if (err) {
		log_warnx("proxy: starting %s: %s; next try in %u ms", p->bin, strerror(-err),
			  p->backoff_ms);
		p->restart_at_ms = clock_now_ms() + p->backoff_ms;
		return err;
	}
	p->child = true;
	proxy_watch_pid(p);
	log_info("proxy: HAProxy master %d started (%s)", (int)p->pid, p->cfg_file);
	return 0;
}

/* The master's "<pid> master <reloads> [failed: <n>]" line of `show proc`. */
static int proxy_master_reloads(struct proxy *p, unsigned int *reloads, unsigned int *failed,
				bool *worker)
{
	char reply[4096], *line;
	int err;

	err = haproxy_cli(p->master_sock, "show proc", reply, sizeof(reply));
	if (err)
		return err;
	line = strstr(reply, " master ");
	if (!line || sscanf(line, " master %u [failed: %u]", reloads, failed) != 2)
		return -EPROTO;
	*worker = strstr(reply, " worker ") != NULL;
	return 0;
}

/*
 * SIGUSR2 to the master, then waits for it to count the reload: the runtime commands
 * that may follow must reach the new worker.
 */
static int proxy_reload_master(struct proxy *p)
{
	unsigned int before, failed_before, now, failed = 0;
	uint64_t deadline = clock_now_ms() + PROXY_RELOAD_WAIT_MS;
	bool worker;
	int err;

	err = proxy_master_reloads(p, &before, &failed_before, &worker);
	if (err)
		return err;
	if (kill(p->pid, SIGUSR2))
		return -errno;
	while (clock_now_ms() < deadline) {
		usleep(20000);
		if (proxy_master_reloads(p, &now, &failed, &worker) || now == before)
			continue;
		if (failed != failed_before) {
			log_warnx(
			    "proxy: HAProxy refused the reload; the old worker keeps running");
			return -EINVAL;
		}
		p->st.reloads++;
		return 0;
	}
	return -ETIMEDOUT;
}

/* A master left by an agent that died: kept, and given this agent's config. */
static int proxy_adopt(struct proxy *p, pid_t pid)
{
	p->pid = pid;
	p->pidfd = pidfd_open(pid, 0);
	if (p->pidfd < 0)
		return -errno;
	p->child = false;
	proxy_watch_pid(p);
	log_info("proxy: adopting the running HAProxy master %d", (int)pid);
	return proxy_reload_master(p);
}

struct proxy *proxy_open(const struct lb_config *cfg)
{
	const struct cfg_proxy *cp = &cfg->proxy;
	struct proxy *p;
	pid_t running;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pidfd = -1;
	snprintf(p->bin, sizeof(p->bin), "%s", cp->haproxy);
	snprintf(p->dir, sizeof(p->dir), "%s", cp->run_dir);
	snprintf(p->cfg_file, sizeof(p->cfg_file), "%s/" HAPROXY_CFG_FILE, p->dir);
	snprintf(p->master_sock, sizeof(p->master_sock), "%s/" HAPROXY_MASTER_SOCK, p->dir);
	snprintf(p->pid_file, sizeof(p->pid_file), "%s/" HAPROXY_PID_FILE, p->dir);
	snprintf(p->drains_file, sizeof(p->drains_file), "%s/" PROXY_DRAINS_FILE, p->dir);
	p->backoff_ms = PROXY_RESTART_MIN_MS;
	if (mkdir(p->dir, 0700) && errno != EEXIST) {
		err = -errno;
		log_warnx("proxy: creating %s: %s", p->dir, strerror(-err));
		goto fail;
	}
	proxy_drains_load(p, cfg);
	p->structure = haproxy_cfg_render(cfg, HAPROXY_CFG_STRUCTURE);
	err = p->structure ? proxy_snapshot_view(p, cfg) : -errno;
	if (!err)
		err = proxy_write_config(p, cfg);
	if (err)
		goto fail;
	running = haproxy_running_master(p->pid_file);
	if (running && !proxy_adopt(p, running))
		return p;
	if (running) {
		log_warnx("proxy: HAProxy master %d did not take the config: replacing it",
			  (int)running);
		kill(running, SIGTERM);
		if (p->pidfd >= 0)
			close(p->pidfd);
		p->pidfd = -1;
		usleep(200000);
	}
	err = proxy_start_master(p);
	if (!err)
		return p;
fail:
	free(p->structure);
	free(p->srvs);
	free(p->drains);
	free(p);
	errno = -err;
	return NULL;
}

/* cfg's config, with its YAML origins, checked by `bin -c` in file: 0 or -errno, why in err. */
static int proxy_check_rendered(const struct lb_config *cfg, const char *bin, const char *file,
				char *err, size_t errlen)
{
	char *full = haproxy_cfg_render(cfg, HAPROXY_CFG_READY | HAPROXY_CFG_ORIGINS);
	char alert[CFG_ERR_MAX];
	int ret;

	if (!full)
		return -errno;
	ret = proxy_write_file(file, full);
	if (!ret)
		ret = haproxy_check_file(bin, file, alert, sizeof(alert));
	else
		snprintf(alert, sizeof(alert), "%s: %s", file, strerror(-ret));
	if (ret == -EINVAL)
		haproxy_cfg_explain(full, alert, err, errlen);
	else if (ret)
		snprintf(err, errlen, "proxy: %s", alert);
	unlink(file);
	free(full);
	return ret;
}

int proxy_prepare(struct proxy *p, const struct lb_config *next, char *err, size_t errlen)
{
	char *text = haproxy_cfg_render(next, HAPROXY_CFG_STRUCTURE);
	char tmp[PROXY_FILE_MAX];
	int ret;

	if (!text)
		return -errno;
	free(p->next_structure);
	p->next_structure = text;
	if (strcmp(next->proxy.run_dir, p->dir) || strcmp(next->proxy.haproxy, p->bin)) {
		snprintf(err, errlen,
			 "proxy.run_dir or proxy.haproxy changed: a reload cannot apply this, "
			 "restart the agent");
		log_warnx("proxy: %s", err);
		return -EINVAL;
	}
	if (!strcmp(text, p->structure))
		return 0;
	/* Checked in a file of its own: the running config stays until HAProxy accepts this. */
	snprintf(tmp, sizeof(tmp), "%s/haproxy.next.cfg", p->dir);
	ret = proxy_check_rendered(next, p->bin, tmp, err, errlen);
	if (ret)
		log_warnx("proxy: the new config is refused, HAProxy keeps the running one: %s",
			  err);
	return ret ? -EINVAL : 0;
}

int proxy_check_config(const struct lb_config *cfg, bool *checked, char *err, size_t errlen)
{
	char tmp[] = "/tmp/xdplb-haproxy-XXXXXX";
	int fd, ret;

	*checked = false;
	if (access(cfg->proxy.haproxy, X_OK))
		return 0;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	close(fd);
	ret = proxy_check_rendered(cfg, cfg->proxy.haproxy, tmp, err, errlen);
	*checked = ret != -ENOENT;
	return ret == -ENOENT ? 0 : ret;
}

/* "@1 set server ...": to the current worker through the master. */
static int proxy_runtime(struct proxy *p, const char *cmd)
{
	char reply[512];
	int err;

	err = haproxy_cli(p->master_sock, cmd, reply, sizeof(reply));
	/* These commands answer nothing when they work. */
	if (!err && reply[strspn(reply, "\r\n ")]) {
		reply[strcspn(reply, "\r\n")] = '\0';
		log_warnx("proxy: '%s': %s", cmd, reply);
		return -EINVAL;
	}
	if (err)
		log_warnx("proxy: '%s': %s", cmd, strerror(-err));
	else
		log_info("proxy: %s", cmd + 3);
	return err;
}

static const struct proxy_srv *proxy_find_srv(const struct proxy *p, const char *group,
					      const char *name)
{
	size_t i;

	for (i = 0; i < p->n_srvs; i++)
		if (!strcmp(p->srvs[i].group, group) && !strcmp(p->srvs[i].name, name))
			return &p->srvs[i];
	return NULL;
}

static int proxy_set_gate(struct proxy *p, bool drain)
{
	return proxy_runtime(p, p->ready && !drain ? "@1 set server " HAPROXY_GATE " state ready"
						   : "@1 set server " HAPROXY_GATE " state maint");
}

/* The same structure: every server is where it was; only weights, states and drain differ. */
static int proxy_apply_runtime(struct proxy *p, const struct lb_config *next)
{
	const struct cfg_proxy *cp = &next->proxy;
	const struct cfg_proxy_server *s;
	const struct proxy_srv *old;
	char cmd[2 * CFG_PROXY_NAME_MAX + 64];
	size_t i, j;
	int err = 0;

	for (i = 0; i < cp->n_groups && !err; i++) {
		for (j = 0; j < cp->groups[i].n_servers && !err; j++) {
			s = &cp->groups[i].servers[j];
			old = proxy_find_srv(p, cp->groups[i].name, s->name);
			if (!old || (old->state == s->state && old->weight == s->weight))
				continue;
			if (old->state != s->state) {
				snprintf(cmd, sizeof(cmd),
					 "@1 set server " HAPROXY_BE_PREFIX "%s/%s state %s",
					 cp->groups[i].name, s->name,
					 cfg_server_state_name(s->state));
				err = proxy_runtime(p, cmd);
			}
			/* Back to ready from a reload's weight 0 (drain) needs the weight too. */
			if (!err && (old->weight != s->weight || s->state == CFG_SRV_READY)) {
				snprintf(cmd, sizeof(cmd),
					 "@1 set server " HAPROXY_BE_PREFIX "%s/%s weight %u",
					 cp->groups[i].name, s->name, s->weight);
				err = proxy_runtime(p, cmd);
			}
			p->st.runtime_changes += !err;
		}
	}
	if (!err && p->drain != cp->drain) {
		err = proxy_set_gate(p, cp->drain);
		p->st.runtime_changes += !err;
		if (!err)
			log_info("proxy: %s", cp->drain
						  ? "draining: the health endpoint answers 503"
						  : "drain over");
	}
	return err;
}

int proxy_apply(struct proxy *p, const struct lb_config *next)
{
	bool same = p->next_structure && !strcmp(p->next_structure, p->structure);
	struct proxy_view v;
	int err;

	proxy_drains_prune(p, next);
	err = proxy_write_config(p, next);
	if (!err)
		err = proxy_view_make(p, next, &v);
	if (err)
		return err;
	if (p->pidfd >= 0) {
		if (same && p->ready)
			err = proxy_apply_runtime(p, &v.cfg);
		/* A runtime command that failed: the file is right, a reload applies it. */
		if (!same || !p->ready || err) {
			err = proxy_reload_master(p);
			if (err)
				log_warnx("proxy: reloading HAProxy: %s", strerror(-err));
			else
				log_info("proxy: HAProxy reloaded seamlessly (%s)", p->cfg_file);
		}
	}
	if (p->next_structure) {
		free(p->structure);
		p->structure = p->next_structure;
		p->next_structure = NULL;
	}
	err = proxy_snapshot(p, &v.cfg) ?: err;
	proxy_view_free(&v);
	return err;
}

int proxy_fd(const struct proxy *p)
{
	return p->pidfd;
}

void proxy_event(struct proxy *p)
{
	uint64_t now = clock_now_ms();
	int status = 0;

	if (p->child)
		waitpid(p->pid, &status, WNOHANG);
	close(p->pidfd);
	p->pidfd = -1;
	if (now - p->started_ms >= PROXY_STABLE_MS)
		p->backoff_ms = PROXY_RESTART_MIN_MS;
	p->st.restarts++;
	p->restart_at_ms = now + p->backoff_ms;
	if (!p->child)
		log_warnx("proxy: the adopted HAProxy master %d is gone; restart #%llu in %u ms",
			  (int)p->pid, (unsigned long long)p->st.restarts, p->backoff_ms);
	else if (WIFSIGNALED(status))
		log_warnx("proxy: HAProxy master %d killed by signal %d; restart #%llu in %u ms",
			  (int)p->pid, WTERMSIG(status), (unsigned long long)p->st.restarts,
			  p->backoff_ms);
	else
		log_warnx("proxy: HAProxy master %d exited with status %d; restart #%llu in %u ms",
			  (int)p->pid, WEXITSTATUS(status), (unsigned long long)p->st.restarts,
			  p->backoff_ms);
	p->backoff_ms =
	    p->backoff_ms * 2 > PROXY_RESTART_MAX_MS ? PROXY_RESTART_MAX_MS : p->backoff_ms * 2;
	p->pid = 0;
	p->st.pid = 0;
	p->ready = false;
	p->st.ready = false;
}

/* Ready once the master shows a worker: then the gate opens (unless draining). */
static void proxy_check_ready(struct proxy *p, const struct lb_config *cfg)
{
	unsigned int reloads, failed;
	bool worker = false;

	if (proxy_master_reloads(p, &reloads, &failed, &worker) || !worker)
		return;
	p->ready = true;
	if (proxy_set_gate(p, p->drain)) {
		p->ready = false;
		return;
	}
	p->st.ready = true;
	/* The file says ready too: a reload must not close the gate again. */
	proxy_write_config(p, cfg);
	log_info("proxy: HAProxy worker running, health endpoint %s",
		 p->drain ? "draining (503)" : "ready (200)");
}

void proxy_tick(struct proxy *p, const struct lb_config *cfg)
{
	if (p->pidfd < 0 && clock_now_ms() >= p->restart_at_ms) {
		proxy_write_config(p, cfg);
		proxy_start_master(p);
	} else if (p->pidfd >= 0 && !p->ready) {
		proxy_check_ready(p, cfg);
	}
}

void proxy_get_status(const struct proxy *p, struct proxy_status *st)
{
	*st = p->st;
}

void proxy_close(struct proxy *p)
{
	int i;

	if (!p)
		return;
	if (p->pidfd >= 0) {
		/* TERM: the workers stop at once; the agent is going away. */
		pidfd_send_signal(p->pidfd, SIGTERM, NULL, 0);
		for (i = 0; i < 50 && kill(p->pid, 0) == 0; i++) {
			if (p->child && waitpid(p->pid, NULL, WNOHANG) == p->pid)
				break;
			usleep(50000);
		}
		if (i == 50) {
			pidfd_send_signal(p->pidfd, SIGKILL, NULL, 0);
			if (p->child)
				waitpid(p->pid, NULL, 0);
		}
		close(p->pidfd);
		log_info("proxy: HAProxy master %d stopped", (int)p->pid);
	}
	unlink(p->pid_file);
	free(p->structure);
	free(p->next_structure);
	free(p->srvs);
	free(p->drains);
	free(p);
}

int proxy_set_drain(struct proxy *p, const struct lb_config *cfg, const char *group,
		    const char *server, bool drain)
{
	const struct cfg_proxy_group *g;
	struct proxy_view v;
	size_t i, j, found = 0;
	int err = 0;

	for (i = 0; i < cfg->proxy.n_groups && !err; i++) {
		g = &cfg->proxy.groups[i];
		if (group && strcmp(g->name, group))
			continue;
		for (j = 0; j < g->n_servers && !err; j++) {
			if (strcmp(g->servers[j].name, server))
				continue;
			found++;
			if (drain) {
				err = proxy_drain_add(p, g->name, server);
				continue;
			}
			for (size_t k = 0; k < p->n_drains; k++)
				if (!strcmp(p->drains[k].group, g->name) &&
				    !strcmp(p->drains[k].name, server))
					proxy_drain_remove(p, k);
		}
	}
	if (!found)
		return -ENOENT;
	if (!err)
		err = proxy_drains_save(p);
	/* The file too: a HAProxy restarted by the supervisor starts drained. */
	if (!err)
		err = proxy_write_config(p, cfg);
	if (!err)
		err = proxy_view_make(p, cfg, &v);
	if (err)
		return err;
	if (p->pidfd >= 0 && p->ready)
		err = proxy_apply_runtime(p, &v.cfg);
	err = proxy_snapshot(p, &v.cfg) ?: err;
	proxy_view_free(&v);
	return err;
}

const char *proxy_server_state(const struct proxy *p, const char *group, const char *server)
{
	const struct proxy_srv *s = proxy_find_srv(p, group, server);

	return s ? cfg_server_state_name(s->state) : NULL;
}

bool proxy_server_drained(const struct proxy *p, const char *group, const char *server)
{
	return proxy_drained(p, group, server);
}

int proxy_show_stat(struct proxy *p, struct haproxy_stat_row **rows, size_t *n)
{
	char *reply;
	int err;

	*rows = NULL;
	*n = 0;
	if (p->pidfd < 0 || !p->ready)
		return -EAGAIN;
	reply = malloc(PROXY_STAT_MAX);
	if (!reply)
		return -ENOMEM;
	err = haproxy_cli(p->master_sock, "@1 " HAPROXY_STAT_CMD, reply, PROXY_STAT_MAX);
	if (!err)
		err = haproxy_stat_parse(reply, rows, n);
	free(reply);
	return err;
}
