// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Health check cost and spread at scale (issue 21): N targets (default
 * 20,000; 100,000 in BENCH_FULL=1's run) checked every interval, next to a
 * floor engine of F targets (default 1,000) running in the same loop at the
 * same time, so both see the same machine. Each target is a backend address
 * of its own, 127.1.0.0 + i, on one of a few ports, inside a network namespace
 * of the bench's own (unshared, gone with the process): wildcard listeners
 * there answer every address without one socket per backend.
 *
 * Reported per engine: its CPU time (the thread's, around its own
 * health_process calls) per check, checks per second against the wanted
 * rate, the most checks in flight, the spread of check starts in time (starts
 * per 10 ms, folded modulo the interval: max / mean; a scheduler that fires
 * every target at each interval's edge shows a max of many times the mean),
 * and, counted by the server per backend address, how many times each target
 * was checked in the measured window (least and most). Right after, in the
 * same process, the floor of a check: its bare system calls, without the engine.
 *
 * The servers run in a child process on the other CPU, so their accept work is
 * not counted; the kernel's loopback handshake work mostly is (it runs in the
 * sender's context), which makes the figures an upper bound.
 *
 *   bench_health [-n TARGETS] [-F FLOOR_TARGETS] [-t tcp|http] [-s SECONDS] [-i INTERVAL_MS]
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "common/clock.h"
#include "config/config.h"
#include "health/health.h"

#define BENCH_WARMUP_S	 2 /* the first interval spreads the starts; measure after it */
#define BENCH_PORTS	 16
#define BENCH_PORT_BASE	 8000
#define BENCH_ADDR_BASE	 0x7f010000U /* 127.1.0.0: target i is this + i */
#define BENCH_BUCKET_NS	 10000000ULL /* 10 ms */
#define BENCH_SPREAD_MAX 2.0
#define BENCH_BARE_CHECKS                                                                          \
	5000 /* the floor of system calls alone */ /* goal: no 10 ms of the interval gets over 2x  \
						      the mean */

struct bench_opts {
	unsigned int targets, floor;
	uint8_t type;
	unsigned int seconds;
	unsigned int interval_ms;
};

/* One engine under measurement and what was seen of it. */
struct bench_engine {
	struct health_engine *e;
	const char *name;
	unsigned int first, n; /* its targets: [first, first + n) */
	uint64_t cpu_ns;       /* thread CPU time inside its health_process calls */
	uint64_t starts;       /* checks started: results in + errors + in flight */
	uint64_t max_running;
	uint64_t *phase;  /* starts per 10 ms of the interval */
	uint64_t *series; /* starts per 10 ms of the measured window */
	struct health_stats before, after;
};

static void bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("bench_health: sched_setaffinity");
}

static double bench_tv(const struct timeval *b, const struct timeval *a)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_usec - a->tv_usec) / 1e6;
}

/* Time this thread waited for a CPU while runnable (the other engineers' work), in ns. */
static uint64_t bench_run_delay(void)
{
	unsigned long long on_cpu = 0, waited = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (f) {
		if (fscanf(f, "%llu %llu", &on_cpu, &waited) != 2)
			waited = 0;
		fclose(f);
	}
	return waited;
}

static uint64_t bench_thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * A network namespace of the bench's own, loopback up: its 127/8 and wildcard
 * listeners touch nothing of the host's. Root gets it directly; anyone else
 * through a user namespace where it may.
 */
static int bench_netns(void)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	if (unshare(CLONE_NEWNET) && unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr))
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

/* Counts an accepted check against the backend address it reached (its index). */
static void bench_count(int c, uint32_t *hits, unsigned int n)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	uint32_t i;

	if (getsockname(c, (struct sockaddr *)&sin, &len))
		return;
	i = ntohl(sin.sin_addr.s_addr) - BENCH_ADDR_BASE;
	if (i < n)
		__atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
}

