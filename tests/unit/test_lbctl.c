// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lbctl: every verb parsed into the request it sends, bad input refused, results printed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "format.h"
#include "lbctl.h"
#include "table.h"

#define ARGV(...)                                                                                  \
	((char *const[]){__VA_ARGS__}), sizeof((char *const[]){__VA_ARGS__}) / sizeof(char *)

/* Parses words and checks the verb sent and its args (compared as sorted compact JSON). */
static void expect_parse(char *const *words, size_t n, enum lbctl_verb_id verb, const char *wire,
			 const char *args)
{
	struct lbctl_cmd cmd;
	char err[256] = "", *got;

	cr_assert_eq(lbctl_parse((int)n, words, &cmd, err, sizeof(err)), 0, "%s: %s", words[0],
		     err);
	cr_assert_eq(cmd.verb, verb, "%s: verb %d", words[0], cmd.verb);
	cr_assert_str_eq(lbctl_verbs[cmd.verb].wire, wire);
	got = json_dumps(cmd.args, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_str_eq(got, args);
	free(got);
	lbctl_cmd_free(&cmd);
}

static void expect_refused(char *const *words, size_t n, const char *message)
{
	struct lbctl_cmd cmd;
	char err[256] = "";

	cr_assert_eq(lbctl_parse((int)n, words, &cmd, err, sizeof(err)), -EINVAL,
		     "accepted where \"%s\" was expected", message);
	cr_assert_str_eq(err, message);
	cr_assert_null(cmd.args);
}

Test(lbctl_parse, parses_every_verb_into_its_request)
{
	expect_parse(ARGV("status"), LBCTL_STATUS, "status", "{}");
	expect_parse(ARGV("vip", "list"), LBCTL_VIP_LIST, "vip.list", "{}");
	expect_parse(ARGV("vip", "show", "web"), LBCTL_VIP_SHOW, "vip.show", "{\"vip\":\"web\"}");
	expect_parse(ARGV("vip", "show", "[2001:db8::10]:443/tcp"), LBCTL_VIP_SHOW, "vip.show",
		     "{\"vip\":\"[2001:db8::10]:443/tcp\"}");
	expect_parse(ARGV("backend", "list"), LBCTL_BACKEND_LIST, "backend.list", "{}");
	expect_parse(ARGV("backend", "list", "192.0.2.10:*/udp"), LBCTL_BACKEND_LIST,
		     "backend.list", "{\"vip\":\"192.0.2.10:*/udp\"}");
	expect_parse(ARGV("backend", "drain", "198.51.100.1"), LBCTL_BACKEND_DRAIN, "backend.drain",
		     "{\"backend\":\"198.51.100.1\"}");
	expect_parse(ARGV("backend", "undrain", "2001:db8::1"), LBCTL_BACKEND_UNDRAIN,
		     "backend.undrain", "{\"backend\":\"2001:db8::1\"}");
	expect_parse(ARGV("backend", "weight", "198.51.100.1", "5"), LBCTL_BACKEND_WEIGHT,
		     "backend.weight", "{\"backend\":\"198.51.100.1\",\"weight\":5}");
	expect_parse(ARGV("backend", "weight", "198.51.100.1", "65535", "web"),
		     LBCTL_BACKEND_WEIGHT, "backend.weight",
		     "{\"backend\":\"198.51.100.1\",\"vip\":\"web\",\"weight\":65535}");
	expect_parse(ARGV("stats"), LBCTL_STATS, "stats", "{}");
	expect_parse(ARGV("conntrack", "list"), LBCTL_CONNTRACK_LIST, "conntrack.list", "{}");
	expect_parse(ARGV("conntrack", "list", "web", "--limit", "50"), LBCTL_CONNTRACK_LIST,
		     "conntrack.list", "{\"limit\":50,\"vip\":\"web\"}");
	expect_parse(ARGV("conntrack", "list", "--limit", "10000", "web"), LBCTL_CONNTRACK_LIST,
		     "conntrack.list", "{\"limit\":10000,\"vip\":\"web\"}");
	expect_parse(
	    ARGV("explain", "203.0.113.7:40000", "192.0.2.10:80"), LBCTL_EXPLAIN, "explain",
	    "{\"client\":\"203.0.113.7:40000\",\"proto\":\"tcp\",\"vip\":\"192.0.2.10:80\"}");
	expect_parse(ARGV("explain", "[2001:db8::7]:40000", "[2001:db8::10]:53", "udp"),
		     LBCTL_EXPLAIN, "explain",
		     "{\"client\":\"[2001:db8::7]:40000\",\"proto\":\"udp\","
		     "\"vip\":\"[2001:db8::10]:53\"}");
	expect_parse(ARGV("reload"), LBCTL_RELOAD, "reload", "{}");
	expect_parse(ARGV("version"), LBCTL_VERSION, "version", "{}");
	expect_parse(ARGV("shutdown"), LBCTL_SHUTDOWN, "shutdown", "{}");
	expect_parse(ARGV("shutdown", "--unload"), LBCTL_SHUTDOWN, "shutdown", "{\"unload\":true}");
}

Test(lbctl_parse, refuses_unknown_commands_and_missing_words)
{
	struct lbctl_cmd cmd;
	char err[64];

	cr_assert_eq(lbctl_parse(0, NULL, &cmd, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "missing command");
	expect_refused(ARGV("frobnicate"), "unknown command \"frobnicate\"");
	expect_refused(ARGV("--json"), "unknown command \"--json\"");
	expect_refused(ARGV("vip"), "missing list or show after \"vip\"");
	expect_refused(
	    ARGV("backend", "frob"),
	    "unexpected \"frob\" after \"backend\" (expected list, drain, undrain or weight)");
	expect_refused(ARGV("vip", "show"), "missing <vip> after \"show\"");
	expect_refused(ARGV("backend", "weight", "198.51.100.1"),
		       "missing <weight> after \"198.51.100.1\"");
	expect_refused(ARGV("conntrack", "list", "--limit"), "missing <limit> after \"--limit\"");
	expect_refused(ARGV("explain", "203.0.113.7:1"),
		       "missing <vip:port> after \"203.0.113.7:1\"");
}

Test(lbctl_parse, refuses_extra_words_and_unknown_options)
{
	expect_refused(ARGV("status", "now"), "unexpected \"now\" after \"status\"");
	expect_refused(ARGV("vip", "show", "web", "api"), "unexpected \"api\" after \"web\"");
	expect_refused(ARGV("shutdown", "--force"),
		       "unexpected \"--force\" after \"shutdown\" (expected --unload)");
	expect_refused(ARGV("shutdown", "--unload", "--unload"),
		       "unexpected \"--unload\" after \"--unload\"");
	expect_refused(ARGV("conntrack", "list", "--max", "5"),
		       "unexpected \"--max\" after \"list\" (expected --limit or <vip>)");
	expect_refused(ARGV("backend", "weight", "198.51.100.1", "5", "web", "api"),
		       "unexpected \"api\" after \"web\"");
	expect_refused(ARGV("explain", "203.0.113.7:1", "192.0.2.10:80", "sctp"),
		       "unexpected \"sctp\" after \"192.0.2.10:80\" (expected tcp or udp)");
}

Test(lbctl_parse, refuses_malformed_values)
{
	expect_refused(ARGV("backend", "drain", "198.51.100.300"),
		       "<addr>: \"198.51.100.300\" is not an IPv4 or IPv6 address");
	expect_refused(ARGV("backend", "drain", "web"),
		       "<addr>: \"web\" is not an IPv4 or IPv6 address");
	expect_refused(ARGV("backend", "weight", "198.51.100.1", "0"),
		       "<weight>: \"0\" is not a number in 1..65535");
	expect_refused(ARGV("backend", "weight", "198.51.100.1", "65536"),
		       "<weight>: \"65536\" is not a number in 1..65535");
	expect_refused(ARGV("backend", "weight", "198.51.100.1", "-3"),
		       "unexpected \"-3\" after \"198.51.100.1\" (expected <weight>)");
	expect_refused(ARGV("backend", "weight", "198.51.100.1", "5x"),
		       "<weight>: \"5x\" is not a number in 1..65535");
	expect_refused(ARGV("backend", "weight", "198.51.100.1", "99999999999999999999"),
		       "<weight>: \"99999999999999999999\" is not a number in 1..65535");
	expect_refused(ARGV("conntrack", "list", "--limit", "10001"),
		       "<limit>: \"10001\" is not a number in 1..10000");
	expect_refused(ARGV("conntrack", "list", "--limit", "5", "--limit", "6"),
		       "<limit> given twice");
	expect_refused(ARGV("conntrack", "list", "web", "api"), "<vip> given twice");
	expect_refused(ARGV("vip", "show", "bad name"),
		       "<vip>: \"bad name\" is not a VIP name or address:port/proto");
	expect_refused(ARGV("vip", "show", ""),
		       "<vip>: \"\" is not a VIP name or address:port/proto");
}

Test(lbctl_parse, refuses_malformed_endpoints)
{
	static const char *const bad[] = {
	    "203.0.113.7",
	    "203.0.113.7:",
	    "203.0.113.7:0",
	    "203.0.113.7:65536",
	    "203.0.113.7:http",
	    ":80",
	    "2001:db8::7:80",
	    "[2001:db8::7]80",
	    "[203.0.113.7]:80",
	    "[2001:db8::7]:",
	    "[]:80",
	    "203.0.113.700:80",
	};
	char msg[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(msg, sizeof(msg),
			 "<client-ip:port>: \"%s\" is not address:port (IPv6 as [addr]:port)",
			 bad[i]);
		expect_refused(ARGV("explain", (char *)bad[i], "192.0.2.10:80"), msg);
	}
}

Test(lbctl_parse, keeps_the_verb_reached_for_a_focused_usage)
{
	char *const words[] = {"backend", "weight", "x"};
	struct lbctl_cmd cmd;
	char err[256];

	cr_assert_eq(lbctl_parse(3, words, &cmd, err, sizeof(err)), -EINVAL);
	cr_assert_eq(cmd.verb, LBCTL_BACKEND_WEIGHT);
}

Test(lbctl_parse, has_a_wire_name_synopsis_and_printer_for_every_verb)
{
	int i;

	for (i = LBCTL_NONE + 1; i < LBCTL_VERB_MAX; i++) {
		cr_assert_not_null(lbctl_verbs[i].wire, "verb %d", i);
		cr_assert_not_null(lbctl_verbs[i].synopsis, "verb %d", i);
		cr_assert_not_null(lbctl_verbs[i].print, "verb %d", i);
		cr_assert_gt(lbctl_verbs[i].timeout_ms, 0, "verb %d", i);
	}
}

/* ---- formatting ------------------------------------------------------------------------- */

Test(lbctl_format, prints_bytes_with_binary_units)
{
	char buf[FMT_BUF];

	cr_assert_str_eq(fmt_bytes(buf, sizeof(buf), 0), "0 B");
	cr_assert_str_eq(fmt_bytes(buf, sizeof(buf), 1023), "1023 B");
	cr_assert_str_eq(fmt_bytes(buf, sizeof(buf), 1024), "1.0 KiB");
	cr_assert_str_eq(fmt_bytes(buf, sizeof(buf), 1536), "1.5 KiB");
	cr_assert_str_eq(fmt_bytes(buf, sizeof(buf), 12582912), "12.0 MiB");
	cr_assert_str_eq(fmt_bytes(buf, sizeof(buf), 5ull << 30), "5.0 GiB");
	cr_assert_str_eq(fmt_bytes(buf, sizeof(buf), UINT64_MAX), "16.0 EiB");
}

Test(lbctl_format, prints_durations_in_their_two_largest_units)
{
	char buf[FMT_BUF];

	cr_assert_str_eq(fmt_duration(buf, sizeof(buf), 0), "0s");
	cr_assert_str_eq(fmt_duration(buf, sizeof(buf), 59), "59s");
	cr_assert_str_eq(fmt_duration(buf, sizeof(buf), 60), "1m0s");
	cr_assert_str_eq(fmt_duration(buf, sizeof(buf), 3725), "1h2m");
	cr_assert_str_eq(fmt_duration(buf, sizeof(buf), 90061), "1d1h");
}

Test(lbctl_format, brackets_ipv6_endpoints_and_stars_port_zero)
{
	char buf[FMT_BUF];

	cr_assert_str_eq(fmt_endpoint(buf, sizeof(buf), "192.0.2.10", 80), "192.0.2.10:80");
	cr_assert_str_eq(fmt_endpoint(buf, sizeof(buf), "2001:db8::10", 443), "[2001:db8::10]:443");
	cr_assert_str_eq(fmt_endpoint(buf, sizeof(buf), "192.0.2.10", 0), "192.0.2.10:*");
}

Test(lbctl_format, prints_time_in_utc)
{
	char buf[FMT_BUF];

	cr_assert_str_eq(fmt_time(buf, sizeof(buf), 1795311600), "2026-11-22 01:40:00 UTC");
}

Test(lbctl_table, aligns_columns_without_trailing_blanks)
{
	static const char *const hdr[] = {"NAME", "PACKETS", "NOTE"};
	struct table *t = table_new(3, hdr, "lrl");
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(t);
	table_cell(t, "web");
	table_cell(t, "5");
	table_cell(t, "%s", "");
	table_cell(t, "api-long-name");
	table_cell(t, "1234567");
	table_cell(t, "x");
	cr_assert_eq(table_rows(t), 2);
	table_print(t, f);
	fclose(f);
	cr_assert_str_eq(out, "NAME           PACKETS  NOTE\n"
			      "web                  5\n"
			      "api-long-name  1234567  x\n");
	free(out);
	table_free(t);
}

Test(lbctl_table, refuses_an_alignment_that_does_not_match_the_columns)
{
	cr_assert_null(table_new(3, NULL, "lr"));
	cr_assert_eq(errno, EINVAL);
	cr_assert_null(table_new(0, NULL, NULL));
}

/* Runs a printer on canned result JSON (and args) and returns what it printed. */
static char *print_canned(lbctl_print_fn print, const char *result, const char *args)
{
	json_error_t jerr;
	json_t *res = json_loads(result, 0, &jerr), *a = json_loads(args ?: "{}", 0, NULL);
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(res, "canned JSON: %s", jerr.text);
	cr_assert_eq(print(f, res, a), 0);
	fclose(f);
	json_decref(res);
	json_decref(a);
	return out;
}

static void expect_printed(lbctl_print_fn print, const char *result, const char *args,
			   const char *expected)
{
	char *out = print_canned(print, result, args);

	cr_assert_str_eq(out, expected);
	free(out);
}

Test(lbctl_print, status_as_aligned_key_values)
{
	expect_printed(
	    lbctl_print_status,
	    "{\"node_id\": 1, \"zone\": \"a\", \"role\": \"balancer\", \"interface\": "
	    "\"eth0\", \"xdp_mode\": \"native\", \"attached\": true, \"config\": "
	    "\"/etc/xdplb/lb.yaml\", \"config_loaded_at\": 1795311600, \"reloads_ok\": 3, "
	    "\"reloads_failed\": 1, \"last_reload_error\": \"lb.yaml:14:7: bad port\", "
	    "\"vips\": 2, \"backends\": 6, \"conntrack_entries\": 1234, "
	    "\"conntrack_size\": 1048576, \"conntrack_unconfirmed\": 56, \"uptime_s\": 7980, \"control_rejected\": 1, "
	    "\"pid\": 4242}",
	    NULL,
	    "node       1, zone a, balancer\n"
	    "interface  eth0, xdp native, attached\n"
	    "config     /etc/xdplb/lb.yaml, loaded 2026-11-22 01:40:00 UTC\n"
	    "reloads    3 ok, 1 failed; last error: lb.yaml:14:7: bad port\n"
	    "vips       2\n"
	    "backends   6\n"
	    "conntrack  1234 of 1048576 entries, 56 unconfirmed (seen once)\n"
	    "uptime     2h13m\n"
	    "control    1 rejected request\n"
	    "pid        4242\n");
}

Test(lbctl_print, status_says_when_the_program_is_not_attached)
{
	char *out = print_canned(lbctl_print_status,
				 "{\"attached\": false, \"interface\": \"eth0\", \"xdp_mode\": "
				 "\"generic\", \"last_reload_error\": null}",
				 NULL);

	cr_assert(strstr(out, "interface  eth0, xdp generic, NOT attached\n"), "%s", out);
	cr_assert(strstr(out, "reloads    0 ok, 0 failed\n"), "%s", out);
	free(out);
	out = print_canned(lbctl_print_status, "{\"backends\": 6, \"next_hops_pending\": 2}", NULL);
	cr_assert(strstr(out, "backends   6, 2 waiting for a next hop\n"), "%s", out);
	free(out);
}

static const char vip_list[] =
    "{\"vips\": [{\"name\": \"web\", \"address\": \"192.0.2.10\", \"port\": 80, \"proto\": "
    "\"tcp\", \"encap\": \"ipip\", \"maglev_size\": 65537, \"flags\": [], \"backends\": 3, "
    "\"backends_up\": 2, \"packets\": 123456, \"bytes\": 98765432, \"new_flows\": 420, "
    "\"ct_hits\": 1, \"ct_misses\": 2}, {\"name\": \"\", \"address\": \"2001:db8::53\", "
    "\"port\": 0, \"proto\": \"udp\", \"encap\": \"gue\", \"maglev_size\": 251, \"flags\": "
    "[\"hash_addrs\", \"fail_open\"], \"backends\": 1, \"backends_up\": 1, \"packets\": 0, "
    "\"bytes\": 0, \"new_flows\": 0}]}";

Test(lbctl_print, vip_list_as_a_table_with_units)
{
	expect_printed(
	    lbctl_print_vip_list, vip_list, NULL,
	    "NAME  VIP                   ENCAP  BACKENDS  PACKETS     BYTES  NEW FLOWS  "
	    "FLAGS\n"
	    "web   192.0.2.10:80/tcp     ipip     2/3 up   123456  94.2 MiB        420  -\n"
	    "-     [2001:db8::53]:*/udp  gue      1/1 up        0       0 B          0  "
	    "hash_addrs,fail_open\n");
}

Test(lbctl_print, says_so_when_there_is_nothing_to_list)
{
	expect_printed(lbctl_print_vip_list, "{\"vips\": []}", NULL, "no VIPs configured\n");
	expect_printed(lbctl_print_backend_list, "{\"backends\": []}", NULL, "no backends\n");
	expect_printed(lbctl_print_conntrack, "{\"entries\": [], \"truncated\": false}", NULL,
		       "no tracked connections\n");
}

static const char backend_list[] =
    "{\"backends\": [{\"vip\": \"web\", \"address\": \"198.51.100.1\", \"index\": 1, "
    "\"weight\": 100, \"zone\": \"a\", \"state\": \"up\", \"vips\": [\"web\", \"api\"], "
    "\"next_hop_mac\": \"02:00:00:00:00:01\", \"packets\": 10, \"bytes\": 2048, "
    "\"new_flows\": 2}, {\"vip\": \"api\", \"address\": \"198.51.100.1\", \"index\": 3, "
    "\"weight\": 100, \"zone\": \"a\", \"state\": \"down\", \"vips\": [\"web\", \"api\"], "
    "\"next_hop_mac\": \"02:00:00:00:00:01\", \"packets\": 1, \"bytes\": 60, "
    "\"new_flows\": 1}, {\"vip\": \"web\", \"address\": "
    "\"2001:db8::2\", \"index\": 2, \"weight\": 1, \"zone\": \"b\", \"state\": \"drain\", "
    "\"vips\": [\"web\"], \"next_hop_mac\": null, \"packets\": 0, \"bytes\": 0, "
    "\"new_flows\": 0}]}";

Test(lbctl_print, backend_list_has_a_row_per_vip_and_backend_pair)
{
	expect_printed(
	    lbctl_print_backend_list, backend_list, NULL,
	    "VIP  ADDRESS       STATE  WEIGHT  ZONE  NEXT HOP           PACKETS    BYTES  "
	    "NEW FLOWS\n"
	    "web  198.51.100.1  up        100  a     02:00:00:00:00:01       10  2.0 KiB"
	    "          2\n"
	    "api  198.51.100.1  down      100  a     02:00:00:00:00:01        1     60 B"
	    "          1\n"
	    "web  2001:db8::2   drain       1  b     unresolved               0      0 B"
	    "          0\n");
}

Test(lbctl_print, vip_show_gives_the_vip_then_its_backends)
{
	char *out =
	    print_canned(lbctl_print_vip_show,
			 "{\"name\": \"web\", \"address\": \"192.0.2.10\", \"port\": 80, "
			 "\"proto\": \"tcp\", \"encap\": \"ipip\", \"maglev_size\": 65537, "
			 "\"flags\": [\"fail_open\"], \"backends_up\": 1, \"packets\": 5, "
			 "\"bytes\": 300, \"new_flows\": 1, \"ct_hits\": 4, \"ct_misses\": 1, "
			 "\"backends\": [{\"address\": \"198.51.100.1\", \"weight\": 1, "
			 "\"state\": \"up\", \"zone\": \"a\", \"next_hop_mac\": null, "
			 "\"vips\": [\"web\"]}]}",
			 NULL);

	cr_assert_str_eq(
	    out, "vip          web (192.0.2.10:80/tcp)\n"
		 "encap        ipip\n"
		 "maglev size  65537\n"
		 "flags        fail_open\n"
		 "backends     1 of 1 up\n"
		 "traffic      5 packets, 300 B, 1 new flows\n"
		 "conntrack    4 hits, 1 misses\n"
		 "\n"
		 "ADDRESS       STATE  WEIGHT  ZONE  NEXT HOP    PACKETS  BYTES  NEW FLOWS\n"
		 "198.51.100.1  up          1  a     unresolved        0    0 B          0\n");
	free(out);
}

Test(lbctl_print, stats_list_only_the_drop_reasons_seen)
{
	char *out = print_canned(lbctl_print_stats,
				 "{\"forwarded\": 1000, \"passed\": 20, \"icmp_echo_replied\": 0, "
				 "\"icmp_too_big_sent\": 3, \"icmp_errors_forwarded\": 0, "
				 "\"events_sent\": 7, \"events_lost\": 0, \"ct_insert_failed\": 0, "
				 "\"drops\": {\"eth_truncated\": {\"packets\": 0, \"bytes\": 0}, "
				 "\"no_backend\": {\"packets\": 12, \"bytes\": 720}, \"fragment\": "
				 "{\"packets\": 2, \"bytes\": 3000}}}",
				 NULL);

	cr_assert_str_eq(out, "forwarded                1000\n"
			      "passed                     20\n"
			      "icmp echo replied           0\n"
			      "icmp too big sent           3\n"
			      "icmp errors forwarded       0\n"
			      "sync events sent            7\n"
			      "sync events lost            0\n"
			      "conntrack insert failed     0\n"
			      "\n"
			      "DROP REASON  PACKETS    BYTES\n"
			      "no_backend        12    720 B\n"
			      "fragment           2  2.9 KiB\n");
	free(out);
	out = print_canned(lbctl_print_stats, "{\"forwarded\": 1, \"drops\": {}}", NULL);
	cr_assert(strstr(out, "\nno drops\n"), "%s", out);
	free(out);
}

Test(lbctl_print, stats_of_a_backend_by_tunnel_kind_and_its_drops)
{
	char *out = print_canned(
	    lbctl_print_stats,
	    "{\"role\": \"backend\", \"decapsulated\": 42, \"passed\": 17, \"decap\": "
	    "{\"ipip\": {\"packets\": 40, \"bytes\": 4000}, \"6in4\": {\"packets\": 0, "
	    "\"bytes\": 0}, \"gue\": {\"packets\": 2, \"bytes\": 300}}, \"drops\": "
	    "{\"adjust_failed\": {\"packets\": 0, \"bytes\": 0}, \"decap_malformed\": "
	    "{\"packets\": 3, \"bytes\": 180}}}",
	    NULL);

	cr_assert_str_eq(out, "decapsulated  42\n"
			      "passed        17\n"
			      "\n"
			      "TUNNEL  PACKETS    BYTES\n"
			      "ipip         40  3.9 KiB\n"
			      "6in4          0      0 B\n"
			      "gue           2    300 B\n"
			      "\n"
			      "DROP REASON      PACKETS  BYTES\n"
			      "decap_malformed        3  180 B\n");
	free(out);
}

Test(lbctl_print, status_of_a_backend_says_where_decap_runs_and_which_vips_lo_holds)
{
	char *out = print_canned(
	    lbctl_print_status,
	    "{\"node_id\": 0, \"zone\": \"a\", \"role\": \"backend\", \"interface\": "
	    "\"eth0\", \"xdp_mode\": \"native\", \"attached\": true, \"vips\": 3, "
	    "\"backends\": 0, \"conntrack_entries\": 0, \"decap\": {\"attached\": true, "
	    "\"interface\": \"eth0\", \"xdp_mode\": \"generic\", \"program_id\": 31, "
	    "\"link_id\": 7, \"decapsulated\": 42, \"dropped\": 3}, \"vips_on_lo\": "
	    "[\"192.0.2.10\", \"2001:db8::10\"], \"vips_missing_from_lo\": "
	    "[\"192.0.2.11\"], \"uptime_s\": 60, \"pid\": 9, \"second_chance\": "
	    "\"forwarding off on eth0 (net.ipv4.conf.eth0.forwarding=0)\"}",
	    NULL);

	cr_assert(strstr(out, "node           0, zone a, backend\n"), "%s", out);
	cr_assert(strstr(out, "\nsecond_chance  forwarding off on eth0 "
			      "(net.ipv4.conf.eth0.forwarding=0)\n"),
		  "%s", out);
	cr_assert(strstr(out, "decap          on eth0, xdp generic (program 31, link 7): "
			      "42 decapsulated, 3 dropped\n"),
		  "%s", out);
	cr_assert(strstr(out, "vips           3; on lo: 192.0.2.10, 2001:db8::10; "
			      "MISSING from lo: 192.0.2.11\n"),
		  "%s", out);
	/* A balancer's rows say nothing of a backend. */
	cr_assert_null(strstr(out, "conntrack"), "%s", out);
	cr_assert_null(strstr(out, "backends"), "%s", out);
	cr_assert_null(strstr(out, "interface"), "%s", out);
	free(out);
	out = print_canned(lbctl_print_status,
			   "{\"role\": \"backend\", \"decap\": {\"attached\": false}, "
			   "\"vips_on_lo\": [], \"vips_missing_from_lo\": []}",
			   NULL);
	cr_assert(strstr(out, "decap    NOT attached\n"), "%s", out);
	free(out);
}

Test(lbctl_print, conntrack_list_with_durations_and_a_truncation_note)
{
	expect_printed(
	    lbctl_print_conntrack,
	    "{\"entries\": [{\"client\": \"203.0.113.7\", \"client_port\": 40000, "
	    "\"vip\": \"192.0.2.10\", \"vip_port\": 80, \"proto\": \"tcp\", \"backend\": "
	    "\"198.51.100.1\", \"packets\": 12, \"age_s\": 312, \"idle_s\": 3, "
	    "\"synced\": true}, {\"client\": \"2001:db8::7\", \"client_port\": 5353, "
	    "\"vip\": \"2001:db8::53\", \"vip_port\": 53, \"proto\": \"udp\", "
	    "\"backend\": \"2001:db8::2\", \"packets\": 1, \"age_s\": 0, \"idle_s\": 0, "
	    "\"synced\": false}], \"truncated\": true, \"scanned\": 300}",
	    NULL,
	    "CLIENT              VIP                PROTO  BACKEND       PACKETS    AGE  "
	    "IDLE  SYNCED\n"
	    "203.0.113.7:40000   192.0.2.10:80      tcp    198.51.100.1       12  5m12s"
	    "    3s  yes\n"
	    "[2001:db8::7]:5353  [2001:db8::53]:53  udp    2001:db8::2         1     0s"
	    "    0s  no\n"
	    "(first 2 entries only, of 300 scanned: raise --limit or name one VIP)\n");
}

static const char explain_args[] =
    "{\"client\": \"203.0.113.7:40000\", \"vip\": \"192.0.2.10:80\", \"proto\": \"tcp\"}";

Test(lbctl_print, explain_in_a_sentence)
{
	expect_printed(lbctl_print_explain,
		       "{\"vip\": \"web\", \"backend\": \"198.51.100.1\", \"source\": \"maglev\", "
		       "\"slot\": 4242, \"hash\": 2654435769, \"backend_state\": \"up\", "
		       "\"tunnel\": \"ipip\"}",
		       explain_args,
		       "tcp 203.0.113.7:40000 -> 192.0.2.10:80 (VIP web) goes to backend "
		       "198.51.100.1 (up, ipip), picked by Maglev: hash 0x9e3779b9, slot 4242\n");
	expect_printed(lbctl_print_explain,
		       "{\"vip\": \"web\", \"backend\": \"198.51.100.2\", \"source\": "
		       "\"conntrack\", \"slot\": null, \"hash\": 16, \"backend_state\": \"drain\", "
		       "\"tunnel\": \"gue:6in4\"}",
		       explain_args,
		       "tcp 203.0.113.7:40000 -> 192.0.2.10:80 (VIP web) goes to backend "
		       "198.51.100.2 (drain, gue:6in4), an established flow found in conntrack "
		       "(hash 0x00000010)\n");
	expect_printed(lbctl_print_explain,
		       "{\"vip\": \"web\", \"backend\": null, \"source\": \"maglev\", \"slot\": "
		       "null, \"hash\": 1, \"backend_state\": null}",
		       explain_args,
		       "tcp 203.0.113.7:40000 -> 192.0.2.10:80 (VIP web) has no usable backend: "
		       "new flows are dropped\n");
}

Test(lbctl_print, explain_says_which_backend_a_second_chance_names_or_why_none)
{
	expect_printed(lbctl_print_explain,
		       "{\"vip\": \"web\", \"backend\": \"198.51.100.3\", \"source\": \"maglev\", "
		       "\"slot\": 17, \"hash\": 17, \"backend_state\": \"up\", \"tunnel\": "
		       "\"gue\", \"second_chance\": {\"backend\": \"198.51.100.1\", \"why_not\": "
		       "null, \"slot\": 17}}",
		       explain_args,
		       "tcp 203.0.113.7:40000 -> 192.0.2.10:80 (VIP web) goes to backend "
		       "198.51.100.3 (up, gue), picked by Maglev: hash 0x00000011, slot 17\n"
		       "  second chance: a packet other than a SYN names the previous backend "
		       "198.51.100.1 (slot 17 moved); a SYN names nobody\n");
	expect_printed(
	    lbctl_print_explain,
	    "{\"vip\": \"web\", \"backend\": \"198.51.100.3\", \"source\": \"maglev\", "
	    "\"slot\": 17, \"hash\": 17, \"backend_state\": \"up\", \"tunnel\": "
	    "\"ipip\", \"second_chance\": {\"backend\": null, \"why_not\": \"IPIP VIP: no "
	    "header to carry a name\"}}",
	    explain_args,
	    "tcp 203.0.113.7:40000 -> 192.0.2.10:80 (VIP web) goes to backend "
	    "198.51.100.3 (up, ipip), picked by Maglev: hash 0x00000011, slot 17\n"
	    "  no second chance: IPIP VIP: no header to carry a name\n");
}

Test(lbctl_print, reload_names_only_what_changed)
{
	expect_printed(
	    lbctl_print_reload,
	    "{\"changed\": {\"vips_added\": 1, \"vips_removed\": 0, \"vips_changed\": 2, "
	    "\"backends_added\": 0, \"backends_removed\": 1}}",
	    NULL, "reloaded: 1 VIP added, 2 VIPs changed, 1 backend removed\n");
	expect_printed(
	    lbctl_print_reload,
	    "{\"changed\": {\"vips_added\": 0, \"vips_removed\": 0, \"vips_changed\": 0, "
	    "\"backends_added\": 0, \"backends_removed\": 0}}",
	    NULL, "reloaded: no changes\n");
	expect_printed(
	    lbctl_print_reload,
	    "{\"changed\": {\"vips_added\": 0, \"vips_removed\": 0, \"vips_changed\": 0, "
	    "\"backends_added\": 0, \"backends_removed\": 0, "
	    "\"settings\": [\"node.mtu\", \"sync\"]}}",
	    NULL, "reloaded: node.mtu changed, sync changed\n");
}

Test(lbctl_print, short_confirmations_of_mutating_verbs)
{
	expect_printed(lbctl_print_backend_state,
		       "{\"backend\": \"198.51.100.1\", \"state\": \"drain\"}", NULL,
		       "backend 198.51.100.1: drain (established flows stay, new flows go "
		       "elsewhere)\n");
	expect_printed(lbctl_print_backend_state,
		       "{\"backend\": \"198.51.100.1\", \"state\": \"up\"}", NULL,
		       "backend 198.51.100.1: up\n");
	expect_printed(lbctl_print_backend_weight, "{\"backend\": \"198.51.100.1\", \"weight\": 7}",
		       NULL, "backend 198.51.100.1: weight 7\n");
	expect_printed(lbctl_print_shutdown, "{\"unloaded\": true}", NULL,
		       "lbagent is shutting down; XDP program detached and pins removed\n");
	expect_printed(lbctl_print_version, "{\"version\": \"1.2.3\", \"abi\": 1}", NULL,
		       "lbctl " XDPLB_VERSION "\nlbagent 1.2.3 (map ABI 1)\n");
}

Test(lbctl_print, tolerates_a_result_missing_members)
{
	char *out = print_canned(lbctl_print_backend_list, "{\"backends\": [{}]}", NULL);

	cr_assert(
	    strstr(out,
		   "\n-    -        -           0  -     unresolved        0    0 B          0\n"),
	    "%s", out);
	free(out);
}
