// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Sync throughput and delay (root: namespaces, BPF maps).
 *
 * 1. apply: full datagrams encoded (HMAC) then decoded, authenticated and
 *    applied (VIP and backend lookups, conntrack lookup and update) into a
 *    real BPF LRU map by the receive path of a sync instance: records/s.
 * 2. link: two instances in namespaces joined by a veth pair, in two processes. A BPF program
 *    (sync_events.bpf.c, a syscall program run by BPF_PROG_TEST_RUN) writes flow events into
 *    a real lb_events ring buffer at a fixed rate, a batch every millisecond;
 *    A reads them as the agent does, multicasts them, B applies them: loss,
 *    and the delay from the event to B's map (median, p99).
 * 3. dump (-d FLOWS): A holds FLOWS flows in lb_conntrack; B starts and asks
 *    for its catch-up dump: the time until B is in sync (may announce), and
 *    A's forwarding meanwhile: a conntrack lookup (lookup.bpf.c's
 *    xdp_lookup_ct over A's map) run by BPF_PROG_TEST_RUN in a thread of A's
 *    process, its rate while A dumps against its rate before. A and B are
 *    two processes, as two nodes are.
 * Prints markdown. Usage: bench_sync [-c CPU] [-n RECORDS] [-r RATE]... [-t SECONDS]
 *                                    [-d FLOWS]...
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "common/clock.h"
#include "config/config.h"
#include "config/config_sync.h"
#include "sync/sync.h"
#include "bench_sh.h"
#include "lookup.skel.h"
#include "sync_events.skel.h"

#define MAX_RATES 4
#define MAX_DUMPS 4

struct node {
	int ns_fd, ct, ids, vips;
	struct sync *s;
};

static char ns_a[32], ns_b[32];
static int root_ns = -1;
static uint8_t key[SYNC_KEY_LEN];

static void net_down(void)
{
	if (ns_a[0])
		sh("ip netns del %s 2>/dev/null", ns_a);
	if (ns_b[0])
		sh("ip netns del %s 2>/dev/null", ns_b);
}

static void on_signal(int sig)
{
	net_down();
	_exit(128 + sig);
}

static int net_up(void)
{
	snprintf(ns_a, sizeof(ns_a), "xlbbs-a-%d", getpid());
	snprintf(ns_b, sizeof(ns_b), "xlbbs-b-%d", getpid());
	atexit(net_down);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	return sh("ip netns add %s && ip netns add %s && "
		  "ip -n %s link add sa type veth peer name sb netns %s && "
		  "ip -n %s addr add 198.51.100.1/24 dev sa && ip -n %s link set sa up && "
		  "ip -n %s addr add 198.51.100.2/24 dev sb && ip -n %s link set sb up",
		  ns_a, ns_b, ns_a, ns_b, ns_a, ns_a, ns_b, ns_b);
}

/* CPU time of this process (user + system), ns: the rate per CPU second holds on a busy host. */
static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

static int node_open(struct node *n, const char *ns, const char *ifname, uint32_t id,
		     uint32_t ct_size, const struct cfg_sync *cfg, int events_fd)
{
	struct lb_backend_key bk = {.family = LB_AF_INET, .vip_index = 1};
	struct lb_vip_key vk = {.family = LB_AF_INET, .proto = IPPROTO_TCP};
	struct lb_vip_info vi = {.vip_index = 1};
	struct sync_params p = {
	    .cfg = cfg,
	    .node_id = id,
	    .zone = "bench",
	    .ifname = ifname,
	    .events_fd = events_fd,
	    .key = key,
	};
	char path[64];
	__u32 index = 7;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	n->ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	n->ct = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "lb_conntrack", sizeof(struct lb_flow_key),
			       sizeof(struct lb_conn), ct_size, NULL);
	n->ids = bpf_map_create(BPF_MAP_TYPE_HASH, "lb_backend_ids", sizeof(bk), 4, 64, NULL);
	n->vips = bpf_map_create(BPF_MAP_TYPE_HASH, "lb_vips", sizeof(vk), sizeof(vi), 64, NULL);
	if (n->ns_fd < 0 || n->ct < 0 || n->ids < 0 || n->vips < 0)
		return -errno;
	inet_pton(AF_INET, "198.51.100.11", bk.addr);
	inet_pton(AF_INET, "192.0.2.10", vk.addr);
	vk.port = htons(80);
	if (bpf_map_update_elem(n->ids, &bk, &index, BPF_ANY) ||
	    bpf_map_update_elem(n->vips, &vk, &vi, BPF_ANY))
		return -errno;
	p.conntrack_fd = n->ct;
	p.backend_ids_fd = n->ids;
	p.vips_fd = n->vips;
	if (setns(n->ns_fd, CLONE_NEWNET))
		return -errno;
	n->s = sync_open(&p);
	if (setns(root_ns, CLONE_NEWNET))
		return -errno;
	return n->s ? 0 : -errno;
}

