/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Connection tracking: find a flow's backend by address, record new flows. */
#ifndef XDPLB_LIB_CONNTRACK_H
#define XDPLB_LIB_CONNTRACK_H

#include "maglev.h"
#include "stats.h"

static __always_inline bool lb_addr_equal(const __u32 *a, const __u32 *b)
{
	return !((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]));
}

/*
 * The backend a conntrack entry names, by address: the local index is only
 * a hint (entries from peers carry theirs). Refreshes the hint when it was
 * stale. NULL when the address is no backend here any more or it is DOWN.
 */
static __always_inline struct lb_backend *lb_ct_backend(struct lb_conn *conn, __u32 *index)
{
	struct lb_backend_key key = {};
	struct lb_backend *be;
	__u32 *id;

	be = lb_backend_get(conn->backend_index);
	if (be && be->family == conn->backend_family &&
	    lb_addr_equal(be->addr, conn->backend_addr)) {
		*index = conn->backend_index;
	} else {
		__builtin_memcpy(key.addr, conn->backend_addr, sizeof(key.addr));
		key.family = conn->backend_family;
		id = bpf_map_lookup_elem(&lb_backend_ids, &key);
		if (!id)
			return NULL;
		be = lb_backend_get(*id);
		if (!be || be->family != conn->backend_family ||
		    !lb_addr_equal(be->addr, conn->backend_addr))
			return NULL;
		*index = *id;
		conn->backend_index = *id;
	}
	if (be->flags & LB_BE_F_DOWN)
		return NULL;
	return be;
}

/* Writes the entry of a freshly picked flow into map; a refused write still lets the packet go. */
static __always_inline void lb_ct_insert(void *map, const struct lb_flow_key *key,
					 const struct lb_backend *be, __u32 index, __u64 now,
					 __u64 bytes)
{
	struct lb_conn conn = {
	    .backend_index = index,
	    .backend_family = be->family,
	    .packets = 1,
	    .created_ns = now,
	    .last_seen_ns = now,
	};

	__builtin_memcpy(conn.backend_addr, be->addr, sizeof(conn.backend_addr));
	if (bpf_map_update_elem(map, key, &conn, BPF_ANY))
		lb_stat_add(LB_STAT_CT_INSERT_FAILED, bytes);
}

/*
 * A flow's second packet: its entry moves from lb_ct_new to lb_conntrack.
 * Returns the flow's packet count, this packet included.
 */
static __always_inline __u64 lb_ct_confirm(const struct lb_flow_key *key,
					   const struct lb_conn *unconfirmed, __u64 now, __u64 bytes)
{
	struct lb_conn conn = *unconfirmed;

	conn.packets++;
	conn.last_seen_ns = now;
	if (bpf_map_update_elem(&lb_conntrack, key, &conn, BPF_ANY))
		lb_stat_add(LB_STAT_CT_INSERT_FAILED, bytes);
	bpf_map_delete_elem(&lb_ct_new, key);
	return conn.packets;
}

/*
 * Reports a flow to the agent for sync when its packet count went from prev
 * to n past a count the settings ask for (n - prev > 1 when the flow cache
 * served packets in between).
 */
static __always_inline void lb_ct_report(const struct lb_flow_key *key, const struct lb_backend *be,
					 const struct lb_settings *set, __u32 vip_index, __u64 prev,
					 __u64 n, __u64 bytes)
{
	__u64 first = set->sync_first_packets, every = set->sync_refresh_packets;
	struct lb_flow_event *ev;
	__u8 reason;

	if (first && prev < first && n >= first)
		reason = LB_EVENT_ESTABLISHED;
	else if (every && prev >= first && (n - first) / every != (prev - first) / every)
		reason = LB_EVENT_REFRESH;
	else
		return;
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
