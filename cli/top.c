// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lbctl top: rates per VIP and per backend (like `ipvsadm -L --rate`), from
 * the differences of the agent's counters between two polls. Refreshes in
 * place on a terminal; `--once` or `-n N` bound it for scripts, and with -j
 * every frame is one JSON object on its own line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/ctl_proto.h"
#include "format.h"
#include "lbctl.h"
#include "table.h"

#define TOP_TIMEOUT_MS 5000

/* The counters of one poll: {"vips": [...], "backends": [...]} as the agent gave them. */
struct top_sample {
	json_t *vips, *backends;
	double t; /* clock_now_ns() in seconds */
};

static void top_sample_free(struct top_sample *s)
{
	json_decref(s->vips);
	json_decref(s->backends);
	s->vips = s->backends = NULL;
}

/* One VIP (vip.show) or all of them (vip.list + backend.list). */
static int top_poll(const char *path, json_t *args, struct top_sample *s, char *err, size_t errlen)
{
	json_t *vip = json_object_get(args, "vip"), *res = NULL, *q = NULL;
	int ret;

	s->t = clock_now_ns() / 1e9;
	if (vip) {
		q = json_pack("{s:O}", "vip", vip);
		ret = ctl_call(path, "vip.show", q, TOP_TIMEOUT_MS, &res, err, errlen);
		json_decref(q);
		if (ret)
			return ret;
		s->backends = json_incref(json_object_get(res, "backends"));
		json_object_del(res, "backends");
		s->vips = json_pack("[o]", res);
		return 0;
	}
	ret = ctl_call(path, "vip.list", NULL, TOP_TIMEOUT_MS, &res, err, errlen);
	if (ret)
		return ret;
	s->vips = json_incref(json_object_get(res, "vips"));
	json_decref(res);
	ret = ctl_call(path, "backend.list", NULL, TOP_TIMEOUT_MS, &res, err, errlen);
	if (ret)
		return ret;
	s->backends = json_incref(json_object_get(res, "backends"));
	json_decref(res);
	return 0;
}

/* The row of the earlier poll with the same key (and the same VIP: backends come in pairs). */
static json_t *top_find(json_t *list, const char *key, json_t *like)
{
	json_t *item;
	size_t i;

	json_array_foreach (list, i, item)
		if (!strcmp(res_str(item, key), res_str(like, key)) &&
		    !strcmp(res_str(item, "vip"), res_str(like, "vip")))
			return item;
	return NULL;
}

/* Per second over dt; a counter that went back (agent restarted, map reset) counts from 0. */
static double top_rate(json_t *now, json_t *before, const char *key, double dt)
{
	uint64_t a = res_uint(now, key), b = before ? res_uint(before, key) : a;

	return dt > 0 ? (a >= b ? a - b : a) / dt : 0;
}

/* The rows of one list with its rates added: {..., "cps", "pps", "bytes_per_s"}. */
static json_t *top_rates(json_t *now, json_t *before, const char *key, double dt)
{
	json_t *out = json_array(), *item, *row, *prev;
	size_t i;

	json_array_foreach (now, i, item) {
		prev = top_find(before, key, item);
		row = json_deep_copy(item);
		json_object_set_new(row, "cps", json_real(top_rate(item, prev, "new_flows", dt)));
		json_object_set_new(row, "pps", json_real(top_rate(item, prev, "packets", dt)));
		json_object_set_new(row, "bytes_per_s",
				    json_real(top_rate(item, prev, "bytes", dt)));
		json_array_append_new(out, row);
	}
	return out;
}

static const char *top_num(char *buf, size_t len, double v)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.1fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

static double top_real(json_t *obj, const char *key)
{
	return json_number_value(json_object_get(obj, key));
}

