// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Sync wire format: every field is written and read byte by byte at a fixed
 * offset (no struct is sent as is, so padding and host order never leak),
 * every length is checked before it is used, and the tag is verified before
 * anything but the framing is believed.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sodium.h>

#include "sync/sync_codec.h"

_Static_assert(SYNC_TAG_LEN == crypto_auth_hmacsha512256_BYTES, "tag length");
_Static_assert(SYNC_KEY_LEN == crypto_auth_hmacsha512256_KEYBYTES, "key length");

/* Header offsets. */
enum {
	H_MAGIC = 0,
	H_VERSION = 4,
	H_TYPE = 5,
	H_COUNT = 6,
	H_NODE = 8,
	H_TARGET = 12,
	H_FLAGS = 16,
	H_RESERVED = 20,
	H_EPOCH = 24,
	H_SEQ = 32,
	H_ZONE = 40,
};
_Static_assert(H_ZONE + SYNC_ZONE_LEN == SYNC_HDR_LEN, "header layout");

/* Record offsets. */
enum {
	R_FAMILY = 0,
	R_PROTO = 1,
	R_BE_FAMILY = 2,
	R_FLAGS = 3,
	R_SPORT = 4,
	R_DPORT = 6,
	R_SRC = 8,
	R_DST = 24,
	R_BACKEND = 40,
	R_AGE = 56,
	R_IDLE = 60,
};
_Static_assert(R_IDLE + 4 == SYNC_REC_LEN, "record layout");

static const char *const sync_reject_names[SYNC_REJ_MAX] = {
    [SYNC_REJ_NONE] = "none",
    [SYNC_REJ_TRUNCATED] = "truncated",
    [SYNC_REJ_BAD_MAGIC] = "bad_magic",
    [SYNC_REJ_BAD_VERSION] = "bad_version",
    [SYNC_REJ_BAD_TAG] = "bad_tag",
    [SYNC_REJ_BAD_TYPE] = "bad_type",
    [SYNC_REJ_BAD_LENGTH] = "bad_length",
    [SYNC_REJ_OVERSIZE] = "oversize",
    [SYNC_REJ_REPLAY] = "replay",
    [SYNC_REJ_TOO_OLD] = "too_old",
    [SYNC_REJ_OLD_EPOCH] = "old_epoch",
    [SYNC_REJ_OWN] = "own",
    [SYNC_REJ_BAD_RECORD] = "bad_record",
    [SYNC_REJ_UNKNOWN_VIP] = "unknown_vip",
    [SYNC_REJ_UNKNOWN_BACKEND] = "unknown_backend",
    [SYNC_REJ_MAP_WRITE] = "map_write",
    [SYNC_REJ_NOT_FOR_US] = "not_for_us",
    [SYNC_REJ_TOO_MANY_PEERS] = "too_many_peers",
};

static const char *const sync_msg_names[SYNC_MSG_MAX] = {
    [SYNC_MSG_RECORDS] = "records",	      [SYNC_MSG_HEARTBEAT] = "heartbeat",
    [SYNC_MSG_DUMP_REQUEST] = "dump_request", [SYNC_MSG_DUMP_PART] = "dump_part",
    [SYNC_MSG_DUMP_END] = "dump_end",	      [SYNC_MSG_DUMP_ACK] = "dump_ack",
};

const char *sync_reject_name(enum sync_reject r)
{
	return (unsigned int)r < SYNC_REJ_MAX ? sync_reject_names[r] : "unknown";
}

