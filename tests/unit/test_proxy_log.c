// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * HAProxy's request log lines as the agent reads them: the format parsed strictly, malformed
 * lines counted and never used, the histogram and classes per (listener, group, server), the
 * table bounded; and HAProxy's `show stat` CSV read by column name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>

#include "metrics/metrics.h"
#include "proxy/haproxy_stat.h"
#include "proxy/proxy_log.h"

static void feed(struct proxy_log *pl, const char *line)
{
	proxy_log_feed(pl, line, strlen(line));
}

Test(proxy_log, parses_a_line_of_the_format)
{
	struct proxy_log_line l;
	const char *line = "xlb1 l_www g_app app1 200 12\n";

	cr_assert_eq(proxy_log_parse(line, strlen(line), &l), 0);
	cr_assert_str_eq(l.listener, "www");
	cr_assert_str_eq(l.group, "app");
	cr_assert_str_eq(l.server, "app1");
	cr_assert_eq(l.status, 200);
	cr_assert_eq(l.active_ms, 12);
	/* No server took it (a redirect): HAProxy's <NOSRV>, the backend is the frontend. */
	line = "xlb1 l_www l_www <NOSRV> 301 0";
	cr_assert_eq(proxy_log_parse(line, strlen(line), &l), 0);
	cr_assert_str_eq(l.group, "l_www");
	cr_assert_str_eq(l.server, "<NOSRV>");
	line = "xlb1 l_a.b-c g_x_y s-1.b -1 -1";
	cr_assert_eq(proxy_log_parse(line, strlen(line), &l), 0);
	cr_assert_eq(l.status, -1);
	cr_assert_eq(l.active_ms, -1);
	cr_assert_str_eq(l.listener, "a.b-c");
}

Test(proxy_log, refuses_every_malformed_line)
{
	static const char *const bad[] = {
	    "",
	    "\n",
	    "xlb1",
	    "xlb1 l_www g_app app1 200",		/* a field missing */
	    "xlb1 l_www g_app app1 200 12 extra",	/* one too many */
	    "xlb1 l_www g_app app1 200 12 ",		/* trailing blank */
	    "xlb1  l_www g_app app1 200 12",		/* an empty field */
	    "xlb2 l_www g_app app1 200 12",		/* another format */
	    "<134>Oct 17 xlb1 l_www g_app app1 200 12", /* a syslog header */
	    "xlb1 www g_app app1 200 12",		/* a frontend not ours */
	    "xlb1 l_ g_app app1 200 12",		/* an empty name */
	    "xlb1 l_www g_app app/1 200 12",		/* a name HAProxy would not write */
	    "xlb1 l_www g_app app\"1 200 12",
	    "xlb1 l_www g_app app1 2000 12", /* a status out of range */
	    "xlb1 l_www g_app app1 -2 12",
	    "xlb1 l_www g_app app1 2x0 12",
	    "xlb1 l_www g_app app1 200 12ms",
	    "xlb1 l_www g_app app1 200 99999999999", /* beyond int32 */
	    "xlb1 l_www g_app app1 200 +5",
	    "xlb1 l_www g_app app1 200 -",
	    "xlb1 l_www g_app app1\t200 12",
	    "xlb1 l_www g_app app1 200 12\n\n",
	    "xlb1 l_wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww g_a s 200 "
	    "1",
	};
	struct proxy_log_line l;
	char nul[] = "xlb1 l_www g_app app1 200 12";
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(proxy_log_parse(bad[i], strlen(bad[i]), &l), -EINVAL, "accepted: '%s'",
			     bad[i]);
	nul[10] = '\0'; /* a NUL inside the datagram */
	cr_assert_eq(proxy_log_parse(nul, sizeof(nul) - 1, &l), -EINVAL);
}

