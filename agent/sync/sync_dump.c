// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Serving a bulk dump: a peer that (re)starts asks for every flow this node
 * tracks; the walk over lb_conntrack goes a budget of entries per call and
 * queues the records as dump parts, so a big table never stalls the loop.
 */
#include <stdint.h>
#include <string.h>

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

/*
 * Is the requester's window full? Past SYNC_DUMP_ACK_WAIT_MS without an ack
 * (one was lost), the window counts as received and a new one goes out: a
 * lost ack costs a pause, never a crawl.
 */
static bool sync_dump_window_full(struct sync_dump *d)
{
	uint64_t now = clock_now_ms();

	if (!d->acks || d->records - d->acked < SYNC_DUMP_WINDOW) {
		d->waiting = false;
	} else if (now - d->last_ack_ms >= SYNC_DUMP_ACK_WAIT_MS) {
		d->acked = d->records;
		d->last_ack_ms = now;
		d->waiting = false;
	} else {
		d->waits += !d->waiting;
		d->waiting = true;
	}
	return d->waiting;
}

static bool sync_dump_flush(struct sync *s, struct sync_dump *d)
{
	if (!d->n_batch)
		return true;
	if (sync_dump_window_full(d))
		return false;
	if (sync_enqueue_records(s, SYNC_MSG_DUMP_PART, d->target_id, &d->to, d->tolen, d->batch,
				 d->n_batch))
		return false;
	d->records += d->n_batch;
	s->st.dump_records_sent += d->n_batch;
	d->n_batch = 0;
	return true;
}

/* Walks lb_conntrack on (common/ct_walk.c: a chunk of entries per syscall, no bucket locks). */
bool sync_dump_step(struct sync *s, struct sync_dump *d, unsigned int budget)
{
	struct ct_walk *w = d->walk;
	uint64_t now = clock_now_ns();
	int err;

	while (budget) {
		if (d->n_batch == s->per_dgram && !sync_dump_flush(s, d))
			return false; /* queue full or window full: carry on when either drains */
		if (d->pos == w->n) {
			if (w->done)
				goto done;
			err = ct_walk_next(w);
			if (err) {
				log_warnx("sync: dump to node %u: reading lb_conntrack: %s",
					  d->target_id, strerror(-err));
				goto done;
			}
			d->pos = 0;
			continue;
		}
		budget--;
		/* A slot being rewritten as it is read has no backend yet: skipped. */
		if (w->e[d->pos].conn.backend_family)
			sync_record_from_conn(&d->batch[d->n_batch++], &w->e[d->pos].key,
					      &w->e[d->pos].conn, now);
		d->pos++;
	}
	return false;
done:
	if (!sync_dump_flush(s, d))
		return false;
	if (sync_enqueue_records(s, SYNC_MSG_DUMP_END, d->target_id, &d->to, d->tolen, NULL, 0))
		return false;
	log_info("sync: dump of %llu flows sent to node %u in %llu ms (%llu waits for its acks)",
		 (unsigned long long)d->records, d->target_id,
		 (unsigned long long)(clock_now_ms() - d->started_ms),
		 (unsigned long long)d->waits);
	s->st.dumps_served++;
	d->active = false;
	ct_walk_close(d->walk);
	d->walk = NULL;
	return true;
}
