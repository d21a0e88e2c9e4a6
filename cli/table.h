/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* A small aligned-table printer: cells appended row by row, widths found at print time. */
#ifndef XDPLB_TABLE_H
#define XDPLB_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct table;

/*
 * ncols columns; headers is NULL (no header line) or ncols strings; align is NULL (all left) or
 * ncols characters, 'l' or 'r' (numbers). NULL + errno on failure.
 */
struct table *table_new(size_t ncols, const char *const *headers, const char *align);
/* Appends the next cell, filling rows left to right. 0 or -ENOMEM. */
int table_cell(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t table_rows(const struct table *t);
/* Two spaces between columns, no trailing blanks; a short last row prints as blanks. */
void table_print(const struct table *t, FILE *out);
void table_free(struct table *t);

#endif /* XDPLB_TABLE_H */
