/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Human-friendly renderings of the numbers and addresses in control results. */
#ifndef XDPLB_FORMAT_H
#define XDPLB_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define FMT_BUF 64

/* "0 B", "512 B", "1.5 KiB", "12.0 MiB": binary units, one decimal above bytes. */
const char *fmt_bytes(char *buf, size_t len, uint64_t bytes);
/* "45s", "5m12s", "2h13m", "3d4h": the two largest units. */
const char *fmt_duration(char *buf, size_t len, uint64_t seconds);
/* "2026-11-22 01:40:00 UTC" */
const char *fmt_time(char *buf, size_t len, int64_t unix_seconds);
/* "192.0.2.1:80", "[2001:db8::1]:80"; port 0 prints as "*" (any port). */
const char *fmt_endpoint(char *buf, size_t len, const char *addr, uint64_t port);

/* Lenient getters: a result missing a member prints "-" or 0 rather than failing. */
const char *res_str(json_t *obj, const char *key);
uint64_t res_uint(json_t *obj, const char *key);
/* A JSON array of strings joined with ","; "-" when empty or absent. Caller frees. */
char *res_join(json_t *obj, const char *key);

#endif /* XDPLB_FORMAT_H */
