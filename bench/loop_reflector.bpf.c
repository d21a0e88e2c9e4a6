// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_xdp_loop's two ends of a veth pair. loop_reflect, on one end, sends
 * every frame it receives back with XDP_TX, first written back to the
 * packet template (with a new client tuple for the cases of new flows): the
 * program under test, in driver mode on the other end, sends it back with
 * XDP_TX too, so a few frames go round and round in the two ends' NAPI
 * loops, 64 a poll, as in a NIC driver. The reflector times the loop and
 * ends it after loop_frames frames.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "loop_reflector.h"

/* Written by bench_xdp_loop before each round, through the mmapped .bss. */
__u64 loop_pkt[LOOP_PKT_MAX / 8]; /* the template */
__u32 loop_len;			  /* its length */
__u32 loop_words;		  /* its whole 8-byte words: what any program writes is in them */
__u32 loop_tuple;		  /* enum loop_tuple */
__u32 loop_csum_base;		  /* the IPv4 header's words but check and saddr, summed */
__u32 loop_flows_len;		  /* loop_flows entries in use */
__u32 loop_frames;		  /* frames to send this round; those after it are dropped */
__u32 loop_warmup;		  /* frames sent before the clock starts */
/* Read back: the round's progress and clock, and where the tuple sequences stand. */
__u32 loop_seen; /* frames received */
__u32 loop_sent; /* frames sent */
__u32 loop_fresh_seq;
__u32 loop_flows_pos;
__u64 loop_t0, loop_t1; /* bpf_ktime_get_ns() at the loop_warmup-th and the last frame sent */
__u32 loop_cpu;		/* where the last frame was sent from */

/* The order in which LOOP_TUPLE_TABLE visits flows: flow numbers, or LOOP_FLOW_FRESH. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LOOP_FLOWS_MAX);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, __u64);
} loop_flows SEC(".maps");

/* Ethernet, 20-byte IPv4 header, then the ports: where the template's tuple sits. */
struct loop_ip4_tcp {
	struct ethhdr eth;
	__u8 ver_ihl, tos;
	__u16 tot_len, id, frag_off;
	__u8 ttl, proto;
	__u16 check;
	__u32 saddr, daddr;
	__u16 sport, dport;
} __attribute__((packed));

static __always_inline __u32 loop_fresh_tuple(__u32 *port)
{
	__u32 s = loop_fresh_seq++, a = s >> 16;

	*port = s & 0xffff;
	if (a < 256)
		return LOOP_FRESH_NET | a;
	return a < 384 ? LOOP_FRESH_NET2 | (a - 128) : LOOP_FRESH_NET3 | (a - 256);
}

/* The client address and port (host order) of this frame's flow. */
static __always_inline __u32 loop_next_tuple(__u32 *port)
{
	__u32 pos = loop_flows_pos;
	__u64 *flow;

	if (loop_tuple == LOOP_TUPLE_FRESH)
		return loop_fresh_tuple(port);
	loop_flows_pos = pos + 1 < loop_flows_len ? pos + 1 : 0;
	flow = bpf_map_lookup_elem(&loop_flows, &pos);
	if (!flow || *flow == LOOP_FLOW_FRESH)
		return loop_fresh_tuple(port);
	*port = *flow & 0xffff;
	return LOOP_TABLE_NET | *flow >> 16;
}

static __always_inline void loop_set_tuple(struct loop_ip4_tcp *p)
{
	__u32 port, addr = bpf_htonl(loop_next_tuple(&port)), sum;

	p->saddr = addr;
	p->sport = bpf_htons(port);
	sum = loop_csum_base + (addr & 0xffff) + (addr >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	p->check = ~sum;
}

/*
 * The frame back to the template's start and length (the program under test
 * put an outer header in front, or nothing), then its bytes: the helper runs
 * even when nothing moved, so that the floor's round pays for it too.
 */
static __always_inline int loop_restore(struct xdp_md *ctx)
{
	int delta = (int)bpf_xdp_get_buff_len(ctx) - (int)loop_len;
	void *data_end;
	__u64 *data;
	__u32 i, words = loop_words;

	if (bpf_xdp_adjust_head(ctx, delta))
		return -1;
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	/* a bounded loop, not unrolled: the verifier walks it once per word */
	for (i = 0; i < LOOP_PKT_MAX / 8 && i < words; i++) {
		if ((void *)(data + i + 1) > data_end)
			break;
		data[i] = loop_pkt[i];
	}
	if (loop_tuple != LOOP_TUPLE_FIXED) {
		if ((void *)data + sizeof(struct loop_ip4_tcp) > data_end)
			return -1;
		loop_set_tuple((void *)data);
	}
	return 0;
}

SEC("xdp")
int loop_reflect(struct xdp_md *ctx)
{
	__u32 sent = loop_sent;

	loop_seen++;
	if (sent >= loop_frames)
		return XDP_DROP; /* the round is over: the frames still out drain */
	if (loop_restore(ctx))
		return XDP_ABORTED;
	if (sent == loop_warmup)
		loop_t0 = bpf_ktime_get_ns();
	else if (sent + 1 == loop_frames) {
		loop_t1 = bpf_ktime_get_ns();
		loop_cpu = bpf_get_smp_processor_id();
	}
	loop_sent = sent + 1;
	return XDP_TX;
}

/* The floor: what a program must do at least to send a frame back. */
SEC("xdp")
int loop_floor(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	unsigned char mac[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	return XDP_TX;
}

/*
 * A yardstick: the floor plus what any IPIP encapsulation must do, an outer
 * IPv4 header in front (adjust_head, Ethernet moved, 20 bytes and their
 * checksum written), to tell encapsulation in this loop from xdp_lb's own work.
 */
SEC("xdp")
int loop_encap4(struct xdp_md *ctx)
{
	unsigned char dst[ETH_ALEN], src[ETH_ALEN];
	void *data, *data_end;
	struct loop_ip4_tcp *p;
	__u16 *w;
	__u32 sum = 0, i;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + ETH_HLEN > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(dst, data, ETH_ALEN);
	__builtin_memcpy(src, data + ETH_ALEN, ETH_ALEN);
	if (bpf_xdp_adjust_head(ctx, -20))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	p = data;
	if ((void *)(p + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(p->eth.h_dest, src, ETH_ALEN);
	__builtin_memcpy(p->eth.h_source, dst, ETH_ALEN);
	p->eth.h_proto = bpf_htons(ETH_P_IP);
	p->ver_ihl = 0x45;
	p->tos = 0;
	p->tot_len = bpf_htons((__u16)(data_end - data - ETH_HLEN));
	p->id = 0;
	p->frag_off = bpf_htons(0x4000);
	p->ttl = 64;
	p->proto = 4; /* IPIP */
	p->check = 0;
	p->saddr = bpf_htonl(0xc63364f0); /* 198.51.100.240 */
	p->daddr = bpf_htonl(0xc6336401); /* 198.51.100.1 */
	w = (__u16 *)&p->ver_ihl;
	for (i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	p->check = ~((sum & 0xffff) + (sum >> 16));
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
