// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Per-packet cost of xdp_lb and xdp_decap through BPF_PROG_TEST_RUN, in ns
 * over a floor (bench/floor.bpf.c, XDP_PASS) measured in the same run.
 *
 * Method (docs/BENCHMARKS.md has the why): the process is pinned to one CPU.
 * Every sample is one bpf_prog_test_run_opts() call with repeat = 1, so each
 * run sees the packet as built here (xdp_lb and xdp_decap rewrite it; with
 * repeat > 1 the kernel would run them again on their own output). The
 * kernel's `duration` of such a call is the time of that one run, timer
 * reads included; a floor call with the same packet follows every measured
 * call, so drift and the timer's cost fall on both sides alike. Reported:
 * median and p90 of each, and their differences. For the two programs that
 * leave the packet alone (the floor, and xdp_lb on a packet for no VIP) the
 * kernel's own average over repeat = R runs is reported as well: it has no
 * per-run timer noise.
 *
 * Each case checks the action it expects and, through the per-VIP
 * counters, that every measured run took the intended path (conntrack hit,
 * or miss and insert), so a figure never describes another path.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "decap.skel.h"
#include "floor.skel.h"
#include "lookup.skel.h"
#include "bench_lb.h"

struct bench_opts {
	int cpu;
	unsigned int runs;    /* repeat = 1 samples per case */
	unsigned int repeat;  /* runs per sample of the repeat = R rows */
	unsigned int samples; /* samples of the repeat = R rows */
	const char *only;     /* run only the cases whose name contains this */
	const char *object;   /* the lb.bpf.o measured as this build; NULL: the one built in */
	const char *baseline; /* another build of lb.bpf.o, measured beside this one, or NULL */
};

struct bench_case {
	const char *name;
	int prog_fd;
	int base_fd; /* xdp_lb of the baseline build, or -1 */
	uint8_t pkt[BENCH_PKT_MAX];
	size_t len;
	uint32_t action;    /* the only action the case accepts */
	bool fresh_flow;    /* a new client port (and address) before every run */
	bool second_packet; /* with fresh_flow: the flow's first packet sent, unmeasured, before */
	int vip_index;	    /* whose counters prove the path; -1: none */
	bool ct_hit;	    /* every run a conntrack hit (else a miss + insert) */
	bool filter_on;	    /* lb_vip_filter switched on for this case */
	bool cache_off;	    /* lb_generation 0: every packet through lb_vips and lb_conntrack */
	const char *target; /* what docs/BENCHMARKS.md promises, "" if nothing */
};

struct bench_quantiles {
	double p50, p90;
};

static uint32_t bench_flow_seq; /* fresh flows handed out so far, warm-up included */

/* --- packets ----------------------------------------------------------------------------- */

/* A UDP datagram to the IPv4 VIP's UDP port 80 (a QUIC-like flow). */
static void bench_pkt_udp4(struct bench_case *c, const char *src, const char *dst, uint16_t sport)
{
	size_t l4 = sizeof(struct udphdr) + BENCH_PAYLOAD;
	struct udphdr *udp;

	c->len = bench_put_eth(c->pkt, ETH_P_IP);
	c->len += bench_put_ip4(c->pkt + c->len, src, dst, IPPROTO_UDP, l4);
	udp = (struct udphdr *)(c->pkt + c->len);
	memset(udp, 0, l4);
	udp->source = htons(sport);
	udp->dest = htons(80);
	udp->len = htons(l4); /* checksum 0: none, as IPv4 allows */
	c->len += l4;
}

/* What xdp_lb sends a backend: outer IPv4 (protocol 4) around the client's packet. */
static void bench_pkt_ipip(struct bench_case *c)
{
	size_t inner = sizeof(struct iphdr) + sizeof(struct tcphdr) + BENCH_PAYLOAD;

	c->len = bench_put_eth(c->pkt, ETH_P_IP);
	c->len +=
	    bench_put_ip4(c->pkt + c->len, "198.51.100.250", BENCH_TUN_DST, IPPROTO_IPIP, inner);
	c->len += bench_put_ip4(c->pkt + c->len, "203.0.113.7", BENCH_VIP4, IPPROTO_TCP,
				inner - sizeof(struct iphdr));
	c->len += bench_put_tcp(c->pkt + c->len, 40000, 80);
}

