// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Sync wire format: round trips, every rejection path, batching limits, the replay window. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <criterion/criterion.h>
#include <sodium.h>

#include "sync/sync_codec.h"

static uint8_t key[SYNC_KEY_LEN];
static uint8_t buf[SYNC_DGRAM_MAX + 64];

static void codec_setup(void)
{
	static const char material[] = "a shared secret of at least 32 bytes";

	cr_assert_eq(sync_key_derive(material, strlen(material), key), 0);
}

TestSuite(sync_codec, .init = codec_setup);

static struct sync_hdr hdr(uint8_t type, uint64_t seq)
{
	struct sync_hdr h = {
	    .type = type,
	    .node_id = 7,
	    .target_id = type == SYNC_MSG_DUMP_PART || type == SYNC_MSG_DUMP_END ? 9 : 0,
	    .flags = SYNC_HDR_F_IN_SYNC,
	    .epoch = 1700000000000000000ULL,
	    .seq = seq,
	};

	strcpy(h.zone, "zone-a");
	return h;
}

static struct sync_record rec4(uint16_t sport)
{
	struct sync_record r = {};

	r.flow.family = LB_AF_INET;
	r.flow.proto = IPPROTO_TCP;
	inet_pton(AF_INET, "203.0.113.7", r.flow.src);
	inet_pton(AF_INET, "192.0.2.10", r.flow.dst);
	r.flow.sport = htons(sport);
	r.flow.dport = htons(80);
	r.backend_family = LB_AF_INET;
	inet_pton(AF_INET, "198.51.100.11", r.backend_addr);
	r.age_ms = 123456;
	r.idle_ms = 42;
	return r;
}

static struct sync_record rec6(void)
{
	struct sync_record r = {};

	r.flow.family = LB_AF_INET6;
	r.flow.proto = IPPROTO_UDP;
	inet_pton(AF_INET6, "2001:db8::7", r.flow.src);
	inet_pton(AF_INET6, "2001:db8::10", r.flow.dst);
	r.flow.sport = htons(5353);
	r.flow.dport = htons(53);
	r.backend_family = LB_AF_INET6;
	inet_pton(AF_INET6, "2001:db8:1::11", r.backend_addr);
	r.flags = SYNC_REC_F_DUMP;
	r.age_ms = UINT32_MAX;
	return r;
}

/* Recomputes the tag after a test altered the body: the rejection is then not "bad_tag". */
static void reseal(size_t len)
{
	crypto_auth_hmacsha512256(buf + len - SYNC_TAG_LEN, buf, len - SYNC_TAG_LEN, key);
}

static int encode_two(void)
{
	struct sync_record r[2] = {rec4(40000), rec6()};
	struct sync_hdr h = hdr(SYNC_MSG_RECORDS, 5);
	int len = sync_encode_records(buf, sizeof(buf), &h, r, 2, key);

	cr_assert_eq(len, SYNC_HDR_LEN + 2 * SYNC_REC_LEN + SYNC_TAG_LEN);
	return len;
}

Test(sync_codec, records_round_trip_both_families)
{
	struct sync_record in[2] = {rec4(40000), rec6()}, out;
	struct sync_hdr h;
	int len = encode_two(), i;

	cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_NONE);
	cr_assert_eq(h.type, SYNC_MSG_RECORDS);
	cr_assert_eq(h.count, 2);
	cr_assert_eq(h.node_id, 7);
	cr_assert_eq(h.flags, SYNC_HDR_F_IN_SYNC);
	cr_assert_eq(h.epoch, 1700000000000000000ULL);
	cr_assert_eq(h.seq, 5);
	cr_assert_str_eq(h.zone, "zone-a");
	for (i = 0; i < 2; i++) {
		cr_assert_eq(sync_decode_record(buf, i, &out), SYNC_REJ_NONE);
		cr_assert_eq(memcmp(&out.flow, &in[i].flow, sizeof(out.flow)), 0, "record %d", i);
		cr_assert_eq(memcmp(out.backend_addr, in[i].backend_addr, 16), 0);
		cr_assert_eq(out.backend_family, in[i].backend_family);
		cr_assert_eq(out.flags, in[i].flags);
		cr_assert_eq(out.age_ms, in[i].age_ms);
		cr_assert_eq(out.idle_ms, in[i].idle_ms);
	}
}

