// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What status and stats print for a backend host: its decap program and the VIPs on lo. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "lbctl.h"
#include "table.h"

/* "on eth0, xdp generic (program 31, link 7): 42 decapsulated, 3 dropped" */
int lbctl_status_decap_row(struct table *t, json_t *status)
{
	json_t *d = json_object_get(status, "decap");
	int ret = table_cell(t, "decap");

	if (!json_is_true(json_object_get(d, "attached")))
		return ret | table_cell(t, "NOT attached");
	ret |=
	    table_cell(t,
		       "on %s, xdp %s (program %" PRIu64 ", link %" PRIu64 "): %" PRIu64
		       " decapsulated, %" PRIu64 " dropped",
		       res_str(d, "interface"), res_str(d, "xdp_mode"), res_uint(d, "program_id"),
		       res_uint(d, "link_id"), res_uint(d, "decapsulated"), res_uint(d, "dropped"));
	/* "ready", or why decap cannot hand packets on; agents before the check send none. */
	if (json_is_string(json_object_get(status, "second_chance")))
		ret |= table_cell(t, "second_chance") |
		       table_cell(t, "%s", res_str(status, "second_chance"));
	return ret;
}

/* The addresses of a JSON array of strings, ", " between them, into a malloc'ed string. */
static char *join_addrs(json_t *list)
{
	char *buf = NULL;
	size_t len = 0, i;
	json_t *item;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	json_array_foreach (list, i, item)
		fprintf(f, "%s%s", i ? ", " : "", json_string_value(item) ?: "?");
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* "3; on lo: 192.0.2.10, 2001:db8::10; MISSING from lo: 192.0.2.11" */
int lbctl_status_lo_row(struct table *t, json_t *status)
{
	json_t *on = json_object_get(status, "vips_on_lo");
	json_t *missing = json_object_get(status, "vips_missing_from_lo");
	char *on_s = join_addrs(on), *missing_s = join_addrs(missing);
	int ret = -ENOMEM;

	if (on_s && missing_s)
		ret = table_cell(t, "vips") |
		      table_cell(t, "%" PRIu64 "; on lo: %s%s%s", res_uint(status, "vips"),
				 json_array_size(on) ? on_s : "none",
				 json_array_size(missing) ? "; MISSING from lo: " : "", missing_s);
	free(on_s);
	free(missing_s);
	return ret;
}

int lbctl_print_backend_stats(FILE *out, json_t *res)
{
	struct table *t = table_new(2, NULL, "lr");
	int ret;

	if (!t)
		return -ENOMEM;
	ret = table_cell(t, "decapsulated") |
	      table_cell(t, "%" PRIu64, res_uint(res, "decapsulated")) | table_cell(t, "passed") |
	      table_cell(t, "%" PRIu64, res_uint(res, "passed"));
	if (!ret) {
		table_print(t, out);
		fputc('\n', out);
		ret = lbctl_print_counters(out, "TUNNEL", json_object_get(res, "decap"), true);
	}
	if (!ret)
		ret = lbctl_print_drops_and_sc(out, res);
	table_free(t);
	return ret ? -ENOMEM : 0;
}
