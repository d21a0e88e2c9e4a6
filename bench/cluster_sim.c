// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Cluster size on paper (issue 21): what share of the flows of a 32-node,
 * 100,000-backend cluster would reach another backend (and so break) when a
 * node dies, when one backend of a VIP leaves, and both at once. A simulation,
 * not a test, but over the real thing: the agent's own Maglev build
 * (agent/dataplane/maglev.c) and the data plane's own flow hash (bpf/lb_hash.h),
 * so every table is the one a node would install and every flow lands on the
 * slot the XDP program would pick.
 *
 * The model:
 * - VIPS VIPs of BACKENDS backends each (default 1,000 x 100 = 100,000), all of
 *   weight 1, every table of M slots. Every node builds the same table from the
 *   same set (maglev_build is deterministic), so one table per VIP stands for
 *   all NODES nodes.
 * - FLOWS established flows (IPv4 TCP, clients in 198.51.100.0/24 and
 *   203.0.113.0/24 on random ports), spread evenly over the VIPs. A flow's
 *   backend is table[lb_hash_flow() % M]; its conntrack entry holds it.
 * - The router hashes the 5-tuple (an independent hash: another seed) to a
 *   node in one of three ways: modulo-N (live[h % n]); hash-threshold (RFC
 *   2992: n equal ranges of the hash, what Linux does for a multipath route
 *   and so what the e2e router, BIRD into the kernel, does); resilient (a
 *   table of buckets, only a dead node's buckets move: Linux's resilient
 *   nexthop groups, switches' resilient hashing). Every node in turn is the one
 *   that dies; figures are the mean over the NODES choices (hash-threshold's
 *   share depends on where the dead node sits in the list).
 * - Sync on: a flow that ECMP moves finds its synced entry on the new node.
 *   Sync off: the new node has no entry and picks by Maglev again; the flow
 *   keeps its backend only if the (possibly rebuilt) table gives the same one.
 *   A flow whose node does not change keeps its backend by conntrack either way.
 * - A backend leaving: the table of its VIP is rebuilt without it (what the
 *   agent does when a backend is removed or its checks fail). Each VIP loses
 *   one of its backends in its own trial, so the figures average VIPS trials.
 * - Second chance (docs/SECOND_CHANCE.md): beside the new table the agent
 *   installs, per slot, the backend it held before (maglev_prev_update); a
 *   backend given a flow it has no socket for hands it to that one. A column
 *   counts what it leaves broken with sync off.
 *
 * Then the Maglev paper's own setup (Eisenbud et al., NSDI 2016, section 5.3,
 * figure 12): 1,000 backends, k% of them removed at random, share of table
 * entries changed, for M = 65537 and 655373.
 *
 *   cluster_sim [-n NODES] [-v VIPS] [-b BACKENDS] [-f FLOWS] [-m M] [-t TRIALS]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "lb_hash.h"
#include "dataplane/maglev.h"

#define SIM_MAX_NODES	   256
#define SIM_BUCKETS_PER	   64	       /* resilient ECMP buckets per node */
#define SIM_LB_SEED	   0x786c6231U /* the cluster's flow hash seed (any: all nodes share it) */
#define SIM_ROUTER_SEED	   0x72747231U /* the router's: independent of the balancers' */
#define SIM_PAPER_BACKENDS 1000
#define SIM_PAPER_M_LARGE  655373

enum sim_ecmp { SIM_MODULO, SIM_THRESHOLD, SIM_RESILIENT, SIM_ECMP_N };

static const char *const sim_ecmp_names[SIM_ECMP_N] = {"modulo-N", "hash-threshold", "resilient"};

struct sim_opts {
	unsigned int nodes, vips, backends, trials;
	unsigned long flows;
	uint32_t m;
};

/* The router's view: resilient buckets before, and after each node's death. */
struct sim_router {
	unsigned int nodes, n_buckets;
	uint8_t *owner;	  /* [bucket]: node before the death */
	uint8_t *reowner; /* [dead * n_buckets + bucket]: node after `dead` died */
};

