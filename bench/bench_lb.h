/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What bench_xdp and bench_xdp_live share: the bench's world (VIPs, backends,
 * Maglev tables, settings as an operator leaves them), its packets, the
 * per-VIP counters that prove a case's path, and loading another build of
 * lb.bpf.o through this build's skeleton. Header-only: each bench/ C file is a
 * program of its own.
 */
#ifndef XDPLB_BENCH_LB_H
#define XDPLB_BENCH_LB_H

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lb.skel.h"
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

static inline void bench_addr(int family, const char *text, void *out)
{
	if (inet_pton(family, text, out) != 1) {
		fprintf(stderr, "%s: bad address %s\n", program_invocation_short_name, text);
		exit(1);
	}
}

static inline uint16_t bench_csum(const void *data, size_t len)
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

static inline size_t bench_put_eth(uint8_t *b, uint16_t proto)
{
	static const uint8_t dst[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x01};
	static const uint8_t src[ETH_ALEN] = {0x02, 0, 0, 0, 0, 0x02};
	struct ethhdr *eth = (struct ethhdr *)b;

	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(proto);
	return sizeof(*eth);
}

static inline size_t bench_put_ip4(uint8_t *b, const char *src, const char *dst, uint8_t proto,
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

static inline size_t bench_put_ip6(uint8_t *b, const char *src, const char *dst, size_t payload)
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
static inline size_t bench_put_tcp(uint8_t *b, uint16_t sport, uint16_t dport)
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

static inline size_t bench_pkt_tcp4(uint8_t *pkt, const char *src, const char *dst, uint16_t sport)
{
	size_t l4 = sizeof(struct tcphdr) + BENCH_PAYLOAD;
	size_t len = bench_put_eth(pkt, ETH_P_IP);
	len += bench_put_ip4(pkt + len, src, dst, IPPROTO_TCP, l4);
	return len + bench_put_tcp(pkt + len, sport, 80);
}

static inline size_t bench_pkt_tcp6(uint8_t *pkt, const char *src, const char *dst, uint16_t sport)
{
	size_t l4 = sizeof(struct tcphdr) + BENCH_PAYLOAD;
	size_t len = bench_put_eth(pkt, ETH_P_IPV6);
	len += bench_put_ip6(pkt + len, src, dst, l4);
	return len + bench_put_tcp(pkt + len, sport, 80);
}

/* --- maps ---------------------------------------------------------------------------------- */

static inline int bench_map_put(struct bpf_map *map, const void *key, const void *value)
{
	int err = bpf_map_update_elem(bpf_map__fd(map), key, value, BPF_ANY);

	if (err)
		fprintf(stderr, "%s: update %s: %s\n", program_invocation_short_name,
			bpf_map__name(map), strerror(-err));
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
static inline int bench_install_inner(struct bpf_map *outer, uint32_t vip_index,
				      const uint32_t *table)
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

static inline int bench_install_tables(struct lb *skel, uint32_t vip_index,
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
static inline int bench_add_vip_as(struct lb *skel, uint32_t vip_index, int family,
				   const char *vip_text, uint8_t proto, uint32_t first,
				   uint8_t encap, enum bench_prev prev)
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
static inline int bench_add_vip(struct lb *skel, uint32_t vip_index, int family,
				const char *vip_text, uint8_t proto, uint32_t first)
{
	return bench_add_vip_as(skel, vip_index, family, vip_text, proto, first, LB_ENCAP_IPIP,
				BENCH_PREV_NONE);
}

/*
 * The VIP-address filter (bpf/lb_filter.h) with both VIPs' bits set; `on`
 * sets or clears its on-bit, keeping whatever VIP bits word 0 holds.
 */
static inline int bench_set_filter(struct lb *skel, bool on)
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
static inline int bench_set_cache(struct lb *skel, bool on)
{
	uint32_t zero = 0, gen = on ? 1 : 0;

	return bench_map_put(skel->maps.lb_generation, &zero, &gen);
}

/* Node settings as an operator would leave them: MTU check on, sync at 3 and every 50. */
static inline int bench_program_lb(struct lb *skel)
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

/* ct_hits or ct_misses of a VIP, summed over CPUs. */
static inline int bench_vip_counter(struct lb *skel, uint32_t vip_index, bool hits, uint64_t *out)
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

static inline int bench_cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static inline int bench_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A build of lb.bpf.o from a file (say, of the commit before a change, or a
 * scratch build) opened through this build's skeleton: its maps, programs
 * and rodata must be the same ones, which libbpf checks by name. *elf is the
 * file's bytes, which the object uses until it is destroyed.
 */
static inline struct lb *bench_open_object(const char *path, void **elf)
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
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, path, strerror(-err));
	if (f)
		fclose(f);
	lb__destroy(obj);
	free(*elf);
	*elf = NULL;
	errno = -err;
	return NULL;
}

/* libbpf's warnings, without the verifier's log of a refused program (thousands of lines). */
static inline int bench_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	if (strstr(fmt, "BEGIN PROG LOAD LOG"))
		return fprintf(stderr, "libbpf: verifier log left out (bpftool prog load -d)\n");
	return vfprintf(stderr, fmt, ap);
}

static inline int bench_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "%s: pin to CPU %d: %s\n", program_invocation_short_name, cpu,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * The options both XDP benches take: -c CPU, -k NAME_PART, -o OBJECT (the
 * lb.bpf.o measured as this build), -b BASELINE (another build beside it).
 * 0 if opt was one of them, -EINVAL if not.
 */
static inline int bench_opt_common(int opt, char *arg, int *cpu, const char **only,
				   const char **object, const char **baseline)
{
	switch (opt) {
	case 'c':
		*cpu = atoi(arg);
		return 0;
	case 'k':
		*only = arg;
		return 0;
	case 'o':
		*object = arg;
		return 0;
	case 'b':
		*baseline = arg;
		return 0;
	default:
		return -EINVAL;
	}
}

#endif /* XDPLB_BENCH_LB_H */
