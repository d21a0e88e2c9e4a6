// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The XDP load balancer: the top-level flow of docs/DATAPLANE.md, step by step. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LB_HASH_INLINE static __always_inline
#include "lb_hash.h"
#include "lib/maps.h"
#include "lib/stats.h"
#include "lib/parse.h"
#include "lib/csum.h"
#include "lib/maglev.h"
#include "lib/conntrack.h"
#include "lib/flow_cache.h"
#include "lib/encap.h"
#include "lib/icmp.h"
#include "lib/vip.h"
#include "lib/fast_path.h"
#include "lib/second_chance.h"

/* last_seen_ns is refreshed when this much older than now: idle ages are seconds. */
#define LB_CT_SEEN_GRANULARITY_NS 1000000000ULL

/* Where a packet goes once its flow is known. */
struct lb_target {
	const struct lb_vip_info *vip;
	const struct lb_settings *set;
	struct lb_backend *be;
	struct lb_vip_stats *vs;	/* counters already looked up, or NULL */
	struct lb_backend_stats *bs;
	__u32 be_index;
	__u32 hash;	     /* lb_hash_flow() of the flow key */
	__u32 outer_hash;    /* lb_hash_outer(hash), or 0: not known yet */
	__u32 stat;	     /* LB_STAT_* counted when sent */
	bool answer_too_big; /* may tell the sender its packet is too big */
	const struct lb_backend *second; /* second chance: named in the GUE header, or NULL */
};

/*
 * Step 4a: an established flow's backend from this CPU's flow cache, without
 * the VIP and conntrack lookups, nor the flow hash.
 */
static __always_inline bool lb_target_cached(const struct lb_fc_ref *ref,
					     const struct lb_pkt *pkt, struct lb_target *tgt)
{
	struct lb_flow_cache_entry *fc = lb_fc_entry(ref);

	if (!fc)
		return false;
	tgt->set = lb_settings_get();
	if (!tgt->set)
		return false;
	tgt->be = lb_flow_key_equal(&fc->key, &pkt->flow) ? lb_fc_backend(fc) : NULL;
	if (!tgt->be)
		return false;
	fc->pending++;
	tgt->hash = fc->hash;
	tgt->outer_hash = fc->outer_hash;
	tgt->vip = &fc->vip;
	tgt->be_index = fc->be_index;
	tgt->stat = LB_STAT_FORWARDED;
	tgt->answer_too_big = true;
	tgt->vs = lb_vip_stats_get(fc->vip.vip_index);
	if (tgt->vs)
		tgt->vs->ct_hits++;
	return true;
}

/*
 * Steps 4-7: the flow's backend from conntrack, else from Maglev; entry
 * written, sync reported. fc is the packet's flow cache slot, if it has one.
 */
