/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Inside the sync subsystem: the state shared by sync.c (transport) and sync_apply.c (maps). */
#ifndef XDPLB_SYNC_INT_H
#define XDPLB_SYNC_INT_H

#include <netinet/in.h>

#include "common/ct_walk.h"
#include "sync/sync.h"

struct ring_buffer;

struct sync_peer {
	bool used; /* the slot holds a peer, live or gone (its window is kept) */
	bool live; /* heard within peer_timeout */
	uint32_t id;
	char zone[SYNC_ZONE_LEN];
	struct sockaddr_storage addr; /* where its datagrams come from (its unicast socket) */
	socklen_t addrlen;
	uint64_t last_seen_ms; /* monotonic */
	struct sync_window win;
	uint64_t records_received; /* in its current epoch */
	uint64_t lag_records;
	uint32_t queue_depth;
	bool in_sync;
	bool dump_done;		/* its DUMP_END for our current catch-up arrived */
	uint64_t served_epoch;	/* we served (or serve) a dump to this epoch of it... */
	uint32_t served_gen;	/* ...and to this request of that epoch */
	uint64_t lag_seen;	/* lag_records when we last asked it for a dump */
	uint64_t lag_base;	/* lag at its first heartbeat: sent before we heard it */
	bool hb_seen;		/* a heartbeat of its epoch arrived: lag_base is set */
	uint64_t dump_rx;	/* its dump records received since we last asked for a dump */
	uint64_t dump_rx_acked; /* dump_rx as our last DUMP_ACK to it said */
};

struct sync_qitem {
	size_t len;
	bool unicast;
	struct sockaddr_storage to;
	socklen_t tolen;
	uint8_t *buf;
};

/* A dump we serve: a walk over lb_conntrack, resumable. */
struct sync_dump {
	bool active;
	uint32_t target_id;
	struct sockaddr_storage to;
	socklen_t tolen;
	struct ct_walk *walk; /* the entries read and not yet all encoded; NULL between dumps */
	uint32_t pos;	      /* the next of walk's entries to encode */
	struct sync_record *batch;
	size_t n_batch;
	uint64_t records;
	bool acks;	      /* the requester acknowledges: keep a window (SYNC_HDR_F_ACKS) */
	bool waiting;	      /* the window is full: resumes on an ack or after the wait */
	uint64_t acked;	      /* records it says it has */
	uint64_t last_ack_ms; /* monotonic, of its last ack (or of the start) */
	uint64_t started_ms;  /* monotonic */
	uint64_t waits;	      /* times the window was full */
};

/*
 * Flow control of a dump: at most SYNC_DUMP_WINDOW records unacknowledged
 * (about 780 full datagrams, under the requester's SYNC_SOCKBUF socket
 * buffer), an ack every SYNC_DUMP_ACK_EVERY records; a lost ack stalls the
 * dump for SYNC_DUMP_ACK_WAIT_MS, then it goes on.
 */
#define SYNC_DUMP_WINDOW      16384
#define SYNC_DUMP_ACK_EVERY   4096
#define SYNC_DUMP_ACK_WAIT_MS 200

/*
 * Entries a dump copies out of lb_conntrack per run of the walk (88 MiB at
 * most, while it runs): each run walks past the entries of the runs before,
 * so fewer, larger chunks make a 10M dump faster.
 */
#define SYNC_DUMP_CHUNK (1U << 20)

/*
 * Recent answers of lb_vips and lb_backend_ids, so a datagram costs one map
 * syscall rather than three per record. A stale answer is harmless: the data
 * plane checks a conntrack entry's backend by address, and an entry for a VIP
 * gone a moment ago just ages out of the LRU.
 */
#define SYNC_CACHE_SLOTS  1024
#define SYNC_CACHE_TTL_MS 250

struct sync_cache_slot {
	uint64_t expires_ms;
	uint8_t kind; /* 1 VIP, 2 backend */
	bool found;
	uint32_t value; /* VIP: its vip_index; backend: the pair's index */
	uint8_t key[sizeof(struct lb_vip_key)];
};

struct sync {
	struct sync_params p;
	struct cfg_sync cfg;
	char zone[SYNC_ZONE_LEN];
	uint8_t key[SYNC_KEY_LEN];
	int family; /* AF_INET or AF_INET6 */
	unsigned int ifindex;
	int epfd, mc_fd, uc_fd, timer_fd, kick_fd;
	struct ring_buffer *rb;
	struct sockaddr_storage group;
	socklen_t grouplen;
	size_t dgram_max, per_dgram;
	uint64_t epoch, seq;
	uint64_t started_ms, last_hb_ms;
	uint32_t dump_gen; /* our dump requests, numbered: a peer serves each once */
	uint64_t last_request_ms;
	uint64_t last_dump_rx_ms; /* a dump part's arrival: dump_timeout counts from the last */
	bool in_sync;
	bool want_out;		   /* EPOLLOUT asked on uc_fd */
	struct sync_record *batch; /* records waiting for a multicast datagram */
	size_t n_batch;
	struct sync_qitem queue[SYNC_QUEUE_MAX];
	size_t q_head, q_len;
	struct sync_peer peers[SYNC_PEERS_MAX];
	struct sync_dump dumps[SYNC_DUMPS_MAX];
	unsigned int event_budget;
	struct sync_cache_slot cache[SYNC_CACHE_SLOTS];
	struct lb_flow_key *ct_keys; /* per_dgram of each: one batch update per datagram */
	struct lb_conn *ct_vals;
	struct sync_stats st;
};

/* sync_queue.c: a header for the next message; a queue slot (NULL when full) */
void sync_hdr_init(struct sync *s, struct sync_hdr *h, uint8_t type, uint32_t target);
struct sync_qitem *sync_queue_slot(struct sync *s, const struct sockaddr_storage *to,
				   socklen_t tolen);
/* A datagram encoded into the next queue slot; -ENOBUFS when the queue is full. */

int sync_enqueue_records(struct sync *s, uint8_t type, uint32_t target,
			 const struct sockaddr_storage *to, socklen_t tolen,
			 const struct sync_record *rec, size_t n);

/* sync_apply.c */
/* Applies the records of a datagram sync_decode accepted; rejects are counted per reason. */
void sync_apply_records(struct sync *s, const void *dgram, size_t count);
void sync_record_from_event(struct sync_record *r, const struct lb_flow_event *ev);

/* DUMP_ACK to a peer dumping to us: its records we have received. -ENOBUFS: queue full. */
int sync_enqueue_dump_ack(struct sync *s, struct sync_peer *p);

/* sync_dump.c: walks one dump on by up to `budget` entries; true when it has finished. */
bool sync_dump_step(struct sync *s, struct sync_dump *d, unsigned int budget);

#endif /* XDPLB_SYNC_INT_H */
