/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Second chance on the backend (docs/SECOND_CHANCE.md): a packet whose GUE
 * header names a second backend, for a TCP flow no socket of this host owns,
 * goes on to that backend instead of being reset here, once.
 */
#ifndef XDPLB_DECAP_SC_H
#define XDPLB_DECAP_SC_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lb_common.h"
#include "lib/csum.h"
#include "lib/decap_parse.h"
#include "lib/sc_maps.h"

#define DECAP_SC_AF_INET    2 /* AF_INET, AF_INET6 for bpf_fib_lookup (no libc here) */
#define DECAP_SC_AF_INET6   10
#define DECAP_SC_TCP_LISTEN 10	 /* BPF_TCP_LISTEN */
#define DECAP_SC_OFF_MAX    0xff /* the header starts within Ethernet, VLAN, IPv6 and UDP */
#define DECAP_SC_LOCAL	    (-1) /* decap_sc(): strip the tunnel here, as without second chance */

/*
 * The inner TCP tuple as the host's sockets see it; 0, or -1 when the inner
 * packet is not plain TCP (a first fragment at most). *syn: a SYN.
 */
static __always_inline int decap_sc_tuple(void *inner, void *data_end, __u8 version,
					  struct bpf_sock_tuple *tuple, __u32 *len, bool *syn)
{
	struct tcphdr *tcp;

	if (version == 4) {
		struct iphdr *ip = inner;

		if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_TCP || ip->ihl != 5 ||
		    (ip->frag_off & bpf_htons(DECAP_IP4_FRAG_MASK)))
			return -1;
		tcp = (void *)(ip + 1);
		tuple->ipv4.saddr = ip->saddr;
		tuple->ipv4.daddr = ip->daddr;
		*len = sizeof(tuple->ipv4);
	} else {
		struct ipv6hdr *ip6 = inner;

		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_TCP)
			return -1;
		tcp = (void *)(ip6 + 1);
		__builtin_memcpy(tuple->ipv6.saddr, &ip6->saddr, 16);
		__builtin_memcpy(tuple->ipv6.daddr, &ip6->daddr, 16);
		*len = sizeof(tuple->ipv6);
	}
	if ((void *)(tcp + 1) > data_end)
		return -1;
	/* The same ports sit at the same place in either tuple. */
	if (version == 4) {
		tuple->ipv4.sport = tcp->source;
		tuple->ipv4.dport = tcp->dest;
	} else {
		tuple->ipv6.sport = tcp->source;
		tuple->ipv6.dport = tcp->dest;
	}
	*syn = tcp->syn;
	return 0;
}

/* Does a socket of this host own the flow? A listener does not: it would reset a non-SYN. */
static __always_inline bool decap_sc_owned(struct xdp_md *ctx, struct bpf_sock_tuple *tuple,
					   __u32 len)
{
	struct bpf_sock *sk = bpf_skc_lookup_tcp(ctx, tuple, len, BPF_F_CURRENT_NETNS, 0);
	__u32 state;

	if (!sk)
		return false;
	state = sk->state;
	bpf_sk_release(sk);
	return state != DECAP_SC_TCP_LISTEN;
}

/*
 * The outer packet re-addressed from this host to the second backend, marked
 * so that it is never forwarded again, and sent toward it by the kernel's
 * routes and neighbours. Returns the verdict, or DECAP_SC_LOCAL when there
 * is no way there.
 */
