// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Health check cost: N targets (default 10,000) checked every second against
 * local servers, CPU time of the checking process per second of checking
 * (getrusage), next to an idle engine measured in the same run. The servers
 * run in a child process on the other CPU, so their accept/answer work is
 * not counted; the kernel's loopback handshake work mostly is (it runs in the
 * sender's context), which makes the figure an upper bound.
 *
 *   bench_health [-n TARGETS] [-t tcp|http] [-s SECONDS] [-i INTERVAL_MS]
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "common/clock.h"
#include "config/config.h"
#include "health/health.h"

#define BENCH_WARMUP_S 2 /* the first interval spreads the starts; measure after it */

struct bench_opts {
	unsigned int targets;
	uint8_t type;
	unsigned int seconds;
	unsigned int interval_ms;
};

static uint64_t changes_seen;

static void bench_on_change(void *ctx, const struct xaddr *addr, const struct cfg_health *hc,
			    enum health_state state, const char *cause)
{
	changes_seen++;
}

static void bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("bench_health: sched_setaffinity");
}

static double bench_cpu(double *user, double *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	*sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return *user + *sys;
}

/* Accepts (and for http answers) on every listener until killed, never blocking on a client. */
static void bench_serve(int *fds, unsigned int n, bool http)
{
	static const char resp[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	struct epoll_event ev, evs[256];
	char req[2048];
	int efd = epoll_create1(0), i, k, c, fd;

	/* Gone with the benchmark, whatever way it ends. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	bench_pin(1);
	for (i = 0; i < (int)n; i++) {
		/* Listeners are told from clients by the top bit. */
		ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = (1ULL << 32) | fds[i]};
		epoll_ctl(efd, EPOLL_CTL_ADD, fds[i], &ev);
	}
	for (;;) {
		k = epoll_wait(efd, evs, 256, -1);
		for (i = 0; i < k; i++) {
			fd = (int)(evs[i].data.u64 & 0xffffffff);
			if (!(evs[i].data.u64 >> 32)) {
				if (read(fd, req, sizeof(req)) > 0 &&
				    write(fd, resp, sizeof(resp) - 1) < 0)
					perror("bench_health: write");
				close(fd);
				continue;
			}
			while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
				if (!http) {
					close(c);
					continue;
				}
				ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = c};
				epoll_ctl(efd, EPOLL_CTL_ADD, c, &ev);
			}
		}
	}
}

static int bench_listeners(unsigned int n, int **fds_out, uint16_t **ports_out)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int *fds = calloc(n, sizeof(*fds));
	uint16_t *ports = calloc(n, sizeof(*ports));
	socklen_t len;
	unsigned int i;

	*fds_out = fds;
	*ports_out = ports;
	if (!fds || !ports)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		sin.sin_port = 0;
		len = sizeof(sin);
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&sin, sizeof(sin)) ||
		    listen(fds[i], 128) || getsockname(fds[i], (struct sockaddr *)&sin, &len)) {
			fprintf(stderr, "bench_health: listener %u: %s\n", i, strerror(errno));
			return -errno;
		}
		ports[i] = ntohs(sin.sin_port);
	}
	return 0;
}

/* Runs the engine's loop for `seconds`; returns the CPU seconds it used per second. */
static double bench_run(struct health_engine *e, double seconds, double *user_s, double *sys_s)
{
	struct epoll_event ev = {.events = EPOLLIN}, evs[4];
	double u0, s0, u1, s1, t0 = clock_now_ns() / 1e9, t1, end = t0 + seconds;
	int efd = epoll_create1(EPOLL_CLOEXEC);

	ev.data.fd = health_fd(e);
	epoll_ctl(efd, EPOLL_CTL_ADD, health_fd(e), &ev);
	bench_cpu(&u0, &s0);
	while ((t1 = clock_now_ns() / 1e9) < end) {
		if (epoll_wait(efd, evs, 4, (int)((end - t1) * 1000) + 1) > 0)
			health_process(e);
	}
	bench_cpu(&u1, &s1);
	close(efd);
	*user_s = (u1 - u0) / (t1 - t0);
	*sys_s = (s1 - s0) / (t1 - t0);
	return *user_s + *sys_s;
}