/*
 * What xdp_lb sends over GUE: outer IPv4 and UDP to the GUE port around the
 * client's packet; with second, the variant 0 header naming it first.
 */
static void bench_pkt_gue(struct bench_case *c, const char *second)
{
	struct lb_gue_sc sc = {.ver_hlen = LB_GUE_SC_HLEN,
			       .proto = IPPROTO_IPIP,
			       .kind = LB_GUE_SC_KIND,
			       .family = LB_AF_INET};
	size_t inner = sizeof(struct iphdr) + sizeof(struct tcphdr) + BENCH_PAYLOAD;
	size_t l4 = sizeof(struct udphdr) + (second ? sizeof(sc) : 0) + inner;
	struct udphdr *udp;

	c->len = bench_put_eth(c->pkt, ETH_P_IP);
	c->len += bench_put_ip4(c->pkt + c->len, "198.51.100.250", BENCH_TUN_DST, IPPROTO_UDP, l4);
	udp = (struct udphdr *)(c->pkt + c->len);
	memset(udp, 0, sizeof(*udp));
	udp->source = htons(49152 + 17);
	udp->dest = htons(LB_GUE_DEFAULT_PORT);
	udp->len = htons(l4); /* checksum 0, as xdp_lb sends GUE over IPv4 */
	c->len += sizeof(*udp);
	if (second) {
		bench_addr(AF_INET, second, sc.addr);
		memcpy(c->pkt + c->len, &sc, sizeof(sc));
		c->len += sizeof(sc);
	}
	c->len += bench_put_ip4(c->pkt + c->len, "203.0.113.7", BENCH_VIP4, IPPROTO_TCP,
				inner - sizeof(struct iphdr));
	c->len += bench_put_tcp(c->pkt + c->len, 40000, 80);
}

/* A flow never seen before: client 203.0.113.(1 + seq / 60000), port 1024 + seq % 60000. */
static void bench_pkt_fresh_flow(struct bench_case *c)
{
	struct iphdr *ip = (struct iphdr *)(c->pkt + sizeof(struct ethhdr));
	struct tcphdr *tcp = (struct tcphdr *)(ip + 1);
	uint32_t seq = bench_flow_seq++;

	ip->saddr = htonl(0xcb007100 | (1 + seq / 60000)); /* 203.0.113.0/24 */
	ip->check = 0;
	ip->check = bench_csum(ip, sizeof(*ip));
	tcp->source = htons(1024 + seq % 60000);
}

static int bench_program_decap(struct decap *skel)
{
	struct lb_backend_key key = {};
	uint16_t gue_port = htons(LB_GUE_DEFAULT_PORT);
	uint32_t zero = 0;
	uint8_t one = 1;

	key.family = LB_AF_INET;
	bench_addr(AF_INET, BENCH_TUN_DST, key.addr);
	return bench_map_put(skel->maps.decap_addrs, &key, &one)
		   ?: bench_map_put(skel->maps.decap_settings, &zero, &gue_port);
}

/* The one entry xdp_lookup_ct finds: its key is built from the frame's length. */
static int bench_program_lookup(struct lookup *skel, size_t frame_len)
{
	struct lb_flow_key key = {};
	struct lb_conn conn = {};

	key.src[0] = frame_len;
	key.sport = 40000;
	key.dport = 80;
	key.proto = IPPROTO_TCP;
	key.family = LB_AF_INET;
	conn.backend_family = LB_AF_INET;
	return bench_map_put(skel->maps.lookup_ct, &key, &conn);
}

/* --- measurement ----------------------------------------------------------------------------- */

