// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lbctl sync / lbctl peers: parsed from the token table, printed for people. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "lbctl.h"

static char *print_to_string(lbctl_print_fn fn, const char *json)
{
	json_t *res = json_loads(json, 0, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(res);
	cr_assert_eq(fn(f, res, NULL), 0);
	fclose(f);
	json_decref(res);
	return buf;
}

Test(lbctl_sync, parses_sync_and_peers_without_arguments)
{
	char *const sync_words[] = {"sync"}, *const peers_words[] = {"peers"};
	char *const extra[] = {"peers", "now"};
	struct lbctl_cmd cmd = {};
	char err[256];

	cr_assert_eq(lbctl_parse(1, sync_words, &cmd, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cmd.verb, LBCTL_SYNC);
	cr_assert_str_eq(lbctl_verbs[cmd.verb].wire, "sync");
	lbctl_cmd_free(&cmd);
	cr_assert_eq(lbctl_parse(1, peers_words, &cmd, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cmd.verb, LBCTL_PEERS);
	lbctl_cmd_free(&cmd);
	cr_assert_neq(lbctl_parse(2, extra, &cmd, err, sizeof(err)), 0, "peers takes nothing");
	lbctl_cmd_free(&cmd);
}

Test(lbctl_sync, prints_state_counters_and_only_nonzero_rejects)
{
	char *out = print_to_string(
	    lbctl_print_sync,
	    "{\"enabled\": true, \"in_sync\": false, \"queue_depth\": 3, \"datagram_bytes\": 1472,"
	    " \"events\": 9, \"sent\": {\"records\": 40, \"datagrams\": 2, \"heartbeats\": 5,"
	    " \"dump_records\": 0, \"errors\": 0, \"queue_full\": 0}, \"received\": {\"records\":"
	    " 7, \"datagrams\": 3, \"heartbeats\": 4, \"dump_records\": 100}, \"applied\": 106,"
	    " \"rejected\": {\"bad_tag\": 2, \"replay\": 0}}");

	cr_assert(strstr(out, "catching up"), "%s", out);
	cr_assert(strstr(out, "40 records in 2 datagrams"), "%s", out);
	cr_assert(strstr(out, "100 dump records"), "%s", out);
	cr_assert(strstr(out, "106 records into conntrack"), "%s", out);
	cr_assert(strstr(out, "bad_tag 2"), "%s", out);
	cr_assert_null(strstr(out, "replay"), "zero counters are left out: %s", out);
	free(out);
	out = print_to_string(lbctl_print_sync, "{\"enabled\": false, \"in_sync\": true}");
	cr_assert(strstr(out, "sync disabled"), "%s", out);
	free(out);
}

Test(lbctl_sync, status_row_says_off_in_sync_or_catching_up)
{
	char buf[64];
	json_t *st = json_loads("{\"sync\": null}", 0, NULL);

	cr_assert_str_eq(lbctl_sync_summary(buf, sizeof(buf), st), "off");
	json_decref(st);
	st = json_loads("{\"sync\": {\"in_sync\": false, \"peers\": 0}}", 0, NULL);
	cr_assert_str_eq(lbctl_sync_summary(buf, sizeof(buf), st), "catching up, 0 peers");
	json_decref(st);
	st = json_loads("{\"sync\": {\"in_sync\": true, \"peers\": 1}}", 0, NULL);
	cr_assert_str_eq(lbctl_sync_summary(buf, sizeof(buf), st), "in sync, 1 peer");
	json_decref(st);
}

Test(lbctl_sync, prints_one_row_per_peer)
{
	char *out = print_to_string(
	    lbctl_print_peers,
	    "{\"peers\": [{\"id\": 2, \"zone\": \"b\", \"address\": \"203.0.113.66\","
	    " \"last_seen_ms\": 120, \"lag_records\": 0, \"queue_depth\": 0, \"in_sync\": true,"
	    " \"dump_done\": true}]}");

	cr_assert(strstr(out, "NODE"), "%s", out);
	cr_assert(strstr(out, "203.0.113.66"), "%s", out);
	cr_assert(strstr(out, "120 ms ago"), "%s", out);
	free(out);
	out = print_to_string(lbctl_print_peers, "{\"peers\": []}");
	cr_assert_str_eq(out, "no live peers\n");
	free(out);
}
