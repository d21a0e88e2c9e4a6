/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The fast path (docs/DATAPLANE.md, "Fast path"): a packet of an established
 * flow, in the common shape, forwarded from this CPU's flow cache right after
 * the VIP filter's early check, before the full parse. It reads the flow
 * straight from the packet into registers, with none of the full path's
 * generality (struct lb_pkt, VLAN tags, IPv4 options, extension headers,
 * fragments, ICMP, GUE): in bench_xdp a cached hit costs about a fifth less
 * this way (docs/BENCHMARKS.md, Session 5). What it declines, it leaves
 * untouched and uncounted.
 */
#ifndef XDPLB_LIB_FAST_PATH_H
#define XDPLB_LIB_FAST_PATH_H

#include "encap.h"
#include "flow_cache.h"
#include "parse.h"
#include "stats.h"
#include "vip.h"

/* What lb_fast_path() tells xdp_lb when it did not take the packet. */
enum lb_fast_declined {
	LB_FAST_MISS = -1,  /* no usable cache entry: the full path need not look again */
	LB_FAST_DEFER = -2, /* some other shape, or cached but lb_send() has more to do */
};

/*
 * The transport header at frame offset l4, in an IP packet ending at l3_end:
 * whole (lb_l4_whole()), and not a SYN, which opens a connection and goes to
 * conntrack. Its ports word (the key's ninth), or false.
 */
static __always_inline bool lb_fast_l4(void *data, void *data_end, __u32 l4, __u32 l3_end,
				       __u8 proto, __u32 *ports)
{
	__u8 *l4h = data + l4;

	if (!lb_l4_whole(data, data_end, l4, l3_end, proto) ||
	    (proto == IPPROTO_TCP && (l4h[13] & LB_TCP_FLAG_SYN)))
		return false;
	*ports = *(__u32 *)l4h;
	return true;
}

/*
 * The cached flow whose five key words are k, in its slot ref, and its
 * backend in *be; or NULL. k is written and read in whole 64-bit words: a
 * wider load over narrower stores would wait for them (no store forwarding).
 */
static __always_inline struct lb_flow_cache_entry *lb_fast_cached(const __u64 *k,
								  const struct lb_fc_ref *ref,
								  struct lb_backend **be)
{
	struct lb_flow_cache_entry *fc;
	const __u64 *w;

	if (!(fc = lb_fc_entry(ref)))
		return NULL;
	w = (const __u64 *)&fc->key;
	if ((w[0] ^ k[0]) | (w[1] ^ k[1]) | (w[2] ^ k[2]) | (w[3] ^ k[3]) | (w[4] ^ k[4]))
		return NULL;
	*be = lb_fc_backend(fc);
	return *be ? fc : NULL;
}

/*
 * The outer header of the inner packet's own family (IPIP: 4in4, or 6in6),
 * Ethernet without a tag: ip6 is a constant at each call, so each inlined
 * copy is straight-line code. Ethernet padding after l3_len is cut.
 */
static __always_inline int lb_fast_encap(struct xdp_md *ctx, bool ip6, __u32 l3_len, __u8 tos,
					 bool df, const struct lb_flow_cache_entry *fc,
					 const struct lb_backend *be, const struct lb_settings *set)
{
	__u32 olen = ip6 ? LB_IP6_HDR_LEN : LB_IP4_HDR_LEN;
	__u8 ttl = set->outer_ttl ? set->outer_ttl : 64;
	void *data, *data_end;
	struct ethhdr *eth, *old;

	if (lb_frame_trim(ctx, ETH_HLEN + l3_len) || bpf_xdp_adjust_head(ctx, -(int)olen))
		return LB_DROP_ADJUST_FAILED;
	data_end = (void *)(long)ctx->data_end;
	data = (void *)(long)ctx->data;
	if (data + ETH_HLEN + (ip6 ? LB_IP6_HDR_LEN : LB_IP4_HDR_LEN) + ETH_HLEN > data_end)
		return LB_DROP_ADJUST_FAILED;
	eth = data;
	old = data + olen;
	lb_mac_copy(eth->h_source, be->ifindex ? be->smac : old->h_dest);
	lb_mac_copy(eth->h_dest, be->dmac);
	if (ip6) {
		eth->h_proto = bpf_htons(ETH_P_IPV6);
		lb_encap_ip6(data + ETH_HLEN, tos, fc->hash, l3_len, IPPROTO_IPV6, ttl, set,
			     lb_encap_src_word(set->tun_src6[3], set->tun_src6_bits, fc->outer_hash),
			     be);
	} else {
		eth->h_proto = bpf_htons(ETH_P_IP);
		lb_encap_ip4(data + ETH_HLEN, tos, df, l3_len + LB_IP4_HDR_LEN, ttl, IPPROTO_IPIP,
			     lb_encap_src_word(set->tun_src4, set->tun_src4_bits, fc->outer_hash),
			     be->addr[0]);
	}
	return 0;
}