const char *sync_msg_name(uint8_t type)
{
	return type && type < SYNC_MSG_MAX ? sync_msg_names[type] : "unknown";
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

size_t sync_records_per_dgram(size_t dgram_len)
{
	size_t n;

	if (dgram_len > SYNC_DGRAM_MAX)
		dgram_len = SYNC_DGRAM_MAX;
	if (dgram_len < SYNC_DGRAM_MIN)
		return 0;
	n = (dgram_len - SYNC_DGRAM_MIN) / SYNC_REC_LEN;
	return n > UINT16_MAX ? UINT16_MAX : n;
}

int sync_key_derive(const void *material, size_t len, uint8_t key[SYNC_KEY_LEN])
{
	/* Short material would make a guessable key: ask for as much as the key holds. */
	if (len < SYNC_KEY_LEN)
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	crypto_generichash(key, SYNC_KEY_LEN, material, len, NULL, 0);
	return 0;
}

static void sync_put_hdr(uint8_t *p, const struct sync_hdr *hdr, uint8_t type, uint16_t count)
{
	memset(p, 0, SYNC_HDR_LEN);
	put32(p + H_MAGIC, SYNC_MAGIC);
	p[H_VERSION] = SYNC_VERSION;
	p[H_TYPE] = type;
	put16(p + H_COUNT, count);
	put32(p + H_NODE, hdr->node_id);
	put32(p + H_TARGET, hdr->target_id);
	put32(p + H_FLAGS, hdr->flags);
	put64(p + H_EPOCH, hdr->epoch);
	put64(p + H_SEQ, hdr->seq);
	memcpy(p + H_ZONE, hdr->zone, strnlen(hdr->zone, SYNC_ZONE_LEN - 1));
}

static int sync_seal(uint8_t *p, size_t body, const uint8_t key[SYNC_KEY_LEN])
{
	crypto_auth_hmacsha512256(p + body, p, body, key);
	return (int)(body + SYNC_TAG_LEN);
}

static void sync_put_record(uint8_t *p, const struct sync_record *r)
{
	p[R_FAMILY] = r->flow.family;
	p[R_PROTO] = r->flow.proto;
	p[R_BE_FAMILY] = r->backend_family;
	p[R_FLAGS] = r->flags;
	/* Ports and addresses are already in network order: copied as they are. */
	memcpy(p + R_SPORT, &r->flow.sport, 2);
	memcpy(p + R_DPORT, &r->flow.dport, 2);
	memcpy(p + R_SRC, r->flow.src, 16);
	memcpy(p + R_DST, r->flow.dst, 16);
	memcpy(p + R_BACKEND, r->backend_addr, 16);
	put32(p + R_AGE, r->age_ms);
	put32(p + R_IDLE, r->idle_ms);
}

int sync_encode_records(void *buf, size_t cap, const struct sync_hdr *hdr,
			const struct sync_record *rec, size_t n, const uint8_t key[SYNC_KEY_LEN])
{
	uint8_t *p = buf;
	size_t i, body;
	uint8_t type = hdr->type == SYNC_MSG_DUMP_PART ? SYNC_MSG_DUMP_PART : SYNC_MSG_RECORDS;

	if (n > UINT16_MAX)
		return -ENOSPC;
	body = SYNC_HDR_LEN + n * SYNC_REC_LEN;
	if (body + SYNC_TAG_LEN > cap || body + SYNC_TAG_LEN > SYNC_DGRAM_MAX)
		return -ENOSPC;
	sync_put_hdr(p, hdr, type, n);
	for (i = 0; i < n; i++)
		sync_put_record(p + SYNC_HDR_LEN + i * SYNC_REC_LEN, &rec[i]);
	return sync_seal(p, body, key);
}

int sync_encode_heartbeat(void *buf, size_t cap, const struct sync_hdr *hdr,
			  const struct sync_heartbeat *hb, const uint8_t key[SYNC_KEY_LEN])
{
	uint8_t *p = buf;

	if (SYNC_HDR_LEN + SYNC_HB_LEN + SYNC_TAG_LEN > cap)
		return -ENOSPC;
	sync_put_hdr(p, hdr, SYNC_MSG_HEARTBEAT, 0);
	put64(p + SYNC_HDR_LEN, hb->records_sent);
	put32(p + SYNC_HDR_LEN + 8, hb->queue_depth);
	put32(p + SYNC_HDR_LEN + 12, hb->peers);
	return sync_seal(p, SYNC_HDR_LEN + SYNC_HB_LEN, key);
}

int sync_encode_dump_ack(void *buf, size_t cap, const struct sync_hdr *hdr, uint64_t records,
			 const uint8_t key[SYNC_KEY_LEN])
{
	uint8_t *p = buf;

	if (SYNC_HDR_LEN + SYNC_ACK_LEN + SYNC_TAG_LEN > cap)
		return -ENOSPC;
	sync_put_hdr(p, hdr, SYNC_MSG_DUMP_ACK, 0);
	put64(p + SYNC_HDR_LEN, records);
	return sync_seal(p, SYNC_HDR_LEN + SYNC_ACK_LEN, key);
}

int sync_encode_empty(void *buf, size_t cap, const struct sync_hdr *hdr,
		      const uint8_t key[SYNC_KEY_LEN])
{
	if (hdr->type != SYNC_MSG_DUMP_REQUEST && hdr->type != SYNC_MSG_DUMP_END)
		return -EINVAL;
	if (SYNC_DGRAM_MIN > cap)
		return -ENOSPC;
	sync_put_hdr(buf, hdr, hdr->type, 0);
	return sync_seal(buf, SYNC_HDR_LEN, key);
}

/* Body length the header announces for its type; 0 with *ok false for an unknown type. */
static size_t sync_body_len(uint8_t type, uint16_t count, bool *ok)
{
	*ok = true;
	switch (type) {
	case SYNC_MSG_RECORDS:
	case SYNC_MSG_DUMP_PART:
		return (size_t)count * SYNC_REC_LEN;
	case SYNC_MSG_HEARTBEAT:
		return SYNC_HB_LEN;
	case SYNC_MSG_DUMP_ACK:
		return SYNC_ACK_LEN;
	case SYNC_MSG_DUMP_REQUEST:
	case SYNC_MSG_DUMP_END:
		return 0;
	}
	*ok = false;
	return 0;
}

enum sync_reject sync_decode(const void *buf, size_t len, const uint8_t key[SYNC_KEY_LEN],
			     struct sync_hdr *hdr)
{
	const uint8_t *p = buf;
	size_t want;
	bool ok;

	if (len > SYNC_DGRAM_MAX)
		return SYNC_REJ_OVERSIZE;
	if (len < SYNC_DGRAM_MIN)
		return SYNC_REJ_TRUNCATED;
	if (get32(p + H_MAGIC) != SYNC_MAGIC)
		return SYNC_REJ_BAD_MAGIC;
	if (p[H_VERSION] != SYNC_VERSION)
		return SYNC_REJ_BAD_VERSION;
	/* The tag ends the datagram whatever the header claims: check it before believing it. */
	if (crypto_auth_hmacsha512256_verify(p + len - SYNC_TAG_LEN, p, len - SYNC_TAG_LEN, key))
		return SYNC_REJ_BAD_TAG;
	memset(hdr, 0, sizeof(*hdr));
	hdr->version = p[H_VERSION];
	hdr->type = p[H_TYPE];
	hdr->count = get16(p + H_COUNT);
	want = sync_body_len(hdr->type, hdr->count, &ok);
	if (!ok)
		return SYNC_REJ_BAD_TYPE;
	if (len - SYNC_DGRAM_MIN < want)
		return SYNC_REJ_TRUNCATED;
	if (len - SYNC_DGRAM_MIN > want)
		return SYNC_REJ_BAD_LENGTH;
	hdr->node_id = get32(p + H_NODE);
	hdr->target_id = get32(p + H_TARGET);
	hdr->flags = get32(p + H_FLAGS);
	hdr->epoch = get64(p + H_EPOCH);
	hdr->seq = get64(p + H_SEQ);
	memcpy(hdr->zone, p + H_ZONE, SYNC_ZONE_LEN);
	hdr->zone[SYNC_ZONE_LEN - 1] = '\0';
	return SYNC_REJ_NONE;
}

static bool sync_addr_valid(uint8_t family, const uint32_t a[4])
{
	if (family == LB_AF_INET)
		return !a[1] && !a[2] && !a[3];
	return family == LB_AF_INET6;
}

enum sync_reject sync_decode_record(const void *buf, size_t i, struct sync_record *r)
{
	const uint8_t *p = (const uint8_t *)buf + SYNC_HDR_LEN + i * SYNC_REC_LEN;

	memset(r, 0, sizeof(*r));
	r->flow.family = p[R_FAMILY];
	r->flow.proto = p[R_PROTO];
	r->backend_family = p[R_BE_FAMILY];
	r->flags = p[R_FLAGS];
	memcpy(&r->flow.sport, p + R_SPORT, 2);
	memcpy(&r->flow.dport, p + R_DPORT, 2);
	memcpy(r->flow.src, p + R_SRC, 16);
	memcpy(r->flow.dst, p + R_DST, 16);
	memcpy(r->backend_addr, p + R_BACKEND, 16);
	r->age_ms = get32(p + R_AGE);
	r->idle_ms = get32(p + R_IDLE);
	if (r->flow.proto != IPPROTO_TCP && r->flow.proto != IPPROTO_UDP)
		return SYNC_REJ_BAD_RECORD;
	if (!sync_addr_valid(r->flow.family, r->flow.src) ||
	    !sync_addr_valid(r->flow.family, r->flow.dst) ||
	    !sync_addr_valid(r->backend_family, r->backend_addr))
		return SYNC_REJ_BAD_RECORD;
	return SYNC_REJ_NONE;
}

void sync_decode_heartbeat(const void *buf, struct sync_heartbeat *hb)
{
	const uint8_t *p = (const uint8_t *)buf + SYNC_HDR_LEN;

	hb->records_sent = get64(p);
	hb->queue_depth = get32(p + 8);
	hb->peers = get32(p + 12);
}

uint64_t sync_decode_dump_ack(const void *buf)
{
	return get64((const uint8_t *)buf + SYNC_HDR_LEN);
}

enum sync_reject sync_window_check(const struct sync_window *w, uint64_t epoch, uint64_t seq)
{
	uint64_t back;

	if (!epoch || !seq)
		return SYNC_REJ_TOO_OLD;
	if (epoch < w->epoch)
		return SYNC_REJ_OLD_EPOCH;
	if (epoch > w->epoch || seq > w->highest)
		return SYNC_REJ_NONE;
	back = w->highest - seq;
	if (back >= SYNC_WINDOW_BITS)
		return SYNC_REJ_TOO_OLD;
	return w->bits[back / 64] & (1ULL << (back % 64)) ? SYNC_REJ_REPLAY : SYNC_REJ_NONE;
}

/* Moves the window up by n: bit i becomes bit i + n. */
static void sync_window_shift(struct sync_window *w, uint64_t n)
{
	const size_t words = SYNC_WINDOW_BITS / 64;
	size_t i, wshift = n / 64, bshift = n % 64;

	if (n >= SYNC_WINDOW_BITS) {
		memset(w->bits, 0, sizeof(w->bits));
		return;
	}
	for (i = words; i-- > 0;) {
		uint64_t v = 0;

		if (i >= wshift) {
			v = w->bits[i - wshift] << bshift;
			if (bshift && i > wshift)
				v |= w->bits[i - wshift - 1] >> (64 - bshift);
		}
		w->bits[i] = v;
	}
}

void sync_window_commit(struct sync_window *w, uint64_t epoch, uint64_t seq)
{
	uint64_t back;

	if (epoch > w->epoch) {
		memset(w, 0, sizeof(*w));
		w->epoch = epoch;
		w->highest = seq;
		w->bits[0] = 1;
		return;
	}
	if (seq > w->highest) {
		sync_window_shift(w, seq - w->highest);
		w->highest = seq;
		w->bits[0] |= 1;
		return;
	}
	back = w->highest - seq;
	if (back < SYNC_WINDOW_BITS)
		w->bits[back / 64] |= 1ULL << (back % 64);
}
