// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Sync against the maps: a received record becomes an lb_conntrack entry
 * (backend found by address, VIP checked), and a dump is a resumable walk
 * over lb_conntrack. Times cross the wire as ages, since peers' monotonic
 * clocks do not agree.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "log.h"
#include "sync_int.h"

uint64_t sync_now_ns(void)
{
	struct timespec ts;

	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC: conntrack times compare with this. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t sync_now_ms(void)
{
	return sync_now_ns() / 1000000ULL;
}

void sync_record_from_event(struct sync_record *r, const struct lb_flow_event *ev)
{
	memset(r, 0, sizeof(*r));
	r->flow = ev->flow;
	memset(r->flow.pad, 0, sizeof(r->flow.pad));
	memcpy(r->backend_addr, ev->backend_addr, sizeof(r->backend_addr));
	r->backend_family = ev->backend_family;
	/* An event is sent as its packet passes: the flow is live now; its age is not in it. */
}

/* Is the record's VIP one of ours? Port 0 flows (hash on addresses) match by address. */
static bool sync_vip_known(struct sync *s, const struct lb_flow_key *f)
{
	struct lb_vip_key k = {};
	struct lb_vip_info info;

	if (s->p.vips_fd < 0)
		return true;
	memcpy(k.addr, f->dst, sizeof(k.addr));
	k.family = f->family;
	k.proto = f->proto;
	k.port = f->dport;
	if (!bpf_map_lookup_elem(s->p.vips_fd, &k, &info))
		return true;
	k.port = 0;
	if (!bpf_map_lookup_elem(s->p.vips_fd, &k, &info))
		return true;
	if (f->dport)
		return false;
	/* The agent writes one ICMP entry per VIP address: "this address is a VIP here". */
	k.proto = f->family == LB_AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	return !bpf_map_lookup_elem(s->p.vips_fd, &k, &info);
}

enum sync_reject sync_apply_record(struct sync *s, const struct sync_record *r)
{
	struct lb_backend_key bk = {};
	struct lb_conn old, conn = {};
	uint64_t now = sync_now_ns(), last, idle_ns;
	__u32 index;

	if (!sync_vip_known(s, &r->flow))
		return SYNC_REJ_UNKNOWN_VIP;
	memcpy(bk.addr, r->backend_addr, sizeof(bk.addr));
	bk.family = r->backend_family;
	if (bpf_map_lookup_elem(s->p.backend_ids_fd, &bk, &index))
		return SYNC_REJ_UNKNOWN_BACKEND;

	idle_ns = (uint64_t)r->idle_ms * 1000000ULL;
	last = now > idle_ns ? now - idle_ns : 0;
	if (!bpf_map_lookup_elem(s->p.conntrack_fd, &r->flow, &old)) {
		/* Same backend: keep the local counts, only freshen. A newer local entry wins. */
		if (old.last_seen_ns >= last) {
			s->st.records_older++;
			return SYNC_REJ_NONE;
		}
		if (old.backend_family == r->backend_family &&
		    !memcmp(old.backend_addr, r->backend_addr, sizeof(old.backend_addr))) {
			conn = old;
			conn.last_seen_ns = last;
			goto write;
		}
	}
	memcpy(conn.backend_addr, r->backend_addr, sizeof(conn.backend_addr));
	conn.backend_index = index;
	conn.backend_family = r->backend_family;
	conn.flags = LB_CONN_F_SYNCED;
	conn.created_ns = now - (uint64_t)r->age_ms * 1000000ULL;
	if (conn.created_ns > last || now < (uint64_t)r->age_ms * 1000000ULL)
		conn.created_ns = last;
	conn.last_seen_ns = last;
write:
	if (bpf_map_update_elem(s->p.conntrack_fd, &r->flow, &conn, BPF_ANY))
		return SYNC_REJ_MAP_WRITE;
	s->st.records_applied++;
	return SYNC_REJ_NONE;
}

static void sync_record_from_conn(struct sync_record *r, const struct lb_flow_key *k,
				  const struct lb_conn *c, uint64_t now)
{
	uint64_t age = now > c->created_ns ? (now - c->created_ns) / 1000000ULL : 0;
	uint64_t idle = now > c->last_seen_ns ? (now - c->last_seen_ns) / 1000000ULL : 0;

	memset(r, 0, sizeof(*r));
	r->flow = *k;
	memcpy(r->backend_addr, c->backend_addr, sizeof(r->backend_addr));
	r->backend_family = c->backend_family;
	r->flags = SYNC_REC_F_DUMP;
	r->age_ms = age > UINT32_MAX ? UINT32_MAX : age;
	r->idle_ms = idle > UINT32_MAX ? UINT32_MAX : idle;
}

static bool sync_dump_flush(struct sync *s, struct sync_dump *d)
{
	if (!d->n_batch)
		return true;
	if (sync_enqueue_records(s, SYNC_MSG_DUMP_PART, d->target_id, &d->to, d->tolen, d->batch,
				 d->n_batch))
		return false;
	d->records += d->n_batch;
	s->st.dump_records_sent += d->n_batch;
	d->n_batch = 0;
	return true;
}

bool sync_dump_step(struct sync *s, struct sync_dump *d, unsigned int budget)
{
	struct lb_flow_key next;
	struct lb_conn c;
	uint64_t now = sync_now_ns();

	while (budget--) {
		if (d->n_batch == s->per_dgram && !sync_dump_flush(s, d))
			return false; /* queue full: carry on when it drains */
		if (bpf_map_get_next_key(s->p.conntrack_fd, d->started ? &d->cursor : NULL, &next))
			goto done;
		d->cursor = next;
		d->started = true;
		/* An entry evicted meanwhile is simply skipped. */
		if (bpf_map_lookup_elem(s->p.conntrack_fd, &next, &c) || !c.backend_family)
			continue;
		sync_record_from_conn(&d->batch[d->n_batch++], &next, &c, now);
	}
	return false;
done:
	if (!sync_dump_flush(s, d))
		return false;
	if (sync_enqueue_records(s, SYNC_MSG_DUMP_END, d->target_id, &d->to, d->tolen, NULL, 0))
		return false;
	log_info("sync: dump of %llu flows sent to node %u", (unsigned long long)d->records,
		 d->target_id);
	s->st.dumps_served++;
	d->active = false;
	return true;
}
