/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Sync wire format: authenticated datagrams of flow records, and the per-peer replay window. */
#ifndef XDPLB_SYNC_CODEC_H
#define XDPLB_SYNC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lb_common.h"

/*
 * A datagram: header (SYNC_HDR_LEN), count records (SYNC_REC_LEN each) or a
 * heartbeat body, then an HMAC-SHA512-256 tag (SYNC_TAG_LEN) over everything
 * before it. All integers are big endian; addresses are the 16 bytes of
 * lb_common.h's four network-order words. Records name VIPs and backends by
 * address, never by a node-local index.
 */
#define SYNC_MAGIC	 0x584c4253 /* "XLBS" */
#define SYNC_VERSION	 1
#define SYNC_HDR_LEN	 72
#define SYNC_REC_LEN	 64
#define SYNC_HB_LEN	 16
#define SYNC_ACK_LEN	 8
#define SYNC_TAG_LEN	 32 /* crypto_auth_hmacsha512256_BYTES */
#define SYNC_KEY_LEN	 32 /* crypto_auth_hmacsha512256_KEYBYTES */
#define SYNC_ZONE_LEN	 32 /* CFG_ZONE_MAX */
#define SYNC_DGRAM_MIN	 (SYNC_HDR_LEN + SYNC_TAG_LEN)
#define SYNC_DGRAM_MAX	 65507 /* largest UDP payload over IPv4 */
#define SYNC_WINDOW_BITS 1024  /* sequence numbers tolerated out of order */

enum sync_msg_type {
	SYNC_MSG_RECORDS = 1,	   /* flow records, multicast */
	SYNC_MSG_HEARTBEAT = 2,	   /* liveness, counters: multicast */
	SYNC_MSG_DUMP_REQUEST = 3, /* "send me everything": multicast */
	SYNC_MSG_DUMP_PART = 4,	   /* records of a dump, unicast to the requester */
	SYNC_MSG_DUMP_END = 5,	   /* the dump is complete, unicast to the requester */
	SYNC_MSG_DUMP_ACK = 6,	   /* dump records received so far, unicast to the dumping peer */
	SYNC_MSG_MAX,
};

/*
 * Why a datagram or a record was not used. Stable numbers (they are counter
 * names in `lbctl sync`): never renumbered or reused.
 */
enum sync_reject {
	SYNC_REJ_NONE = 0,
	SYNC_REJ_TRUNCATED = 1,	   /* shorter than header + tag, or than its record count says */
	SYNC_REJ_BAD_MAGIC = 2,	   /* not an xdplb sync datagram */
	SYNC_REJ_BAD_VERSION = 3,  /* another protocol version */
	SYNC_REJ_BAD_TAG = 4,	   /* authentication failed: wrong key or altered */
	SYNC_REJ_BAD_TYPE = 5,	   /* unknown message type */
	SYNC_REJ_BAD_LENGTH = 6,   /* bytes beyond what the header announces */
	SYNC_REJ_OVERSIZE = 7,	   /* larger than SYNC_DGRAM_MAX */
	SYNC_REJ_REPLAY = 8,	   /* sequence number already seen */
	SYNC_REJ_TOO_OLD = 9,	   /* sequence number below the window */
	SYNC_REJ_OLD_EPOCH = 10,   /* from a previous run of a peer that has restarted since */
	SYNC_REJ_OWN = 11,	   /* our own node id (looped back, or a duplicate id) */
	SYNC_REJ_BAD_RECORD = 12,  /* record with an unknown family or protocol */
	SYNC_REJ_UNKNOWN_VIP = 13, /* record for a VIP this node does not serve */
	SYNC_REJ_UNKNOWN_BACKEND = 14, /* record naming a backend this node does not have */
	SYNC_REJ_MAP_WRITE = 15,       /* conntrack update refused */
	SYNC_REJ_NOT_FOR_US = 16,      /* a unicast dump addressed to another node */
	SYNC_REJ_TOO_MANY_PEERS = 17,  /* from a node beyond SYNC_PEERS_MAX */
	SYNC_REJ_MAX,
};

/* Header as decoded. */
struct sync_hdr {
	uint8_t version;
	uint8_t type;		  /* enum sync_msg_type */
	uint16_t count;		  /* records that follow */
	uint32_t node_id;	  /* sender */
	uint32_t target_id;	  /* DUMP_PART/DUMP_END: the requester; else 0 */
	uint32_t flags;		  /* SYNC_HDR_F_* */
	uint64_t epoch;		  /* sender's run: grows with every restart */
	uint64_t seq;		  /* sender's datagram counter, from 1 in each epoch */
	char zone[SYNC_ZONE_LEN]; /* NUL-terminated */
};