/* Flow counts, per ECMP model and dead node where they depend on them. */
struct sim_counts {
	uint64_t flows;
	uint64_t on_dead[SIM_MAX_NODES];		 /* flows the node held (resilient) */
	uint64_t moved[SIM_ECMP_N][SIM_MAX_NODES];	 /* flows ECMP sends to another node */
	uint64_t both_broken[SIM_ECMP_N][SIM_MAX_NODES]; /* (c), sync off: new node, other pick */
	uint64_t both_sc[SIM_ECMP_N][SIM_MAX_NODES];	 /* the same, second chance does not save */
	uint64_t picks_changed; /* (b): the rebuilt table gives another backend */
	uint64_t picks_sc;	/* the same, its backend stays and second chance does not save */
	uint64_t on_leaving;	/* (b): the flow's backend is the one leaving */
	uint64_t slots_changed, slots_leaving; /* (b), table entries rather than flows */
	uint64_t slots;
};

static uint64_t sim_rng = 0x9e3779b97f4a7c15ULL;

/* xorshift64*: the same flows and removals in every run, so the figures never move. */
static uint64_t sim_random(void)
{
	sim_rng ^= sim_rng >> 12;
	sim_rng ^= sim_rng << 25;
	sim_rng ^= sim_rng >> 27;
	return sim_rng * 0x2545F4914F6CDD1DULL;
}

/* Node of live index k once `dead` is gone from the list (the survivors keep their order). */
static unsigned int sim_skip(unsigned int k, unsigned int dead)
{
	return k < dead ? k : k + 1;
}

static unsigned int sim_node_before(const struct sim_router *r, enum sim_ecmp model, uint32_t h)
{
	switch (model) {
	case SIM_MODULO:
		return h % r->nodes;
	case SIM_THRESHOLD:
		return ((uint64_t)(h & 0x7fffffff) * r->nodes) >> 31;
	default:
		return r->owner[h % r->n_buckets];
	}
}

static unsigned int sim_node_after(const struct sim_router *r, enum sim_ecmp model, uint32_t h,
				   unsigned int dead)
{
	switch (model) {
	case SIM_MODULO:
		return sim_skip(h % (r->nodes - 1), dead);
	case SIM_THRESHOLD:
		return sim_skip(((uint64_t)(h & 0x7fffffff) * (r->nodes - 1)) >> 31, dead);
	default:
		return r->reowner[(size_t)dead * r->n_buckets + h % r->n_buckets];
	}
}

/* Resilient buckets: dealt round robin; a dead node's buckets dealt again to the survivors. */
static int sim_router_init(struct sim_router *r, unsigned int nodes)
{
	unsigned int b, d, j;

	r->nodes = nodes;
	r->n_buckets = nodes * SIM_BUCKETS_PER;
	r->owner = calloc(r->n_buckets, 1);
	r->reowner = calloc((size_t)nodes * r->n_buckets, 1);
	if (!r->owner || !r->reowner)
		return -ENOMEM;
	for (b = 0; b < r->n_buckets; b++)
		r->owner[b] = b % nodes;
	for (d = 0; d < nodes; d++)
		for (b = 0, j = 0; b < r->n_buckets; b++)
			r->reowner[(size_t)d * r->n_buckets + b] =
			    r->owner[b] != d ? r->owner[b] : sim_skip(j++ % (nodes - 1), d);
	return 0;
}

/* Backend k of VIP v: 2001:db8:v::k, weight 1, index k + 1 (0 means none). */
static void sim_backends(struct maglev_backend *b, unsigned int n, unsigned int vip)
{
	unsigned int k;

	memset(b, 0, n * sizeof(*b));
	for (k = 0; k < n; k++) {
		b[k].addr.family = LB_AF_INET6;
		b[k].addr.addr[0] = htonl(0x20010db8);
		b[k].addr.addr[1] = htonl(vip << 16);
		b[k].addr.addr[3] = htonl(k + 1);
		b[k].weight = 1;
		b[k].index = k + 1;
	}
}