static __always_inline int lb_target_flow(const struct lb_pkt *pkt, const struct lb_vip_info *vip,
					  const struct lb_fc_ref *fc, struct lb_target *tgt)
{
	/*
	 * A SYN opens a new connection on a reused 5-tuple: pick afresh. Not
	 * on a VIP tracking address pairs, whose entry the client's other,
	 * still open, connections share.
	 */
	bool syn = pkt->flow.proto == IPPROTO_TCP && !(vip->flags & LB_VIP_F_HASH_ADDRS) &&
		   (pkt->tcp_flags & (LB_TCP_FLAG_SYN | LB_TCP_FLAG_ACK)) == LB_TCP_FLAG_SYN;
	struct lb_flow_key key = pkt->flow;
	struct lb_vip_stats *vs;
	struct lb_conn *conn, *hit = NULL; /* hit: the entry this packet counted on */
	struct lb_ct_seen *seen;
	__u64 now, n = 1, prev = 0, carried;
	int ret;

	tgt->set = lb_settings_get();
	if (!tgt->set)
		return LB_DROP_NO_BACKEND;
	if (vip->flags & LB_VIP_F_HASH_ADDRS) {
		key.sport = 0;
		key.dport = 0;
	}
	tgt->vip = vip;
	tgt->hash = lb_hash_flow(&key, tgt->set->hash_seed);
	/* Packets the cache served since the last visit; conntrack decides afresh. */
	carried = lb_fc_take(fc, &pkt->flow);
	tgt->stat = LB_STAT_FORWARDED;
	tgt->answer_too_big = true;
	vs = lb_vip_stats_get(vip->vip_index);
	tgt->vs = vs;
	/* Tick resolution is plenty for idle ages and costs a quarter of bpf_ktime_get_ns(). */
	now = bpf_ktime_get_coarse_ns();

	/* A SYN looks too: only a tuple already tracked may take a fresh pick into lb_conntrack. */
	conn = bpf_map_lookup_elem(&lb_conntrack, &key);
	tgt->be = conn && !syn ? lb_ct_backend(conn, vip->vip_index, &tgt->be_index) : NULL;
	if (tgt->be) {
		hit = conn;
		prev = __sync_fetch_and_add(&conn->packets, 1 + carried);
		n = prev + carried + 1;
		/* Every CPU's write would pull the entry's line: refresh at most once a second. */
		if (now - conn->last_seen_ns > LB_CT_SEEN_GRANULARITY_NS)
			conn->last_seen_ns = now;
		if (vs)
			vs->ct_hits++;
		/* Confirmed and not a SYN: the next packets may take the cache. */
		if (fc && !(vip->flags & LB_VIP_F_HASH_ADDRS))
			lb_fc_fill(fc, &pkt->flow, tgt->hash, vip, tgt->be, tgt->be_index);
	} else if (!conn && !syn && (seen = lb_ct_seen_find(tgt->hash, &key)) &&
		   (tgt->be = lb_ct_seen_backend(seen, vip->vip_index, &tgt->be_index))) {
		n = lb_ct_confirm(&key, seen, tgt->be, tgt->be_index, now, pkt->len);
		prev = n - 1;
		if (vs)
			vs->ct_hits++;
	} else {
		ret = lb_maglev_pick(vip, tgt->hash, &tgt->be_index, &tgt->be);
		if (ret)
			return ret;
		/*
		 * Second chance: a flow this node does not know whose slot moved.
		 * Not tracked: every packet of it names the previous backend too,
		 * until it ends (docs/SECOND_CHANCE.md).
		 */
		if (!conn)
			tgt->second = lb_sc_second(vip, pkt, tgt->hash, tgt->be_index);
		/*
		 * A first packet goes to lb_ct_new (docs/DATAPLANE.md, "Admission"):
		 * spoofed SYNs never send a second one and so never evict an
		 * established flow. A tuple lb_conntrack holds already (reused by a
		 * SYN, or its backend failed) is replaced in place: no eviction.
		 */
		if (conn) {
			lb_ct_insert(&key, tgt->be, tgt->be_index, 1, now, now, pkt->len);
			if (syn)
				lb_fc_forget(&pkt->flow);
		} else if (!tgt->second && (seen = lb_ct_seen_victim(tgt->hash, &key)))
			lb_ct_seen_write(seen, &key, tgt->be, tgt->be_index, now);
		if (vs) {
			vs->new_flows++;
			vs->ct_misses++;
		}
		tgt->bs = bpf_map_lookup_elem(&lb_backend_stats, &tgt->be_index);
		if (tgt->bs)
			tgt->bs->new_flows++;
	}
	/* The packets the cache served are lost with an entry that went away: prev stays n - 1. */
	lb_ct_report(&key, tgt->be, tgt->set, hit, vip->vip_index, prev, n, now, pkt->len);
	return 0;
}

/* An ICMP error about a VIP flow: that flow's backend, read only (no entry, no count). */
static __always_inline int lb_target_icmp_error(struct xdp_md *ctx, const struct lb_pkt *pkt,
						struct lb_target *tgt)
{
	struct lb_flow_key key = {};
	struct lb_conn *conn;
	int ret;

	ret = lb_icmp_quoted_flow(ctx, pkt, &key);
	if (ret)
		return ret;
	if (key.proto != IPPROTO_TCP && key.proto != IPPROTO_UDP)
		return LB_DROP_ICMP_UNMATCHED;
	tgt->vip = lb_vip_lookup(&key, key.dport);
	if (!tgt->vip)
		return LB_DROP_ICMP_UNMATCHED;
	tgt->set = lb_settings_get();
	if (!tgt->set)
		return LB_DROP_NO_BACKEND;
	if (tgt->vip->flags & LB_VIP_F_HASH_ADDRS) {
		key.sport = 0;
		key.dport = 0;
	}
	tgt->hash = lb_hash_flow(&key, tgt->set->hash_seed);
	tgt->stat = LB_STAT_ICMP_ERR_FORWARDED;
	tgt->answer_too_big = false;
	conn = bpf_map_lookup_elem(&lb_conntrack, &key);
	tgt->be = conn ? lb_ct_backend(conn, tgt->vip->vip_index, &tgt->be_index) : NULL;
	if (tgt->be)
		return 0;
	if (!conn) { /* a flow seen once is tracked too, unconfirmed */
		struct lb_ct_seen *seen = lb_ct_seen_find(tgt->hash, &key);

		if (seen &&
		    (tgt->be = lb_ct_seen_backend(seen, tgt->vip->vip_index, &tgt->be_index)))
			return 0;
	}
	return lb_maglev_pick(tgt->vip, tgt->hash, &tgt->be_index, &tgt->be);
}