/* An IPv6 VIP's flow on an IPv4 backend (6in4) is synced like any other. */
Test(sync_codec, ipv6_flow_on_an_ipv4_backend_round_trips)
{
	struct sync_record r = rec6(), out;
	struct sync_hdr h = hdr(SYNC_MSG_RECORDS, 1);
	int len;

	r.backend_family = LB_AF_INET;
	memset(r.backend_addr, 0, 16);
	r.backend_addr[0] = htonl(0xc6336410);
	len = sync_encode_records(buf, sizeof(buf), &h, &r, 1, key);
	cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_NONE);
	cr_assert_eq(sync_decode_record(buf, 0, &out), SYNC_REJ_NONE, "6 in 4 refused");
	cr_assert_eq(memcmp(&out.flow, &r.flow, sizeof(out.flow)), 0);
	cr_assert_eq(out.backend_family, LB_AF_INET);
	cr_assert_eq(out.backend_addr[0], htonl(0xc6336410));
}

Test(sync_codec, heartbeat_and_bodiless_types_round_trip)
{
	struct sync_heartbeat hb = {.records_sent = 1ULL << 40, .queue_depth = 17, .peers = 3};
	struct sync_heartbeat got;
	struct sync_hdr h = hdr(SYNC_MSG_HEARTBEAT, 1), d;
	int len;

	len = sync_encode_heartbeat(buf, sizeof(buf), &h, &hb, key);
	cr_assert_eq(len, SYNC_HDR_LEN + SYNC_HB_LEN + SYNC_TAG_LEN);
	cr_assert_eq(sync_decode(buf, len, key, &d), SYNC_REJ_NONE);
	cr_assert_eq(d.type, SYNC_MSG_HEARTBEAT);
	sync_decode_heartbeat(buf, &got);
	cr_assert_eq(got.records_sent, hb.records_sent);
	cr_assert_eq(got.queue_depth, 17);
	cr_assert_eq(got.peers, 3);

	h = hdr(SYNC_MSG_DUMP_END, 2);
	len = sync_encode_empty(buf, sizeof(buf), &h, key);
	cr_assert_eq(len, SYNC_DGRAM_MIN);
	cr_assert_eq(sync_decode(buf, len, key, &d), SYNC_REJ_NONE);
	cr_assert_eq(d.type, SYNC_MSG_DUMP_END);
	cr_assert_eq(d.target_id, 9);
	h = hdr(SYNC_MSG_RECORDS, 3);
	cr_assert_eq(sync_encode_empty(buf, sizeof(buf), &h, key), -EINVAL,
		     "records without a body are not an empty type");
}

/* A dump's flow control: the requester's count, to the dumping peer, and nothing else. */
Test(sync_codec, dump_ack_round_trips_and_refuses_a_body_of_another_length)
{
	struct sync_hdr h = hdr(SYNC_MSG_DUMP_ACK, 4), d;
	int len;

	h.target_id = 9;
	h.flags = SYNC_HDR_F_ACKS;
	len = sync_encode_dump_ack(buf, sizeof(buf), &h, 1234567, key);
	cr_assert_eq(len, SYNC_HDR_LEN + SYNC_ACK_LEN + SYNC_TAG_LEN);
	cr_assert_eq(sync_decode(buf, len, key, &d), SYNC_REJ_NONE);
	cr_assert_eq(d.type, SYNC_MSG_DUMP_ACK);
	cr_assert_eq(d.target_id, 9);
	cr_assert_eq(d.flags, SYNC_HDR_F_ACKS);
	cr_assert_eq(sync_decode_dump_ack(buf), 1234567);
	cr_assert_str_eq(sync_msg_name(SYNC_MSG_DUMP_ACK), "dump_ack");
	cr_assert_eq(sync_encode_dump_ack(buf, len - 1, &h, 1, key), -ENOSPC);

	/* Signed, but a heartbeat's body under an ack's type: refused by length. */
	h = hdr(SYNC_MSG_HEARTBEAT, 5);
	len = sync_encode_heartbeat(buf, sizeof(buf), &h, &(struct sync_heartbeat){0}, key);
	buf[5] = SYNC_MSG_DUMP_ACK;
	reseal(len);
	cr_assert_eq(sync_decode(buf, len, key, &d), SYNC_REJ_BAD_LENGTH);
}

Test(sync_codec, rejects_any_altered_byte_as_bad_tag)
{
	struct sync_hdr h;
	int len = encode_two(), i;

	/* Header, records and tag alike: flip one bit at a time (magic/version excepted). */
	for (i = 5; i < len; i++) {
		buf[i] ^= 0x10;
		cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_BAD_TAG, "byte %d", i);
		buf[i] ^= 0x10;
	}
	cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_NONE);
}

