// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdp_lb in a driver's loop: attached in driver mode to one end of a veth
 * pair in a network namespace this process makes (unshare) and that dies
 * with it; bench/loop_reflector.bpf.c on the other end. A few frames go
 * round: the reflector writes each back to the packet template (a new
 * client tuple for the new-flow cases) and sends it with XDP_TX, xdp_lb
 * forwards it with XDP_TX, 64 frames a NAPI poll on each end, caches hot,
 * every frame really sent. (BPF_F_TEST_XDP_LIVE_FRAMES would do the same
 * inside one test run, but this machine refuses it: EPERM even to root.)
 *
 * Method (docs/BENCHMARKS.md has the why): each sample is one round of
 * FRAMES frames with one program on the lb end: the floor (MAC swap and
 * XDP_TX), this build's xdp_lb, the baseline's (-b), in alternating order.
 * The reflector reads the clock at its WARMUP-th and last frame: ns per
 * frame of the whole loop (both programs, both veth hops). Reported: the
 * median of the per-round differences to the floor (the program's own
 * cost), and frames per second of the loop on one CPU. Each case checks
 * that every frame came back (none lost or added) and, by the VIP's
 * counters, that every frame took the case's path.
 */
#include <getopt.h>
#include <math.h>
#include <time.h>
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>

#include "loop_reflector.skel.h"
#include "bench_lb.h"
#include "loop_reflector.h"

#define LOOP_DEV     "lv-lb"   /* xdp_lb's end */
#define LOOP_PEER    "lv-refl" /* the reflector's end */
#define LOOP_SEEDS   64	       /* frames in flight: a NAPI poll's worth */
#define LOOP_WARMUP  4096      /* frames of a round before the clock starts */
#define LOOP_ZIPF_N  1000000   /* flows of the mix, by default */
#define LOOP_ZIPF_S  1.0       /* its exponent: flow k is picked in proportion to 1 / k^s */
#define LOOP_NEW_PPM 10000     /* its new flows: 1 % of packets */
#define LOOP_WAIT_MS 10000     /* a round that has not ended by then lost frames */

/* What proves a case's path. */
enum loop_path {
	LOOP_PATH_HIT,	/* every frame an established flow's (VIP ct_hits) */
	LOOP_PATH_MISS, /* every frame a new flow's (VIP ct_misses) */
	LOOP_PATH_MIX,	/* hits and misses, at least one miss per fresh tuple */
};

struct loop_opts {
	int cpu;
	unsigned int rounds; /* measured rounds per case and program */
	unsigned int frames; /* frames per round */
	unsigned int flows;  /* established flows of the mix */
	const char *only;    /* only the cases whose name contains this */
	const char *object;  /* the lb.bpf.o measured as this build; NULL: the one built in */
	const char *baseline;
};

struct loop_case {
	const char *name;
	uint8_t pkt[LOOP_PKT_MAX];
	size_t len;
	enum loop_tuple tuple;
	enum loop_path path;
	int vip_index; /* whose counters prove the path */
	const char *goal;
	bool yardstick; /* the reflector object's loop_encap4 instead of xdp_lb: no path to prove */
};

/* One build of xdp_lb under test, and what it did in a case's measured rounds. */
struct loop_build {
	struct lb *lb;
	uint32_t *ns; /* per round: ns per frame of the loop */
	uint64_t fresh, hits, misses;
};

struct loop_world {
	struct loop_reflector *r;
	struct bpf_link *link; /* the lb end's program */
	uint64_t *flows;       /* loop_flows, mmapped */
	int ifindex, seed_fd, cpu;
	struct loop_build builds[2]; /* this build, and the baseline if any */
	int nbuilds;
};

/* --- the namespace ------------------------------------------------------------------------- */

static int loop_write(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int err = f && fputs(value, f) >= 0 ? 0 : -errno;

	if (f && fclose(f))
		err = -errno;
	return err;
}

/*
 * A network namespace of this process alone, with a veth pair: the
 * reflector on one end, the floor for a start on the other, and a packet
 * socket to seed the loop from the lb end. No IPv6 on the links: their
 * router solicitations would join the loop.
 */
