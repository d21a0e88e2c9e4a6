// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Conntrack at scale (root: namespaces, XDP, bpffs). Two real lbagents, each
 * in a namespace of its own on a veth: "big" with FLOWS flows in lb_conntrack
 * (conntrack_size FLOWS + 25 %), "floor" with FLOOR flows. Flows go in by
 * bpf_map_update_batch on the pinned map. Then, in alternating rounds, the
 * wall time of `lbctl status`, `lbctl conntrack list` (default limit) and
 * `lbctl explain` (one tracked flow), `lbctl conntrack list web` (a VIP: a
 * filtered, bounded walk) against each: the big table's figure
 * next to the floor's, both through the same lbctl start-up and socket.
 * Memory: the kernel's memlock of lb_conntrack and lb_ct_new, per entry.
 * Checks it measured the intended path: status counts every flow, explain
 * answers from conntrack, the list is truncated at its limit.
 * Usage: bench_conntrack [-n FLOWS (1000000)] [-f FLOOR (10000)] [-r ROUNDS (5)]
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "common/clock.h"
#include "lb_common.h"
#include "bench_sh.h"

#define ROUNDS_MAX 50
#define NVERBS	   4

extern char **environ;

struct node {
	const char *name;
	uint64_t flows, size;
	char ns[32], dir[64], sock[96], pins[80], conf[96];
	pid_t agent;
	int ct_fd;
};

static char bin[PATH_MAX - 16]; /* room for "/lbagent" after it */
static struct node nodes[2] = {{.name = "floor"}, {.name = "big"}};

static void cleanup(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		struct node *n = &nodes[i];

		if (n->agent > 0) {
			kill(n->agent, SIGTERM);
			waitpid(n->agent, NULL, 0);
			n->agent = 0;
		}
		if (n->ns[0])
			sh("ip netns del %s 2>/dev/null", n->ns);
		/* The agent leaves its pins (forwarding survives it): they go with the bpffs. */
		if (n->pins[0])
			sh("umount %s 2>/dev/null", n->pins);
		if (n->dir[0])
			sh("rm -rf %s", n->dir);
	}
}

static void on_signal(int sig)
{
	cleanup();
	_exit(128 + sig);
}

/* Runs argv[] (lbctl or lbagent from bin/), output to `out` (NULL: /dev/null); wall ns. */
static int64_t run(const char *out, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	uint64_t t0 = clock_now_ns();
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null",
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return (int64_t)(clock_now_ns() - t0);
}

static int node_up(struct node *n)
{
	char agent[PATH_MAX], log[128];
	FILE *f;

	snprintf(n->ns, sizeof(n->ns), "ct-%s-%d", n->name, getpid());
	snprintf(n->dir, sizeof(n->dir), "/tmp/ct-bench-%s-%d", n->name, getpid());
	/* A bpffs of its own: under `ip netns exec` /sys is remounted without /sys/fs/bpf. */
	snprintf(n->pins, sizeof(n->pins), "%s/bpf", n->dir);
	snprintf(n->sock, sizeof(n->sock), "%s/lbagent.sock", n->dir);
	snprintf(n->conf, sizeof(n->conf), "%s/lb.yaml", n->dir);
	if (mkdir(n->dir, 0700) || mkdir(n->pins, 0700) || sh("mount -t bpf bpf %s", n->pins) ||
	    sh("ip netns add %s && ip -n %s link add v0 type veth peer name v1 && "
	       "ip -n %s addr add 198.51.100.1/24 dev v0 && ip -n %s link set v0 up && "
	       "ip -n %s link set v1 up && ip -n %s link set lo up",
	       n->ns, n->ns, n->ns, n->ns, n->ns, n->ns))
		return -1;
	f = fopen(n->conf, "w");
	if (!f)
		return -1;
	fprintf(f,
		"node:\n  id: 1\n  zone: a\n  role: balancer\n  interface: v0\n"
		"  xdp_mode: generic\n  addresses: [198.51.100.1]\n  conntrack_size: %llu\n"
		"  bpffs: %s\n  control: {socket: %s}\n"
		"vips:\n  - name: web\n    address: 192.0.2.10\n    port: 80\n    protocol: tcp\n"
		"    backends:\n      - {address: 198.51.100.11}\n",
		(unsigned long long)n->size, n->pins, n->sock);
	fclose(f);
	snprintf(agent, sizeof(agent), "%s/lbagent", bin);
	snprintf(log, sizeof(log), "%s/agent.log", n->dir);
	{
		char *argv[] = {"/usr/bin/ip", "netns", "exec", n->ns, agent, "-c", n->conf, NULL};
		posix_spawn_file_actions_t fa;

		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (posix_spawn(&n->agent, argv[0], &fa, NULL, argv, environ))
			n->agent = 0;
		posix_spawn_file_actions_destroy(&fa);
	}
	return n->agent > 0 ? 0 : -1;
}