static int bench_run(int fd, const uint8_t *pkt, size_t len, unsigned int repeat,
		     uint32_t *duration, uint32_t *action)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len, .repeat = repeat);
	int err = bpf_prog_test_run_opts(fd, &opts);

	if (err)
		return err;
	*duration = opts.duration;
	*action = opts.retval;
	return 0;
}

static struct bench_quantiles bench_quantiles(uint32_t *v, size_t n)
{
	struct bench_quantiles q;

	qsort(v, n, sizeof(*v), bench_cmp_u32);
	q.p50 = v[n / 2];
	q.p90 = v[n * 9 / 10];
	return q;
}

static void bench_print_row(const char *name, const char *method, unsigned int runs,
			    struct bench_quantiles prog, struct bench_quantiles floor_q,
			    const char *target)
{
	printf("| %s | %s | %u | %.0f | %.0f | %.0f | %.0f | **%+.0f** | %+.0f | %s |\n", name,
	       method, runs, prog.p50, prog.p90, floor_q.p50, floor_q.p90, prog.p50 - floor_q.p50,
	       prog.p90 - floor_q.p90, target);
}

/*
 * The fresh flow's packets (the unmeasured first one too) through prog_fd;
 * checks the action. *slot gets the measured run's duration.
 */
static int bench_run_case(const struct bench_case *c, int prog_fd, uint32_t *slot)
{
	uint32_t action;
	int err = 0;

	if (c->second_packet)
		err = bench_run(prog_fd, c->pkt, c->len, 1, &action, &action);
	err = err ?: bench_run(prog_fd, c->pkt, c->len, 1, slot, &action);
	if (!err && action != c->action) {
		fprintf(stderr, "bench_xdp: %s: action %u, expected %u\n", c->name, action,
			c->action);
		err = -EPROTO;
	}
	return err;
}

/* That every measured run took the case's path: the VIP's counter grew by runs. */
static int bench_check_path(struct lb *lb, const struct bench_case *c, uint64_t before,
			    unsigned int runs)
{
	uint64_t after = 0;
	int err = bench_vip_counter(lb, c->vip_index, c->ct_hit, &after);

	if (!err && after - before != runs) {
		fprintf(stderr, "bench_xdp: %s: %llu of %u runs took the %s path\n", c->name,
			(unsigned long long)(after - before), runs,
			c->ct_hit ? "conntrack hit" : "conntrack miss");
		err = -EPROTO;
	}
	return err;
}

/*
 * The median of the per-sample differences between this build and the
 * baseline, and the share of pairs where this build was slower: their runs
 * alternate (which goes first alternates too), so a drift in the host's
 * speed falls on both alike. Reads prog and base before they are sorted.
 */
static int bench_paired(const uint32_t *prog, const uint32_t *base, unsigned int n, int32_t *median,
			unsigned int *slower_pct)
{
	unsigned int i, slower = 0;
	int32_t *d = calloc(n, sizeof(*d));

	if (!d)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		d[i] = (int32_t)prog[i] - (int32_t)base[i];
		slower += d[i] > 0;
	}
	qsort(d, n, sizeof(*d), bench_cmp_i32);
	*median = d[n / 2];
	*slower_pct = slower * 100 / n;
	free(d);
	return 0;
}