static int loop_netns(struct loop_world *lw)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET};
	int peer, err;

	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "bench_xdp_loop: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -errno;
	}
	err = loop_write("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1")
		  ?: loop_write("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	if (err || system("ip link add " LOOP_DEV " type veth peer name " LOOP_PEER
			  " && ip link set " LOOP_DEV " up && ip link set " LOOP_PEER " up")) {
		fprintf(stderr, "bench_xdp_loop: the veth pair: %s\n",
			err ? strerror(-err) : "ip link failed");
		return err ?: -EIO;
	}
	lw->ifindex = if_nametoindex(LOOP_DEV);
	peer = if_nametoindex(LOOP_PEER);
	if (!lw->ifindex || !peer)
		return -ENODEV;
	err = bpf_xdp_attach(peer, bpf_program__fd(lw->r->progs.loop_reflect), XDP_FLAGS_DRV_MODE,
			     NULL);
	if (!err) {
		lw->link = bpf_program__attach_xdp(lw->r->progs.loop_floor, lw->ifindex);
		err = lw->link ? 0 : -errno;
	}
	if (err) {
		fprintf(stderr, "bench_xdp_loop: XDP on the veth pair: %s\n", strerror(-err));
		return err;
	}
	lw->seed_fd = socket(AF_PACKET, SOCK_RAW, 0);
	sll.sll_ifindex = lw->ifindex;
	if (lw->seed_fd < 0 || bind(lw->seed_fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "bench_xdp_loop: packet socket on %s: %s\n", LOOP_DEV,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/* --- the flows of the mix ------------------------------------------------------------------ */

static uint64_t loop_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * loop_flows as LOOP_FLOWS_MAX packets of the mix: flow k of n
 * with probability proportional to 1 / (k + 1)^s (by the inverse of the
 * cumulative distribution), or, for LOOP_NEW_PPM of them, a fresh tuple.
 * Seeded: every run and build sees the same sequence.
 */
static int loop_fill_zipf(uint64_t *flows, uint32_t n)
{
	double *cdf = malloc(n * sizeof(*cdf)), sum = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	uint32_t i, lo, hi;

	if (!cdf)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		cdf[i] = sum += pow(i + 1, -LOOP_ZIPF_S);
	for (i = 0; i < LOOP_FLOWS_MAX; i++) {
		double u = (loop_rand(&seed) >> 11) * 0x1.0p-53 * sum;

		if (loop_rand(&seed) % 1000000 < LOOP_NEW_PPM) {
			flows[i] = LOOP_FLOW_FRESH;
			continue;
		}
		for (lo = 0, hi = n - 1; lo < hi;) {
			uint32_t mid = (lo + hi) / 2;

			if (cdf[mid] < u)
				lo = mid + 1;
			else
				hi = mid;
		}
		flows[i] = lo;
	}
	free(cdf);
	return 0;
}

/* --- running --------------------------------------------------------------------------------- */

/* The template, and how the reflector varies it. */
static void loop_set_case(struct loop_world *lw, const struct loop_case *c)
{
	struct loop_reflector__bss *bss = lw->r->bss;
	uint16_t words[10];
	uint32_t sum = 0, i;

	memset(bss->loop_pkt, 0, sizeof(bss->loop_pkt));
	memcpy(bss->loop_pkt, c->pkt, c->len);
	bss->loop_len = c->len;
	bss->loop_words = c->len / 8;
	bss->loop_tuple = c->tuple;
	/* the IPv4 header's words but check (5) and saddr (6, 7), in memory order */
	memcpy(words, c->pkt + ETH_HLEN, sizeof(words));
	for (i = 0; i < 10; i++)
		sum += (i >= 5 && i <= 7) ? 0 : words[i];
	bss->loop_csum_base = sum;
}

static void loop_sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/*
 * One round of frames with prog on the lb end; *ns the loop's ns per frame.
 * The floor is given the tuples the next build gets (the fresh sequence and
 * the mix's position are put back after it), so that every build sees only
 * tuples no build saw before.
 */
static int loop_round(struct loop_world *lw, const struct loop_case *c, struct bpf_program *prog,
		      bool floor, unsigned int frames, uint32_t *ns)
{
	struct loop_reflector__bss *bss = lw->r->bss;
	uint32_t seq = bss->loop_fresh_seq, pos = bss->loop_flows_pos, waited = 0, i;
	volatile uint32_t *seen = &bss->loop_seen;
	int err = bpf_link__update_program(lw->link, prog);

	if (err) {
		fprintf(stderr, "bench_xdp_loop: %s: XDP program: %s\n", c->name, strerror(-err));
		return err;
	}
	bss->loop_frames = frames;
	bss->loop_warmup = frames > 2 * LOOP_WARMUP ? LOOP_WARMUP : frames / 2;
	bss->loop_sent = 0;
	*seen = 0;
	for (i = 0; i < LOOP_SEEDS; i++)
		if (send(lw->seed_fd, c->pkt, c->len, 0) != (ssize_t)c->len) {
			fprintf(stderr, "bench_xdp_loop: seeding: %s\n", strerror(errno));
			return -errno;
		}
	/* every frame the reflector sent comes back through the lb end, and no other */
	while (*seen < LOOP_SEEDS + frames && waited < LOOP_WAIT_MS) {
		loop_sleep_ms(1);
		waited++;
	}
	loop_sleep_ms(1);
	if (*seen != LOOP_SEEDS + frames) {
		fprintf(stderr, "bench_xdp_loop: %s: %u frames came back, %u expected\n", c->name,
			*seen - LOOP_SEEDS, frames);
		return -EPROTO;
	}
	/* the veth pair's NAPI runs where the seeds were sent from: this process's CPU */
	if (bss->loop_cpu != (uint32_t)lw->cpu) {
		fprintf(stderr, "bench_xdp_loop: %s: the loop ran on CPU %u, not %d\n", c->name,
			bss->loop_cpu, lw->cpu);
		return -EPROTO;
	}
	*ns = (bss->loop_t1 - bss->loop_t0) / (frames - 1 - bss->loop_warmup);
	if (floor) {
		bss->loop_fresh_seq = seq;
		bss->loop_flows_pos = pos;
	}
	return 0;
}

/* This build's per-VIP hits and misses, summed over CPUs. */
static int loop_counters(struct loop_build *b, const struct loop_case *c, uint64_t out[2])
{
	return bench_vip_counter(b->lb, c->vip_index, true, &out[0])
		   ?: bench_vip_counter(b->lb, c->vip_index, false, &out[1]);
}

/* Did every measured frame of this build take the case's path? */
static int loop_check_path(const struct loop_build *b, const struct loop_case *c, uint64_t frames)
{
	bool ok;

	switch (c->path) {
	case LOOP_PATH_HIT:
		ok = b->hits == frames && !b->misses;
		break;
	case LOOP_PATH_MISS:
		ok = b->misses == frames && !b->hits && b->fresh == frames;
		break;
	default:
		ok = b->hits + b->misses == frames && b->misses >= b->fresh;
		break;
	}
	if (!ok)
		fprintf(stderr,
			"bench_xdp_loop: %s: of %llu frames, %llu hits, %llu misses, %llu fresh "
			"tuples: not the case's path\n",
			c->name, (unsigned long long)frames, (unsigned long long)b->hits,
			(unsigned long long)b->misses, (unsigned long long)b->fresh);
	return ok ? 0 : -EPROTO;
}

/* The median of a[i] - b[i]: a drift of the host's speed falls on both of a pair alike. */
static int32_t loop_median_diff(const uint32_t *a, const uint32_t *b, unsigned int n)
{
	int32_t *d = calloc(n, sizeof(*d)), m;
	unsigned int i;

	if (!d)
		return INT32_MIN;
	for (i = 0; i < n; i++)
		d[i] = (int32_t)a[i] - (int32_t)b[i];
	qsort(d, n, sizeof(*d), bench_cmp_i32);
	m = d[n / 2];
	free(d);
	return m;
}

static uint32_t loop_median(const uint32_t *v, unsigned int n)
{
	uint32_t *s = malloc(n * sizeof(*s)), m;

	if (!s)
		return 0;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), bench_cmp_u32);
	m = s[n / 2];
	free(s);
	return m;
}