/* A pinned map of the node's agent: the pins are either in the bpffs directory or under lb/. */
static int pin_get(const struct node *n, const char *map)
{
	char path[192];
	int fd;

	snprintf(path, sizeof(path), "%s/lb/%s", n->pins, map);
	fd = bpf_obj_get(path);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/%s", n->pins, map);
	return bpf_obj_get(path);
}

static int node_wait(struct node *n)
{
	char lbctl[PATH_MAX];
	uint64_t end = clock_now_ns() + 120ULL * 1000000000ULL;

	snprintf(lbctl, sizeof(lbctl), "%s/lbctl", bin);
	while (clock_now_ns() < end) {
		char *argv[] = {lbctl, "-s", n->sock, "status", NULL};

		if (run(NULL, argv) >= 0)
			break;
		usleep(100000);
	}
	n->ct_fd = pin_get(n, "lb_conntrack");
	return n->ct_fd < 0 ? -1 : 0;
}

/* Flow i: 203.0.113.(i >> 16):(i & 0xffff) -> 192.0.2.10:80, on backend 198.51.100.11. */
static void flow_key(struct lb_flow_key *k, uint64_t i)
{
	memset(k, 0, sizeof(*k));
	k->family = LB_AF_INET;
	k->proto = IPPROTO_TCP;
	k->src[0] = htonl(0xcb007100 | (uint32_t)(i >> 16 & 0xff));
	k->sport = htons((uint16_t)i);
	inet_pton(AF_INET, "192.0.2.10", k->dst);
	k->dport = htons(80);
}

static int fill(struct node *n)
{
	enum { CHUNK = 65536 };
	struct lb_flow_key *keys = calloc(CHUNK, sizeof(*keys));
	struct lb_conn *vals = calloc(CHUNK, sizeof(*vals));
	uint64_t i = 0;
	__u32 k, count;
	int err = 0;

	if (!keys || !vals)
		err = -ENOMEM;
	while (!err && i < n->flows) {
		for (k = 0; k < CHUNK && i < n->flows; k++, i++) {
			flow_key(&keys[k], i);
			memset(&vals[k], 0, sizeof(vals[k]));
			inet_pton(AF_INET, "198.51.100.11", vals[k].backend_addr);
			vals[k].backend_family = LB_AF_INET;
			vals[k].backend_index = 1;
			vals[k].created_ns = vals[k].last_seen_ns = clock_now_ns();
		}
		count = k;
		err = bpf_map_update_batch(n->ct_fd, keys, vals, &count, NULL);
	}
	free(keys);
	free(vals);
	return err;
}

/* The kernel's memlock of a pinned map, from its fd's fdinfo. */
static uint64_t memlock(struct node *n, const char *map)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;
	int fd;

	fd = pin_get(n, map);
	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	if (f)
		fclose(f);
	close(fd);
	return v;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_ms(int64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_i64);
	return v[n / 2] / 1e6;
}

static int file_has(const char *path, const char *what)
{
	char buf[65536];
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f)
		return 0;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	return strstr(buf, what) != NULL;
}

