// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Human output of `lbctl dns`: each name with the records the DNS server holds (read back by
 * the agent when asked) and the ones the observations call for, then each region's verdict
 * and who observed what.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "format.h"
#include "lbctl.h"
#include "table.h"

/* "192.0.2.10, 198.51.100.100", or "-" for none, or "?" when nothing could be read. */
static void lbctl_dns_join(json_t *arr, char *buf, size_t len)
{
	size_t i, off = 0;
	json_t *v;

	snprintf(buf, len, "%s", json_is_array(arr) ? "-" : "?");
	json_array_foreach (arr, i, v)
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s", i ? ", " : "",
				json_string_value(v) ?: "?");
}

static int lbctl_print_dns_names(FILE *out, json_t *res)
{
	static const char *const hdr[] = {"NAME", "TTL", "ON THE SERVER", "OBSERVATIONS SAY"};
	json_t *names = json_object_get(res, "names"), *n;
	char have[512], want[512];
	struct table *t = table_new(4, hdr, "lrll");
	size_t i;
	int ret = 0;

	if (!t)
		return -ENOMEM;
	json_array_foreach (names, i, n) {
		lbctl_dns_join(json_object_get(n, "records"), have, sizeof(have));
		lbctl_dns_join(json_object_get(n, "want"), want, sizeof(want));
		ret |= table_cell(t, "%s", res_str(n, "name"));
		ret |= table_cell(t, "%" PRIu64, res_uint(n, "ttl"));
		ret |= table_cell(t, "%s", have);
		ret |=
		    table_cell(t, "%s%s", want,
			       json_is_true(json_object_get(n, "fail_open")) ? " (fail open)" : "");
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

static int lbctl_print_dns_regions(FILE *out, json_t *res)
{
	static const char *const hdr[] = {"REGION", "STATE", "DOWN VOTES", "THIS NODE SEES",
					  "OBSERVED BY"};
	json_t *regions = json_object_get(res, "regions"), *r, *o;
	char by[512];
	struct table *t = table_new(5, hdr, "llrll");
	size_t i, j, off;
	int ret = 0;

	if (!t)
		return -ENOMEM;
	json_array_foreach (regions, i, r) {
		off = 0;
		snprintf(by, sizeof(by), "-");
		json_array_foreach (json_object_get(r, "observers"), j, o)
			off += snprintf(by + off, off < sizeof(by) ? sizeof(by) - off : 0,
					"%s%s/n%" PRIu64 " %s (%" PRIu64 " s ago%s)", j ? ", " : "",
					res_str(o, "region"), res_uint(o, "node"),
					res_str(o, "seen"), res_uint(o, "age_s"),
					json_is_true(json_object_get(o, "fresh")) ? "" : ", stale");
		ret |= table_cell(t, "%s%s", res_str(r, "name"),
				  json_is_true(json_object_get(r, "self")) ? "*" : "");
		ret |= table_cell(t, "%s", res_str(r, "state"));
		ret |= table_cell(t, "%" PRIu64 "/%" PRIu64, res_uint(r, "down_votes"),
				  res_uint(r, "voters"));
		ret |= table_cell(t, "%s", res_str(r, "seen_here"));
		ret |= table_cell(t, "%s", by);
	}
	if (!ret)
		table_print(t, out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

int lbctl_print_dns(FILE *out, json_t *res, json_t *args)
{
	json_t *read = json_object_get(res, "read"), *st = json_object_get(res, "stats");
	int ret;

	(void)args;
	if (!json_is_true(json_object_get(res, "enabled"))) {
		fputs("region failover disabled (no region: section in the config)\n", out);
		return 0;
	}
	fprintf(out, "region %s, node %" PRIu64 "; zone %s on %s port %" PRIu64 ": ",
		res_str(res, "region"), res_uint(res, "node_id"), res_str(res, "zone"),
		res_str(res, "server"), res_uint(res, "port"));
	if (json_is_true(json_object_get(read, "ok")))
		fprintf(out, "read back now, serial %" PRIu64 "\n", res_uint(read, "serial"));
	else
		fprintf(out, "NOT READ: %s (verdicts of the last round)\n", res_str(read, "error"));
	fprintf(out,
		"updates sent %" PRIu64 ", failed %" PRIu64 ", conflicts %" PRIu64
		"; reads %" PRIu64 ", failed %" PRIu64 "\n\n",
		res_uint(st, "updates_sent"), res_uint(st, "updates_failed"),
		res_uint(st, "conflicts"), res_uint(st, "reads"), res_uint(st, "reads_failed"));
	ret = lbctl_print_dns_names(out, res);
	fputc('\n', out);
	if (!ret)
		ret = lbctl_print_dns_regions(out, res);
	return ret;
}
