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
#include <sched.h>
#include <stdarg.h>
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
#include "lb.skel.h"
#include "lookup.skel.h"
#include "lb_common.h"
#include "lb_filter.h"
#include "dataplane/maglev.h"

#define BENCH_BACKENDS 100 /* per VIP */
#define BENCH_PKT_MAX  256
#define BENCH_PAYLOAD  64 /* TCP payload bytes: a small data segment */
#define BENCH_VIP4     "192.0.2.10"
#define BENCH_VIP6     "2001:db8::10"
#define BENCH_TUN_DST  "198.51.100.1" /* the backend address xdp_decap strips tunnels to */

enum bench_vip {
	BENCH_VIP_INDEX4 = 0,
	BENCH_VIP_INDEX6 = 1,
	BENCH_VIP_INDEX4_UDP = 2,
	BENCH_VIP_INDEX_SC_MOVED = 3, /* GUE, second chance, every slot moved */
	BENCH_VIP_INDEX_SC_KEPT = 4,  /* GUE, second chance, no slot moved */
};
/* Second chance's two GUE VIPs (docs/SECOND_CHANCE.md). */
#define BENCH_VIP_SC_MOVED "192.0.2.30"
#define BENCH_VIP_SC_KEPT  "192.0.2.31"

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

static void bench_addr(int family, const char *text, void *out)
{
	if (inet_pton(family, text, out) != 1) {
		fprintf(stderr, "bench_xdp: bad address %s\n", text);
		exit(1);
	}
}

static uint16_t bench_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static size_t bench_put_eth(uint8_t *b, uint16_t proto)
{
	static const uint8_t dst[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x01};
	static const uint8_t src[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x02};
	struct ethhdr *eth = (struct ethhdr *)b;

	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(proto);
	return sizeof(*eth);
}

static size_t bench_put_ip4(uint8_t *b, const char *src, const char *dst, uint8_t proto,
			    size_t payload)
{
	struct iphdr *ip = (struct iphdr *)b;

	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(sizeof(*ip) + payload);
	ip->frag_off = htons(0x4000); /* DF, as TCP stacks send */
	ip->ttl = 64;
	ip->protocol = proto;
	bench_addr(AF_INET, src, &ip->saddr);
	bench_addr(AF_INET, dst, &ip->daddr);
	ip->check = bench_csum(ip, sizeof(*ip));
	return sizeof(*ip);
}

static size_t bench_put_ip6(uint8_t *b, const char *src, const char *dst, size_t payload)
{
	struct ipv6hdr *ip6 = (struct ipv6hdr *)b;

	memset(ip6, 0, sizeof(*ip6));
	ip6->version = 6;
	ip6->payload_len = htons(payload);
	ip6->nexthdr = IPPROTO_TCP;
	ip6->hop_limit = 64;
	bench_addr(AF_INET6, src, &ip6->saddr);
	bench_addr(AF_INET6, dst, &ip6->daddr);
	return sizeof(*ip6);
}

/* An established connection's data segment (ACK): conntrack is consulted. */
static size_t bench_put_tcp(uint8_t *b, uint16_t sport, uint16_t dport)
{
	struct tcphdr *tcp = (struct tcphdr *)b;

	memset(tcp, 0, sizeof(*tcp) + BENCH_PAYLOAD);
	tcp->source = htons(sport);
	tcp->dest = htons(dport);
	tcp->seq = htonl(1000);
	tcp->ack_seq = htonl(2000);
	tcp->doff = 5;
	tcp->ack = 1;
	tcp->psh = 1;
	tcp->window = htons(512);
	return sizeof(*tcp) + BENCH_PAYLOAD;
}

static void bench_pkt_tcp4(struct bench_case *c, const char *src, const char *dst, uint16_t sport)
{
	size_t l4 = sizeof(struct tcphdr) + BENCH_PAYLOAD;

	c->len = bench_put_eth(c->pkt, ETH_P_IP);
	c->len += bench_put_ip4(c->pkt + c->len, src, dst, IPPROTO_TCP, l4);
	c->len += bench_put_tcp(c->pkt + c->len, sport, 80);
}

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

