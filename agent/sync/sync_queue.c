// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The send queue: datagrams encoded and authenticated as they are queued,
 * sent by sync.c when the socket takes them. Records, dump parts and the
 * heartbeat all go through it, so it sits below both the transport and the
 * dump server.
 */
#include <errno.h>
#include <string.h>

#include "sync/sync_int.h"

void sync_hdr_init(struct sync *s, struct sync_hdr *h, uint8_t type, uint32_t target)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->node_id = s->p.node_id;
	h->target_id = target;
	h->flags = s->in_sync ? SYNC_HDR_F_IN_SYNC : 0;
	if (type == SYNC_MSG_DUMP_REQUEST || type == SYNC_MSG_DUMP_PART)
		h->flags |= SYNC_HDR_F_ACKS;
	h->epoch = s->epoch;
	h->seq = ++s->seq;
	memcpy(h->zone, s->zone, sizeof(h->zone));
}

struct sync_qitem *sync_queue_slot(struct sync *s, const struct sockaddr_storage *to,
				   socklen_t tolen)
{
	struct sync_qitem *q;

	if (s->q_len == SYNC_QUEUE_MAX)
		return NULL;
	q = &s->queue[(s->q_head + s->q_len) % SYNC_QUEUE_MAX];
	q->unicast = to != NULL;
	if (to) {
		q->to = *to;
		q->tolen = tolen;
	}
	return q;
}

int sync_enqueue_records(struct sync *s, uint8_t type, uint32_t target,
			 const struct sockaddr_storage *to, socklen_t tolen,
			 const struct sync_record *rec, size_t n)
{
	struct sync_qitem *q = sync_queue_slot(s, to, tolen);
	struct sync_hdr h;
	int len;

	if (!q)
		return -ENOBUFS;
	sync_hdr_init(s, &h, type, target);
	if (type == SYNC_MSG_RECORDS || type == SYNC_MSG_DUMP_PART)
		len = sync_encode_records(q->buf, s->dgram_max, &h, rec, n, s->key);
	else
		len = sync_encode_empty(q->buf, s->dgram_max, &h, s->key);
	if (len < 0)
		return len;
	q->len = len;
	s->q_len++;
	return 0;
}

int sync_enqueue_dump_ack(struct sync *s, struct sync_peer *p)
{
	struct sync_qitem *q = sync_queue_slot(s, &p->addr, p->addrlen);
	struct sync_hdr h;
	int len;

	if (!q)
		return -ENOBUFS;
	sync_hdr_init(s, &h, SYNC_MSG_DUMP_ACK, p->id);
	len = sync_encode_dump_ack(q->buf, s->dgram_max, &h, p->dump_rx, s->key);
	if (len < 0)
		return len;
	q->len = len;
	s->q_len++;
	p->dump_rx_acked = p->dump_rx;
	return 0;
}
