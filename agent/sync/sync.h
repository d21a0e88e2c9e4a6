/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Connection sync: flow events -> authenticated multicast records -> peers' conntrack maps. */
#ifndef XDPLB_SYNC_H
#define XDPLB_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/socket.h>

#include "lb_common.h"
#include "model/model.h"
#include "sync/sync_codec.h"

#define SYNC_PEERS_MAX	  64
#define SYNC_QUEUE_MAX	  1024	/* datagrams waiting to be sent */
#define SYNC_DUMPS_MAX	  8	/* dumps served at the same time */
#define SYNC_EVENT_BUDGET 16384 /* events taken per sync_process call: the loop stays fair */
#define SYNC_RECV_BUDGET  4096	/* datagrams received per sync_process call */
#define SYNC_DUMP_BUDGET  4096	/* conntrack entries dumped per sync_process call */

struct sync;

struct sync_params {
	const struct cfg_sync *cfg;
	uint32_t node_id;
	const char *zone;
	const char *ifname; /* resolved: sync.interface, else node.interface */
	int conntrack_fd;   /* lb_conntrack: received records go here, dumps come from here */
	int backend_ids_fd; /* lb_backend_ids: backend address -> local index */
	int vips_fd;	    /* lb_vips: which VIPs this node serves; -1 accepts every VIP */
	int events_fd; /* lb_events ring buffer; -1 when flows come only from sync_queue_flow */
	const uint8_t *key;  /* SYNC_KEY_LEN bytes; NULL reads cfg->key_file */
	bool multicast_loop; /* hear our own host's other instances (tests on one host) */
};

struct sync_stats {
	uint64_t events;       /* flow events read from lb_events */
	uint64_t records_sent; /* records multicast (dumps not included) */
	uint64_t dgrams_sent;
	uint64_t send_errors;
	uint64_t queue_full;	  /* records dropped: the send queue was full */
	uint64_t dgrams_received; /* authenticated and in window */
	uint64_t records_received;
	uint64_t records_applied;	 /* written to lb_conntrack */
	uint64_t rejected[SYNC_REJ_MAX]; /* datagrams and records, by reason */
	uint64_t heartbeats_sent, heartbeats_received;
	uint64_t dumps_requested, dumps_served, dump_records_sent, dump_records_received;
	uint64_t dump_requests_sent; /* at start, and again when records were lost */
};

/* A peer as the heartbeats show it. */
struct sync_peer_info {
	uint32_t id;
	char zone[SYNC_ZONE_LEN];
	char addr[64];	       /* source address of its datagrams */
	uint64_t last_seen_ms; /* ago */
	uint64_t lag_records;  /* records it sent since we first heard it that never arrived */
	uint32_t queue_depth;  /* its send queue, as its last heartbeat said */
	bool in_sync;	       /* its own catch-up is done */
	bool dump_done;	       /* it finished the dump we asked for */
};

/*
 * Opens the sockets (multicast group joined on ifname, loop off), the timer,
 * and the ring buffer reader, and asks peers for a dump. NULL with errno set;
 * the reason is logged.
 */
struct sync *sync_open(const struct sync_params *p);
void sync_close(struct sync *s);

/* One fd for the agent's epoll: readable whenever sync_process has something to do. */
int sync_fd(const struct sync *s);

/* Does what is ready (timer, datagrams, events, dumps, sending), never blocking. 0 or -errno. */
int sync_process(struct sync *s);

/* Queues one flow for the next datagram (what an lb_events record becomes). */
int sync_queue_flow(struct sync *s, const struct lb_flow_event *ev);

/* Encodes what is batched and sends what the socket takes now. */
void sync_flush(struct sync *s);

/* Handles one received datagram as if it came from `from` (also the receive path's core). */
enum sync_reject sync_handle_dgram(struct sync *s, const void *buf, size_t len,
				   const struct sockaddr *from, socklen_t fromlen);

/* True once the catch-up dump is in from every live peer, or dump_timeout has passed. */
bool sync_in_sync(const struct sync *s);
const struct sync_stats *sync_get_stats(const struct sync *s);
size_t sync_queue_depth(const struct sync *s);
size_t sync_dgram_max(const struct sync *s); /* datagram bytes, from the interface MTU */
/* Live peers into out[0..max); returns how many there are. */
size_t sync_get_peers(const struct sync *s, struct sync_peer_info *out, size_t max);

/* Reads and checks a key file (cfg_sync_check_key_file's rules) and derives the key. */
int sync_key_load(const char *path, uint8_t key[SYNC_KEY_LEN], char *err, size_t errlen);

#endif /* XDPLB_SYNC_H */
