// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Human output of `lbctl cluster`: nodes per zone, each VIP's verdict and why, transitions. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "format.h"
#include "lbctl.h"
#include "table.h"

static int lbctl_print_cluster_zones(FILE *out, json_t *res)
{
	static const char *const hdr[] = {"ZONE",      "NODE",	  "ADDRESS",
					  "LAST SEEN", "IN SYNC", "READY FOR"};
	json_t *zones = json_object_get(res, "zones"), *nodes, *n;
	const char *zone;
	struct table *t;
	size_t i;
	int ret = 0;

	t = table_new(6, hdr, "lrllll");
	if (!t)
		return -ENOMEM;
	json_object_foreach (zones, zone, nodes) {
		json_array_foreach (nodes, i, n) {
			bool self = json_is_true(json_object_get(n, "self"));

			ret |= table_cell(t, "%s", zone);
			ret |= table_cell(t, "%" PRIu64 "%s", res_uint(n, "id"), self ? "*" : "");
			ret |= table_cell(t, "%s", self ? "(this node)" : res_str(n, "address"));
			if (self)
				ret |= table_cell(t, "-");
			else
				ret |= table_cell(t, "%" PRIu64 " ms ago",
						  res_uint(n, "last_seen_ms"));
			ret |= table_cell(
			    t, "%s", json_is_true(json_object_get(n, "in_sync")) ? "yes" : "no");
			if (res_uint(n, "ready_for_ms"))
				ret |=
				    table_cell(t, "%.1f s", res_uint(n, "ready_for_ms") / 1000.0);
			else
				ret |= table_cell(t, "-");
		}
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

static int lbctl_print_cluster_vips(FILE *out, json_t *res)
{
	static const char *const hdr[] = {"VIP", "ZONES", "THIS NODE", "SERVED BY", "FOR", "WHY"};
	json_t *vips = json_object_get(res, "vips"), *v;
	struct table *t;
	size_t i;
	int ret = 0;

	t = table_new(6, hdr, "llllrl");
	if (!t)
		return -ENOMEM;
	json_array_foreach (vips, i, v) {
		const char *sec = res_str(v, "secondary_zone"), *by = res_str(v, "served_by");

		ret |= table_cell(t, "%s", res_str(v, "vip"));
		if (res_str(v, "primary_zone")[0])
			ret |=
			    table_cell(t, "%s/%s", res_str(v, "primary_zone"), sec[0] ? sec : "-");
		else
			ret |= table_cell(t, "any");
		ret |= table_cell(t, "%s", res_str(v, "verdict"));
		ret |= table_cell(t, "%s", by[0] ? by : "nobody");
		ret |= table_cell(t, "%.1f s", res_uint(v, "for_ms") / 1000.0);
		ret |= table_cell(t, "%s", res_str(v, "why"));
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

static int lbctl_print_cluster_transitions(FILE *out, json_t *res)
{
	static const char *const hdr[] = {"AT (UTC)", "VIP", "FROM", "TO", "WHY"};
	json_t *list = json_object_get(res, "transitions"), *e;
	struct table *t;
	size_t i;
	int ret = 0;

	if (!json_array_size(list)) {
		fputs("no transitions yet\n", out);
		return 0;
	}
	t = table_new(5, hdr, "lllll");
	if (!t)
		return -ENOMEM;
	json_array_foreach (list, i, e) {
		ret |= table_cell(t, "%s", res_str(e, "at"));
		ret |= table_cell(t, "%s", res_str(e, "vip"));
		ret |= table_cell(t, "%s", res_str(e, "from"));
		ret |= table_cell(t, "%s", res_str(e, "to"));
		ret |= table_cell(t, "%s", res_str(e, "why"));
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

int lbctl_print_cluster(FILE *out, json_t *res, json_t *args)
{
	int ret;

	(void)args;
	if (!json_is_true(json_object_get(res, "enabled"))) {
		fputs("cluster disabled (cluster.enabled in the config)\n", out);
		return 0;
	}
	fprintf(out,
		"node %" PRIu64 ", zone %s: %s; secondary mode %s, hold-down %" PRIu64
		" ms, routes in table %" PRIu64 "\n\n",
		res_uint(res, "node_id"), res_str(res, "zone"),
		json_is_true(json_object_get(res, "ready"))
		    ? "ready (attached, in sync)"
		    : (json_is_true(json_object_get(res, "attached")) ? "catching up"
								      : "data plane not attached"),
		res_str(res, "secondary_mode"), res_uint(res, "hold_down_ms"),
		res_uint(res, "announce_table"));
	ret = lbctl_print_cluster_zones(out, res);
	fputc('\n', out);
	if (!ret)
		ret = lbctl_print_cluster_vips(out, res);
	fputc('\n', out);
	if (!ret)
		ret = lbctl_print_cluster_transitions(out, res);
	return ret;
}
