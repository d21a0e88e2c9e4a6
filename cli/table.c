// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Aligned text tables for lbctl's human output. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

struct table {
	size_t ncols;
	const char *const *headers;
	const char *align;
	char **cells; /* row-major */
	size_t n_cells, cap;
};

struct table *table_new(size_t ncols, const char *const *headers, const char *align)
{
	struct table *t;

	if (!ncols || (align && strlen(align) != ncols)) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->headers = headers;
	t->align = align;
	return t;
}

int table_cell(struct table *t, const char *fmt, ...)
{
	char **cells;
	va_list ap;
	char *cell;
	int ret;

	if (t->n_cells == t->cap) {
		cells = realloc(t->cells, (t->cap ? t->cap * 2 : 32) * sizeof(*cells));
		if (!cells)
			return -ENOMEM;
		t->cells = cells;
		t->cap = t->cap ? t->cap * 2 : 32;
	}
	va_start(ap, fmt);
	ret = vasprintf(&cell, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	t->cells[t->n_cells++] = cell;
	return 0;
}

size_t table_rows(const struct table *t)
{
	return (t->n_cells + t->ncols - 1) / t->ncols;
}

static void table_print_row(const struct table *t, const size_t *width, const char *const *row,
			    size_t n, FILE *out)
{
	size_t col, len, last = t->ncols - 1;
	const char *cell;

	/* Trailing empty cells would only leave blanks at the end of the line. */
	while (last > 0 && (last >= n || !row[last][0]))
		last--;
	for (col = 0; col <= last; col++) {
		cell = col < n ? row[col] : "";
		len = strlen(cell);
		if (t->align && t->align[col] == 'r')
			fprintf(out, "%*s%s", (int)(width[col] - len), "", cell);
		else if (col < last)
			fprintf(out, "%s%*s", cell, (int)(width[col] - len), "");
		else
			fputs(cell, out);
		if (col < last)
			fputs("  ", out);
	}
	fputc('\n', out);
}

void table_print(const struct table *t, FILE *out)
{
	size_t *width, i, len, rows = table_rows(t);

	width = calloc(t->ncols, sizeof(*width));
	if (!width)
		return;
	for (i = 0; t->headers && i < t->ncols; i++)
		width[i] = strlen(t->headers[i]);
	for (i = 0; i < t->n_cells; i++) {
		len = strlen(t->cells[i]);
		if (len > width[i % t->ncols])
			width[i % t->ncols] = len;
	}
	if (t->headers)
		table_print_row(t, width, t->headers, t->ncols, out);
	for (i = 0; i < rows; i++)
		table_print_row(t, width, (const char *const *)t->cells + i * t->ncols,
				t->n_cells - i * t->ncols, out);
	free(width);
}

void table_free(struct table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n_cells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
