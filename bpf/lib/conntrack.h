/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Connection tracking: find a flow's backend by address, record new flows. */
#ifndef XDPLB_LIB_CONNTRACK_H
#define XDPLB_LIB_CONNTRACK_H

#include "lb_hash.h"
#include "maglev.h"
#include "stats.h"

static __always_inline bool lb_addr_equal(const __u32 *a, const __u32 *b)
{
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]));
}

/* Whether two flow keys are the same flow: five 64-bit words, pad included (zeroed). */
static __always_inline bool lb_flow_key_equal(const struct lb_flow_key *a,
					      const struct lb_flow_key *b)
{
	const __u64 *x = (const void *)a, *y = (const void *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4]));
}

/*
 * The (VIP, backend) pair of VIP vip_index and the backend at address addr,
 * by its local index hint when that is still right, else by lb_backend_ids;
 * *index is its index. NULL when the address is no backend of the VIP here
 * any more or the pair is DOWN.
 */
static __always_inline struct lb_backend *lb_backend_at(const __u32 *addr, __u8 family, __u32 hint,
							__u32 vip_index, __u32 *index)
{
	struct lb_backend_key key = {};
	struct lb_backend *be;
	__u32 *id;

	be = lb_backend_get(hint);
	if (be && be->family == family && be->vip_index == vip_index &&
	    lb_addr_equal(be->addr, addr)) {
		*index = hint;
	} else {
		__builtin_memcpy(key.addr, addr, sizeof(key.addr));
		key.family = family;
		key.vip_index = vip_index;
		id = bpf_map_lookup_elem(&lb_backend_ids, &key);
		if (!id)
			return NULL;
		/* The agent keeps lb_backend_ids right for the pair: the address is enough. */
		be = lb_backend_get(*id);
		if (!be || be->family != family || !lb_addr_equal(be->addr, addr))
			return NULL;
		*index = *id;
	}
	if (be->flags & LB_BE_F_DOWN)
		return NULL;
	return be;
}

/*
 * The backend a conntrack entry names, by address: the local index is only
 * a hint (entries from peers carry theirs). Refreshes the hint when it was
 * stale. NULL when the address is no backend of the flow's VIP here any more
 * or the pair is DOWN.
 */
static __always_inline struct lb_backend *lb_ct_backend(struct lb_conn *conn, __u32 vip_index,
							__u32 *index)
{
	struct lb_backend *be = lb_backend_at(conn->backend_addr, conn->backend_family,
					      conn->backend_index, vip_index, index);

	if (be && *index != conn->backend_index)
		conn->backend_index = *index;
	return be;
}

/* Whether an lb_ct_new slot holds this flow. */
static __always_inline bool lb_ct_seen_is(const struct lb_ct_seen *s, const struct lb_flow_key *key)
{
	return s->backend_family && lb_flow_key_equal(&s->key, key);
}

/*
 * Eight bits binding a slot's flow to its backend. Two CPUs writing one slot
 * at the same moment (two new flows of one pair) could leave one flow's key
 * with the other's backend, which would send the first flow's later packets
 * where its first one did not go; such a mix fails the digest 255 times in
 * 256 and is read as no entry (the flow is picked again). The writer sums
 * what it means to write, not what the slot holds after.
 */
static __always_inline __u8 lb_ct_seen_digest(const struct lb_flow_key *key, const __u32 *addr,
					      __u16 index)
{
	const __u32 *k = (const __u32 *)key;
	__u32 x = k[0] ^ k[1] ^ k[2] ^ k[3] ^ k[4] ^ k[5] ^ k[6] ^ k[7] ^ k[8] ^ k[9];

	x = lb_rol32(x, 16) ^ addr[0] ^ addr[1] ^ addr[2] ^ addr[3] ^ index;
	x *= 0x9e3779b1U;
	return x >> 24;
}

/* The backend a flow seen once was given, as lb_ct_backend() for lb_conntrack. */
static __always_inline struct lb_backend *lb_ct_seen_backend(const struct lb_ct_seen *s,
							     __u32 vip_index, __u32 *index)
{
	if (s->check != lb_ct_seen_digest(&s->key, s->backend_addr, s->backend_index))
		return NULL;
	return lb_backend_at(s->backend_addr, s->backend_family, s->backend_index, vip_index,
			     index);
}

/* Seconds of the coarse clock, as struct lb_conn.synced_s keeps them (mod 2^16). */
static __always_inline __u16 lb_ct_seconds(__u64 now)
{
	return now / 1000000000ULL;
}

/*
 * Writes a flow's lb_conntrack entry: packets seen so far, created at
 * created_ns. A refused write still lets the packet go. The refresh period
 * starts now, as if reported: with sync_first_packets at 2 the ESTABLISHED
 * event comes right at this insert (the confirm), where no entry was there
 * yet to note the time in.
 */
static __always_inline void lb_ct_insert(const struct lb_flow_key *key, const struct lb_backend *be,
					 __u32 index, __u64 packets, __u64 created_ns, __u64 now,
					 __u64 bytes)
{
	struct lb_conn conn = {
	    .backend_index = index,
	    .backend_family = be->family,
	    .packets = packets,
	    .created_ns = created_ns,
	    .last_seen_ns = now,
	    .synced_s = lb_ct_seconds(now),
	};

	__builtin_memcpy(conn.backend_addr, be->addr, sizeof(conn.backend_addr));
	if (bpf_map_update_elem(&lb_conntrack, key, &conn, BPF_ANY))
		lb_stat_add(LB_STAT_CT_INSERT_FAILED, bytes);
}