/* Steps 8-10: next hop, MTU, encapsulation, counters, verdict. */
static __always_inline int lb_send(struct xdp_md *ctx, const struct lb_pkt *pkt,
				   const struct lb_target *tgt)
{
	const struct lb_settings *set = tgt->set;
	const struct lb_backend *be = tgt->be, *second;
	__u32 olen, mtu = set->mtu;
	int ret;

	/* No MAC to send it to yet: the flow keeps its backend, the sender retransmits. */
	if (be->flags & LB_BE_F_NO_NEXTHOP)
		return lb_drop(LB_DROP_NO_BACKEND, pkt->len);
	olen = lb_encap_overhead(tgt->vip, be);
	if (mtu && pkt->l3_len + olen > mtu) {
		if (!tgt->answer_too_big ||
		    (pkt->flow.family == LB_AF_INET && !(pkt->flags & LB_PKT_F_DF)))
			return lb_drop(LB_DROP_TOO_BIG, pkt->len);
		ret = lb_icmp_too_big(ctx, pkt, mtu > olen ? mtu - olen : 0);
		if (ret)
			return lb_drop(ret, pkt->len);
		lb_stat_add(LB_STAT_ICMP_TOO_BIG_SENT, pkt->len);
		return XDP_TX;
	}
	second = lb_sc_fits(tgt->second, pkt->l3_len + olen, mtu, pkt->len);
	ret = lb_encap(ctx, pkt, tgt->vip, be, set, tgt->hash,
		       tgt->outer_hash ?: lb_hash_outer(tgt->hash));
	if (!ret && second)
		ret = lb_sc_insert(ctx, pkt, be, second);
	if (ret)
		return lb_drop(ret, pkt->len);
	lb_stats_forwarded(tgt->vs, tgt->bs, tgt->vip->vip_index, tgt->be_index, pkt->len,
			   tgt->stat);
	if (be->ifindex)
		return bpf_redirect(be->ifindex, 0);
	return XDP_TX;
}

/*
 * Everything after the fast path: the full parse and steps 2-10. Its own
 * function so that pkt and tgt are cleared where it starts, after the fast
 * path: declared in xdp_lb, they were cleared (17 stores) ahead of every
 * fast-path packet too. fast is what lb_fast_path() answered; fc_ref is the
 * flow's slot when that was LB_FAST_MISS.
 */
static __always_inline int lb_slow_path(struct xdp_md *ctx, enum lb_early_filter early, int fast,
					struct lb_fc_ref *fc_ref)
{
	struct lb_fc_ref *fc = NULL;
	struct lb_target tgt = {};
	const struct lb_vip_info *vip;
	struct lb_pkt pkt = {};
	int ret;

	/* Untagged IPv4 and IPv6 TCP and UDP inline; any other shape: the global parser. */
	ret = lb_parse_fast(ctx, &pkt) ? 0 : lb_parse_frame(ctx, &pkt);
	if (ret == LB_PARSE_PASS)
		return lb_pass(pkt.len);
	if (ret)
		return lb_drop(ret, pkt.len);
	if (early != LB_EARLY_MAYBE && !lb_vip_filter_pass(&pkt.flow))
		return lb_pass(pkt.len);
	if (fast == LB_FAST_MISS) {
		fc = fc_ref; /* the fast path's look found nothing usable in the flow's slot */
	} else if (lb_fc_applies(&pkt) && lb_fc_find(&pkt.flow, fc_ref)) {
		fc = fc_ref;
		if (lb_target_cached(fc, &pkt, &tgt))
			return lb_send(ctx, &pkt, &tgt);
	}
	vip = lb_vip_lookup(&pkt.flow, pkt.flow.dport);
	if (!vip)
		return lb_pass(pkt.len);
	/* Step 3. */
	if ((pkt.flags & LB_PKT_F_FRAG) && !(vip->flags & LB_VIP_F_HASH_ADDRS))
		return lb_drop(LB_DROP_FRAGMENT, pkt.len);

	if (pkt.flow.proto == IPPROTO_ICMP || pkt.flow.proto == IPPROTO_ICMPV6) {
		switch (lb_icmp_classify(&pkt)) {
		case LB_ICMP_ECHO:
			ret = lb_icmp_echo_reply(ctx, &pkt);
			if (ret)
				return lb_drop(ret, pkt.len);
			lb_stat_add(LB_STAT_ICMP_ECHO_REPLIED, pkt.len);
			return XDP_TX;
		case LB_ICMP_ERROR:
			ret = lb_target_icmp_error(ctx, &pkt, &tgt);
			break;
		default:
			return lb_pass(pkt.len);
		}
	} else {
		ret = lb_target_flow(&pkt, vip, fc, &tgt);
	}
	if (ret)
		return lb_drop(ret, pkt.len);
	return lb_send(ctx, &pkt, &tgt);
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	enum lb_early_filter early;
	struct lb_fc_ref fc_ref;
	int fast;

	/* Step 1, and step 2 before anything costly: most traffic is no VIP's. */
	early = lb_vip_filter_early(ctx);
	if (early == LB_EARLY_PASS)
		return lb_pass(ctx->data_end - ctx->data);
	/* Step 4a for an established flow's packet of the common shape, then the whole path. */
	fast = lb_fast_path(ctx, &fc_ref);
	if (fast >= 0)
		return fast;
	return lb_slow_path(ctx, early, fast, &fc_ref);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