Test(sync_codec, rejects_another_key_as_bad_tag)
{
	static const char other[] = "another secret, also 32 bytes long!!";
	uint8_t key2[SYNC_KEY_LEN];
	struct sync_hdr h;
	int len = encode_two();

	cr_assert_eq(sync_key_derive(other, strlen(other), key2), 0);
	cr_assert_eq(sync_decode(buf, len, key2, &h), SYNC_REJ_BAD_TAG);
}

Test(sync_codec, rejects_truncation_at_every_length)
{
	struct sync_hdr h;
	int len = encode_two(), cut;

	for (cut = 0; cut < SYNC_DGRAM_MIN; cut++)
		cr_assert_eq(sync_decode(buf, cut, key, &h), SYNC_REJ_TRUNCATED, "len %d", cut);
	/* Longer cuts lose the tag's position: authentication fails first. */
	for (cut = SYNC_DGRAM_MIN; cut < len; cut++)
		cr_assert_eq(sync_decode(buf, cut, key, &h), SYNC_REJ_BAD_TAG, "len %d", cut);
}

Test(sync_codec, rejects_a_count_beyond_the_records_sent_even_when_signed)
{
	struct sync_hdr h;
	int len = encode_two();

	buf[7] = 3; /* count 2 -> 3 */
	reseal(len);
	cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_TRUNCATED);
	buf[7] = 1;
	reseal(len);
	cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_BAD_LENGTH);
}

Test(sync_codec, rejects_wrong_version_and_magic)
{
	struct sync_hdr h;
	int len = encode_two();

	buf[4] = SYNC_VERSION + 1;
	reseal(len);
	cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_BAD_VERSION);
	buf[4] = SYNC_VERSION;
	buf[0] ^= 0xff;
	reseal(len);
	cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_BAD_MAGIC);
}

Test(sync_codec, rejects_unknown_type_even_when_signed)
{
	struct sync_hdr h;
	int len = encode_two();

	buf[5] = SYNC_MSG_MAX;
	reseal(len);
	cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_BAD_TYPE);
	buf[5] = 0;
	reseal(len);
	cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_BAD_TYPE);
}

Test(sync_codec, rejects_oversize_datagrams)
{
	struct sync_hdr h;

	memset(buf, 0, sizeof(buf));
	cr_assert_eq(sync_decode(buf, SYNC_DGRAM_MAX + 1, key, &h), SYNC_REJ_OVERSIZE);
}

Test(sync_codec, rejects_records_with_invalid_fields)
{
	struct sync_record r = rec4(1), out;
	struct sync_hdr h = hdr(SYNC_MSG_RECORDS, 1);
	int len;

	r.flow.proto = IPPROTO_ICMP;
	len = sync_encode_records(buf, sizeof(buf), &h, &r, 1, key);
	cr_assert_eq(sync_decode(buf, len, key, &h), SYNC_REJ_NONE, "the datagram is fine");
	cr_assert_eq(sync_decode_record(buf, 0, &out), SYNC_REJ_BAD_RECORD, "protocol 1");

	r = rec4(1);
	r.flow.src[2] = 1; /* an IPv4 address uses word 0 only */
	sync_encode_records(buf, sizeof(buf), &h, &r, 1, key);
	cr_assert_eq(sync_decode_record(buf, 0, &out), SYNC_REJ_BAD_RECORD, "IPv4 with junk");

	r = rec4(1);
	r.backend_family = 0;
	sync_encode_records(buf, sizeof(buf), &h, &r, 1, key);
	cr_assert_eq(sync_decode_record(buf, 0, &out), SYNC_REJ_BAD_RECORD, "no family");
}

Test(sync_codec, batching_fills_a_datagram_to_the_mtu_and_no_further)
{
	static struct sync_record many[64];
	struct sync_hdr h = hdr(SYNC_MSG_RECORDS, 1), d;
	size_t dgram = 1500 - 20 - 8, n = sync_records_per_dgram(dgram), i;
	int len;

	for (i = 0; i < 64; i++)
		many[i] = rec4(1000 + i);
	cr_assert_eq(n, (dgram - SYNC_HDR_LEN - SYNC_TAG_LEN) / SYNC_REC_LEN);
	cr_assert_geq(n, 20, "a 1500-byte link carries at least 20 records per datagram");
	len = sync_encode_records(buf, dgram, &h, many, n, key);
	cr_assert_gt(len, 0);
	cr_assert_leq((size_t)len, dgram);
	cr_assert_eq(sync_decode(buf, len, key, &d), SYNC_REJ_NONE);
	cr_assert_eq(d.count, n);
	cr_assert_eq(sync_encode_records(buf, dgram, &h, many, n + 1, key), -ENOSPC);
	cr_assert_eq(sync_records_per_dgram(SYNC_DGRAM_MIN - 1), 0);
	cr_assert_eq(sync_records_per_dgram(SYNC_DGRAM_MIN + SYNC_REC_LEN), 1);
	cr_assert_eq(sync_records_per_dgram(1 << 20), sync_records_per_dgram(SYNC_DGRAM_MAX),
		     "never more than a UDP datagram holds");
}