/* Accepts (and for http answers) on every listener until killed, never blocking on a client. */
static void bench_serve(int *fds, uint32_t *hits, unsigned int n, bool http)
{
	static const char resp[] =
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	struct epoll_event ev, evs[256];
	char req[2048];
	int efd = epoll_create1(0), i, k, c, fd;

	/* Gone with the benchmark, whatever way it ends. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	bench_pin(1);
	for (i = 0; i < BENCH_PORTS; i++) {
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
				bench_count(c, hits, n);
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

static int bench_listeners(int *fds)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY)};
	int i, one = 1;

	for (i = 0; i < BENCH_PORTS; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		sin.sin_port = htons(BENCH_PORT_BASE + i);
		if (fds[i] < 0 || setsockopt(fds[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(fds[i], (struct sockaddr *)&sin, sizeof(sin)) || listen(fds[i], 4096)) {
			fprintf(stderr, "bench_health: listener %d: %s\n", i, strerror(errno));
			return -errno;
		}
	}
	return 0;
}

/* Target i: its own address 127.1.0.0 + i, on one of the listeners' ports. */
static int bench_want(struct bench_engine *b, struct cfg_health *hc)
{
	struct xaddr a = {.family = LB_AF_INET};
	unsigned int i;
	int err;

	health_begin(b->e);
	for (i = b->first; i < b->first + b->n; i++) {
		a.addr[0] = htonl(BENCH_ADDR_BASE + i);
		hc->port = BENCH_PORT_BASE + i % BENCH_PORTS;
		err = health_want(b->e, &a, hc);
		if (err)
			return err;
	}
	health_commit(b->e);
	return 0;
}

static uint64_t bench_started(const struct health_engine *e, uint64_t *running)
{
	struct health_stats st;

	health_get_stats(e, &st);
	*running = st.running;
	return st.checks + st.check_errors + st.running;
}

/* One health_process of one engine: its CPU time, and its starts placed in time. */
static void bench_step(struct bench_engine *b, uint64_t t0, const struct bench_opts *o,
		       bool measure)
{
	uint64_t c0 = bench_thread_ns(), running, starts, now, n_series;

	health_process(b->e);
	now = clock_now_ns();
	starts = bench_started(b->e, &running);
	if (measure) {
		b->cpu_ns += bench_thread_ns() - c0;
		b->phase[(now % (o->interval_ms * 1000000ULL)) / BENCH_BUCKET_NS] +=
		    starts - b->starts;
		n_series = o->seconds * 1000000000ULL / BENCH_BUCKET_NS;
		if (now >= t0 && (now - t0) / BENCH_BUCKET_NS < n_series)
			b->series[(now - t0) / BENCH_BUCKET_NS] += starts - b->starts;
		if (running > b->max_running)
			b->max_running = running;
	}
	b->starts = starts;
}

/* Runs both engines' loop for `seconds`, measuring or not. */
static void bench_run(struct bench_engine *b, unsigned int n, const struct bench_opts *o,
		      double seconds, bool measure)
{
	struct epoll_event ev = {.events = EPOLLIN}, evs[4];
	uint64_t t0 = clock_now_ns(), end = t0 + seconds * 1e9, now;
	int efd = epoll_create1(EPOLL_CLOEXEC), k, i;
	unsigned int j;

	for (j = 0; j < n; j++) {
		ev.data.u32 = j;
		epoll_ctl(efd, EPOLL_CTL_ADD, health_fd(b[j].e), &ev);
		b[j].starts = bench_started(b[j].e, &b[j].max_running);
		b[j].max_running = 0;
		if (measure)
			health_get_stats(b[j].e, &b[j].before);
	}
	while ((now = clock_now_ns()) < end) {
		k = epoll_wait(efd, evs, 4, (int)((end - now) / 1000000) + 1);
		for (i = 0; i < k; i++)
			bench_step(&b[evs[i].data.u32], t0, o, measure);
	}
	for (j = 0; j < n && measure; j++)
		health_get_stats(b[j].e, &b[j].after);
	close(efd);
}

/*
 * The bare system calls of one TCP check, n times, as the engine makes them
 * (socket, linger 0, connect, poll for the result, SO_ERROR, close) minus the
 * engine: thread CPU ns per check, or 0 if one failed. The least a check costs.
 */
static double bench_bare(unsigned int n)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct linger lin = {.l_onoff = 1, .l_linger = 0};
	struct pollfd pfd = {.events = POLLOUT};
	uint64_t c0 = bench_thread_ns();
	socklen_t len = sizeof(int);
	unsigned int i;
	int soerr;

	for (i = 0; i < n; i++) {
		sin.sin_addr.s_addr = htonl(BENCH_ADDR_BASE + i);
		sin.sin_port = htons(BENCH_PORT_BASE + i % BENCH_PORTS);
		pfd.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		setsockopt(pfd.fd, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
		if ((connect(pfd.fd, (struct sockaddr *)&sin, sizeof(sin)) &&
		     errno != EINPROGRESS) ||
		    poll(&pfd, 1, 1000) != 1 ||
		    getsockopt(pfd.fd, SOL_SOCKET, SO_ERROR, &soerr, &len) || soerr) {
			close(pfd.fd);
			return 0;
		}
		close(pfd.fd);
	}
	return (bench_thread_ns() - c0) / (double)n;
}

/* Largest bucket over the mean of the buckets. */
static double bench_peak(const uint64_t *v, size_t n)
{
	uint64_t max = 0, sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		sum += v[i];
		max = v[i] > max ? v[i] : max;
	}
	return sum ? max / ((double)sum / n) : 0;
}

