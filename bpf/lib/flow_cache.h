/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The per-CPU flow cache in front of lb_vips and lb_conntrack: an established
 * flow's packets skip both hash lookups (docs/DATAPLANE.md, "Flow cache").
 */
#ifndef XDPLB_LIB_FLOW_CACHE_H
#define XDPLB_LIB_FLOW_CACHE_H

#include "lb_hash.h"
#include "maps.h"
#include "conntrack.h"
#include "maglev.h"
#include "parse.h"

_Static_assert(LB_FLOW_CACHE_SLOTS == 1U << LB_FLOW_CACHE_LOG2, "the slot is a hash's top bits");

/*
 * Unfragmented TCP and UDP but a SYN: the packets that look in the cache. A
 * SYN opens a connection, which conntrack decides; it does not even read its
 * slot (a new flow's slot is a cold line, about a third of a SYN's time in
 * bench_xdp): lb_target_flow() empties the slot when the SYN replaces a tracked
 * tuple, the only way the slot can hold it (docs/DATAPLANE.md, "Flow cache").
 */
static __always_inline bool lb_fc_applies(const struct lb_pkt *pkt)
{
	if (pkt->flags & LB_PKT_F_FRAG)
		return false;
	if (pkt->flow.proto == IPPROTO_TCP)
		return !(pkt->tcp_flags & LB_TCP_FLAG_SYN);
	return pkt->flow.proto == IPPROTO_UDP;
}

static __always_inline __u32 lb_fc_generation(void)
{
	__u32 zero = 0, *gen = bpf_map_lookup_elem(&lb_generation, &zero);

	return gen ? *gen : 0;
}

/* A flow's place in this CPU's cache: its slot, and the tag it has in its tag word. */
struct lb_fc_ref {
	__u16 *tagp; /* this CPU's lb_flow_cache_tags word of the slot */
	__u32 slot;
	__u16 tag;   /* never 0, which marks an empty slot */
};

/*
 * A flow's slot and tag come from a multiplicative hash of its words folded
 * by xor (lb_fc_fold()): a few instructions where the flow hash (jhash)
 * takes thirty. They only spread one CPU's flows over its cache, so they need
 * no seed: flows made to collide only push each other to the conntrack path.
 * A hit takes the flow hash from the entry. False when the tag array is
 * missing (never).
 */
static __always_inline bool lb_fc_find_folded(__u32 x, struct lb_fc_ref *ref)
{
	struct lb_flow_cache_tags *tags;
	__u32 zero = 0;

	tags = bpf_map_lookup_elem(&lb_flow_cache_tags, &zero);
	if (!tags)
		return false;
	ref->slot = (x * 0x9e3779b1U) >> (32 - LB_FLOW_CACHE_LOG2);
	ref->tag = (x * 0x85ebca77U) >> 16 | 1;
	ref->tagp = &tags->tag[ref->slot];
	return true;
}

/* The fold of a flow: its addresses (words 1-3 only for IPv6) and its ports as one word. */
static __always_inline __u32 lb_fc_fold(const __u32 *src, const __u32 *dst, __u32 ports,
					 bool ip6)
{
	__u32 x = src[0] ^ dst[0] ^ ports;

	if (ip6)
		x ^= lb_rol32(src[1] ^ dst[1], 8) ^ lb_rol32(src[2] ^ dst[2], 16) ^
		     lb_rol32(src[3] ^ dst[3], 24);
	return x;
}

static __always_inline bool lb_fc_find(const struct lb_flow_key *flow, struct lb_fc_ref *ref)
{
	const __u32 *w = (const __u32 *)flow;

	return lb_fc_find_folded(lb_fc_fold(flow->src, flow->dst, w[8], flow->family != LB_AF_INET),
				 ref);
}

/*
 * The slot's entry if its tag is the flow's, else NULL without touching the
 * entry: a new flow's entry is a line nobody read lately (bench_xdp: reading
 * it was a third of a new flow's cost), while the tag words, 8 KiB a CPU,
 * stay in the first-level cache. The caller still compares the whole key.
 */
static __always_inline struct lb_flow_cache_entry *lb_fc_entry(const struct lb_fc_ref *ref)
{
	if (*ref->tagp != ref->tag)
		return NULL;
	return bpf_map_lookup_elem(&lb_flow_cache, &ref->slot);
}

/*
 * The backend of a cached flow whose key the caller matched, or NULL:
 * another generation, a batch used up or a second gone since the last visit
 * (time to visit conntrack: its count, idle age and LRU recency), the backend
 * DOWN or no longer at its index. Changes nothing: a caller that sends the
 * packet counts it against the batch (fc->pending++).
 */
static __always_inline struct lb_backend *lb_fc_backend(const struct lb_flow_cache_entry *fc)
{
	struct lb_backend *be;
	__u32 gen = lb_fc_generation();

	if (!gen || fc->gen != gen || fc->pending >= LB_FLOW_CACHE_BATCH ||
	    bpf_jiffies64() - fc->visited_jiffies > LB_FLOW_CACHE_VISIT_JIFFIES)
		return NULL;
	be = lb_backend_get(fc->be_index);
	if (!be || (be->flags & (LB_BE_F_DOWN | LB_BE_F_NO_NEXTHOP)) ||
	    ((be->addr[0] ^ fc->be_addr[0]) | (be->addr[1] ^ fc->be_addr[1]) |
	     (be->addr[2] ^ fc->be_addr[2]) | (be->addr[3] ^ fc->be_addr[3])))
		return NULL;
	return be;
}

/*
 * Packets the entry served for this flow since its last conntrack visit, to be
 * added to the conntrack entry; the slot is emptied for the flow meanwhile
 * (its tag cleared: nothing reads an entry without it, and a fill rewrites
 * the whole entry).
 */
static __always_inline __u32 lb_fc_take(const struct lb_fc_ref *ref,
					const struct lb_flow_key *flow)
{
	struct lb_flow_cache_entry *fc = ref ? lb_fc_entry(ref) : NULL;

	if (!fc || !lb_flow_key_equal(&fc->key, flow))
		return 0;
	*ref->tagp = 0;
	return fc->pending;
}

/* A SYN replaced the flow's entry in lb_conntrack: its slot, if it holds the flow, is void. */
static __always_inline void lb_fc_forget(const struct lb_flow_key *flow)
{
	struct lb_fc_ref ref;

	if (lb_fc_find(flow, &ref))
		lb_fc_take(&ref, flow);
}

/* Caches a flow conntrack has just confirmed (hash: its flow hash), unless lb_generation is 0. */
static __always_inline void lb_fc_fill(const struct lb_fc_ref *ref,
				       const struct lb_flow_key *flow, __u32 hash,
				       const struct lb_vip_info *vip, const struct lb_backend *be,
				       __u32 be_index)
{
	struct lb_flow_cache_entry *fc;
	__u32 gen = lb_fc_generation();

	if (!gen) /* the cache is off: nothing would ever match the entry */
		return;
	fc = bpf_map_lookup_elem(&lb_flow_cache, &ref->slot);
	if (!fc)
		return;
	*ref->tagp = ref->tag;
	fc->key = *flow;
	fc->vip = *vip;
	__builtin_memcpy(fc->be_addr, be->addr, sizeof(fc->be_addr));
	fc->be_index = be_index;
	fc->hash = hash;
	fc->outer_hash = lb_hash_outer(hash);
	fc->pending = 0;
	fc->visited_jiffies = bpf_jiffies64();
	fc->gen = gen;
}

#endif /* XDPLB_LIB_FLOW_CACHE_H */