int lbctl_print_top(FILE *out, json_t *frame, json_t *args)
{
	static const char *const vh[] = {"VIP", "CPS", "PPS", "BYTES/S", "BACKENDS"};
	static const char *const bh[] = {"VIP", "BACKEND", "STATE", "CPS", "PPS", "BYTES/S"};
	char c[FMT_BUF], p[FMT_BUF], b[FMT_BUF];
	struct table *tv = table_new(5, vh, "lrrrr"), *tb = table_new(6, bh, "lllrrr");
	json_t *item;
	size_t i;
	int ret = 0;

	if (!tv || !tb) {
		ret = -ENOMEM;
		goto cleanup;
	}
	json_array_foreach (json_object_get(frame, "vips"), i, item) {
		ret |= table_cell(tv, "%s", res_str(item, "name"));
		ret |= table_cell(tv, "%s", top_num(c, sizeof(c), top_real(item, "cps")));
		ret |= table_cell(tv, "%s", top_num(p, sizeof(p), top_real(item, "pps")));
		ret |= table_cell(tv, "%s/s",
				  fmt_bytes(b, sizeof(b), (uint64_t)top_real(item, "bytes_per_s")));
		ret |= table_cell(tv, "%" PRIu64 "/%" PRIu64 " up", res_uint(item, "backends_up"),
				  res_uint(item, "backends"));
	}
	json_array_foreach (json_object_get(frame, "backends"), i, item) {
		ret |= table_cell(tb, "%s", res_str(item, "vip"));
		ret |= table_cell(tb, "%s", res_str(item, "address"));
		ret |= table_cell(tb, "%s", res_str(item, "state"));
		ret |= table_cell(tb, "%s", top_num(c, sizeof(c), top_real(item, "cps")));
		ret |= table_cell(tb, "%s", top_num(p, sizeof(p), top_real(item, "pps")));
		ret |= table_cell(tb, "%s/s",
				  fmt_bytes(b, sizeof(b), (uint64_t)top_real(item, "bytes_per_s")));
	}
	if (ret) {
		ret = -ENOMEM;
		goto cleanup;
	}
	fprintf(out, "rates over the last %.1f s (CPS: new connections/s)\n\n",
		top_real(frame, "interval_s"));
	table_print(tv, out);
	fputc('\n', out);
	table_print(tb, out);
cleanup:
	table_free(tv);
	table_free(tb);
	return ret;
}

static void top_sleep(double seconds)
{
	struct timespec ts = {.tv_sec = (time_t)seconds,
			      .tv_nsec = (long)((seconds - (time_t)seconds) * 1e9)};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int lbctl_top(const char *path, json_t *args, bool json, FILE *out, char *err, size_t errlen)
{
	json_int_t n = json_integer_value(json_object_get(args, "iterations"));
	double interval = json_integer_value(json_object_get(args, "interval")) ?: 1;
	bool refresh = !json && isatty(fileno(out)) && n != 1;
	struct top_sample prev = {}, cur = {};
	json_t *frame;
	json_int_t i;
	int ret;

	if (json_is_true(json_object_get(args, "once")))
		n = 1;
	ret = top_poll(path, args, &prev, err, errlen);
	for (i = 0; !ret && (!n || i < n); i++) {
		top_sleep(interval);
		ret = top_poll(path, args, &cur, err, errlen);
		if (ret)
			break;
		frame =
		    json_pack("{s:f, s:o, s:o}", "interval_s", cur.t - prev.t, "vips",
			      top_rates(cur.vips, prev.vips, "name", cur.t - prev.t), "backends",
			      top_rates(cur.backends, prev.backends, "address", cur.t - prev.t));
		if (!frame) {
			ret = -ENOMEM;
			break;
		}
		if (refresh)
			fputs("\033[H\033[J", out); /* home, clear: the frame redraws in place */
		else if (i && !json)
			fputc('\n', out);
		if (json) {
			ret = json_dumpf(frame, out, JSON_COMPACT) ? -EIO : 0;
			fputc('\n', out);
		} else {
			ret = lbctl_print_top(out, frame, args);
		}
		json_decref(frame);
		if (fflush(out) && !ret)
			ret = -errno;
		top_sample_free(&prev);
		prev = cur;
		cur = (struct top_sample){};
	}
	top_sample_free(&prev);
	top_sample_free(&cur);
	return ret;
}
