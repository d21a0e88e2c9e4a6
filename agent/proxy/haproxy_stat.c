// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The CSV of HAProxy's `show stat` (management.txt, "9.1. CSV format"), read by column name
 * from its header line: the column order changes between HAProxy versions, the names do not.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/haproxy_stat.h"

/* The columns kept: a string of size bytes, or (size 0) a number, at offset in the row. */
#define STAT_STR(name, field)                                                                      \
	{                                                                                          \
		name, offsetof(struct haproxy_stat_row, field),                                    \
		    sizeof(((struct haproxy_stat_row *)0)->field)                                  \
	}
#define STAT_NUM(name, field)                                                                      \
	{                                                                                          \
		name, offsetof(struct haproxy_stat_row, field), 0                                  \
	}

static const struct stat_col {
	const char *name;
	size_t offset, size;
} stat_cols[] = {
    STAT_STR("pxname", px),	     STAT_STR("svname", sv),	    STAT_STR("status", status),
    STAT_STR("check_status", check), STAT_STR("addr", addr),	    STAT_NUM("scur", scur),
    STAT_NUM("stot", stot),	     STAT_NUM("req_tot", req_tot),  STAT_NUM("weight", weight),
    STAT_NUM("hrsp_1xx", hrsp[0]),   STAT_NUM("hrsp_2xx", hrsp[1]), STAT_NUM("hrsp_3xx", hrsp[2]),
    STAT_NUM("hrsp_4xx", hrsp[3]),   STAT_NUM("hrsp_5xx", hrsp[4]), STAT_NUM("hrsp_other", hrsp[5]),
};
#define STAT_COLS (sizeof(stat_cols) / sizeof(stat_cols[0]))
#define COL_PX	  0
#define COL_SV	  1

/*
 * The next field of a line into out (at most len - 1 bytes): plain, or in double quotes with
 * "" for a quote. Returns where the next field starts, NULL at the end of the line.
 */
static const char *stat_field(const char *p, char *out, size_t len)
{
	bool quoted = false;
	size_t n = 0;

	for (; *p && *p != '\n' && *p != '\r'; p++) {
		if (*p == '"' && !(quoted && p[1] == '"')) {
			quoted = !quoted;
			continue;
		}
		if (*p == '"')
			p++; /* "" in quotes: one quote */
		else if (!quoted && *p == ',')
			break;
		if (n + 1 < len)
			out[n++] = *p;
	}
	out[n] = '\0';
	return *p == ',' ? p + 1 : NULL;
}

/* The row's fields into r, by the column of each (-1: a column not kept). */
static void stat_row(const char *line, const int col_of[], int n_cols, struct haproxy_stat_row *r)
{
	const struct stat_col *c;
	char field[256], *dst;
	const char *p = line;
	size_t n;
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; p && i < n_cols; i++) {
		p = stat_field(p, field, sizeof(field));
		if (col_of[i] < 0)
			continue;
		c = &stat_cols[col_of[i]];
		dst = (char *)r + c->offset;
		if (!c->size) {
			*(uint64_t *)dst = strtoull(field, NULL, 10);
			continue;
		}
		n = strnlen(field, c->size - 1);
		memcpy(dst, field, n);
		dst[n] = '\0';
	}
}

int haproxy_stat_parse(const char *csv, struct haproxy_stat_row **rows, size_t *n)
{
	int col_of[256], n_cols = 0, c;
	bool have_px = false, have_sv = false;
	const char *p, *line;
	char field[64];
	size_t cap = 0;

	*rows = NULL;
	*n = 0;
	if (strncmp(csv, "# ", 2))
		return -EINVAL;
	for (p = csv + 2; p && n_cols < (int)(sizeof(col_of) / sizeof(col_of[0])); n_cols++) {
		p = stat_field(p, field, sizeof(field));
		col_of[n_cols] = -1;
		for (c = 0; c < (int)STAT_COLS; c++)
			if (!strcmp(field, stat_cols[c].name))
				col_of[n_cols] = c;
		have_px |= col_of[n_cols] == COL_PX;
		have_sv |= col_of[n_cols] == COL_SV;
	}
	if (!have_px || !have_sv)
		return -EINVAL;
	for (line = strchr(csv, '\n'); line && *++line; line = strchr(line, '\n')) {
		if (*line == '\n' || *line == '#')
			continue;
		if (*n == cap) {
			struct haproxy_stat_row *more;

			cap = cap ? 2 * cap : 16;
			more = realloc(*rows, cap * sizeof(**rows));
			if (!more) {
				free(*rows);
				*rows = NULL;
				*n = 0;
				return -ENOMEM;
			}
			*rows = more;
		}
		stat_row(line, col_of, n_cols, &(*rows)[*n]);
		if ((*rows)[*n].px[0])
			(*n)++;
	}
	return 0;
}

const char *haproxy_stat_state(const struct haproxy_stat_row *r)
{
	if (!strncmp(r->status, "MAINT", 5))
		return "MAINT";
	if (!strncmp(r->status, "DOWN", 4))
		return "DOWN";
	/* A YAML drain is weight 0 (it keeps persistent sessions), the runtime's a state. */
	if (!strncmp(r->status, "DRAIN", 5) || !strncmp(r->status, "NOLB", 4) || !r->weight)
		return "DRAIN";
	return "UP";
}