static void loop_print(const struct loop_case *c, const char *build, const struct loop_build *b,
		       const uint32_t *floor_ns, const struct loop_opts *o)
{
	uint32_t med = loop_median(b->ns, o->rounds), floor_med = loop_median(floor_ns, o->rounds);
	char misses[40] = "";

	if (c->path == LOOP_PATH_MIX)
		snprintf(misses, sizeof(misses), " (%.2f %% misses)",
			 100.0 * b->misses / (b->hits + b->misses));
	printf("| %s%s%s | %u x %u | %u | %u | **%+d** | %.2f | %.2f | %s |\n", c->name, build,
	       misses, o->rounds, o->frames, floor_med, med,
	       loop_median_diff(b->ns, floor_ns, o->rounds), 1000.0 / med, 1000.0 / floor_med,
	       c->goal);
}

/* A yardstick case: rounds of the floor and loop_encap4, alternating. */
static int loop_yardstick_run(struct loop_world *lw, const struct loop_case *c,
			      const struct loop_opts *o)
{
	uint32_t *floor_ns = calloc(o->rounds + 1, sizeof(*floor_ns)), scratch;
	struct loop_build y = {.ns = calloc(o->rounds + 1, sizeof(*y.ns))};
	unsigned int r;
	int err = floor_ns && y.ns ? 0 : -ENOMEM;

	loop_set_case(lw, c);
	for (r = 0; r <= o->rounds && !err; r++) {
		err = loop_round(lw, c, lw->r->progs.loop_floor, true, o->frames,
				 r ? &floor_ns[r - 1] : &scratch)
			  ?: loop_round(lw, c, lw->r->progs.loop_encap4, false, o->frames,
					r ? &y.ns[r - 1] : &scratch);
	}
	if (!err)
		loop_print(c, "", &y, floor_ns, o);
	free(y.ns);
	free(floor_ns);
	return err;
}