static void bench_pkt_tcp6(struct bench_case *c, const char *src, const char *dst, uint16_t sport)
{
	size_t l4 = sizeof(struct tcphdr) + BENCH_PAYLOAD;

	c->len = bench_put_eth(c->pkt, ETH_P_IPV6);
	c->len += bench_put_ip6(c->pkt + c->len, src, dst, l4);
	c->len += bench_put_tcp(c->pkt + c->len, sport, 80);
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

/* --- maps ---------------------------------------------------------------------------------- */

static int bench_map_put(struct bpf_map *map, const void *key, const void *value)
{
	int err = bpf_map_update_elem(bpf_map__fd(map), key, value, BPF_ANY);

	if (err)
		fprintf(stderr, "bench_xdp: update %s: %s\n", bpf_map__name(map), strerror(-err));
	return err;
}

/*
 * How a second chance VIP's lb_maglev_prev table is filled from its Maglev
 * table: BENCH_PREV_NONE installs none, BENCH_PREV_KEPT one that names each
 * slot's own backend (no slot moved: the lookups run, nothing is named),
 * BENCH_PREV_MOVED the next backend of the VIP (every slot moved).
 */
enum bench_prev { BENCH_PREV_NONE, BENCH_PREV_KEPT, BENCH_PREV_MOVED };

/* A VIP's Maglev table (or its prev table) as the agent installs it: a fresh inner array, then one
 * swap. */
static int bench_install_inner(struct bpf_map *outer, uint32_t vip_index, const uint32_t *table)
{
	LIBBPF_OPTS(bpf_map_create_opts, create, .map_flags = LB_MAGLEV_TABLE_FLAGS);
	LIBBPF_OPTS(bpf_map_batch_opts, batch);
	uint32_t *keys, count = LB_MAGLEV_DEFAULT_SIZE, k;
	int inner, err;

	keys = malloc(LB_MAGLEV_DEFAULT_SIZE * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (k = 0; k < LB_MAGLEV_DEFAULT_SIZE; k++)
		keys[k] = k;
	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bench_maglev", sizeof(uint32_t),
			       sizeof(uint32_t), LB_MAGLEV_DEFAULT_SIZE, &create);
	err = inner < 0 ? inner : bpf_map_update_batch(inner, keys, table, &count, &batch);
	if (!err)
		err = bench_map_put(outer, &vip_index, &inner);
	if (inner >= 0)
		close(inner);
	free(keys);
	return err;
}

static int bench_install_tables(struct lb *skel, uint32_t vip_index,
				const struct maglev_backend *backends, size_t n,
				enum bench_prev prev)
{
	uint32_t *table, first = backends[0].index, k;
	int err;

	table = malloc(LB_MAGLEV_DEFAULT_SIZE * sizeof(*table));
	if (!table)
		return -ENOMEM;
	err = maglev_build(backends, n, LB_MAGLEV_DEFAULT_SIZE, table)
		  ?: bench_install_inner(skel->maps.lb_maglev, vip_index, table);
	if (!err && prev != BENCH_PREV_NONE) {
		if (prev == BENCH_PREV_MOVED)
			for (k = 0; k < LB_MAGLEV_DEFAULT_SIZE; k++)
				table[k] = first + (table[k] - first + 1) % n;
		err = bench_install_inner(skel->maps.lb_maglev_prev, vip_index, table);
	}
	free(table);
	return err;
}

/* One VIP with BENCH_BACKENDS backends (indices first..), its table and backend entries. */
static int bench_add_vip_as(struct lb *skel, uint32_t vip_index, int family, const char *vip_text,
			    uint8_t proto, uint32_t first, uint8_t encap, enum bench_prev prev)
{
	struct maglev_backend mb[BENCH_BACKENDS];
	struct lb_vip_key key = {};
	struct lb_vip_info info = {};
	char text[INET6_ADDRSTRLEN];
	uint32_t i, index;
	int err;

	key.family = family == AF_INET ? LB_AF_INET : LB_AF_INET6;
	bench_addr(family, vip_text, key.addr);
	key.port = htons(80);
	key.proto = proto;
	info.vip_index = vip_index;
	info.maglev_size = LB_MAGLEV_DEFAULT_SIZE;
	info.encap = encap;
	if (prev != BENCH_PREV_NONE)
		info.flags |= LB_VIP_F_SECOND_CHANCE;
	info.gue_dport = htons(LB_GUE_DEFAULT_PORT);
	err = bench_map_put(skel->maps.lb_vips, &key, &info);
	if (err)
		return err;

	memset(mb, 0, sizeof(mb));
	for (i = 0; i < BENCH_BACKENDS; i++) {
		struct lb_backend be = {};
		struct lb_backend_key bk = {};

		index = first + i;
		if (family == AF_INET)
			snprintf(text, sizeof(text), "198.51.100.%u", i + 1);
		else
			snprintf(text, sizeof(text), "2001:db8:1::%x", i + 1);
		be.family = key.family;
		be.vip_index = vip_index;
		bench_addr(family, text, be.addr);
		be.dmac[0] = 0x02;
		be.dmac[4] = 0x01;
		be.dmac[5] = i + 1;
		memcpy(bk.addr, be.addr, sizeof(bk.addr));
		bk.family = be.family;
		bk.vip_index = vip_index;
		err = bench_map_put(skel->maps.lb_backends, &index, &be)
			  ?: bench_map_put(skel->maps.lb_backend_ids, &bk, &index);
		if (err)
			return err;
		mb[i].addr.family = be.family;
		memcpy(mb[i].addr.addr, be.addr, sizeof(be.addr));
		mb[i].weight = 1;
		mb[i].index = index;
	}
	return bench_install_tables(skel, vip_index, mb, BENCH_BACKENDS, prev);
}

/* An IPIP VIP, as most cases measure. */
static int bench_add_vip(struct lb *skel, uint32_t vip_index, int family, const char *vip_text,
			 uint8_t proto, uint32_t first)
{
	return bench_add_vip_as(skel, vip_index, family, vip_text, proto, first, LB_ENCAP_IPIP,
				BENCH_PREV_NONE);
}

/*
 * The VIP-address filter (bpf/lb_filter.h) with both VIPs' bits set; `on`
 * sets or clears its on-bit, keeping whatever VIP bits word 0 holds.
 */
static int bench_set_filter(struct lb *skel, bool on)
{
	static const char *const vips[] = {BENCH_VIP4, BENCH_VIP6};
	uint32_t addr[4], bit, word, i;
	uint64_t w;
	int err;

	for (i = 0; i < 2; i++) {
		int family = i ? AF_INET6 : AF_INET;

		memset(addr, 0, sizeof(addr));
		bench_addr(family, vips[i], addr);
		bit = lb_vip_filter_bit(addr, i ? LB_AF_INET6 : LB_AF_INET);
		word = bit / 64;
		err = bpf_map_lookup_elem(bpf_map__fd(skel->maps.lb_vip_filter), &word, &w);
		if (err)
			return err;
		w |= 1ULL << (bit % 64);
		err = bench_map_put(skel->maps.lb_vip_filter, &word, &w);
		if (err)
			return err;
	}
	word = 0;
	err = bpf_map_lookup_elem(bpf_map__fd(skel->maps.lb_vip_filter), &word, &w);
	if (err)
		return err;
	if (on)
		w |= 1ULL << LB_VIP_FILTER_ON_BIT;
	else
		w &= ~(1ULL << LB_VIP_FILTER_ON_BIT);
	return bench_map_put(skel->maps.lb_vip_filter, &word, &w);
}

/* The agent's lb_generation: non-zero lets established flows use the flow cache. */
static int bench_set_cache(struct lb *skel, bool on)
{
	uint32_t zero = 0, gen = on ? 1 : 0;

	return bench_map_put(skel->maps.lb_generation, &zero, &gen);
}

/* Node settings as an operator would leave them: MTU check on, sync at 3 and every 50. */
static int bench_program_lb(struct lb *skel)
{
	struct lb_settings set = {};
	uint32_t zero = 0;
	int err;

	set.hash_seed = 0x5eed;
	bench_addr(AF_INET, "198.51.100.240", &set.tun_src4);
	set.tun_src4_bits = 4;
	bench_addr(AF_INET6, "2001:db8:ff::", set.tun_src6);
	set.tun_src6_bits = 16;
	set.mtu = 1500;
	set.gue_sport_min = 49152;
	set.gue_sport_max = 65535;
	set.sync_first_packets = 3;
	set.sync_refresh_packets = 50;
	set.outer_ttl = 64;
	err = bench_map_put(skel->maps.lb_settings, &zero, &set);
	if (err)
		return err;
	/*
	 * The UDP VIP shares the TCP VIP's address and backend hosts, as a QUIC
	 * service would; as the agent does, each (VIP, backend) pair has its own slot.
	 */
	return bench_add_vip(skel, BENCH_VIP_INDEX4, AF_INET, BENCH_VIP4, IPPROTO_TCP, 1) ?:
	       bench_add_vip(skel, BENCH_VIP_INDEX4_UDP, AF_INET, BENCH_VIP4, IPPROTO_UDP,
			     1 + 2 * BENCH_BACKENDS) ?:
	       bench_add_vip(skel, BENCH_VIP_INDEX6, AF_INET6, BENCH_VIP6, IPPROTO_TCP,
			     1 + BENCH_BACKENDS) ?:
	       bench_add_vip_as(skel, BENCH_VIP_INDEX_SC_MOVED, AF_INET, BENCH_VIP_SC_MOVED,
				IPPROTO_TCP, 1 + 3 * BENCH_BACKENDS, LB_ENCAP_GUE, BENCH_PREV_MOVED) ?:
	       bench_add_vip_as(skel, BENCH_VIP_INDEX_SC_KEPT, AF_INET, BENCH_VIP_SC_KEPT,
				IPPROTO_TCP, 1 + 4 * BENCH_BACKENDS, LB_ENCAP_GUE, BENCH_PREV_KEPT);
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

/* ct_hits or ct_misses of a VIP, summed over CPUs. */
static int bench_vip_counter(struct lb *skel, uint32_t vip_index, bool hits, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus(), i, err;
	struct lb_vip_stats *per_cpu;

	if (ncpu < 0)
		return ncpu;
	per_cpu = calloc(ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(skel->maps.lb_vip_stats), &vip_index, per_cpu);
	*out = 0;
	for (i = 0; !err && i < ncpu; i++)
		*out += hits ? per_cpu[i].ct_hits : per_cpu[i].ct_misses;
	free(per_cpu);
	return err;
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

static int bench_cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static int bench_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
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

/* libbpf's warnings, without the verifier's log of a refused program (thousands of lines). */
/*
 * A build of lb.bpf.o from a file (say, of the commit before a change, or a
 * scratch build) opened through this build's skeleton: its maps, programs
 * and rodata must be the same ones, which libbpf checks by name. *elf is the
 * file's bytes, which the object uses until it is destroyed.
 */
static struct lb *bench_open_object(const char *path, void **elf)
{
	struct lb *obj = calloc(1, sizeof(*obj));
	FILE *f = fopen(path, "rb");
	long size = -1;
	int err = 0;

	*elf = NULL;
	if (!obj || !f) {
		err = obj ? -errno : -ENOMEM;
		goto fail;
	}
	if (fseek(f, 0, SEEK_END) == 0)
		size = ftell(f);
	if (size <= 0 || fseek(f, 0, SEEK_SET) != 0 || !(*elf = malloc(size)) ||
	    fread(*elf, 1, size, f) != (size_t)size) {
		err = -EIO;
		goto fail;
	}
	err = lb__create_skeleton(obj);
	if (err)
		goto fail;
	obj->skeleton->data = *elf;
	obj->skeleton->data_sz = size;
	err = bpf_object__open_skeleton(obj->skeleton, NULL) ?: lb__load(obj);
	if (err)
		goto fail;
	fclose(f);
	return obj;
fail:
	fprintf(stderr, "bench_xdp: %s: %s\n", path, strerror(-err));
	if (f)
		fclose(f);
	lb__destroy(obj);
	free(*elf);
	*elf = NULL;
	errno = -err;
	return NULL;
}

static int bench_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	if (strstr(fmt, "BEGIN PROG LOAD LOG"))
		return fprintf(stderr, "libbpf: verifier log left out (bpftool prog load -d)\n");
	return vfprintf(stderr, fmt, ap);
}

static int bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "bench_xdp: pin to CPU %d: %s\n", cpu, strerror(errno));
		return -errno;
	}
	return 0;
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
		case 'c':
			o->cpu = atoi(optarg);
			break;
		case 'n':
			o->runs = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o->repeat = strtoul(optarg, NULL, 0);
			break;
		case 's':
			o->samples = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			o->only = optarg;
			break;
		case 'b':
			o->baseline = optarg;
			break;
		case 'o':
			o->object = optarg;
			break;
		default:
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
	bench_pkt_tcp4(&cases[0], "203.0.113.7", "203.0.113.99", 40000);
	cases[1] = cases[0];
	cases[1].name = "lb: not for a VIP (pass), filter on";
	cases[1].filter_on = true;
	cases[2] = (struct bench_case){.name = "lb: conntrack hit, IPv4 (IPIP)",
				       .action = XDP_TX,
				       .vip_index = BENCH_VIP_INDEX4,
				       .ct_hit = true,
				       .filter_on = true,
				       .target = "<= 60"};
	bench_pkt_tcp4(&cases[2], "203.0.113.7", BENCH_VIP4, 40000);
	cases[3] = (struct bench_case){.name = "lb: conntrack hit, IPv6 (6in6)",
				       .action = XDP_TX,
				       .vip_index = BENCH_VIP_INDEX6,
				       .ct_hit = true,
				       .filter_on = true,
				       .target = "<= 60"};
	bench_pkt_tcp6(&cases[3], "2001:db8:2::7", BENCH_VIP6, 40000);
	cases[4] = (struct bench_case){.name = "lb: new flow, IPv4 (miss, Maglev, insert)",
				       .action = XDP_TX,
				       .fresh_flow = true,
				       .vip_index = BENCH_VIP_INDEX4,
				       .filter_on = true,
				       .target = "<= 300"};
	bench_pkt_tcp4(&cases[4], "203.0.113.1", BENCH_VIP4, 1024);
	cases[5] = (struct bench_case){.name = "decap: IPIP to this backend",
				       .action = XDP_PASS,
				       .vip_index = -1,
				       .target = ""};
	bench_pkt_ipip(&cases[5]);
	cases[6] = (struct bench_case){.name = "yardstick: one hash lookup (miss)",
				       .action = XDP_PASS,
				       .vip_index = -1,
				       .target = ""};
	bench_pkt_tcp4(&cases[6], "203.0.113.7", "203.0.113.99", 40000);
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
	bench_pkt_tcp4(&cases[15], "203.0.113.1", BENCH_VIP4, 1024);
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
	cases[19].len = 0;
	bench_pkt_tcp4(&cases[19], "203.0.113.1", BENCH_VIP_SC_KEPT, 1024);
	cases[20] = cases[19];
	cases[20].name = "lb: new flow, IPv4 ACK, GUE, slot moved (names the previous backend)";
	cases[20].vip_index = BENCH_VIP_INDEX_SC_MOVED;
	cases[20].len = 0;
	bench_pkt_tcp4(&cases[20], "203.0.113.1", BENCH_VIP_SC_MOVED, 1024);
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