static __always_inline struct lb_ct_seen *lb_ct_seen_at(__u32 slot)
{
	return bpf_map_lookup_elem(&lb_ct_new, &slot);
}

/*
 * lb_ct_new is two-way set associative: a flow seen once is in its own slot
 * (the flow hash's low bits) or in the other slot of that pair.
 */
static __always_inline struct lb_ct_seen *lb_ct_seen_find(__u32 hash,
							  const struct lb_flow_key *key)
{
	__u32 slot = hash & lb_ct_new_mask;
	struct lb_ct_seen *s = lb_ct_seen_at(slot);

	if (s && lb_ct_seen_is(s, key))
		return s;
	s = lb_ct_seen_at(slot ^ 1);
	return s && lb_ct_seen_is(s, key) ? s : NULL;
}

/*
 * Where a flow's first packet is written: its own slot if free or already its
 * own, else the other slot if free or its own, else the older of the two. So
 * two handshakes in flight at once in one pair both keep their slot (were a
 * SYN to take its own slot blindly, the earlier one's ACK would find nothing
 * and, if the connection then idled, it would stay unconfirmed), and under a
 * flood the older entry goes first.
 */
static __always_inline struct lb_ct_seen *lb_ct_seen_victim(__u32 hash,
							    const struct lb_flow_key *key)
{
	__u32 slot = hash & lb_ct_new_mask;
	struct lb_ct_seen *own = lb_ct_seen_at(slot), *other;

	if (!own || !own->backend_family || lb_ct_seen_is(own, key))
		return own;
	other = lb_ct_seen_at(slot ^ 1);
	if (!other)
		return own;
	if (!other->backend_family || lb_ct_seen_is(other, key))
		return other;
	return (__s32)(other->seen_us - own->seen_us) < 0 ? other : own;
}

/* A flow's first packet: remembered in slot s, over whatever flow was there. */
static __always_inline void lb_ct_seen_write(struct lb_ct_seen *s, const struct lb_flow_key *key,
					     const struct lb_backend *be, __u32 index, __u64 now)
{
	s->key = *key;
	__builtin_memcpy(s->backend_addr, be->addr, sizeof(s->backend_addr));
	s->backend_index = index;
	s->backend_family = be->family;
	s->check = lb_ct_seen_digest(key, be->addr, index);
	s->seen_us = now >> 10;
}

/*
 * A flow's second packet: its entry moves from lb_ct_new to lb_conntrack.
 * Returns the flow's packet count, this packet included.
 */
static __always_inline __u64 lb_ct_confirm(const struct lb_flow_key *key, struct lb_ct_seen *s,
					   const struct lb_backend *be, __u32 index, __u64 now,
					   __u64 bytes)
{
	/* The first packet's time, from its 1024 ns units (which wrap after 73 minutes). */
	__u64 created = now - ((__u64)(__u32)((__u32)(now >> 10) - s->seen_us) << 10);

	lb_ct_insert(key, be, index, 2, created, now, bytes);
	s->backend_family = 0;
	return 2;
}

/*
 * Reports a flow to the agent for sync when its packet count went from prev
 * to n past a count the settings ask for (n - prev > 1 when the flow cache
 * served packets in between), or, once reported, when sync_refresh_s seconds
 * went by since its last report here: a long-lived flow with few packets
 * stays fresh in its peers' tables. conn is the lb_conntrack entry this packet
 * was counted on, or NULL (a flow seen once, or picked afresh).
 */
static __always_inline void lb_ct_report(const struct lb_flow_key *key, const struct lb_backend *be,
					 const struct lb_settings *set, struct lb_conn *conn,
					 __u32 vip_index, __u64 prev, __u64 n, __u64 now,
					 __u64 bytes)
{
	__u64 first = set->sync_first_packets, every = set->sync_refresh_packets;
	__u16 period = set->sync_refresh_s;
	struct lb_flow_event *ev;
	__u8 reason;

	if (first && prev < first && n >= first)
		reason = LB_EVENT_ESTABLISHED;
	else if (every && prev >= first && (n - first) / every != (prev - first) / every)
		reason = LB_EVENT_REFRESH;
	else if (period && first && conn && prev >= first &&
		 (__u16)(lb_ct_seconds(now) - conn->synced_s) >= period)
		reason = LB_EVENT_REFRESH;
	else
		return;
	/* Before the reserve: a full ring is not retried on every packet. */
	if (conn)
		conn->synced_s = lb_ct_seconds(now);
	ev = bpf_ringbuf_reserve(&lb_events, sizeof(*ev), 0);
	if (!ev) {
		lb_stat_add(LB_STAT_EVENTS_LOST, bytes);
		return;
	}
	__builtin_memcpy(&ev->flow, key, sizeof(ev->flow));
	__builtin_memcpy(ev->backend_addr, be->addr, sizeof(ev->backend_addr));
	ev->backend_family = be->family;
	ev->reason = reason;
	ev->pad0 = 0;
	ev->vip_index = vip_index;
	ev->packets = n;
	bpf_ringbuf_submit(ev, 0);
	lb_stat_add(LB_STAT_EVENTS_SENT, bytes);
}

#endif /* XDPLB_LIB_CONNTRACK_H */