/* A client flow to VIP v (192.0.2.x, one of four ports), from a documentation address. */
static void sim_flow(struct lb_flow_key *key, unsigned int vip)
{
	uint64_t x = sim_random();

	memset(key, 0, sizeof(*key));
	key->family = LB_AF_INET;
	key->proto = 6;
	key->src[0] = htonl((x & 1 ? 0xc6336400U : 0xcb007100U) | ((x >> 1) & 0xff));
	key->sport = htons(1024 + (x >> 9) % 64512);
	key->dst[0] = htonl(0xc0000200U | (vip % 250 + 1));
	key->dport = htons(80 + vip / 250);
}

/* The flows of one VIP before and after `leaving` goes, under every model and dead node. */
static void sim_vip_flows(const struct sim_opts *o, const struct sim_router *r,
			  const uint32_t *before, const uint32_t *after, const uint32_t *prev,
			  uint32_t leaving, unsigned long n_flows, unsigned int vip,
			  struct sim_counts *c)
{
	struct lb_flow_key key;
	unsigned int model, d, n0;
	unsigned long i;
	uint32_t slot, h;
	bool changed, saved;

	for (i = 0; i < n_flows; i++) {
		sim_flow(&key, vip);
		slot = lb_hash_flow(&key, SIM_LB_SEED) % o->m;
		h = lb_hash_flow(&key, SIM_ROUTER_SEED);
		changed = before[slot] != after[slot];
		/* Second chance: the new backend hands a flow it has no socket for to prev. */
		saved = prev[slot] == before[slot];
		c->flows++;
		c->picks_changed += changed;
		c->picks_sc += changed && before[slot] != leaving && !saved;
		c->on_leaving += before[slot] == leaving;
		for (model = 0; model < SIM_ECMP_N; model++) {
			n0 = sim_node_before(r, model, h);
			if (model == SIM_RESILIENT)
				c->on_dead[n0]++;
			for (d = 0; d < o->nodes; d++) {
				if (sim_node_after(r, model, h, d) == n0 && n0 != d)
					continue;
				c->moved[model][d]++;
				/* Its backend is gone anyway: counted with on_leaving, not here. */
				c->both_broken[model][d] += changed && before[slot] != leaving;
				c->both_sc[model][d] +=
				    changed && before[slot] != leaving && !saved;
			}
		}
	}
}

static int sim_cluster(const struct sim_opts *o, const struct sim_router *r, struct sim_counts *c)
{
	struct maglev_backend *b = calloc(o->backends, sizeof(*b));
	uint32_t *before = calloc(o->m, sizeof(*before)), *after = calloc(o->m, sizeof(*after));
	uint32_t *prev = calloc(o->m, sizeof(*prev));
	unsigned long per_vip = o->flows / o->vips;
	struct maglev_backend gone;
	unsigned int v, leave;
	uint32_t s;
	int err = -ENOMEM;

	if (!b || !before || !after || !prev)
		goto cleanup;
	for (v = 0; v < o->vips; v++) {
		sim_backends(b, o->backends, v);
		err = maglev_build(b, o->backends, o->m, before);
		if (err)
			goto cleanup;
		/* The one leaving: the last of the array, swapped with a random one first. */
		leave = sim_random() % o->backends;
		gone = b[leave];

		b[leave] = b[o->backends - 1];
		b[o->backends - 1] = gone;
		err = maglev_build(b, o->backends - 1, o->m, after);
		if (err)
			goto cleanup;
		for (s = 0; s < o->m; s++) {
			c->slots_changed += before[s] != after[s];
			c->slots_leaving += before[s] == gone.index;
		}
		c->slots += o->m;
		/* What the agent installs beside the new table (docs/SECOND_CHANCE.md). */
		maglev_prev_update(before, NULL, after, o->m, prev, NULL, NULL);
		sim_vip_flows(o, r, before, after, prev, gone.index, per_vip, v, c);
	}
	err = 0;
cleanup:
	free(b);
	free(before);
	free(after);
	free(prev);
	return err;
}

