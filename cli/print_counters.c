// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The counter tables that `lbctl stats` prints on every kind of node: drop
 * reasons, tunnels, second chance's outcomes. A file of its own so that the
 * balancer's and the backend's printers both stand on it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "format.h"
#include "lbctl.h"
#include "table.h"

/* A table of {"name": {"packets", "bytes"}} under header; zero rows left out unless all_rows. */
int lbctl_print_counters(FILE *out, const char *header, json_t *counters, bool all_rows)
{
	const char *const hdr[] = {header, "PACKETS", "BYTES"};
	char bytes[FMT_BUF];
	const char *name;
	struct table *t;
	json_t *c;
	int ret = 0;

	t = table_new(COUNT(hdr), hdr, "lrr");
	if (!t)
		return -ENOMEM;
	json_object_foreach (counters, name, c) {
		if (!all_rows && !res_uint(c, "packets"))
			continue;
		ret |= table_cell(t, "%s", name);
		ret |= table_cell(t, "%" PRIu64, res_uint(c, "packets"));
		ret |= table_cell(t, "%s", fmt_bytes(bytes, sizeof(bytes), res_uint(c, "bytes")));
	}
	if (!ret && table_rows(t))
		table_print(t, out);
	else if (!ret)
		fputs("no drops\n", out);
	table_free(t);
	return ret ? -ENOMEM : 0;
}

int lbctl_print_sc(FILE *out, json_t *res)
{
	json_t *sc = json_object_get(res, "second_chance");

	if (!json_is_object(sc) || !json_object_size(sc))
		return 0;
	fputc('\n', out);
	return lbctl_print_counters(out, "SECOND CHANCE", sc, true);
}

/* The tail of every stats table: a blank line, the drop reasons, then second chance. */
int lbctl_print_drops_and_sc(FILE *out, json_t *res)
{
	int ret;

	fputc('\n', out);
	ret = lbctl_print_counters(out, "DROP REASON", json_object_get(res, "drops"), false);
	return ret ? ret : lbctl_print_sc(out, res);
}