/* One case: a warm-up round, then rounds of the floor and every build, alternating. */
static int loop_case_run(struct loop_world *lw, const struct loop_case *c,
			 const struct loop_opts *o)
{
	struct loop_reflector__bss *bss = lw->r->bss;
	uint32_t *floor_ns = calloc(o->rounds + 1, sizeof(*floor_ns)), scratch;
	uint64_t before[2][2] = {}, after[2] = {};
	unsigned int r, k;
	int err = floor_ns ? 0 : -ENOMEM, i;

	loop_set_case(lw, c);
	for (r = 0; r <= o->rounds && !err; r++) {
		bool measured = r > 0;

		if (r == 1)
			for (i = 0; i < lw->nbuilds && !err; i++)
				err = loop_counters(&lw->builds[i], c, before[i]);
		err = err
			  ?: loop_round(lw, c, lw->r->progs.loop_floor, true, o->frames,
					measured ? &floor_ns[r - 1] : &scratch);
		/* this build and the baseline swap places every round */
		for (k = 0; k < (unsigned int)lw->nbuilds && !err; k++) {
			struct loop_build *b = &lw->builds[(k + r) % lw->nbuilds];
			uint32_t seq = bss->loop_fresh_seq;

			err = loop_round(lw, c, b->lb->progs.xdp_lb, false, o->frames,
					 measured ? &b->ns[r - 1] : &scratch);
			if (measured)
				b->fresh += bss->loop_fresh_seq - seq;
		}
	}
	for (i = 0; i < lw->nbuilds && !err; i++) {
		struct loop_build *b = &lw->builds[i];

		err = loop_counters(b, c, after);
		b->hits = after[0] - before[i][0];
		b->misses = after[1] - before[i][1];
		err = err ?: loop_check_path(b, c, (uint64_t)o->rounds * o->frames);
	}
	for (i = 0; i < lw->nbuilds && !err; i++)
		loop_print(c, i ? " [baseline]" : "", &lw->builds[i], floor_ns, o);
	if (!err && lw->nbuilds == 2)
		printf("| %s: this build - baseline | paired | | | **%+d** | | | |\n", c->name,
		       loop_median_diff(lw->builds[0].ns, lw->builds[1].ns, o->rounds));
	for (i = 0; i < lw->nbuilds; i++)
		lw->builds[i].fresh = 0;
	free(floor_ns);
	return err;
}

/*
 * Establishes the mix's n flows in every build: each flow's first
 * packet and, right after it, its second (which moves it into lb_conntrack),
 * then puts the mix itself in loop_flows.
 */