/* Least and most checks any target of the engine got between the two snapshots; the sum. */
static uint64_t bench_hits(const struct bench_engine *b, const uint32_t *h0, const uint32_t *h1,
			   uint32_t *lo, uint32_t *hi)
{
	uint64_t sum = 0;
	unsigned int i;

	*lo = UINT32_MAX;
	*hi = 0;
	for (i = b->first; i < b->first + b->n; i++) {
		uint32_t d = h1[i] - h0[i];

		*lo = d < *lo ? d : *lo;
		*hi = d > *hi ? d : *hi;
		sum += d;
	}
	return sum;
}

/* Prints one engine's row; false when the run did not measure what it should. */
static bool bench_report(const struct bench_engine *b, const struct bench_opts *o,
			 const uint32_t *h0, const uint32_t *h1, uint32_t jitter_ms)
{
	uint64_t checks = b->after.checks - b->before.checks;
	uint64_t failed = b->after.failures - b->before.failures;
	uint64_t errors = b->after.check_errors - b->before.check_errors;
	size_t n_phase = o->interval_ms * 1000000ULL / BENCH_BUCKET_NS;
	size_t n_series = o->seconds * 1000000000ULL / BENCH_BUCKET_NS;
	double wanted = b->n * 1000.0 / (o->interval_ms + jitter_ms / 2.0);
	double rate = checks / (double)o->seconds, phase = bench_peak(b->phase, n_phase);
	/* Each interval lasts interval + 0..jitter: the fewest and most checks a window holds. */
	uint32_t lo, hi, want_lo = o->seconds * 1000 / (o->interval_ms + jitter_ms) - 1;
	uint32_t want_hi = o->seconds * 1000 / o->interval_ms + 1;
	uint64_t hits = bench_hits(b, h0, h1, &lo, &hi);

	/* The goal is the scale engine's; the floor's few starts per bucket are a reference. */
	printf("| %s | %u | %.0f (%.0f wanted, %.1f%%) | %.2f | %.1f%% | %.2f %s | %.2f | %llu | "
	       "%u..%u (%u..%u) | %llu failed, %llu not run, %llu skipped |\n",
	       b->name, b->n, rate, wanted, rate * 100 / wanted, b->cpu_ns / 1e3 / (checks + 1),
	       b->cpu_ns / 1e7 / o->seconds, phase,
	       !b->first || phase <= BENCH_SPREAD_MAX ? "" : "**MISSED**",
	       bench_peak(b->series, n_series), (unsigned long long)b->max_running, lo, hi, want_lo,
	       want_hi, (unsigned long long)failed, (unsigned long long)errors,
	       (unsigned long long)(b->after.skipped - b->before.skipped));
	/*
	 * The checks must have reached the servers, each counted once (the server
	 * lags by what is in flight and its own queue), and none may have failed or
	 * been left unrun: on loopback either is the engine's or the bench's fault.
	 */
	if (!checks || hits < checks * 9 / 10 || hits > checks + checks / 10 + b->max_running) {
		fprintf(stderr, "bench_health: %s: %llu checks, %llu reached the servers\n",
			b->name, (unsigned long long)checks, (unsigned long long)hits);
		return false;
	}
	return !failed && !errors;
}

