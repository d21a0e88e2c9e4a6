// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Sync as the control verbs show it: counters, rejects by reason, the live peers. */
#include "core/sync_agent.h"

json_t *sync_agent_stats_json(const struct sync *s)
{
	const struct sync_stats *st;
	json_t *rejected, *out;
	int r;

	if (!s)
		return json_pack("{s:b, s:b}", "enabled", false, "in_sync", true);
	st = sync_get_stats(s);
	rejected = json_object();
	for (r = 1; r < SYNC_REJ_MAX; r++)
		json_object_set_new(rejected, sync_reject_name(r), json_integer(st->rejected[r]));
	out = json_pack(
	    "{s:b, s:b, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I}, "
	    "s:{s:I, s:I, s:I, s:I}, s:I, s:o, s:{s:I, s:I, s:I}}",
	    "enabled", true, "in_sync", sync_in_sync(s), "queue_depth",
	    (json_int_t)sync_queue_depth(s), "datagram_bytes", (json_int_t)sync_dgram_max(s),
	    "events", (json_int_t)st->events, "sent", "records", (json_int_t)st->records_sent,
	    "datagrams", (json_int_t)st->dgrams_sent, "heartbeats", (json_int_t)st->heartbeats_sent,
	    "dump_records", (json_int_t)st->dump_records_sent, "errors",
	    (json_int_t)st->send_errors, "queue_full", (json_int_t)st->queue_full, "received",
	    "records", (json_int_t)st->records_received, "datagrams",
	    (json_int_t)st->dgrams_received, "heartbeats", (json_int_t)st->heartbeats_received,
	    "dump_records", (json_int_t)st->dump_records_received, "applied",
	    (json_int_t)st->records_applied, "rejected", rejected, "dumps", "served",
	    (json_int_t)st->dumps_served, "requested", (json_int_t)st->dumps_requested, "asked",
	    (json_int_t)st->dump_requests_sent);
	return out;
}

json_t *sync_agent_peers_json(const struct sync *s)
{
	struct sync_peer_info info[SYNC_PEERS_MAX];
	json_t *list = json_array();
	size_t n = s ? sync_get_peers(s, info, SYNC_PEERS_MAX) : 0, i;

	for (i = 0; i < n && i < SYNC_PEERS_MAX; i++)
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:b, s:b}", "id",
				    (json_int_t)info[i].id, "zone", info[i].zone, "address",
				    info[i].addr, "last_seen_ms", (json_int_t)info[i].last_seen_ms,
				    "lag_records", (json_int_t)info[i].lag_records, "queue_depth",
				    (json_int_t)info[i].queue_depth, "in_sync", info[i].in_sync,
				    "dump_done", info[i].dump_done));
	return json_pack("{s:o}", "peers", list);
}