/* Mean, least and most of a per-dead-node count over the NODES choices, as shares of flows. */
static void sim_spread(const struct sim_opts *o, const struct sim_counts *c, const uint64_t *v,
		       double *mean, double *lo, double *hi)
{
	unsigned int d;
	double sum = 0, x;

	*lo = 1;
	*hi = 0;
	for (d = 0; d < o->nodes; d++) {
		x = (double)v[d] / c->flows;
		sum += x;
		*lo = x < *lo ? x : *lo;
		*hi = x > *hi ? x : *hi;
	}
	*mean = sum / o->nodes;
}

static void sim_print_cluster(const struct sim_opts *o, const struct sim_counts *c)
{
	double dead, dlo, dhi, mv, lo, hi, br, blo, bhi, sc, slo, shi;
	double leaving = (double)c->on_leaving / c->flows;
	double picks = (double)c->picks_changed / c->flows;
	unsigned int model;

	sim_spread(o, c, c->on_dead, &dead, &dlo, &dhi);
	printf("cluster_sim: %u nodes, %u VIPs x %u backends (%u), M = %u, %lu flows; each node "
	       "dies in turn (mean [least, most] over the %u), each VIP loses one backend\n\n",
	       o->nodes, o->vips, o->backends, o->vips * o->backends, o->m, c->flows, o->nodes);
	printf("| case | ECMP | flows to another node | broken, sync on | broken, sync off | "
	       "broken, sync off, second chance | floor (least possible) |\n"
	       "|---|---|---:|---:|---:|---:|---:|\n");
	for (model = 0; model < SIM_ECMP_N; model++) {
		sim_spread(o, c, c->moved[model], &mv, &lo, &hi);
		/* Same tables on every node: a moved flow gets its backend back by Maglev. */
		printf("| (a) one node dies | %s | %.2f%% [%.2f, %.2f] | 0 | 0 | 0 | 0 |\n",
		       sim_ecmp_names[model], mv * 100, lo * 100, hi * 100);
	}
	printf("| (b) one backend of %u leaves, conntrack holds | any | 0 | %.3f%% | %.3f%% | "
	       "%.3f%% | %.3f%% |\n",
	       o->backends, leaving * 100, leaving * 100, leaving * 100, leaving * 100);
	printf("| (b) the same, a flow with no conntrack entry | any | 0 | %.3f%% | %.3f%% | "
	       "%.3f%% | %.3f%% |\n",
	       picks * 100, picks * 100, (leaving + (double)c->picks_sc / c->flows) * 100,
	       leaving * 100);
	for (model = 0; model < SIM_ECMP_N; model++) {
		sim_spread(o, c, c->moved[model], &mv, &lo, &hi);
		sim_spread(o, c, c->both_broken[model], &br, &blo, &bhi);
		sim_spread(o, c, c->both_sc[model], &sc, &slo, &shi);
		printf("| (c) both at once | %s | %.2f%% | %.3f%% | %.3f%% [%.3f, %.3f] | %.3f%% | "
		       "%.3f%% |\n",
		       sim_ecmp_names[model], mv * 100, leaving * 100, (leaving + br) * 100,
		       (leaving + blo) * 100, (leaving + bhi) * 100, (leaving + sc) * 100,
		       leaving * 100);
	}
	printf("\nFlows on the dead node: %.3f%% [%.3f, %.3f] (1/%u = %.3f%%). Backend leaving: "
	       "%.3f%% of flows on it (1/%u = %.3f%%); the rebuilt table gives %.3f%% of flows "
	       "another backend, %.2fx the least possible; %.3f%% beyond it. Table entries: "
	       "%.3f%% changed, %.3f%% of them the leaving backend's (%.2fx).\n\n",
	       dead * 100, dlo * 100, dhi * 100, o->nodes, 100.0 / o->nodes, leaving * 100,
	       o->backends, 100.0 / o->backends, picks * 100, picks / leaving,
	       (picks - leaving) * 100, c->slots_changed * 100.0 / c->slots,
	       c->slots_leaving * 100.0 / c->slots, (double)c->slots_changed / c->slots_leaving);
}