static __always_inline int decap_sc_forward(struct xdp_md *ctx, const struct decap_tunnel *t,
					    __u64 bytes)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct lb_gue_sc *sc = data + (t->sc_off & DECAP_SC_OFF_MAX);
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u16 old_word;
	__u64 sum;
	int rc;

	if ((void *)(sc + 1) > data_end || t->l3_off > ETH_HLEN + 4)
		return DECAP_SC_LOCAL;
	/*
	 * Routed as if forwarded from the interface it came in on: the kernel
	 * refuses (BPF_FIB_LKUP_RET_FWD_DISABLED, in any mode) unless that
	 * interface has forwarding on; then it is counted no_route and kept here.
	 */
	fib.ifindex = ctx->ingress_ifindex;
	fib.l4_protocol = IPPROTO_UDP;
	if (sc->family == LB_AF_INET) {
		struct iphdr *ip = data + t->l3_off;

		if ((void *)(ip + 1) > data_end || ip->ihl != 5 || ip->version != 4)
			return DECAP_SC_LOCAL;
		fib.family = DECAP_SC_AF_INET;
		fib.tos = ip->tos;
		fib.tot_len = bpf_ntohs(ip->tot_len);
		fib.ipv4_src = ip->daddr;
		fib.ipv4_dst = sc->addr[0];
		rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
		if (rc != BPF_FIB_LKUP_RET_SUCCESS)
			return DECAP_SC_LOCAL;
		ip->saddr = ip->daddr;
		ip->daddr = sc->addr[0];
		ip->check = 0;
		ip->check = lb4_csum_header(ip);
		udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > data_end)
			return DECAP_SC_LOCAL;
		udp->check = 0; /* optional over IPv4, and what the balancer sends */
		sc->flags |= LB_GUE_SC_F_HOPPED;
	} else {
		struct ipv6hdr *ip6 = data + t->l3_off;
		__u32 old_addrs[8];

		if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
			return DECAP_SC_LOCAL;
		fib.family = DECAP_SC_AF_INET6;
		fib.tot_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		__builtin_memcpy(fib.ipv6_src, &ip6->daddr, 16);
		__builtin_memcpy(fib.ipv6_dst, sc->addr, 16);
		rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
		if (rc != BPF_FIB_LKUP_RET_SUCCESS)
			return DECAP_SC_LOCAL;
		udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > data_end)
			return DECAP_SC_LOCAL;
		__builtin_memcpy(old_addrs, &ip6->saddr, 32);
		/* RFC 1624: the checksum follows the addresses and the flags word changed. */
		old_word = *(__u16 *)&sc->kind;
		__builtin_memcpy(&ip6->saddr, &old_addrs[4], 16);
		__builtin_memcpy(&ip6->daddr, sc->addr, 16);
		sc->flags |= LB_GUE_SC_F_HOPPED;
		sum = (__u16)~udp->check + (__u16)~old_word + *(__u16 *)&sc->kind;
		sum += lb_csum_words(&old_addrs[4], 8) + lb_csum_words(sc->addr, 8);
		sum += 0xffffULL * 16 - lb_csum_words(old_addrs, 16);
		udp->check = ~lb_csum_fold(sum) ?: 0xffff;
	}
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	lb_sc_count(LB_SC_FORWARDED, bytes);
	if (fib.ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect(fib.ifindex, 0);
}

/*
 * What a packet naming a second backend becomes: DECAP_SC_LOCAL (decapsulate
 * here: a local socket owns it, a SYN, not TCP, the second backend is this
 * host or out of reach), forwarded, or dropped when it was forwarded once
 * already and no socket owns it here either. Every outcome counted.
 */
static __always_inline int decap_sc(struct xdp_md *ctx, const struct decap_tunnel *t, __u64 bytes)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct lb_gue_sc *sc = data + (t->sc_off & DECAP_SC_OFF_MAX);
	struct bpf_sock_tuple tuple = {};
	__u32 len = 0, outcome;
	bool syn = false;
	int ret;

	if ((void *)(sc + 1) > data_end)
		return DECAP_SC_LOCAL;
	if (decap_sc_tuple((void *)(sc + 1), data_end, t->inner_version, &tuple, &len, &syn)) {
		outcome = LB_SC_NOT_TCP;
	} else if (syn) {
		outcome = LB_SC_SYN;
	} else if (decap_sc_owned(ctx, &tuple, len)) {
		outcome = LB_SC_LOCAL;
	} else if (sc->flags & LB_GUE_SC_F_HOPPED) {
		lb_sc_count(LB_SC_UNOWNED, bytes);
		return XDP_DROP;
	} else if (sc->family == LB_AF_INET ? decap_is_local(sc->addr, LB_AF_INET)
					    : decap_is_local(sc->addr, LB_AF_INET6)) {
		outcome = LB_SC_SELF;
	} else {
		ret = decap_sc_forward(ctx, t, bytes);
		if (ret != DECAP_SC_LOCAL)
			return ret;
		outcome = LB_SC_NO_ROUTE;
	}
	lb_sc_count(outcome, bytes);
	return DECAP_SC_LOCAL;
}

#endif /* XDPLB_DECAP_SC_H */
