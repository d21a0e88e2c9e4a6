// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Sync against the maps: a received record becomes an lb_conntrack entry
 * (backend found by address, VIP checked), and a dump is a resumable walk
 * over lb_conntrack. Times cross the wire as ages, since peers' monotonic
 * clocks do not agree.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "common/clock.h"
#include "common/log.h"
#include "sync/sync_int.h"

void sync_record_from_event(struct sync_record *r, const struct lb_flow_event *ev)
{
	memset(r, 0, sizeof(*r));
	r->flow = ev->flow;
	memset(r->flow.pad, 0, sizeof(r->flow.pad));
	memcpy(r->backend_addr, ev->backend_addr, sizeof(r->backend_addr));
	r->backend_family = ev->backend_family;
	/* An event is sent as its packet passes: the flow is live now; its age is not in it. */
}

static struct sync_cache_slot *sync_cache_find(struct sync *s, uint8_t kind, const void *key,
					       size_t len, uint64_t now_ms, bool *hit)
{
	const uint8_t *k = key;
	uint32_t h = 2166136261u;
	struct sync_cache_slot *slot;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ k[i]) * 16777619u;
	slot = &s->cache[(h ^ kind) % SYNC_CACHE_SLOTS];
	*hit = slot->kind == kind && slot->expires_ms > now_ms && !memcmp(slot->key, key, len);
	if (!*hit) {
		slot->kind = kind;
		slot->expires_ms = now_ms + SYNC_CACHE_TTL_MS;
		memset(slot->key, 0, sizeof(slot->key));
		memcpy(slot->key, key, len);
	}
	return slot;
}

/* vip_index of a VIP found only by its address: which of its ports is not in the flow key. */
#define SYNC_VIP_BY_ADDRESS 0x80000000U

/*
 * Is the record's VIP one of ours? *vip_index says which, for the (VIP,
 * backend) pair. Port 0 flows (hash on addresses) match by address only.
 */
static bool sync_vip_lookup(struct sync *s, const struct lb_flow_key *f, uint32_t *vip_index)
{
	struct lb_vip_key k = {};
	struct lb_vip_info info;

	memcpy(k.addr, f->dst, sizeof(k.addr));
	k.family = f->family;
	k.proto = f->proto;
	k.port = f->dport;
	*vip_index = 0;
	if (!bpf_map_lookup_elem(s->p.vips_fd, &k, &info))
		goto found;
	k.port = 0;
	if (!bpf_map_lookup_elem(s->p.vips_fd, &k, &info))
		goto found;
	if (f->dport)
		return false;
	/* The agent writes one ICMP entry per VIP address: "this address is a VIP here". */
	k.proto = f->family == LB_AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	if (bpf_map_lookup_elem(s->p.vips_fd, &k, &info))
		return false;
	*vip_index = SYNC_VIP_BY_ADDRESS;
	return true;
found:
	*vip_index = info.vip_index;
	return true;
}

static bool sync_vip_known(struct sync *s, const struct lb_flow_key *f, uint64_t now_ms,
			   uint32_t *vip_index)
{
	struct lb_vip_key k = {};
	struct sync_cache_slot *slot;
	bool hit;

	if (s->p.vips_fd < 0)
		return true;
	memcpy(k.addr, f->dst, sizeof(k.addr));
	k.family = f->family;
	k.proto = f->proto;
	k.port = f->dport;
	slot = sync_cache_find(s, 1, &k, sizeof(k), now_ms, &hit);
	if (!hit)
		slot->found = sync_vip_lookup(s, f, &slot->value);
	*vip_index = slot->value;
	return slot->found;
}

/*
 * The local index of the record's (VIP, backend) pair. A VIP known only by
 * its address gets index 0: the data plane finds the pair by the address and
 * the VIP of the flow's first packet here.
 */
static bool sync_backend_index(struct sync *s, const struct sync_record *r, uint32_t vip_index,
			       uint64_t now_ms, __u32 *index)
{
	struct lb_backend_key k = {};
	struct sync_cache_slot *slot;
	bool hit;

	*index = 0;
	if (vip_index == SYNC_VIP_BY_ADDRESS)
		return true;
	memcpy(k.addr, r->backend_addr, sizeof(k.addr));
	k.family = r->backend_family;
	k.vip_index = vip_index;
	slot = sync_cache_find(s, 2, &k, sizeof(k), now_ms, &hit);
	if (!hit)
		slot->found = !bpf_map_lookup_elem(s->p.backend_ids_fd, &k, &slot->value);
	*index = slot->value;
	return slot->found;
}

/*
 * A peer's record replaces whatever this node holds for the flow: the flow
 * was established through that peer, so its backend is the one the client's
 * connection lives on.
 */
static enum sync_reject sync_conn_from_record(struct sync *s, const struct sync_record *r,
					      uint64_t now, struct lb_conn *c)
{
	uint64_t now_ms = now / 1000000ULL, idle = (uint64_t)r->idle_ms * 1000000ULL;
	uint64_t age = (uint64_t)r->age_ms * 1000000ULL;
	__u32 index, vip_index = 0;

	if (!sync_vip_known(s, &r->flow, now_ms, &vip_index))
		return SYNC_REJ_UNKNOWN_VIP;
	if (!sync_backend_index(s, r, vip_index, now_ms, &index))
		return SYNC_REJ_UNKNOWN_BACKEND;
	memset(c, 0, sizeof(*c));
	memcpy(c->backend_addr, r->backend_addr, sizeof(c->backend_addr));
	c->backend_index = index;
	c->backend_family = r->backend_family;
	c->flags = LB_CONN_F_SYNCED;
	c->last_seen_ns = now > idle ? now - idle : 0;
	c->created_ns = now > age ? now - age : 0;
	if (c->created_ns > c->last_seen_ns)
		c->created_ns = c->last_seen_ns;
	return SYNC_REJ_NONE;
}

void sync_apply_records(struct sync *s, const void *dgram, size_t count)
{
	uint64_t now = clock_now_ns();
	struct sync_record r;
	enum sync_reject why;
	__u32 n = 0, total, i;

	for (i = 0; i < count; i++) {
		why = sync_decode_record(dgram, i, &r);
		if (!why)
			why = sync_conn_from_record(s, &r, now, &s->ct_vals[n]);
		if (why) {
			s->st.rejected[why]++;
			continue;
		}
		s->ct_keys[n++] = r.flow;
	}
	if (!n)
		return;
	total = n;
	if (!bpf_map_update_batch(s->p.conntrack_fd, s->ct_keys, s->ct_vals, &n, NULL)) {
		s->st.records_applied += total;
		return;
	}
	/* n says how many went in before the refusal: the rest one by one. */
	s->st.records_applied += n;
	for (i = n; i < total; i++) {
		if (bpf_map_update_elem(s->p.conntrack_fd, &s->ct_keys[i], &s->ct_vals[i], BPF_ANY))
			s->st.rejected[SYNC_REJ_MAP_WRITE]++;
		else
			s->st.records_applied++;
	}
}