/*
 * Sends a packet of a cached flow (len: its frame length), counted as
 * lb_target_cached() and lb_send() count it, encapsulated by lb_fast_encap().
 * LB_FAST_DEFER, nothing changed, for what lb_send() does more than forward
 * (too big: answered) and for the encapsulations lb_fast_encap() leaves to
 * lb_encap() (GUE, 4in6).
 */
static __always_inline int lb_fast_send(struct xdp_md *ctx, __u32 len, bool ip6, __u32 l3_len,
					__u8 tos, bool df, struct lb_flow_cache_entry *fc,
					const struct lb_backend *be, const struct lb_settings *set)
{
	struct lb_vip_stats *vs;
	int ret;

	if (fc->vip.encap != LB_ENCAP_IPIP ||
	    be->family != (ip6 ? LB_AF_INET6 : LB_AF_INET) ||
	    (set->mtu && l3_len + (ip6 ? LB_IP6_HDR_LEN : LB_IP4_HDR_LEN) > set->mtu))
		return LB_FAST_DEFER;
	fc->pending++;
	vs = lb_vip_stats_get(fc->vip.vip_index);
	if (vs)
		vs->ct_hits++;
	ret = lb_fast_encap(ctx, ip6, l3_len, tos, df, fc, be, set);
	if (ret)
		return lb_drop(ret, len);
	lb_stats_forwarded(vs, NULL, fc->vip.vip_index, fc->be_index, len, LB_STAT_FORWARDED);
	if (be->ifindex)
		return bpf_redirect(be->ifindex, 0);
	return XDP_TX;
}

/*
 * Step 4a and steps 8-10 for an established flow's packet in the common
 * shape: untagged IPv4 with a 20-byte header, not a fragment, or IPv6
 * without extension headers; TCP but a SYN, or UDP; the IP packet within the
 * frame (the checks of lb_parse_fast(), so that the fast path takes no packet
 * the full path would drop). Returns the verdict, or an lb_fast_declined with
 * nothing changed or counted; on LB_FAST_MISS, *ref is the flow's slot.
 */
static __always_inline int lb_fast_path(struct xdp_md *ctx, struct lb_fc_ref *ref)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u32 frame = data_end - data, ports, l3_end;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	struct iphdr *ip = data + ETH_HLEN;
	struct lb_flow_cache_entry *fc;
	const struct lb_settings *set;
	struct lb_backend *be;
	__u64 k[5];
	__be16 proto;

	if (data + ETH_HLEN + sizeof(*ip6) > data_end)
		return LB_FAST_DEFER; /* shorter than any IPv6 packet: an IPv4 one is rare */
	set = lb_settings_get();
	if (!set)
		return LB_FAST_DEFER;
	proto = *(__be16 *)(data + 2 * ETH_ALEN);
	if (proto == bpf_htons(ETH_P_IP)) {
		if (*(__u8 *)ip != 0x45 || (ip->frag_off & bpf_htons(LB_IP4_MF | LB_IP4_OFFSET)))
			return LB_FAST_DEFER;
		l3_end = ETH_HLEN + bpf_ntohs(ip->tot_len);
		if (l3_end > frame || !lb_fast_l4(data, data_end, ETH_HLEN + sizeof(*ip), l3_end,
						  ip->protocol, &ports))
			return LB_FAST_DEFER;
		k[0] = ip->saddr;
		k[1] = 0;
		k[2] = ip->daddr;
		k[3] = 0;
		k[4] = ports | (__u64)ip->protocol << 32 | (__u64)LB_AF_INET << 40;
		if (!lb_fc_find_folded(lb_fc_fold(&ip->saddr, &ip->daddr, ports, false), ref))
			return LB_FAST_DEFER;
		fc = lb_fast_cached(k, ref, &be);
		if (!fc)
			return LB_FAST_MISS;
		return lb_fast_send(ctx, frame, false, l3_end - ETH_HLEN, ip->tos,
				    ip->frag_off & bpf_htons(LB_IP4_DF), fc, be, set);
	}
	if (proto != bpf_htons(ETH_P_IPV6) || ip6->version != 6)
		return LB_FAST_DEFER;
	l3_end = ETH_HLEN + sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	if (l3_end > frame ||
	    !lb_fast_l4(data, data_end, ETH_HLEN + sizeof(*ip6), l3_end, ip6->nexthdr, &ports))
		return LB_FAST_DEFER;
	__builtin_memcpy(k, &ip6->saddr, 2 * sizeof(ip6->saddr));
	k[4] = ports | (__u64)ip6->nexthdr << 32 | (__u64)LB_AF_INET6 << 40;
	if (!lb_fc_find_folded(lb_fc_fold(ip6->saddr.in6_u.u6_addr32, ip6->daddr.in6_u.u6_addr32,
					  ports, true), ref))
		return LB_FAST_DEFER;
	fc = lb_fast_cached(k, ref, &be);
	if (!fc)
		return LB_FAST_MISS;
	return lb_fast_send(ctx, frame, true, l3_end - ETH_HLEN,
			    (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4), false, fc, be, set);
}

#endif /* XDPLB_LIB_FAST_PATH_H */