/*
 * The paper's figure 12: N backends, k of them removed at random, the share of
 * table entries that change; `trials` removals per k, averaged.
 */
static int sim_paper(const struct sim_opts *o)
{
	static const unsigned int pct[] = {1, 2, 5, 10};
	const uint32_t sizes[] = {o->m, SIM_PAPER_M_LARGE};
	unsigned int n = SIM_PAPER_BACKENDS, si, pi, t, k, i, j;
	struct maglev_backend *all = calloc(n, sizeof(*all)), *b = calloc(n, sizeof(*b));
	uint32_t *before = calloc(SIM_PAPER_M_LARGE, sizeof(uint32_t)),
		 *after = calloc(SIM_PAPER_M_LARGE, sizeof(uint32_t));
	uint64_t changed, gone;
	bool *removed = calloc(n + 1, sizeof(*removed));
	int err = -ENOMEM;

	if (!all || !b || !before || !after || !removed)
		goto cleanup;
	printf("Maglev paper's setup (section 5.3, figure 12): %u backends, k%% removed at random, "
	       "%u trials each\n\n",
	       n, o->trials);
	printf("| M | k | entries changed | of them the removed backends' (floor) | beyond the "
	       "floor | ratio to floor |\n|---:|---:|---:|---:|---:|---:|\n");
	sim_backends(all, n, 0xffff);
	for (si = 0; si < 2; si++) {
		err = maglev_build(all, n, sizes[si], before);
		if (err)
			goto cleanup;
		for (pi = 0; pi < sizeof(pct) / sizeof(pct[0]); pi++) {
			k = n * pct[pi] / 100;
			changed = gone = 0;
			for (t = 0; t < o->trials; t++) {
				memset(removed, 0, (n + 1) * sizeof(*removed));
				for (i = 0; i < k;) {
					j = sim_random() % n;
					i += !removed[all[j].index];
					removed[all[j].index] = true;
				}
				for (i = 0, j = 0; i < n; i++)
					if (!removed[all[i].index])
						b[j++] = all[i];
				err = maglev_build(b, j, sizes[si], after);
				if (err)
					goto cleanup;
				for (i = 0; i < sizes[si]; i++) {
					changed += before[i] != after[i];
					gone += removed[before[i]];
				}
			}
			printf("| %u | %u%% | %.2f%% | %.2f%% | %.2f%% | %.2fx |\n", sizes[si],
			       pct[pi], changed * 100.0 / ((uint64_t)o->trials * sizes[si]),
			       gone * 100.0 / ((uint64_t)o->trials * sizes[si]),
			       (changed - gone) * 100.0 / ((uint64_t)o->trials * sizes[si]),
			       (double)changed / gone);
		}
	}
	printf("\n");
	err = 0;
cleanup:
	free(all);
	free(b);
	free(before);
	free(after);
	free(removed);
	return err;
}

