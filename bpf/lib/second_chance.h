/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Second chance on the balancer (docs/SECOND_CHANCE.md): a TCP packet that
 * conntrack does not know and Maglev picks names the slot's previous backend
 * in a GUE header, so the picked backend can hand it on if no local socket
 * owns the flow.
 */
#ifndef XDPLB_LIB_SECOND_CHANCE_H
#define XDPLB_LIB_SECOND_CHANCE_H

#include "maps.h"
#include "maglev.h"
#include "csum.h"
#include "sc_maps.h"

/*
 * The second backend of a non-SYN TCP packet Maglev sent to be_index: the
 * previous backend of its slot, if the VIP has second chance and the slot
 * moved, and it is still a backend of this VIP other than the pick. A SYN
 * opens a flow no backend has yet: it names nobody.
 */
static __always_inline const struct lb_backend *
lb_sc_second(const struct lb_vip_info *vip, const struct lb_pkt *pkt, __u32 hash, __u32 be_index)
{
	const struct lb_backend *second;
	__u32 slot, *prev;
	void *table;

	if (!(vip->flags & LB_VIP_F_SECOND_CHANCE) || vip->encap != LB_ENCAP_GUE ||
	    pkt->flow.proto != IPPROTO_TCP || (pkt->tcp_flags & LB_TCP_FLAG_SYN) ||
	    !vip->maglev_size)
		return NULL;
	table = bpf_map_lookup_elem(&lb_maglev_prev, &vip->vip_index);
	if (!table)
		return NULL;
	slot = hash % vip->maglev_size;
	prev = bpf_map_lookup_elem(table, &slot);
	if (!prev || *prev == be_index)
		return NULL;
	second = lb_backend_get(*prev);
	if (!second || second->vip_index != vip->vip_index)
		return NULL;
	return second;
}

/*
 * Moves the outer headers (Ethernet, IP, UDP: at most LB_SC_MOVE_MAX bytes)
 * back over the LB_SC_GAP bytes bpf_xdp_adjust_head() opened in front of
 * them: forward, word by word, which is safe for an overlapping move toward
 * lower addresses. Always LB_SC_MOVE_MAX bytes, a constant the verifier
 * likes: what it moves past the headers (under LB_SC_GAP bytes) lands where
 * the second chance header is written next.
 */
#define LB_SC_GAP      ((int)sizeof(struct lb_gue_sc))
#define LB_SC_MOVE_MAX (ETH_HLEN + LB_VLAN_HLEN + LB_IP6_HDR_LEN + LB_UDP_HDR_LEN)
_Static_assert(LB_SC_MOVE_MAX - (ETH_HLEN + LB_IP4_HDR_LEN + LB_UDP_HDR_LEN) <= LB_SC_GAP,
	       "what lb_sc_move() moves past the headers fits under the header written next");
static __always_inline int lb_sc_move(void *data, void *data_end)
{
	__u16 *w = data;
	int i;

	if (data + LB_SC_GAP + LB_SC_MOVE_MAX > data_end)
		return -1;
#pragma unroll
	for (i = 0; i < LB_SC_MOVE_MAX / 2; i++)
		w[i] = w[i + LB_SC_GAP / 2];
	return 0;
}

/*
 * Puts the second chance header between the outer UDP header lb_encap()
 * wrote and the inner packet, and grows the outer lengths and checksums by
 * it. Returns 0 or the drop reason.
 */
static __always_inline int lb_sc_insert(struct xdp_md *ctx, const struct lb_pkt *pkt,
					const struct lb_backend *be,
					const struct lb_backend *second)
{
	bool outer4 = be->family == LB_AF_INET;
	__u32 ip_len = outer4 ? LB_IP4_HDR_LEN : LB_IP6_HDR_LEN, l2 = pkt->l3_off;
	void *data, *data_end;
	struct lb_gue_sc *sc, h;
	struct udphdr *udp;
	__u64 sum;
	__u16 old;

	if (l2 > ETH_HLEN + LB_VLAN_HLEN)
		return LB_DROP_ADJUST_FAILED;
	if (bpf_xdp_adjust_head(ctx, -LB_SC_GAP))
		return LB_DROP_ADJUST_FAILED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (lb_sc_move(data, data_end))
		return LB_DROP_ADJUST_FAILED;
	udp = data + l2 + ip_len;
	sc = (void *)(udp + 1);
	if ((void *)(sc + 1) > data_end)
		return LB_DROP_ADJUST_FAILED;
	/* Built on the stack and copied: the IPv6 checksum below sums this copy. */
	__builtin_memset(&h, 0, sizeof(h));
	h.ver_hlen = LB_GUE_SC_HLEN;
	h.proto = pkt->flow.family == LB_AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
	h.kind = LB_GUE_SC_KIND;
	h.family = second->family;
	__builtin_memcpy(h.addr, second->addr, sizeof(h.addr));
	__builtin_memcpy(sc, &h, sizeof(h));

	old = udp->len;
	udp->len = bpf_htons(bpf_ntohs(old) + LB_SC_GAP);
	if (outer4) {
		struct iphdr *ip = data + l2;

		if ((void *)(ip + 1) > data_end)
			return LB_DROP_ADJUST_FAILED;
		old = ip->tot_len;
		ip->tot_len = bpf_htons(bpf_ntohs(old) + LB_SC_GAP);
		lb_csum_replace16(&ip->check, old, ip->tot_len);
		return 0; /* GUE over IPv4 goes without UDP checksum */
	}
	((struct ipv6hdr *)(data + l2))->payload_len = udp->len;
	/* The length counts twice (pseudo-header and header), and the new bytes once. */
	sum = (__u16)~udp->check + 2 * ((__u64)(__u16)~old + udp->len) +
	      lb_csum_words(&h, sizeof(h) / 2);
	udp->check = ~lb_csum_fold(sum) ?: 0xffff;
	return 0;
}

/* Second chance unless the header would make the packet pass node.mtu (counted). */
static __always_inline const struct lb_backend *lb_sc_fits(const struct lb_backend *second,
							   __u32 len, __u32 mtu, __u64 bytes)
{
	if (!second)
		return NULL;
	if (mtu && len + LB_SC_GAP > mtu) {
		lb_sc_count(LB_SC_NO_ROOM, bytes);
		return NULL;
	}
	lb_sc_count(LB_SC_NAMED, bytes);
	return second;
}

#endif /* XDPLB_LIB_SECOND_CHANCE_H */