Test(proxy_log, survives_random_bytes_and_counts_them)
{
	struct proxy_log *pl = proxy_log_new();
	char buf[PROXY_LOG_LINE_MAX + 2];
	size_t n, i, j;

	cr_assert_not_null(pl);
	srand(19);
	for (i = 0; i < 2000; i++) {
		n = (size_t)rand() % sizeof(buf);
		for (j = 0; j < n; j++)
			buf[j] = (char)(rand() % 256);
		proxy_log_feed(pl, buf, n);
	}
	cr_assert_eq(proxy_log_stats(pl)->malformed, 2000);
	cr_assert_eq(proxy_log_stats(pl)->lines, 0);
	proxy_log_free(pl);
}

Test(proxy_log, counts_latency_buckets_and_classes_per_server)
{
	struct proxy_log *pl = proxy_log_new();
	const struct proxy_log_series *s;
	size_t n;

	feed(pl, "xlb1 l_www g_app app1 200 3");     /* <= 5 ms */
	feed(pl, "xlb1 l_www g_app app1 200 5");     /* the bound itself is in */
	feed(pl, "xlb1 l_www g_app app1 404 6");     /* 10 ms */
	feed(pl, "xlb1 l_www g_app app1 503 10001"); /* beyond 10 s: only +Inf */
	feed(pl, "xlb1 l_www g_app app1 -1 -1");     /* no time: a response, not a latency */
	feed(pl, "xlb1 l_www g_app app2 101 2500");
	feed(pl, "garbage");
	feed(pl, "Proxy l_www stopped (cumulated conns: FE: 64, BE: 0).");
	s = proxy_log_series(pl, &n);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(s[0].server, "app1");
	cr_assert_eq(s[0].buckets[0], 2);
	cr_assert_eq(s[0].buckets[1], 1);
	cr_assert_eq(s[0].count, 4);
	cr_assert_eq(s[0].sum_ms, 3 + 5 + 6 + 10001);
	cr_assert_eq(s[0].responses[PROXY_LOG_2XX], 2);
	cr_assert_eq(s[0].responses[PROXY_LOG_4XX], 1);
	cr_assert_eq(s[0].responses[PROXY_LOG_5XX], 1);
	cr_assert_eq(s[0].responses[PROXY_LOG_OTHER], 1);
	cr_assert_eq(s[1].buckets[8], 1, "2500 ms is in the 2.5 s bucket");
	cr_assert_eq(s[1].responses[PROXY_LOG_1XX], 1);
	cr_assert_eq(proxy_log_stats(pl)->lines, 6);
	cr_assert_eq(proxy_log_stats(pl)->malformed, 1);
	cr_assert_eq(proxy_log_stats(pl)->notices, 1, "HAProxy's own message is no malformed line");
	proxy_log_free(pl);
}

Test(proxy_log, bounds_its_series_and_counts_the_rest)
{
	struct proxy_log *pl = proxy_log_new();
	char line[128];
	size_t n, i;

	for (i = 0; i < PROXY_LOG_SERIES_MAX + 10; i++) {
		snprintf(line, sizeof(line), "xlb1 l_www g_app s%zu 200 1", i);
		feed(pl, line);
	}
	/* A known series still counts once the table is full. */
	feed(pl, "xlb1 l_www g_app s0 200 1");
	proxy_log_series(pl, &n);
	cr_assert_eq(n, PROXY_LOG_SERIES_MAX);
	cr_assert_eq(proxy_log_stats(pl)->overflow, 10);
	cr_assert_eq(proxy_log_series(pl, &n)[0].count, 2);
	proxy_log_free(pl);
}

