// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Serving a bulk dump: a peer that (re)starts asks for every flow this node
 * tracks; the walk over lb_conntrack goes a budget of entries per call and
 * queues the records as dump parts, so a big table never stalls the loop.
 */
#include <stdint.h>
#include <string.h>
#include <bpf/bpf.h>

#include "common/clock.h"
#include "common/log.h"
#include "sync/sync_int.h"

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
	uint64_t now = clock_now_ns();

	while (budget--) {
		if (d->n_batch == s->per_dgram && !sync_dump_flush(s, d))
			return false; /* queue full: carry on when it drains */
		/* A deleted cursor restarts the walk at the first key: twice the table is enough.
		 */
		if (++d->visited > 2ULL * s->ct_max ||
		    bpf_map_get_next_key(s->p.conntrack_fd, d->started ? &d->cursor : NULL, &next))
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