/* repeat = 1 samples, floor and program alternating; checks action and path. */
static int bench_case_single(struct lb *lb, struct lb *base, int floor_fd, struct bench_case *c,
			     const struct bench_opts *o)
{
	uint32_t *prog_ns = NULL, *floor_ns = NULL, *base_ns = NULL, scratch, warm = 1000, i;
	bool paired = base && c->base_fd >= 0;
	unsigned int slower_pct = 0;
	int32_t diff = 0;
	uint64_t before = 0, base_before = 0;
	int err = 0;

	prog_ns = calloc(o->runs, sizeof(*prog_ns));
	floor_ns = calloc(o->runs, sizeof(*floor_ns));
	base_ns = calloc(o->runs, sizeof(*base_ns));
	if (!prog_ns || !floor_ns || !base_ns) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = bench_set_filter(lb, c->filter_on) ?: bench_set_cache(lb, !c->cache_off);
	if (paired)
		err = err ?: bench_set_filter(base, c->filter_on) ?:
			      bench_set_cache(base, !c->cache_off);
	for (i = 0; i < warm + o->runs && !err; i++) {
		uint32_t *slot_prog = i < warm ? &scratch : &prog_ns[i - warm];
		uint32_t *slot_floor = i < warm ? &scratch : &floor_ns[i - warm];
		uint32_t *slot_base = i < warm ? &scratch : &base_ns[i - warm];
		uint32_t action;

		if (i == warm && c->vip_index >= 0) {
			err = bench_vip_counter(lb, c->vip_index, c->ct_hit, &before);
			if (paired)
				err = err
					  ?: bench_vip_counter(base, c->vip_index, c->ct_hit,
							       &base_before);
		}
		if (c->fresh_flow)
			bench_pkt_fresh_flow(c);
		err = err ?: bench_run(floor_fd, c->pkt, c->len, 1, slot_floor, &action);
		if (paired && i % 2)
			err = err ?: bench_run_case(c, c->base_fd, slot_base);
		err = err ?: bench_run_case(c, c->prog_fd, slot_prog);
		if (paired && !(i % 2))
			err = err ?: bench_run_case(c, c->base_fd, slot_base);
	}
	if (!err && c->vip_index >= 0) {
		err = bench_check_path(lb, c, before, o->runs);
		if (paired)
			err = err ?: bench_check_path(base, c, base_before, o->runs);
	}
	if (!err && paired)
		err = bench_paired(prog_ns, base_ns, o->runs, &diff, &slower_pct);
	if (err)
		goto cleanup;
	bench_print_row(c->name, "repeat=1", o->runs, bench_quantiles(prog_ns, o->runs),
			bench_quantiles(floor_ns, o->runs), c->target);
	if (paired) {
		char name[160];

		snprintf(name, sizeof(name), "%s [baseline]", c->name);
		bench_print_row(name, "repeat=1", o->runs, bench_quantiles(base_ns, o->runs),
				bench_quantiles(floor_ns, o->runs), c->target);
		printf("| %s: this build - baseline | paired | %u | | | | | **%+d** | | "
		       "%u%% of pairs slower |\n",
		       c->name, o->runs, diff, slower_pct);
	}
cleanup:
	free(base_ns);
	free(floor_ns);
	free(prog_ns);
	return err;
}

/* Samples of repeat = R, for a packet the program passes untouched. */
static int bench_case_repeat(struct lb *lb, int floor_fd, const struct bench_case *c,
			     const struct bench_opts *o)
{
	uint32_t *prog_ns, *floor_ns, action, i;
	int err = 0;

	prog_ns = calloc(o->samples, sizeof(*prog_ns));
	floor_ns = calloc(o->samples, sizeof(*floor_ns));
	if (!prog_ns || !floor_ns) {
		err = -ENOMEM;
		goto cleanup;
	}
	err = bench_set_filter(lb, c->filter_on);
	for (i = 0; i < o->samples && !err; i++) {
		err = bench_run(floor_fd, c->pkt, c->len, o->repeat, &floor_ns[i], &action)
			  ?: bench_run(c->prog_fd, c->pkt, c->len, o->repeat, &prog_ns[i], &action);
		if (!err && action != c->action)
			err = -EPROTO;
	}
	if (!err) {
		char method[32];

		snprintf(method, sizeof(method), "repeat=%u", o->repeat);
		bench_print_row(c->name, method, o->samples, bench_quantiles(prog_ns, o->samples),
				bench_quantiles(floor_ns, o->samples), c->target);
	}
cleanup:
	free(floor_ns);
	free(prog_ns);
	return err;
}