/* What the simulation must have walked through, or its figures mean nothing. */
static int sim_check(const struct sim_opts *o, const struct sim_counts *c)
{
	unsigned long want = o->flows / o->vips * o->vips;
	double dead, lo, hi, leaving = (double)c->on_leaving / c->flows;
	uint64_t on_dead = 0;
	unsigned int d;
	int bad = 0;

	for (d = 0; d < o->nodes; d++) {
		on_dead += c->on_dead[d];
		/* Resilient ECMP moves the dead node's flows and no other. */
		if (c->moved[SIM_RESILIENT][d] != c->on_dead[d] && ++bad)
			fprintf(stderr,
				"cluster_sim: resilient ECMP moved %llu flows, node %u "
				"held %llu\n",
				(unsigned long long)c->moved[SIM_RESILIENT][d], d,
				(unsigned long long)c->on_dead[d]);
		if ((c->moved[SIM_THRESHOLD][d] <= c->on_dead[d] ||
		     c->moved[SIM_MODULO][d] <= c->moved[SIM_THRESHOLD][d]) &&
		    ++bad)
			fprintf(stderr,
				"cluster_sim: node %u: modulo-N should move the most, "
				"resilient the least\n",
				d);
	}
	if ((c->flows != want || on_dead != want) && ++bad)
		fprintf(stderr, "cluster_sim: %llu flows walked, %llu on nodes, %lu wanted\n",
			(unsigned long long)c->flows, (unsigned long long)on_dead, want);
	sim_spread(o, c, c->on_dead, &dead, &lo, &hi);
	/* Each node about 1/NODES of the flows and each backend about 1/BACKENDS. */
	if ((dead * o->nodes < 0.98 || dead * o->nodes > 1.02 || leaving * o->backends < 0.9 ||
	     leaving * o->backends > 1.1) &&
	    ++bad)
		fprintf(stderr, "cluster_sim: flows per node %.4f or per backend %.4f off\n", dead,
			leaving);
	/* One change: every moved slot whose backend stays names it as prev. */
	if (c->picks_sc && ++bad)
		fprintf(stderr, "cluster_sim: %llu flows second chance should have saved\n",
			(unsigned long long)c->picks_sc);
	/* Every flow of the leaving backend must have moved: the rebuilt table cannot name it. */
	if (c->picks_changed < c->on_leaving && ++bad)
		fprintf(stderr, "cluster_sim: fewer picks changed than flows on the leaving one\n");
	return bad ? -1 : 0;
}

static int sim_parse(int argc, char **argv, struct sim_opts *o)
{
	int ch;

	while ((ch = getopt(argc, argv, "n:v:b:f:m:t:")) != -1) {
		switch (ch) {
		case 'n':
			o->nodes = strtoul(optarg, NULL, 10);
			break;
		case 'v':
			o->vips = strtoul(optarg, NULL, 10);
			break;
		case 'b':
			o->backends = strtoul(optarg, NULL, 10);
			break;
		case 'f':
			o->flows = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			o->m = strtoul(optarg, NULL, 10);
			break;
		case 't':
			o->trials = strtoul(optarg, NULL, 10);
			break;
		default:
			return -EINVAL;
		}
	}
	if (o->nodes < 2 || o->nodes > SIM_MAX_NODES || !o->vips || o->vips > 65535 ||
	    o->backends < 2 || o->flows < o->vips || !o->trials || !maglev_is_prime(o->m) ||
	    o->m <= o->backends || o->m <= SIM_PAPER_BACKENDS)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct sim_opts o = {.nodes = 32,
			     .vips = 1000,
			     .backends = 100,
			     .flows = 1000000,
			     .m = LB_MAGLEV_DEFAULT_SIZE,
			     .trials = 5};
	struct sim_router r = {};
	struct sim_counts *c = calloc(1, sizeof(*c));
	int ret = 1;

	if (sim_parse(argc, argv, &o)) {
		fprintf(stderr, "usage: cluster_sim [-n NODES] [-v VIPS] [-b BACKENDS] [-f FLOWS] "
				"[-m M (prime)] [-t TRIALS]\n");
		return 2;
	}
	if (!c || sim_router_init(&r, o.nodes) || sim_cluster(&o, &r, c)) {
		fprintf(stderr, "cluster_sim: out of memory or a table build failed\n");
		goto cleanup;
	}
	sim_print_cluster(&o, c);
	if (sim_paper(&o)) {
		fprintf(stderr, "cluster_sim: the paper's setup failed to build\n");
		goto cleanup;
	}
	ret = sim_check(&o, c) ? 1 : 0;
cleanup:
	free(r.owner);
	free(r.reowner);
	free(c);
	return ret;
}