static int bench_parse(int argc, char **argv, struct bench_opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "n:t:s:i:")) != -1) {
		switch (c) {
		case 'n':
			o->targets = strtoul(optarg, NULL, 10);
			break;
		case 't':
			if (!strcmp(optarg, "tcp"))
				o->type = CFG_HC_TCP;
			else if (!strcmp(optarg, "http"))
				o->type = CFG_HC_HTTP;
			else
				return -EINVAL;
			break;
		case 's':
			o->seconds = strtoul(optarg, NULL, 10);
			break;
		case 'i':
			o->interval_ms = strtoul(optarg, NULL, 10);
			break;
		default:
			return -EINVAL;
		}
	}
	return o->targets && o->seconds && o->interval_ms >= 10 ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct bench_opts o = {
	    .targets = 10000, .type = CFG_HC_TCP, .seconds = 10, .interval_ms = 1000};
	struct rlimit rl;
	struct health_engine *idle = NULL, *e = NULL;
	double idle_cpu, cpu, user, sys, idle_user, idle_sys;
	struct health_stats before, after;
	struct xaddr lo;
	struct cfg_health hc;
	uint16_t *ports = NULL;
	unsigned int i;
	int *fds = NULL, ret = 1;
	pid_t child = -1;

	if (bench_parse(argc, argv, &o)) {
		fprintf(stderr, "usage: bench_health [-n TARGETS] [-t tcp|http] [-s SECONDS] "
				"[-i INTERVAL_MS]\n");
		return 2;
	}
	/* One listener per target: take every descriptor the hard limit allows. */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (bench_listeners(o.targets, &fds, &ports))
		goto cleanup;
	child = fork();
	if (child < 0)
		goto cleanup;
	if (!child)
		bench_serve(fds, o.targets, o.type == CFG_HC_HTTP);
	for (i = 0; i < o.targets; i++)
		close(fds[i]);
	bench_pin(0);

	cfg_parse_addr("127.0.0.1", &lo);
	cfg_health_defaults(&hc);
	hc.type = o.type;
	hc.interval_ms = o.interval_ms;
	hc.timeout_ms = o.interval_ms / 2;
	hc.jitter_ms = o.interval_ms / 10;
	idle = health_open(bench_on_change, NULL);
	e = health_open(bench_on_change, NULL);
	if (!idle || !e)
		goto cleanup;
	idle_cpu = bench_run(idle, o.seconds / 2.0, &idle_user, &idle_sys);

	health_begin(e);
	for (i = 0; i < o.targets; i++) {
		hc.port = ports[i];
		if (health_want(e, &lo, &hc))
			goto cleanup;
	}
	health_commit(e);
	bench_run(e, BENCH_WARMUP_S, &user, &sys);
	health_get_stats(e, &before);
	cpu = bench_run(e, o.seconds, &user, &sys);
	health_get_stats(e, &after);

	printf("bench_health: %u %s targets on 127.0.0.1, interval %u ms, jitter %u ms, %u s, "
	       "engine on CPU 0, servers on CPU 1\n",
	       o.targets, cfg_health_type_name(o.type), o.interval_ms, hc.jitter_ms, o.seconds);
	printf("  idle engine:    %.4f CPU s per s (user %.4f, sys %.4f)\n", idle_cpu, idle_user,
	       idle_sys);
	printf("  checking:       %.4f CPU s per s (user %.4f, sys %.4f)\n", cpu, user, sys);
	printf("  over idle:      %.1f%% of one core, %.2f us per check\n", (cpu - idle_cpu) * 100,
	       (cpu - idle_cpu) * 1e6 * o.seconds / (double)(after.checks - before.checks + 1));
	printf("  checks:         %.0f per s, %llu failed, %llu state changes\n",
	       (after.checks - before.checks) / (double)o.seconds,
	       (unsigned long long)(after.failures - before.failures),
	       (unsigned long long)changes_seen);
	ret = after.failures == before.failures ? 0 : 1;
cleanup:
	health_close(e);
	health_close(idle);
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	free(fds);
	free(ports);
	return ret;
}
