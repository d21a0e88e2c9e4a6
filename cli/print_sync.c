// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Human output of the sync verbs: `lbctl sync` (counters) and `lbctl peers` (the live set). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "lbctl.h"
#include "table.h"

const char *lbctl_sync_summary(char *buf, size_t len, json_t *status)
{
	json_t *sync = json_object_get(status, "sync");
	uint64_t peers = res_uint(sync, "peers");

	if (!json_is_object(sync))
		snprintf(buf, len, "off");
	else
		snprintf(buf, len, "%s, %" PRIu64 " peer%s",
			 json_is_true(json_object_get(sync, "in_sync")) ? "in sync" : "catching up",
			 peers, peers == 1 ? "" : "s");
	return buf;
}

int lbctl_print_sync(FILE *out, json_t *res, json_t *args)
{
	json_t *sent = json_object_get(res, "sent"), *recv = json_object_get(res, "received");
	json_t *rejected = json_object_get(res, "rejected"), *v;
	const char *reason;
	struct table *t;
	uint64_t rej = 0;
	int ret = 0;

	if (!json_is_true(json_object_get(res, "enabled"))) {
		fputs("sync disabled (sync.enabled in the config)\n", out);
		return 0;
	}
	t = table_new(2, NULL, "ll");
	if (!t)
		return -ENOMEM;
	ret |= table_cell(t, "state");
	ret |= table_cell(t, "%s",
			  json_is_true(json_object_get(res, "in_sync"))
			      ? "in sync"
			      : "catching up (waiting for peers' dumps)");
	ret |= table_cell(t, "sent");
	ret |= table_cell(
	    t,
	    "%" PRIu64 " records in %" PRIu64 " datagrams, %" PRIu64 " heartbeats, %" PRIu64
	    " dump records; %" PRIu64 " errors, %" PRIu64 " dropped (queue full)",
	    res_uint(sent, "records"), res_uint(sent, "datagrams"), res_uint(sent, "heartbeats"),
	    res_uint(sent, "dump_records"), res_uint(sent, "errors"), res_uint(sent, "queue_full"));
	ret |= table_cell(t, "received");
	ret |= table_cell(t,
			  "%" PRIu64 " records in %" PRIu64 " datagrams, %" PRIu64
			  " heartbeats, %" PRIu64 " dump records",
			  res_uint(recv, "records"), res_uint(recv, "datagrams"),
			  res_uint(recv, "heartbeats"), res_uint(recv, "dump_records"));
	ret |= table_cell(t, "applied");
	ret |= table_cell(t, "%" PRIu64 " records into conntrack", res_uint(res, "applied"));
	ret |= table_cell(t, "events");
	ret |= table_cell(t, "%" PRIu64 " flow events read", res_uint(res, "events"));
	ret |= table_cell(t, "queue");
	ret |= table_cell(t, "%" PRIu64 " datagrams waiting (%" PRIu64 " bytes each at most)",
			  res_uint(res, "queue_depth"), res_uint(res, "datagram_bytes"));
	json_object_foreach (rejected, reason, v) {
		if (!json_integer_value(v))
			continue;
		ret |= table_cell(t, rej++ ? "" : "rejected");
		ret |= table_cell(t, "%s %" PRIu64, reason, (uint64_t)json_integer_value(v));
	}
	if (!rej) {
		ret |= table_cell(t, "rejected");
		ret |= table_cell(t, "none");
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

int lbctl_print_peers(FILE *out, json_t *res, json_t *args)
{
	static const char *const hdr[] = {"NODE", "ZONE",  "ADDRESS", "LAST SEEN",
					  "LAG",  "QUEUE", "IN SYNC", "DUMP TO US"};
	json_t *peers = json_object_get(res, "peers"), *p;
	struct table *t;
	size_t i;
	int ret = 0;

	if (!json_array_size(peers)) {
		fputs("no live peers\n", out);
		return 0;
	}
	t = table_new(8, hdr, "rlllrrll");
	if (!t)
		return -ENOMEM;
	json_array_foreach (peers, i, p) {
		ret |= table_cell(t, "%" PRIu64, res_uint(p, "id"));
		ret |= table_cell(t, "%s", res_str(p, "zone"));
		ret |= table_cell(t, "%s", res_str(p, "address"));
		ret |= table_cell(t, "%" PRIu64 " ms ago", res_uint(p, "last_seen_ms"));
		ret |= table_cell(t, "%" PRIu64, res_uint(p, "lag_records"));
		ret |= table_cell(t, "%" PRIu64, res_uint(p, "queue_depth"));
		ret |=
		    table_cell(t, "%s", json_is_true(json_object_get(p, "in_sync")) ? "yes" : "no");
		ret |= table_cell(t, "%s",
				  json_is_true(json_object_get(p, "dump_done")) ? "done" : "-");
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}