int main(int argc, char **argv)
{
	static const char *const verbs[] = {"status", "conntrack list", "explain",
					    "conntrack list web"};
	int64_t t[NVERBS][2][ROUNDS_MAX];
	uint64_t flows = 1000000, floor_flows = 10000;
	char lbctl[PATH_MAX + 8], self[PATH_MAX], out[NVERBS][2][128], want[64];
	int rounds = 5, opt, r, v, i, bad = 0;

	while ((opt = getopt(argc, argv, "n:f:r:")) != -1) {
		if (opt == 'n')
			flows = strtoull(optarg, NULL, 10);
		else if (opt == 'f')
			floor_flows = strtoull(optarg, NULL, 10);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else {
			fprintf(stderr, "usage: %s [-n FLOWS] [-f FLOOR] [-r ROUNDS]\n", argv[0]);
			return 2;
		}
	}
	if (geteuid()) {
		printf("SKIP: bench_conntrack needs root (namespaces, XDP, bpffs)\n");
		return 0;
	}
	if (rounds < 1 || rounds > ROUNDS_MAX || flows > 1ULL << 24 || floor_flows > flows) {
		fprintf(stderr, "bench_conntrack: 1..%d rounds, FLOOR <= FLOWS <= 16777216\n",
			ROUNDS_MAX);
		return 2;
	}
	/* lbagent and lbctl sit one level above this bench's directory (.output/bench/). */
	if (!realpath("/proc/self/exe", self))
		return 1;
	snprintf(bin, sizeof(bin), "%s", dirname(dirname(self)));
	snprintf(lbctl, sizeof(lbctl), "%s/lbctl", bin);
	nodes[0].flows = floor_flows;
	nodes[1].flows = flows;
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (i = 0; i < 2; i++) {
		nodes[i].size = nodes[i].flows + nodes[i].flows / 4 + 1024;
		if (node_up(&nodes[i]) || node_wait(&nodes[i]) || fill(&nodes[i])) {
			fprintf(stderr, "bench_conntrack: %s node: %m; its agent said:\n",
				nodes[i].name);
			sh("tail -n 5 %s/agent.log >&2", nodes[i].dir);
			return 1;
		}
	}
	for (r = 0; r < rounds; r++) {
		for (v = 0; v < NVERBS; v++) {
			for (i = 0; i < 2; i++) {
				struct node *n =
				    &nodes[(r + i) % 2]; /* who goes first alternates */
				int which = (r + i) % 2;
				char *st[] = {lbctl, "-s", n->sock, "--json", "status", NULL};
				char *ls[] = {lbctl, "-s", n->sock, "conntrack", "list", NULL};
				char *ex[] = {
				    lbctl,	     "-s",  n->sock, "explain", "203.0.113.0:1",
				    "192.0.2.10:80", "tcp", NULL};
				char *lv[] = {lbctl,  "-s",  n->sock, "conntrack",
					      "list", "web", NULL};
				char *const *cmds[NVERBS] = {st, ls, ex, lv};
				char *const *cmd = cmds[v];

				snprintf(out[v][which], sizeof(out[v][which]), "%s/%d.out", n->dir,
					 v);
				t[v][which][r] = run(out[v][which], cmd);
				if (t[v][which][r] < 0) {
					fprintf(stderr, "bench_conntrack: lbctl %s on %s failed\n",
						verbs[v], n->name);
					return 1;
				}
			}
		}
	}
	printf("| command | %llu flows (floor) | %llu flows | difference |\n|---|---:|---:|---:|\n",
	       (unsigned long long)floor_flows, (unsigned long long)flows);
	for (v = 0; v < NVERBS; v++) {
		double a = median_ms(t[v][0], rounds), b = median_ms(t[v][1], rounds);

		printf("| `lbctl %s` | %.1f ms | %.1f ms | %+.1f ms |\n", verbs[v], a, b, b - a);
	}
	printf("\n| map | entries (max) | memlock | bytes per entry |\n|---|---:|---:|---:|\n");
	for (i = 0; i < 2; i++) {
		uint64_t ct = memlock(&nodes[i], "lb_conntrack");
		uint64_t ctn = memlock(&nodes[i], "lb_ct_new");

		printf("| lb_conntrack (%s) | %llu | %.1f MiB | %.1f |\n", nodes[i].name,
		       (unsigned long long)nodes[i].size, ct / 1048576.0,
		       (double)ct / nodes[i].size);
		printf("| lb_ct_new (%s) | 1/8 of it | %.1f MiB | %.1f per conntrack entry |\n",
		       nodes[i].name, ctn / 1048576.0, (double)ctn / nodes[i].size);
	}
	/* The intended paths: every flow counted, explain from conntrack, a truncated list. */
	for (i = 0; i < 2; i++) {
		snprintf(want, sizeof(want), "\"conntrack_entries\": %llu",
			 (unsigned long long)nodes[i].flows);
		if (!file_has(out[0][i], want) && (bad = 1))
			fprintf(stderr, "bench_conntrack: %s: status does not say %s\n",
				nodes[i].name, want);
		if ((!file_has(out[1][i], "first 100 entries only") ||
		     !file_has(out[3][i], "first 100 entries only")) &&
		    (bad = 1))
			fprintf(stderr, "bench_conntrack: %s: the list is not cut at 100\n",
				nodes[i].name);
		if (!file_has(out[2][i], "conntrack") && (bad = 1))
			fprintf(stderr,
				"bench_conntrack: %s: explain did not answer from conntrack\n",
				nodes[i].name);
	}
	return bad;
}