static int bench_parse(int argc, char **argv, struct bench_opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "n:F:t:s:i:")) != -1) {
		switch (c) {
		case 'n':
			o->targets = strtoul(optarg, NULL, 10);
			break;
		case 'F':
			o->floor = strtoul(optarg, NULL, 10);
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
	return o->targets && o->floor && o->targets + o->floor < (1U << 24) && o->seconds &&
		       o->interval_ms >= 100 && o->interval_ms % 10 == 0
		   ? 0
		   : -EINVAL;
}

int main(int argc, char **argv)
{
	struct bench_opts o = {
	    .targets = 20000, .floor = 1000, .type = CFG_HC_TCP, .seconds = 5, .interval_ms = 1000};
	struct bench_engine b[2] = {{.name = "floor"}, {.name = "scale"}};
	size_t n_phase, n_series;
	uint32_t *hits = MAP_FAILED, *h0 = NULL, n_hits;
	struct cfg_health hc;
	struct rusage ru0, ru1;
	struct rlimit rl;
	int fds[BENCH_PORTS], i, err, ret = 1;
	bool ok = true;
	double load, bare;
	uint64_t waited;
	pid_t child = -1;

	if (bench_parse(argc, argv, &o)) {
		fprintf(stderr, "usage: bench_health [-n TARGETS] [-F FLOOR_TARGETS] [-t tcp|http] "
				"[-s SECONDS] [-i INTERVAL_MS (>= 100, a multiple of 10)]\n");
		return 2;
	}
	err = bench_netns();
	if (err) {
		fprintf(stderr, "bench_health: no network namespace of its own: %s\n",
			strerror(-err));
		return 1;
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	if (getloadavg(&load, 1) != 1)
		load = -1;
	n_hits = o.floor + o.targets;
	hits = mmap(NULL, n_hits * sizeof(*hits), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	h0 = calloc(n_hits, sizeof(*h0));
	if (hits == MAP_FAILED || !h0 || bench_listeners(fds))
		goto cleanup;
	child = fork();
	if (child < 0)
		goto cleanup;
	if (!child)
		bench_serve(fds, hits, n_hits, o.type == CFG_HC_HTTP);
	for (i = 0; i < BENCH_PORTS; i++)
		close(fds[i]);
	bench_pin(0);

	cfg_health_defaults(&hc);
	hc.type = o.type;
	hc.interval_ms = o.interval_ms;
	hc.timeout_ms = o.interval_ms / 2;
	hc.jitter_ms = o.interval_ms / 10;
	n_phase = o.interval_ms * 1000000ULL / BENCH_BUCKET_NS;
	n_series = o.seconds * 1000000000ULL / BENCH_BUCKET_NS;
	b[0].n = o.floor;
	b[1].first = o.floor;
	b[1].n = o.targets;
	for (i = 0; i < 2; i++) {
		b[i].e = health_open(NULL, NULL);
		b[i].phase = calloc(n_phase, sizeof(uint64_t));
		b[i].series = calloc(n_series, sizeof(uint64_t));
		if (!b[i].e || !b[i].phase || !b[i].series || bench_want(&b[i], &hc))
			goto cleanup;
	}
	bench_run(b, 2, &o, BENCH_WARMUP_S, false);
	memcpy(h0, hits, n_hits * sizeof(*h0));
	getrusage(RUSAGE_SELF, &ru0);
	waited = bench_run_delay();
	bench_run(b, 2, &o, o.seconds, true);
	waited = bench_run_delay() - waited;
	getrusage(RUSAGE_SELF, &ru1);

	printf("bench_health: %s checks, interval %u ms, jitter %u ms, timeout %u ms, %u s "
	       "measured after %u s; each target a backend address of its own (127.1.0.0 + i, "
	       "%u ports) in a private network namespace; both engines in one loop on CPU 0, "
	       "servers on CPU 1; open files limit %llu\n\n",
	       cfg_health_type_name(o.type), o.interval_ms, hc.jitter_ms, hc.timeout_ms, o.seconds,
	       BENCH_WARMUP_S, BENCH_PORTS, (unsigned long long)rl.rlim_max);
	printf("| engine | targets | checks/s (wanted: targets / (interval + jitter / 2)) | CPU us "
	       "per check | %% of a core | starts per 10 ms "
	       "of the interval, max / mean (goal <= %.1f) | starts per 10 ms, max / mean | most "
	       "in flight | checks per target (expected) | failures |\n"
	       "|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n",
	       BENCH_SPREAD_MAX);
	for (i = 0; i < 2; i++)
		ok &= bench_report(&b[i], &o, h0, hits, hc.jitter_ms);
	/* Below 1 with checks behind: the scheduler gave CPU 0 to other work. */
	printf("\nThe process had %.0f%% of CPU 0 (user %.0f%%, sys %.0f%%) and waited %.0f%% of "
	       "the time for it, runnable; load average %.2f before.\n",
	       (bench_tv(&ru1.ru_utime, &ru0.ru_utime) + bench_tv(&ru1.ru_stime, &ru0.ru_stime)) *
		   100 / o.seconds,
	       bench_tv(&ru1.ru_utime, &ru0.ru_utime) * 100 / o.seconds,
	       bench_tv(&ru1.ru_stime, &ru0.ru_stime) * 100 / o.seconds, waited / 1e7 / o.seconds,
	       load);
	printf("CPU per check, scale over floor: %.2fx\n",
	       (b[1].cpu_ns / (double)(b[1].after.checks - b[1].before.checks + 1)) /
		   (b[0].cpu_ns / (double)(b[0].after.checks - b[0].before.checks + 1)));
	bare = bench_bare(BENCH_BARE_CHECKS);
	printf("Bare system calls of a check (%u, right after, same process): %.2f us; scale "
	       "engine over them: %.2fx\n",
	       BENCH_BARE_CHECKS, bare / 1e3,
	       b[1].cpu_ns / (double)(b[1].after.checks - b[1].before.checks + 1) / bare);
	ret = ok && bare > 0 ? 0 : 1;
cleanup:
	for (i = 0; i < 2; i++) {
		health_close(b[i].e);
		free(b[i].phase);
		free(b[i].series);
	}
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (hits != MAP_FAILED)
		munmap(hits, n_hits * sizeof(*hits));
	free(h0);
	return ret;
}