static void node_close(struct node *n)
{
	sync_close(n->s);
	close(n->ct);
	close(n->ids);
	close(n->vips);
	close(n->ns_fd);
}

/* Flow i: distinct client address and port, so every record is a new conntrack entry. */
static void flow_event(struct lb_flow_event *ev, uint64_t i)
{
	memset(ev, 0, sizeof(*ev));
	ev->flow.family = LB_AF_INET;
	ev->flow.proto = IPPROTO_TCP;
	ev->flow.src[0] = htonl(0xcb007100 | (uint32_t)(i >> 16 & 0xff)); /* 203.0.113.x */
	inet_pton(AF_INET, "192.0.2.10", ev->flow.dst);
	ev->flow.sport = htons((uint16_t)i | 1);
	ev->flow.dport = htons(80);
	inet_pton(AF_INET, "198.51.100.11", ev->backend_addr);
	ev->backend_family = LB_AF_INET;
	ev->flow.src[1] = 0;
	/* Beyond 16.7M flows the tuples repeat: the bench stays well below. */
	ev->flow.src[0] ^= htonl((uint32_t)(i >> 24) << 8);
}

static int bench_apply(const struct cfg_sync *cfg, uint64_t n)
{
	size_t per, cap, i, k, ndg;
	struct sync_record *rec;
	struct lb_flow_event ev;
	struct sockaddr_in from = {.sin_family = AF_INET};
	struct sync_hdr h = {.type = SYNC_MSG_RECORDS, .node_id = 99, .epoch = 1};
	struct node b = {};
	uint8_t *bufs;
	int *lens, err;
	uint64_t t0, t1, t2, c1, c2, applied;

	err = node_open(&b, ns_b, "sb", 2, n + n / 4, cfg, -1);
	if (err)
		return err;
	cap = sync_dgram_max(b.s);
	per = sync_records_per_dgram(cap);
	ndg = (n + per - 1) / per;
	bufs = malloc(ndg * cap);
	lens = calloc(ndg, sizeof(*lens));
	rec = calloc(per, sizeof(*rec));
	if (!bufs || !lens || !rec)
		return -ENOMEM;
	t0 = clock_now_ns();
	for (i = 0; i < ndg; i++) {
		for (k = 0; k < per; k++) {
			flow_event(&ev, i * per + k);
			memset(&rec[k], 0, sizeof(rec[k]));
			rec[k].flow = ev.flow;
			memcpy(rec[k].backend_addr, ev.backend_addr, 16);
			rec[k].backend_family = LB_AF_INET;
		}
		h.seq = i + 1;
		lens[i] = sync_encode_records(bufs + i * cap, cap, &h, rec, per, key);
	}
	t1 = clock_now_ns();
	c1 = cpu_ns();
	for (i = 0; i < ndg; i++)
		sync_handle_dgram(b.s, bufs + i * cap, lens[i], (struct sockaddr *)&from,
				  sizeof(from));
	t2 = clock_now_ns();
	c2 = cpu_ns();
	applied = sync_get_stats(b.s)->records_applied;
	printf("| records | per datagram | encode (HMAC) | decode + verify + apply | the same per "
	       "CPU second | end to end | applied |\n|---|---|---|---|---|---|---|\n");
	printf("| %zu | %zu | %.0f rec/s | %.0f rec/s | %.0f rec/s | **%.0f rec/s** | %llu |\n",
	       ndg * per, per, ndg * per / ((t1 - t0) / 1e9), ndg * per / ((t2 - t1) / 1e9),
	       ndg * per / ((c2 - c1) / 1e9), ndg * per / ((t2 - t0) / 1e9),
	       (unsigned long long)applied);
	free(bufs);
	free(lens);
	free(rec);
	node_close(&b);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Writes n events into lb_events (fewer if the ring is full); returns how many. */
static uint64_t emit_events(struct sync_events *skel, uint64_t n)
{
	struct {
		__u32 n;
	} args = {.n = (__u32)n};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	uint64_t before = skel->bss->next_flow;

	if (n && bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sync_events_emit), &opts))
		return 0;
	return skel->bss->next_flow - before;
}

