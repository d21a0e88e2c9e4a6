// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Human output of a proxy node's listener verbs: listeners with their traffic, then each
 * server group's servers with HAProxy's view of them (state, weight, check).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "lbctl.h"
#include "table.h"

static int print_listener_rows(FILE *out, json_t *listeners)
{
	static const char *const hdr[] = {"LISTENER", "ADDRESS",  "PROTO", "STATE",
					  "SESS",     "REQUESTS", "2XX",   "3XX",
					  "4XX",      "5XX",	  "OTHER", "GROUPS"};
	char ep[FMT_BUF], *groups;
	struct table *t = table_new(12, hdr, "lllllrrrrrrl");
	json_t *l, *r;
	size_t i;
	int ret = 0;

	if (!t)
		return -ENOMEM;
	json_array_foreach (listeners, i, l) {
		r = json_object_get(l, "responses");
		groups = res_join(l, "groups");
		ret |= table_cell(t, "%s", res_str(l, "name"));
		ret |= table_cell(
		    t, "%s",
		    fmt_endpoint(ep, sizeof(ep), res_str(l, "address"), res_uint(l, "port")));
		ret |= table_cell(t, "%s", res_str(l, "protocol"));
		ret |= table_cell(t, "%s", res_str(l, "state"));
		ret |= table_cell(t, "%" PRIu64, res_uint(l, "sessions"));
		ret |= table_cell(t, "%" PRIu64, res_uint(l, "requests"));
		ret |= table_cell(t, "%" PRIu64, res_uint(r, "2xx"));
		ret |= table_cell(t, "%" PRIu64, res_uint(r, "3xx"));
		ret |= table_cell(t, "%" PRIu64, res_uint(r, "4xx"));
		ret |= table_cell(t, "%" PRIu64, res_uint(r, "5xx"));
		/* 1xx (an upgrade's 101 among them) counts with the rest. */
		ret |= table_cell(t, "%" PRIu64, res_uint(r, "1xx") + res_uint(r, "other"));
		ret |= table_cell(t, "%s", groups ? groups : "-");
		free(groups);
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

static int print_group_rows(FILE *out, json_t *groups)
{
	static const char *const hdr[] = {"GROUP",  "SERVER", "ADDRESS", "STATE",
					  "WEIGHT", "CHECK",  "SESS",	 "SESSIONS"};
	struct table *t = table_new(8, hdr, "llllrlrr");
	json_t *g, *s;
	size_t i, j;
	int ret = 0;

	if (!t)
		return -ENOMEM;
	json_array_foreach (groups, i, g) {
		json_array_foreach (json_object_get(g, "servers"), j, s) {
			const char *check = res_str(s, "check");

			ret |= table_cell(t, "%s", res_str(g, "name"));
			ret |= table_cell(t, "%s", res_str(s, "name"));
			ret |= table_cell(t, "%s", res_str(s, "address"));
			/* A drain lbctl set is marked: it outlives reloads until undrained. */
			ret |= table_cell(
			    t, "%s%s", res_str(s, "state"),
			    json_is_true(json_object_get(s, "lbctl_drain")) ? " (lbctl)" : "");
			ret |= table_cell(t, "%" PRIu64, res_uint(s, "weight"));
			ret |= table_cell(t, "%s", check[0] ? check : "-");
			ret |= table_cell(t, "%" PRIu64, res_uint(s, "sessions"));
			ret |= table_cell(t, "%" PRIu64, res_uint(s, "sessions_total"));
		}
	}
	if (!ret && table_rows(t))
		table_print(t, out);
	else if (!ret)
		fputs("no server groups\n", out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

int lbctl_print_listener_list(FILE *out, json_t *res, json_t *args)
{
	json_t *listeners = json_object_get(res, "listeners");
	int ret = 0;

	if (json_array_size(listeners))
		ret = print_listener_rows(out, listeners);
	else
		fputs("no listeners\n", out);
	fputc('\n', out);
	return ret ?: print_group_rows(out, json_object_get(res, "groups"));
}

int lbctl_print_listener_show(FILE *out, json_t *res, json_t *args)
{
	json_t *one = json_array();
	int ret;

	if (!one || json_array_append(one, json_object_get(res, "listener"))) {
		json_decref(one);
		return -ENOMEM;
	}
	ret = print_listener_rows(out, one);
	json_decref(one);
	fputc('\n', out);
	return ret ?: print_group_rows(out, json_object_get(res, "groups"));
}

int lbctl_print_listener_drain(FILE *out, json_t *res, json_t *args)
{
	json_t *g;
	size_t i;

	json_array_foreach (json_object_get(res, "groups"), i, g)
		fprintf(out, "server %s in group %s: %s%s\n", res_str(res, "server"),
			res_str(g, "group"), res_str(g, "state"),
			!strcmp(res_str(g, "state"), "drain")
			    ? " (no new sessions; persistent ones still come)"
			    : "");
	return 0;
}
