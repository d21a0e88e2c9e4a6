// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the sync wire format. The first input byte picks what the rest is:
 *   bit 0 clear: a datagram as received, decoded as is (an attacker without the key);
 *   bit 0 set:   a datagram sealed with the node's key first, so that everything after the tag
 *                check (header, lengths, records, heartbeat) is reached (a peer holding the key);
 *   bit 1 set:   (epoch, seq) pairs fed to the replay window, checked against a plain model.
 * Accepted datagrams must be refused again once any one byte is changed (a forgery).
 * Accepted datagrams must survive decode -> encode -> decode unchanged.
 */
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_codec.h"

#define FUZZ_SEEN_MAX 512 /* (epoch, seq) pairs one input can feed the window */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t fuzz_key[SYNC_KEY_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char material[] = "fuzz_sync: a fixed key, 32 bytes or more of it";

	if (sodium_init() < 0 || sync_key_derive(material, sizeof(material), fuzz_key))
		abort();
	return 0;
}

static bool fuzz_record_equal(const struct sync_record *a, const struct sync_record *b)
{
	return !memcmp(&a->flow, &b->flow, sizeof(a->flow)) &&
	       !memcmp(a->backend_addr, b->backend_addr, sizeof(a->backend_addr)) &&
	       a->backend_family == b->backend_family && a->flags == b->flags &&
	       a->age_ms == b->age_ms && a->idle_ms == b->idle_ms;
}

/* Re-encodes what was decoded; the copy must decode to the same header and records. */
static void fuzz_roundtrip(const uint8_t *buf, const struct sync_hdr *hdr)
{
	static uint8_t out[SYNC_DGRAM_MAX];
	struct sync_record *rec = NULL, again;
	struct sync_heartbeat hb, hb2;
	struct sync_hdr hdr2;
	size_t i, n = 0;
	int len = -1;

	if (hdr->type == SYNC_MSG_RECORDS || hdr->type == SYNC_MSG_DUMP_PART) {
		rec = calloc(hdr->count ? hdr->count : 1, sizeof(*rec));
		if (!rec)
			abort();
		for (i = 0; i < hdr->count; i++)
			if (sync_decode_record(buf, i, &rec[n]) == SYNC_REJ_NONE)
				n++;
		len = sync_encode_records(out, sizeof(out), hdr, rec, n, fuzz_key);
	} else if (hdr->type == SYNC_MSG_HEARTBEAT) {
		sync_decode_heartbeat(buf, &hb);
		len = sync_encode_heartbeat(out, sizeof(out), hdr, &hb, fuzz_key);
	} else if (hdr->type == SYNC_MSG_DUMP_ACK) {
		len = sync_encode_dump_ack(out, sizeof(out), hdr, sync_decode_dump_ack(buf), fuzz_key);
	} else {
		len = sync_encode_empty(out, sizeof(out), hdr, fuzz_key);
	}
	if (len < 0)
		abort(); /* whatever was accepted must be expressible again */
	if (sync_decode(out, (size_t)len, fuzz_key, &hdr2) != SYNC_REJ_NONE)
		abort();
	if (hdr2.type != hdr->type || hdr2.node_id != hdr->node_id ||
	    hdr2.target_id != hdr->target_id || hdr2.flags != hdr->flags ||
	    hdr2.epoch != hdr->epoch || hdr2.seq != hdr->seq || strcmp(hdr2.zone, hdr->zone))
		abort();
	if (rec) {
		if (hdr2.count != n)
			abort();
		for (i = 0; i < n; i++)
			if (sync_decode_record(out, i, &again) != SYNC_REJ_NONE ||
			    !fuzz_record_equal(&again, &rec[i]))
				abort();
	}
	if (hdr->type == SYNC_MSG_DUMP_ACK && sync_decode_dump_ack(out) != sync_decode_dump_ack(buf))
		abort();
	if (hdr->type == SYNC_MSG_HEARTBEAT) {
		sync_decode_heartbeat(out, &hb2);
		if (hb2.records_sent != hb.records_sent || hb2.queue_depth != hb.queue_depth ||
		    hb2.peers != hb.peers)
			abort();
	}
	free(rec);
}

static void fuzz_datagram(const uint8_t *data, size_t size, bool seal, uint8_t pick)
{
	struct sync_hdr hdr;
	enum sync_reject r;
	uint8_t *buf;

	/* An exact-size heap copy: ASan sees any read past the datagram. */
	buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	if (seal && size >= SYNC_DGRAM_MIN && size <= SYNC_DGRAM_MAX)
		crypto_auth_hmacsha512256(buf + size - SYNC_TAG_LEN, buf, size - SYNC_TAG_LEN,
					  fuzz_key);
	r = sync_decode(buf, size, fuzz_key, &hdr);
	if (r >= SYNC_REJ_MAX || !sync_reject_name(r))
		abort();
	if (r == SYNC_REJ_NONE) {
		sync_msg_name(hdr.type);
		fuzz_roundtrip(buf, &hdr);
		/* Forged: any one byte changed after sealing must be refused. */
		buf[pick % size] ^= 0x01;
		if (sync_decode(buf, size, fuzz_key, &hdr) == SYNC_REJ_NONE)
			abort();
	}
	free(buf);
}

static uint64_t fuzz_get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * The window against a model that remembers every pair: it must never accept one already seen
 * (a replay), never call a fresh pair within reach of the window a replay, and refuse older
 * epochs. Epochs and seqs are kept small so that inputs collide often.
 */
static void fuzz_window(const uint8_t *data, size_t size)
{
	static uint64_t seen_epoch[FUZZ_SEEN_MAX], seen_seq[FUZZ_SEEN_MAX];
	struct sync_window w;
	uint64_t epoch, seq, cur_epoch = 0, highest = 0;
	size_t n_seen = 0, i;
	enum sync_reject r;
	bool seen;

	memset(&w, 0, sizeof(w));
	for (; size >= 9 && n_seen < FUZZ_SEEN_MAX; data += 9, size -= 9) {
		epoch = data[0] & 3;
		seq = fuzz_get64(data + 1) % 4096;
		seen = false;
		for (i = 0; i < n_seen; i++)
			if (seen_epoch[i] == epoch && seen_seq[i] == seq)
				seen = true;
		r = sync_window_check(&w, epoch, seq);
		if (r == SYNC_REJ_NONE && (seen || epoch < cur_epoch || !epoch || !seq))
			abort();
		if (r == SYNC_REJ_REPLAY && !seen)
			abort();
		if (r != SYNC_REJ_NONE && !seen && epoch && seq &&
		    (epoch > cur_epoch || (epoch == cur_epoch && seq + SYNC_WINDOW_BITS > highest)))
			abort(); /* a fresh pair the window should have taken */
		if (r != SYNC_REJ_NONE)
			continue;
		sync_window_commit(&w, epoch, seq);
		if (epoch > cur_epoch) {
			cur_epoch = epoch;
			highest = seq;
		} else if (seq > highest) {
			highest = seq;
		}
		seen_epoch[n_seen] = epoch;
		seen_seq[n_seen] = seq;
		n_seen++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 2)
		fuzz_window(data + 1, size - 1);
	else
		fuzz_datagram(data + 1, size - 1, data[0] & 1, data[size - 1]);
	return 0;
}