/* B's process in the link bench: applies what A multicasts until told to stop. */
struct link_shared {
	volatile int stop;
	volatile uint64_t applied;
};

static int link_apply(struct node *b, struct link_shared *sh)
{
	struct pollfd pfd = {.fd = sync_fd(b->s), .events = POLLIN};

	while (!sh->stop) {
		poll(&pfd, 1, 1);
		sync_process(b->s);
		sh->applied = sync_get_stats(b->s)->records_applied;
	}
	return 0;
}

/*
 * Events at `rate`/s for `secs` seconds on A; B applies, in a process of its
 * own (two nodes, two CPUs at best). Delay by order of arrival, as A sees B's
 * count; lost is split into the ring (the data plane's events_lost) and A's
 * full send queue (sync's queue_full).
 */
static int bench_link(const struct cfg_sync *cfg, uint64_t rate, unsigned int secs)
{
	uint64_t total = rate * secs, tried = 0, queued = 0, seen = 0, applied, t0, now, end;
	uint64_t *sent_at, *delay, i, got, c0, c_a;
	struct node a = {}, b = {};
	struct link_shared *sh;
	struct sync_events *skel;
	struct pollfd pfd;
	int err, status;
	pid_t pid;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -errno;
	memset(sh, 0, sizeof(*sh));
	err = node_open(&b, ns_b, "sb", 2, total + total / 4, cfg, -1);
	if (err)
		return err;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(link_apply(&b, sh));
	node_close(&b);
	skel = sync_events__open_and_load();
	if (!skel)
		return -errno;
	err = node_open(&a, ns_a, "sa", 1, 1024, cfg, bpf_map__fd(skel->maps.lb_events));
	if (err)
		return err;
	sent_at = calloc(total, sizeof(*sent_at));
	delay = calloc(total, sizeof(*delay));
	if (!sent_at || !delay)
		return -ENOMEM;
	pfd.fd = sync_fd(a.s);
	pfd.events = POLLIN;
	/* Let them meet and finish their (empty) catch-up first. */
	end = clock_now_ns() + 3ULL * cfg->heartbeat_ms * 1000000ULL;
	while (clock_now_ns() < end) {
		sync_process(a.s);
		usleep(1000);
	}
	t0 = clock_now_ns();
	c0 = cpu_ns();
	end = t0 + (uint64_t)secs * 1000000000ULL + 1000000000ULL; /* one second to drain */
	while ((now = clock_now_ns()) < end) {
		uint64_t due = (now - t0) * rate / 1000000000ULL;

		if (due > total)
			due = total;
		if (due > tried) {
			got = emit_events(skel, due - tried);
			for (i = 0; i < got; i++)
				sent_at[queued + i] = now;
			queued += got;
			tried = due;
		}
		poll(&pfd, 1, 1);
		sync_process(a.s);
		applied = sh->applied;
		now = clock_now_ns();
		for (; seen < applied && seen < queued; seen++)
			delay[seen] = now - sent_at[seen];
		if (tried == total && seen == queued)
			break;
	}
	c_a = cpu_ns() - c0;
	sh->stop = 1;
	waitpid(pid, &status, 0);
	qsort(delay, seen, sizeof(*delay), cmp_u64);
	printf("| %llu ev/s | %u s | %llu | %llu | %llu | %llu | %llu (%.3f%%) | %.2f ms | %.2f ms "
	       "| %.2f s | %.2f us |\n",
	       (unsigned long long)rate, secs, (unsigned long long)total,
	       (unsigned long long)(total - queued),
	       (unsigned long long)sync_get_stats(a.s)->queue_full, (unsigned long long)seen,
	       (unsigned long long)(total - seen), 100.0 * (total - seen) / total,
	       seen ? delay[seen / 2] / 1e6 : 0, seen ? delay[seen * 99 / 100] / 1e6 : 0, c_a / 1e9,
	       queued ? c_a / 1e3 / queued : 0.0);
	free(sent_at);
	free(delay);
	node_close(&a);
	sync_events__destroy(skel);
	munmap(sh, sizeof(*sh));
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

/* Fills a conntrack map with flows 0..n-1 as flow_event names them, a batch per syscall. */
static int ct_fill(int fd, uint64_t n)
{
	enum { CHUNK = 65536 };
	struct lb_flow_key *keys = calloc(CHUNK, sizeof(*keys));
	struct lb_conn *vals = calloc(CHUNK, sizeof(*vals));
	struct lb_flow_event ev;
	uint64_t i = 0, now = clock_now_ns();

	if (n > 1ULL << 24)
		return -ERANGE;
	__u32 k, count;
	int err = 0;

	if (!keys || !vals)
		err = -ENOMEM;
	while (!err && i < n) {
		for (k = 0; k < CHUNK && i < n; k++, i++) {
			flow_event(&ev, i);
			/* Unique up to 16.7M flows: all 16 bits of the port, then the address. */
			ev.flow.sport = htons((uint16_t)i);
			keys[k] = ev.flow;
			memcpy(vals[k].backend_addr, ev.backend_addr, sizeof(ev.backend_addr));
			vals[k].backend_index = 7;
			vals[k].backend_family = LB_AF_INET;
			vals[k].created_ns = vals[k].last_seen_ns = now;
		}
		count = k;
		err = bpf_map_update_batch(fd, keys, vals, &count, NULL);
	}
	free(keys);
	free(vals);
	return err;
}

/* What A's process tells B's: its forwarding probe by phase, and what it sent. */
#define PROBE_SAMPLES 8192

struct dump_shared;
struct probe {
	struct dump_shared *sh;
	int prog_fd;
};

struct dump_shared {
	volatile int stop, dumping;
	uint32_t n[2];			  /* samples: [0] before the dump, [1] during it */
	uint32_t ns[2][PROBE_SAMPLES];	  /* ns per lookup, as the kernel timed each run */
	uint64_t lookups[2], hits_missed; /* lookups run; those that did not find the flow */
	uint64_t dumps_served, dump_records_sent;
};

#define PROBE_REPEAT   1000
#define PROBE_PAUSE_US 2000

/*
 * A's data plane meanwhile: a run of conntrack hits every 2 ms, its time per
 * lookup as the kernel measures it. Paced, not flat out: a busy loop here would
 * take a CPU from the dump it is meant to watch.
 */
static void *probe_run(void *arg)
{
	struct probe *pr = arg;
	struct dump_shared *sh = pr->sh;
	uint8_t pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt),
		    .repeat = PROBE_REPEAT);

	while (!sh->stop) {
		int phase = sh->dumping;

		if (bpf_prog_test_run_opts(pr->prog_fd, &opts) || opts.retval != XDP_PASS)
			sh->hits_missed += PROBE_REPEAT;
		sh->lookups[phase] += PROBE_REPEAT;
		if (sh->n[phase] < PROBE_SAMPLES)
			sh->ns[phase][sh->n[phase]++] = opts.duration;
		usleep(PROBE_PAUSE_US);
	}
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t median_u32(uint32_t *v, uint32_t n)
{
	qsort(v, n, sizeof(*v), cmp_u32);
	return n ? v[n / 2] : 0;
}