static int bench_parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
	    {"cpu", required_argument, NULL, 'c'},    {"runs", required_argument, NULL, 'n'},
	    {"repeat", required_argument, NULL, 'r'}, {"samples", required_argument, NULL, 's'},
	    {"only", required_argument, NULL, 'k'},   {"baseline", required_argument, NULL, 'b'},
	    {"object", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0},
	};
	int opt;

	o->cpu = sysconf(_SC_NPROCESSORS_ONLN) - 1;
	o->runs = 20000;
	o->repeat = 1000;
	o->samples = 201;
	o->only = NULL;
	o->baseline = NULL;
	o->object = NULL;
	while ((opt = getopt_long(argc, argv, "b:c:k:n:o:r:s:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			o->runs = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o->repeat = strtoul(optarg, NULL, 0);
			break;
		case 's':
			o->samples = strtoul(optarg, NULL, 0);
			break;
		default:
			if (!bench_opt_common(opt, optarg, &o->cpu, &o->only, &o->object,
					      &o->baseline))
				break;
			fprintf(
			    stderr,
			    "usage: bench_xdp [-c CPU] [-n RUNS] [-r REPEAT] "
			    "[-s SAMPLES] [-k NAME_PART] [-o LB_BPF_O] [-b BASELINE_LB_BPF_O]\n");
			return -EINVAL;
		}
	}
	if (!o->runs || !o->repeat || !o->samples || o->runs > 60000 * 250) {
		fprintf(stderr, "bench_xdp: runs, repeat and samples must be positive "
				"(runs at most 15000000: fresh flows)\n");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_case cases[21] = {};
	struct lookup *lookup = NULL;
	struct decap *decap = NULL;
	struct floor *floor_skel = NULL;
	struct bench_opts o;
	struct lb *lb = NULL, *base = NULL;
	void *base_elf = NULL, *lb_elf = NULL;
	int floor_fd, err, i;

	err = bench_parse(argc, argv, &o);
	if (err)
		return 2;
	libbpf_set_print(bench_libbpf_print);
	err = bench_pin(o.cpu);
	if (err)
		goto cleanup;
	floor_skel = floor__open_and_load();
	err = floor_skel ? 0 : -errno;
	if (!err) {
		lb = o.object ? bench_open_object(o.object, &lb_elf) : lb__open_and_load();
		err = lb ? 0 : -errno;
	}
	if (!err) {
		decap = decap__open_and_load();
		err = decap ? 0 : -errno;
	}
	if (!err) {
		lookup = lookup__open_and_load();
		err = lookup ? 0 : -errno;
	}
	if (err) {
		fprintf(stderr, "bench_xdp: loading %s: %s%s\n",
			!floor_skel ? "floor"
			: !lb	    ? "lb"
			: !decap    ? "decap"
				    : "lookup",
			strerror(-err), err == -EPERM ? " (needs root)" : "");
		goto cleanup;
	}
	err = bench_program_lb(lb) ?: bench_program_decap(decap);
	if (!err && o.baseline) {
		base = bench_open_object(o.baseline, &base_elf);
		err = base ? bench_program_lb(base) : -errno;
	}
	if (err)
		goto cleanup;
	floor_fd = bpf_program__fd(floor_skel->progs.xdp_floor);

	cases[0] = (struct bench_case){.name = "lb: not for a VIP (pass), filter off",
				       .action = XDP_PASS,
				       .vip_index = -1,
				       .target = "<= 30"};
	cases[0].len = bench_pkt_tcp4(cases[0].pkt, "203.0.113.7", "203.0.113.99", 40000);
	cases[1] = cases[0];
	cases[1].name = "lb: not for a VIP (pass), filter on";
	cases[1].filter_on = true;
	cases[2] = (struct bench_case){.name = "lb: conntrack hit, IPv4 (IPIP)",
				       .action = XDP_TX,
				       .vip_index = BENCH_VIP_INDEX4,
				       .ct_hit = true,
				       .filter_on = true,
				       .target = "<= 60"};
	cases[2].len = bench_pkt_tcp4(cases[2].pkt, "203.0.113.7", BENCH_VIP4, 40000);
	cases[3] = (struct bench_case){.name = "lb: conntrack hit, IPv6 (6in6)",
				       .action = XDP_TX,
				       .vip_index = BENCH_VIP_INDEX6,
				       .ct_hit = true,
				       .filter_on = true,
				       .target = "<= 60"};
	cases[3].len = bench_pkt_tcp6(cases[3].pkt, "2001:db8:2::7", BENCH_VIP6, 40000);
	cases[4] = (struct bench_case){.name = "lb: new flow, IPv4 (miss, Maglev, insert)",
				       .action = XDP_TX,
				       .fresh_flow = true,
				       .vip_index = BENCH_VIP_INDEX4,
				       .filter_on = true,
				       .target = "<= 300"};
	cases[4].len = bench_pkt_tcp4(cases[4].pkt, "203.0.113.1", BENCH_VIP4, 1024);
	cases[5] = (struct bench_case){.name = "decap: IPIP to this backend",
				       .action = XDP_PASS,
				       .vip_index = -1,
				       .target = ""};
	bench_pkt_ipip(&cases[5]);
	cases[6] = (struct bench_case){.name = "yardstick: one hash lookup (miss)",
				       .action = XDP_PASS,
				       .vip_index = -1,
				       .target = ""};
	cases[6].len = bench_pkt_tcp4(cases[6].pkt, "203.0.113.7", "203.0.113.99", 40000);
	cases[7] = cases[6];
	cases[7].name = "yardstick: one LRU hit (40-byte key)";
	cases[8] = cases[6];
	cases[8].name = "yardstick: one bpf_ktime_get_ns()";
	cases[9] = cases[6];
	cases[9].name = "yardstick: one bpf_ktime_get_coarse_ns()";
	cases[10] = cases[6];
	cases[10].name = "yardstick: adjust_head for an outer IPv4 header";
	cases[10].action = XDP_TX;
	/* A connection's first packet: a SYN misses lb_conntrack and is written to lb_ct_new. */
	cases[11] = cases[4];
	cases[11].name = "lb: new flow, IPv4 SYN (Maglev, insert)";
	cases[11].pkt[cases[11].len - BENCH_PAYLOAD - sizeof(struct tcphdr) + 13] = 0x02;
	/* The same established flows with the flow cache off: the conntrack path alone. */
	cases[12] = cases[2];
	cases[12].name = "lb: conntrack hit, IPv4 (IPIP), flow cache off";
	cases[12].cache_off = true;
	cases[13] = cases[3];
	cases[13].name = "lb: conntrack hit, IPv6 (6in6), flow cache off";
	cases[13].cache_off = true;
	for (i = 0; i < 5; i++)
		cases[i].prog_fd = bpf_program__fd(lb->progs.xdp_lb);
	cases[11].prog_fd = cases[4].prog_fd;
	/* A connection's second packet: its slot in lb_ct_new read, the flow written to
	 * lb_conntrack. */
	cases[14] = cases[4];
	cases[14].name = "lb: second packet, IPv4 (confirm into lb_conntrack)";
	cases[14].second_packet = true;
	cases[14].ct_hit = true;
	cases[14].target = "";
	cases[12].prog_fd = cases[13].prog_fd = cases[14].prog_fd = cases[4].prog_fd;
	/* The memory a new flow cannot avoid: a miss in a random bucket of a million. */
	cases[15] =
	    (struct bench_case){.name = "yardstick: one conntrack miss, fresh flow (1M buckets)",
				.action = XDP_PASS,
				.fresh_flow = true,
				.vip_index = -1,
				.target = ""};
	cases[15].len = bench_pkt_tcp4(cases[15].pkt, "203.0.113.1", BENCH_VIP4, 1024);
	cases[15].prog_fd = bpf_program__fd(lookup->progs.xdp_lookup_ct_miss);
	cases[16] = (struct bench_case){.name = "lb: conntrack hit, IPv4 UDP (IPIP)",
					.action = XDP_TX,
					.vip_index = BENCH_VIP_INDEX4_UDP,
					.ct_hit = true,
					.filter_on = true,
					.target = "<= 60"};
	bench_pkt_udp4(&cases[16], "203.0.113.7", BENCH_VIP4, 40000);
	cases[16].prog_fd = cases[4].prog_fd;
	/*
	 * Second chance on the backend: a GUE packet naming a second backend runs
	 * the socket lookup on its inner tuple first. Named this host (outcome
	 * self) so that the outcome after the lookup does not hang on the routes of
	 * the bench's host: every run strips it here, as the plain one.
	 */
	cases[17] = cases[5];
	cases[17].name = "decap: GUE to this backend";
	bench_pkt_gue(&cases[17], NULL);
	cases[18] = cases[5];
	cases[18].name = "decap: GUE naming a second backend (socket lookup, self)";
	bench_pkt_gue(&cases[18], BENCH_TUN_DST);
	cases[5].prog_fd = cases[17].prog_fd = cases[18].prog_fd =
	    bpf_program__fd(decap->progs.xdp_decap);
	/*
	 * Second chance on the balancer: a new flow's first packet other than a SYN
	 * (a flow another node carried) on a GUE VIP. The same Maglev pick and prev
	 * lookups in both; from a moved slot it also names the previous backend (24
	 * bytes more, lengths and checksum); from a kept one it names nobody.
	 */
	cases[19] = cases[4];
	cases[19].name = "lb: new flow, IPv4 ACK, GUE, slot kept (second chance names nobody)";
	cases[19].vip_index = BENCH_VIP_INDEX_SC_KEPT;
	cases[19].filter_on = false;
	cases[19].target = "";
	cases[19].len = bench_pkt_tcp4(cases[19].pkt, "203.0.113.1", BENCH_VIP_SC_KEPT, 1024);
	cases[20] = cases[19];
	cases[20].name = "lb: new flow, IPv4 ACK, GUE, slot moved (names the previous backend)";
	cases[20].vip_index = BENCH_VIP_INDEX_SC_MOVED;
	cases[20].len = bench_pkt_tcp4(cases[20].pkt, "203.0.113.1", BENCH_VIP_SC_MOVED, 1024);
	cases[6].prog_fd = bpf_program__fd(lookup->progs.xdp_lookup);
	cases[7].prog_fd = bpf_program__fd(lookup->progs.xdp_lookup_ct);
	cases[8].prog_fd = bpf_program__fd(lookup->progs.xdp_ktime);
	cases[9].prog_fd = bpf_program__fd(lookup->progs.xdp_ktime_coarse);
	cases[10].prog_fd = bpf_program__fd(lookup->progs.xdp_adjust);
	for (i = 0; i < 21; i++)
		cases[i].base_fd = base && cases[i].prog_fd == bpf_program__fd(lb->progs.xdp_lb)
				       ? bpf_program__fd(base->progs.xdp_lb)
				       : -1;
	err = bench_program_lookup(lookup, cases[7].len);
	if (err)
		goto cleanup;

	/* the established flows exist before their first measured run (warm-up runs too) */
	printf("| case | method | samples | median ns | p90 ns | floor median | floor p90 | "
	       "median over floor | p90 over floor | target (ns over floor) |\n");
	printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
	for (i = 0; i < 21 && !err; i++)
		if (!o.only || strstr(cases[i].name, o.only))
			err = bench_case_single(lb, base, floor_fd, &cases[i], &o);
	/* the cases whose packet comes out as it went in */
	for (i = 0; i < 10 && !err; i++)
		if ((i <= 1 || i >= 6) && (!o.only || strstr(cases[i].name, o.only)))
			err = bench_case_repeat(lb, floor_fd, &cases[i], &o);
cleanup:
	lookup__destroy(lookup);
	decap__destroy(decap);
	lb__destroy(lb);
	lb__destroy(base);
	free(base_elf);
	free(lb_elf);
	floor__destroy(floor_skel);
	if (err)
		fprintf(stderr, "bench_xdp: failed: %s\n", strerror(-err));
	return err ? 1 : 0;
}