static int loop_prepare_mix(struct loop_world *lw, const struct loop_case *c, uint32_t n)
{
	struct loop_reflector__bss *bss = lw->r->bss;
	uint32_t i, ns;
	int err = 0;

	for (i = 0; i < 2 * n; i++)
		lw->flows[i] = i / 2;
	loop_set_case(lw, c);
	for (i = 0; i < (uint32_t)lw->nbuilds && !err; i++) {
		bss->loop_flows_len = 2 * n;
		bss->loop_flows_pos = 0;
		err = loop_round(lw, c, lw->builds[i].lb->progs.xdp_lb, false, 2 * n, &ns);
	}
	bss->loop_flows_pos = 0;
	bss->loop_flows_len = LOOP_FLOWS_MAX;
	return err ?: loop_fill_zipf(lw->flows, n);
}

/* --- setup ----------------------------------------------------------------------------------- */

/* A build of xdp_lb programmed with the bench's world, the flow cache and VIP filter on. */
static int loop_add_build(struct loop_world *lw, const char *object, void **elf,
			  unsigned int rounds)
{
	struct loop_build *b = &lw->builds[lw->nbuilds];

	b->lb = object ? bench_open_object(object, elf) : lb__open_and_load();
	if (!b->lb)
		return -errno;
	lw->nbuilds++;
	b->ns = calloc(rounds, sizeof(*b->ns));
	if (!b->ns)
		return -ENOMEM;
	return bench_program_lb(b->lb) ?: bench_set_filter(b->lb, true) ?:
	       bench_set_cache(b->lb, true);
}

static int loop_setup(struct loop_world *lw, const struct loop_opts *o, void **elf)
{
	lw->seed_fd = -1;
	lw->cpu = o->cpu;
	lw->r = loop_reflector__open_and_load();
	if (!lw->r) {
		fprintf(stderr, "bench_xdp_loop: loading the reflector: %s%s\n", strerror(errno),
			errno == EPERM ? " (needs root)" : "");
		return -errno;
	}
	lw->flows = mmap(NULL, LOOP_FLOWS_MAX * sizeof(uint64_t), PROT_READ | PROT_WRITE,
			 MAP_SHARED, bpf_map__fd(lw->r->maps.loop_flows), 0);
	if (lw->flows == MAP_FAILED) {
		lw->flows = NULL;
		return -errno;
	}
	return loop_netns(lw) ?: loop_add_build(lw, o->object, &elf[0], o->rounds) ?:
	       (o->baseline ? loop_add_build(lw, o->baseline, &elf[1], o->rounds) : 0);
}