/* Node A's process: serves the dump B asks for, its probe running all along. */
static int dump_serve(struct node *a, struct lookup *lk, struct dump_shared *sh)
{
	const struct sync_stats *st = sync_get_stats(a->s);
	struct probe pr = {.sh = sh, .prog_fd = bpf_program__fd(lk->progs.xdp_lookup_ct)};
	struct pollfd pfd = {.fd = sync_fd(a->s), .events = POLLIN};
	pthread_t th;

	if (pthread_create(&th, NULL, probe_run, &pr))
		return 1;
	while (!sh->stop) {
		poll(&pfd, 1, 10);
		sync_process(a->s);
		sh->dumping = st->dumps_requested > st->dumps_served;
	}
	pthread_join(th, NULL);
	sh->dumps_served = st->dumps_served;
	sh->dump_records_sent = st->dump_records_sent;
	return 0;
}

/*
 * B starts beside an A holding `flows` flows: from B's sync_open to B in
 * sync. Default heartbeat (what a node runs with): B waits a heartbeat and a
 * half to hear every peer before trusting "every dump is in".
 */
static int bench_dump(const struct cfg_sync *base, uint64_t flows)
{
	struct cfg_sync cfg = *base;
	struct lb_flow_key pk = {.sport = 40000, .dport = 80, .proto = 6, .family = LB_AF_INET};
	struct lb_conn pc = {.backend_family = LB_AF_INET, .backend_index = 7};
	uint64_t want = flows, t0, t_all = 0, t_sync = 0, deadline, c0, c_a, c_b, c_children;
	struct rusage ru;
	struct node a = {}, b = {};
	struct dump_shared *sh;
	uint32_t before, during;
	uint64_t applied;
	struct lookup *lk;
	struct pollfd pfd;
	int err, status;
	pid_t pid;

	cfg.heartbeat_ms = CFG_SYNC_DEFAULT_HEARTBEAT_MS;
	cfg.peer_timeout_ms = CFG_SYNC_PEER_TIMEOUT_FACTOR * cfg.heartbeat_ms;
	cfg.dump_timeout_ms = 600000; /* in sync by its dump only, never by the clock */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return -errno;
	memset(sh, 0, sizeof(*sh));
	err = node_open(&a, ns_a, "sa", 1, flows + flows / 4 + 1, &cfg, -1);
	if (err)
		return err;
	/*
	 * The probe's flow: its key is the frame's length and port 40000 (lookup.bpf.c). It
	 * names no VIP, so B refuses its record (unknown_vip): B applies exactly `flows`.
	 */
	pk.src[0] = 64;
	inet_pton(AF_INET, "198.51.100.11", pc.backend_addr);
	err = ct_fill(a.ct, flows) ?: bpf_map_update_elem(a.ct, &pk, &pc, BPF_ANY);
	if (err)
		return err;
	lk = lookup__open();
	if (!lk || bpf_map__reuse_fd(lk->maps.lookup_ct, a.ct) || lookup__load(lk))
		return -EINVAL;
	fflush(stdout);
	getrusage(RUSAGE_CHILDREN, &ru); /* A's CPU: what this child adds to earlier ones */
	c_children = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
		     (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(dump_serve(&a, lk, sh));
	node_close(&a);
	lookup__destroy(lk);
	usleep(1000000); /* A's probe alone first: the rate to compare with */

	t0 = clock_now_ns();
	c0 = cpu_ns();
	err = node_open(&b, ns_b, "sb", 2, want + want / 4, &cfg, -1);
	deadline = t0 + 300ULL * 1000000000ULL;
	while (!err && !sync_in_sync(b.s) && clock_now_ns() < deadline) {
		pfd.fd = sync_fd(b.s);
		pfd.events = POLLIN;
		poll(&pfd, 1, 10);
		sync_process(b.s);
		if (!t_all && sync_get_stats(b.s)->records_applied >= want)
			t_all = clock_now_ns();
	}
	t_sync = clock_now_ns();
	c_b = cpu_ns() - c0;
	sh->stop = 1;
	waitpid(pid, &status, 0);
	getrusage(RUSAGE_CHILDREN, &ru);
	c_a = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
	      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL - c_children;
	if (err)
		return err;
	before = median_u32(sh->ns[0], sh->n[0]);
	during = median_u32(sh->ns[1], sh->n[1]);
	applied = sync_get_stats(b.s)->records_applied;
	printf("| %llu | %.3f s | %.3f s | %.3f s | %.3f s | %llu | %llu | %llu | %u ns | %u ns | "
	       "%+d ns | %llu |\n",
	       (unsigned long long)flows, t_all ? (t_all - t0) / 1e9 : 0.0, (t_sync - t0) / 1e9,
	       c_b / 1e9, c_a / 1e9, (unsigned long long)sh->dump_records_sent,
	       (unsigned long long)applied,
	       (unsigned long long)(want > applied ? want - applied : 0), before, during,
	       (int)during - (int)before, (unsigned long long)sh->lookups[1]);
	/* The intended path: one dump served, all of it applied, in sync by it, probe hits. */
	err = !WIFEXITED(status) || WEXITSTATUS(status) || sh->dumps_served != 1 ||
	      !sync_in_sync(b.s) || sync_get_stats(b.s)->records_applied < want ||
	      sh->hits_missed || !sh->lookups[1];
	if (err)
		fprintf(stderr,
			"bench_sync: dump of %llu: served %llu, applied %llu, in sync %d, "
			"probe misses %llu, probe runs during %llu\n",
			(unsigned long long)flows, (unsigned long long)sh->dumps_served,
			(unsigned long long)sync_get_stats(b.s)->records_applied, sync_in_sync(b.s),
			(unsigned long long)sh->hits_missed, (unsigned long long)sh->lookups[1]);
	node_close(&b);
	munmap(sh, sizeof(*sh));
	return err ? -EIO : 0;
}

int main(int argc, char **argv)
{
	static const char material[] = "bench_sync key material, 32 bytes+";
	uint64_t n = 1000000, rates[MAX_RATES] = {100000}, dumps[MAX_DUMPS];
	unsigned int secs = 3, n_rates = 0, n_dumps = 0, i;
	struct cfg_sync cfg = {
	    .enabled = true,
	    .port = 18849,
	    .ttl = 1,
	    .heartbeat_ms = 100,
	    .peer_timeout_ms = 1000,
	    .dump_timeout_ms = 500,
	};
	cpu_set_t set;
	int opt, cpu = -1;

	while ((opt = getopt(argc, argv, "c:n:r:t:d:")) != -1) {
		if (opt == 'c')
			cpu = atoi(optarg);
		else if (opt == 'n')
			n = strtoull(optarg, NULL, 10);
		else if (opt == 'r' && n_rates < MAX_RATES)
			rates[n_rates++] = strtoull(optarg, NULL, 10);
		else if (opt == 't')
			secs = atoi(optarg);
		else if (opt == 'd' && n_dumps < MAX_DUMPS)
			dumps[n_dumps++] = strtoull(optarg, NULL, 10);
		else {
			fprintf(stderr,
				"usage: %s [-c CPU] [-n RECORDS] [-r RATE]... [-t SECONDS] "
				"[-d FLOWS]...\n",
				argv[0]);
			return 2;
		}
	}
	if (!n_rates)
		n_rates = 1;
	if (geteuid()) {
		printf("SKIP: bench_sync needs root (namespaces, BPF maps)\n");
		return 0;
	}
	if (cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	if (sync_key_derive(material, strlen(material), key) ||
	    cfg_parse_addr("239.255.77.2", &cfg.group))
		return 1;
	root_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (root_ns < 0 || net_up()) {
		fprintf(stderr, "bench_sync: cannot build the namespaces\n");
		return 1;
	}
	if (bench_apply(&cfg, n)) {
		fprintf(stderr, "bench_sync: apply: %m\n");
		return 1;
	}
	printf("\n| event rate | for | events | ring full | A's queue full | applied on B | lost | "
	       "delay median | delay p99 | A's CPU | per event read |\n"
	       "|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < n_rates; i++) {
		if (bench_link(&cfg, rates[i], secs)) {
			fprintf(stderr, "bench_sync: link: %m\n");
			return 1;
		}
	}
	if (!n_dumps)
		return 0;
	printf(
	    "\n| flows dumped | all applied on B | B in sync | B's CPU | A's CPU | records sent "
	    "by A | applied on B | missing | A's conntrack hit before | during the dump | "
	    "difference | A's hits during |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < n_dumps; i++) {
		fflush(stdout);
		if (bench_dump(&cfg, dumps[i])) {
			fprintf(stderr, "bench_sync: dump: %m\n");
			return 1;
		}
	}
	return 0;
}