Test(proxy_log, renders_a_cumulative_histogram_per_server)
{
	struct proxy_log *pl = proxy_log_new();
	struct metrics_snapshot s = {.version = "t", .zone = "a", .role = "proxy"};
	char *text = NULL, *line;
	size_t len = 0;
	uint64_t prev = 0, v;
	int buckets = 0;

	feed(pl, "xlb1 l_www g_app app1 200 3");
	feed(pl, "xlb1 l_www g_app app1 200 30");
	feed(pl, "xlb1 l_www g_app app1 500 20000");
	feed(pl, "nonsense");
	s.have_proxy_log = true;
	s.proxy_log = *proxy_log_stats(pl);
	s.l7 = proxy_log_series(pl, &s.n_l7);
	cr_assert_eq(metrics_render(&s, &text, &len), 0);
	text = realloc(text, len + 1);
	text[len] = '\0';
	cr_assert(strstr(text, "# TYPE xdplb_proxy_response_seconds histogram\n"), "%s", text);
	cr_assert(strstr(text, "xdplb_proxy_log_lines_total{result=\"malformed\"} 1\n"));
	cr_assert(strstr(text, "xdplb_proxy_responses_total{listener=\"www\",group=\"app\","
			       "server=\"app1\",code=\"5xx\"} 1\n"));
	cr_assert(strstr(text, "xdplb_proxy_response_seconds_bucket{listener=\"www\",group=\"app\","
			       "server=\"app1\",le=\"0.005\"} 1\n"));
	cr_assert(strstr(text, "xdplb_proxy_response_seconds_bucket{listener=\"www\",group=\"app\","
			       "server=\"app1\",le=\"+Inf\"} 3\n"));
	cr_assert(strstr(text, "xdplb_proxy_response_seconds_sum{listener=\"www\",group=\"app\","
			       "server=\"app1\"} 20.033\n"));
	for (line = strstr(text, "_bucket{"); line; line = strstr(line + 1, "_bucket{")) {
		v = strtoull(strchr(line, '}') + 2, NULL, 10);
		cr_assert_geq(v, prev, "buckets not monotonic at %.80s", line);
		prev = v;
		buckets++;
	}
	cr_assert_eq(buckets, PROXY_LOG_BUCKETS + 1);
	free(text);
	proxy_log_free(pl);
}

Test(haproxy_stat, reads_columns_by_name_whatever_their_order)
{
	const char *csv =
	    "# svname,pxname,status,weight,check_status,scur,stot,req_tot,hrsp_2xx,hrsp_other,"
	    "addr,unknown_col\n"
	    "FRONTEND,l_www,OPEN,,,2,10,33,30,3,,x\n"
	    "app1,g_app,UP,100,L7OK,0,5,,,,198.51.100.3:8081,y\n"
	    "app2,g_app,\"DOWN, via\",0,L4CON,0,5,,,,198.51.100.3:8082\n"
	    "\n";
	struct haproxy_stat_row *rows;
	size_t n;

	cr_assert_eq(haproxy_stat_parse(csv, &rows, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(rows[0].px, "l_www");
	cr_assert_str_eq(rows[0].sv, "FRONTEND");
	cr_assert_eq(rows[0].req_tot, 33);
	cr_assert_eq(rows[0].hrsp[1], 30);
	cr_assert_eq(rows[0].hrsp[5], 3);
	cr_assert_str_eq(rows[1].check, "L7OK");
	cr_assert_str_eq(rows[1].addr, "198.51.100.3:8081");
	cr_assert_str_eq(haproxy_stat_state(&rows[1]), "UP");
	cr_assert_str_eq(rows[2].status, "DOWN, via");
	cr_assert_str_eq(haproxy_stat_state(&rows[2]), "DOWN");
	free(rows);
	cr_assert_eq(haproxy_stat_parse("Unknown command\n", &rows, &n), -EINVAL);
	cr_assert_eq(haproxy_stat_parse("# a,b\n1,2\n", &rows, &n), -EINVAL);
}

Test(haproxy_stat, names_a_server_state_in_one_word)
{
	struct haproxy_stat_row r = {.weight = 1};
	static const char *const cases[][2] = {
	    {"UP", "UP"},	{"UP 1/2", "UP"},  {"no check", "UP"}, {"DOWN 1/2", "DOWN"},
	    {"DRAIN", "DRAIN"}, {"NOLB", "DRAIN"}, {"MAINT", "MAINT"}, {"MAINT (via g/s)", "MAINT"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(r.status, sizeof(r.status), "%s", cases[i][0]);
		cr_assert_str_eq(haproxy_stat_state(&r), cases[i][1], "%s", cases[i][0]);
	}
	/* The file's drain is weight 0 on a server HAProxy has UP. */
	r.weight = 0;
	snprintf(r.status, sizeof(r.status), "UP");
	cr_assert_str_eq(haproxy_stat_state(&r), "DRAIN");
}