Test(sync_codec, refuses_short_key_material)
{
	uint8_t k[SYNC_KEY_LEN];

	cr_assert_eq(sync_key_derive("short", 5, k), -EINVAL);
}

Test(sync_codec, names_every_reject_reason)
{
	int r;

	for (r = 0; r < SYNC_REJ_MAX; r++) {
		cr_assert_not_null(sync_reject_name(r));
		cr_assert_str_neq(sync_reject_name(r), "unknown", "reason %d has no name", r);
	}
}

/* --- replay window --------------------------------------------------------------------------- */

TestSuite(sync_window);

static enum sync_reject offer(struct sync_window *w, uint64_t epoch, uint64_t seq)
{
	enum sync_reject r = sync_window_check(w, epoch, seq);

	if (!r)
		sync_window_commit(w, epoch, seq);
	return r;
}

Test(sync_window, accepts_each_sequence_once)
{
	struct sync_window w = {};
	uint64_t s;

	for (s = 1; s <= 200; s++)
		cr_assert_eq(offer(&w, 10, s), SYNC_REJ_NONE, "seq %llu", (unsigned long long)s);
	for (s = 1; s <= 200; s++)
		cr_assert_eq(offer(&w, 10, s), SYNC_REJ_REPLAY, "seq %llu", (unsigned long long)s);
}

Test(sync_window, accepts_reordering_inside_the_window_across_words)
{
	struct sync_window w = {};

	cr_assert_eq(offer(&w, 10, 1), SYNC_REJ_NONE);
	cr_assert_eq(offer(&w, 10, 300), SYNC_REJ_NONE);
	cr_assert_eq(offer(&w, 10, 237), SYNC_REJ_NONE, "63 behind");
	cr_assert_eq(offer(&w, 10, 236), SYNC_REJ_NONE, "64 behind: next word");
	cr_assert_eq(offer(&w, 10, 170), SYNC_REJ_NONE);
	cr_assert_eq(offer(&w, 10, 237), SYNC_REJ_REPLAY);
	cr_assert_eq(offer(&w, 10, 236), SYNC_REJ_REPLAY);
	cr_assert_eq(offer(&w, 10, 1), SYNC_REJ_REPLAY, "seen before the jump, still in window");
	cr_assert_eq(offer(&w, 10, 301), SYNC_REJ_NONE);
	cr_assert_eq(offer(&w, 10, 237), SYNC_REJ_REPLAY, "bits moved with the window");
	cr_assert_eq(offer(&w, 10, 170), SYNC_REJ_REPLAY);
	cr_assert_eq(offer(&w, 10, 171), SYNC_REJ_NONE);
}

Test(sync_window, refuses_below_the_window)
{
	struct sync_window w = {};

	cr_assert_eq(offer(&w, 10, SYNC_WINDOW_BITS + 5), SYNC_REJ_NONE);
	cr_assert_eq(offer(&w, 10, 6), SYNC_REJ_NONE, "exactly the window's last bit");
	cr_assert_eq(offer(&w, 10, 5), SYNC_REJ_TOO_OLD);
	cr_assert_eq(offer(&w, 10, 0), SYNC_REJ_TOO_OLD, "sequence numbers start at 1");
	cr_assert_eq(offer(&w, 10, 10 * SYNC_WINDOW_BITS), SYNC_REJ_NONE, "a big jump");
	cr_assert_eq(offer(&w, 10, SYNC_WINDOW_BITS + 5), SYNC_REJ_TOO_OLD);
}

Test(sync_window, a_restarted_peer_is_accepted_and_its_old_run_refused)
{
	struct sync_window w = {};

	cr_assert_eq(offer(&w, 10, 5000), SYNC_REJ_NONE);
	cr_assert_eq(offer(&w, 11, 1), SYNC_REJ_NONE, "new epoch starts again at 1");
	cr_assert_eq(offer(&w, 11, 2), SYNC_REJ_NONE);
	cr_assert_eq(offer(&w, 10, 5001), SYNC_REJ_OLD_EPOCH, "replay of the previous run");
	cr_assert_eq(offer(&w, 11, 1), SYNC_REJ_REPLAY);
	cr_assert_eq(offer(&w, 0, 1), SYNC_REJ_TOO_OLD, "epoch 0 is never valid");
}