static int loop_parse(int argc, char **argv, struct loop_opts *o)
{
	static const struct option longopts[] = {
	    {"cpu", required_argument, NULL, 'c'},	{"rounds", required_argument, NULL, 'n'},
	    {"frames", required_argument, NULL, 'r'},	{"only", required_argument, NULL, 'k'},
	    {"baseline", required_argument, NULL, 'b'}, {"object", required_argument, NULL, 'o'},
	    {"flows", required_argument, NULL, 'z'},	{NULL, 0, NULL, 0},
	};
	uint64_t fresh;
	int opt;

	*o = (struct loop_opts){.cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1,
				.rounds = 31,
				.frames = 65536,
				.flows = LOOP_ZIPF_N};
	while ((opt = getopt_long(argc, argv, "b:c:k:n:o:r:z:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			o->rounds = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o->frames = strtoul(optarg, NULL, 0);
			break;
		case 'z':
			o->flows = strtoul(optarg, NULL, 0);
			break;
		default:
			if (!bench_opt_common(opt, optarg, &o->cpu, &o->only, &o->object,
					      &o->baseline))
				break;
			fprintf(
			    stderr,
			    "usage: bench_xdp_loop [-c CPU] [-n ROUNDS] [-r FRAMES] "
			    "[-z MIX_FLOWS] [-k NAME_PART] [-o LB_BPF_O] [-b BASELINE_LB_BPF_O]\n");
			return -EINVAL;
		}
	}
	/* the two cases of fresh tuples, each build, the warm-up round included */
	fresh = 2ULL * (o->rounds + 1) * o->frames * (o->baseline ? 2 : 1);
	if (!o->rounds || o->frames < 1024 || o->frames > LOOP_FLOWS_MAX ||
	    fresh > LOOP_FRESH_MAX || !o->flows || o->flows > LOOP_FLOWS_MAX / 2) {
		fprintf(stderr,
			"bench_xdp_loop: rounds must be positive, frames 1024 to %u, mix "
			"flows 1 to %u, and the new-flow cases need at most %u fresh tuples\n",
			LOOP_FLOWS_MAX, LOOP_FLOWS_MAX / 2, LOOP_FRESH_MAX);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char mix_name[80];
	struct loop_case cases[6] = {
	    {.name = "established flow, IPv4 (IPIP)",
	     .path = LOOP_PATH_HIT,
	     .vip_index = BENCH_VIP_INDEX4,
	     .goal = "<= +20"},
	    {.name = "established flow, IPv6 (6in6)",
	     .path = LOOP_PATH_HIT,
	     .vip_index = BENCH_VIP_INDEX6,
	     .goal = "<= +20"},
	    {.name = "new flow, IPv4 (an ACK of an unknown tuple)",
	     .tuple = LOOP_TUPLE_FRESH,
	     .path = LOOP_PATH_MISS,
	     .vip_index = BENCH_VIP_INDEX4,
	     .goal = "<= +200"},
	    {.name = "SYN flood, IPv4 (never-seen tuples)",
	     .tuple = LOOP_TUPLE_FRESH,
	     .path = LOOP_PATH_MISS,
	     .vip_index = BENCH_VIP_INDEX4,
	     .goal = ""},
	    {.name = mix_name, /* "mix: Zipf over N established flows, 1 % new" */
	     .tuple = LOOP_TUPLE_TABLE,
	     .path = LOOP_PATH_MIX,
	     .vip_index = BENCH_VIP_INDEX4,
	     .goal = ""},
	    {.name = "yardstick: the floor plus an outer IPv4 header (adjust_head)",
	     .goal = "",
	     .yardstick = true},
	};
	struct loop_world lw = {};
	void *elf[2] = {};
	struct loop_opts o;
	int err, i;

	if (loop_parse(argc, argv, &o))
		return 2;
	snprintf(mix_name, sizeof(mix_name), "mix: Zipf over %u established flows, 1 %% new",
		 o.flows);
	libbpf_set_print(bench_libbpf_print);
	/* a client outside the fresh tuples' ranges (loop_reflector.h) */
	cases[0].len = bench_pkt_tcp4(cases[0].pkt, "192.0.2.7", BENCH_VIP4, 40000);
	cases[1].len = bench_pkt_tcp6(cases[1].pkt, "2001:db8:2::7", BENCH_VIP6, 40000);
	cases[2].len = bench_pkt_tcp4(cases[2].pkt, "203.0.113.1", BENCH_VIP4, 1024);
	memcpy(cases[3].pkt, cases[2].pkt, cases[2].len);
	cases[3].len = cases[2].len;
	cases[3].pkt[ETH_HLEN + sizeof(struct iphdr) + 13] = 0x02; /* SYN alone */
	memcpy(cases[4].pkt, cases[2].pkt, cases[2].len);
	cases[4].len = cases[2].len;
	memcpy(cases[5].pkt, cases[0].pkt, cases[0].len);
	cases[5].len = cases[0].len;

	err = bench_pin(o.cpu) ?: loop_setup(&lw, &o, elf);
	if (err)
		goto cleanup;
	printf("| case | rounds x frames | floor ns/frame | ns/frame | over floor (ns/frame) | "
	       "Mpps of the loop | floor Mpps | goal (ns over floor) |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|---|\n");
	for (i = 0; i < 6 && !err; i++) {
		if (o.only && !strstr(cases[i].name, o.only))
			continue;
		if (cases[i].path == LOOP_PATH_MIX)
			err = loop_prepare_mix(&lw, &cases[i], o.flows);
		if (cases[i].yardstick)
			err = err ?: loop_yardstick_run(&lw, &cases[i], &o);
		else
			err = err ?: loop_case_run(&lw, &cases[i], &o);
	}
cleanup:
	if (lw.seed_fd >= 0)
		close(lw.seed_fd);
	bpf_link__destroy(lw.link);
	for (i = 0; i < lw.nbuilds; i++) {
		lb__destroy(lw.builds[i].lb);
		free(lw.builds[i].ns);
	}
	if (lw.flows)
		munmap(lw.flows, LOOP_FLOWS_MAX * sizeof(uint64_t));
	loop_reflector__destroy(lw.r);
	free(elf[0]);
	free(elf[1]);
	if (err)
		fprintf(stderr, "bench_xdp_loop: failed: %s\n", strerror(-err));
	return err ? 1 : 0;
}