#define SYNC_HDR_F_IN_SYNC (1U << 0) /* the sender has caught up (heartbeats) */
/*
 * On a DUMP_REQUEST: "I acknowledge dump parts"; on a DUMP_PART: "acknowledge
 * me". A dump to a requester that acknowledges keeps at most a window of
 * records unacknowledged, so it never outruns the requester's socket buffer;
 * peers without the flag dump and receive as before.
 */
#define SYNC_HDR_F_ACKS (1U << 1)

/* One flow, as records carry it. */
struct sync_record {
	struct lb_flow_key flow; /* client -> VIP as the client sent it */
	uint32_t backend_addr[4];
	uint8_t backend_family;
	uint8_t flags;	  /* SYNC_REC_F_* */
	uint32_t age_ms;  /* since the flow was created on its node */
	uint32_t idle_ms; /* since its last packet */
};

#define SYNC_REC_F_DUMP (1U << 0) /* sent as part of a bulk dump */

/* Heartbeat body: what a receiver needs to tell how far behind it is. */
struct sync_heartbeat {
	uint64_t records_sent; /* records the sender has multicast this epoch */
	uint32_t queue_depth;  /* datagrams waiting in its send queue */
	uint32_t peers;	       /* live peers it sees */
};

/* Records that fit a datagram of dgram_len bytes. */
size_t sync_records_per_dgram(size_t dgram_len);

/* Derives the 32-byte key from a key file's bytes (BLAKE2b of them); -EINVAL if too short. */
int sync_key_derive(const void *material, size_t len, uint8_t key[SYNC_KEY_LEN]);

/*
 * Encoders write into buf (cap bytes) and return the datagram length, or
 * -ENOSPC when it does not fit. sync_encode_records puts rec[0..n) in one
 * datagram; sync_encode_heartbeat a heartbeat; sync_encode_empty the bodiless
 * types (DUMP_REQUEST, DUMP_END). The tag is computed last, over the whole.
 */
int sync_encode_records(void *buf, size_t cap, const struct sync_hdr *hdr,
			const struct sync_record *rec, size_t n, const uint8_t key[SYNC_KEY_LEN]);
int sync_encode_heartbeat(void *buf, size_t cap, const struct sync_hdr *hdr,
			  const struct sync_heartbeat *hb, const uint8_t key[SYNC_KEY_LEN]);
int sync_encode_empty(void *buf, size_t cap, const struct sync_hdr *hdr,
		      const uint8_t key[SYNC_KEY_LEN]);
/* DUMP_ACK: the dump records received since the requester last asked for a dump. */
int sync_encode_dump_ack(void *buf, size_t cap, const struct sync_hdr *hdr, uint64_t records,
			 const uint8_t key[SYNC_KEY_LEN]);

/*
 * Checks a received datagram (length, magic, version, tag, type, exact size)
 * and decodes its header. Returns SYNC_REJ_NONE or the reason it was refused;
 * nothing of a refused datagram may be trusted.
 */
enum sync_reject sync_decode(const void *buf, size_t len, const uint8_t key[SYNC_KEY_LEN],
			     struct sync_hdr *hdr);

/* Record i of a datagram sync_decode accepted; SYNC_REJ_BAD_RECORD if its fields are invalid. */
enum sync_reject sync_decode_record(const void *buf, size_t i, struct sync_record *rec);
void sync_decode_heartbeat(const void *buf, struct sync_heartbeat *hb);
uint64_t sync_decode_dump_ack(const void *buf);

/* "truncated", "bad_tag"...: counter names of enum sync_reject. */
const char *sync_reject_name(enum sync_reject r);
const char *sync_msg_name(uint8_t type);

/*
 * Replay protection for one peer: the highest sequence number seen in the
 * peer's current epoch and a bitmap of the SYNC_WINDOW_BITS numbers below it.
 * A newer epoch (the peer restarted) resets the window; an older one is
 * refused, so a datagram recorded before a restart cannot be replayed after.
 */
struct sync_window {
	uint64_t epoch;
	uint64_t highest;
	uint64_t bits[SYNC_WINDOW_BITS / 64]; /* bit i: highest - i was seen */
};

/* Would (epoch, seq) be accepted? Does not change the window. */
enum sync_reject sync_window_check(const struct sync_window *w, uint64_t epoch, uint64_t seq);
/* Records (epoch, seq) as seen; call only after sync_window_check and the tag said yes. */
void sync_window_commit(struct sync_window *w, uint64_t epoch, uint64_t seq);

#endif /* XDPLB_SYNC_CODEC_H */
