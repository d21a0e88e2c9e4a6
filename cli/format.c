// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Number, time and address formatting for lbctl's human output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"

const char *fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	double val = bytes;
	size_t i = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	val /= 1024;
	while (val >= 1024 && i + 1 < sizeof(units) / sizeof(units[0])) {
		val /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f %s", val, units[i]);
	return buf;
}

const char *fmt_duration(char *buf, size_t len, uint64_t s)
{
	if (s < 60)
		snprintf(buf, len, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%llus", (unsigned long long)s / 60,
			 (unsigned long long)s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%llum", (unsigned long long)s / 3600,
			 (unsigned long long)s % 3600 / 60);
	else
		snprintf(buf, len, "%llud%lluh", (unsigned long long)s / 86400,
			 (unsigned long long)s % 86400 / 3600);
	return buf;
}

const char *fmt_time(char *buf, size_t len, int64_t unix_seconds)
{
	time_t t = unix_seconds;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "%lld", (long long)unix_seconds);
	return buf;
}

const char *fmt_endpoint(char *buf, size_t len, const char *addr, uint64_t port)
{
	const char *open = strchr(addr, ':') ? "[" : "", *close = *open ? "]" : "";

	if (port)
		snprintf(buf, len, "%s%s%s:%llu", open, addr, close, (unsigned long long)port);
	else
		snprintf(buf, len, "%s%s%s:*", open, addr, close);
	return buf;
}

const char *res_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s && s[0] ? s : "-";
}

uint64_t res_uint(json_t *obj, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(obj, key));

	return v < 0 ? 0 : (uint64_t)v;
}

char *res_join(json_t *obj, const char *key)
{
	json_t *arr = json_object_get(obj, key), *item;
	size_t i, len = 0;
	char *out;

	json_array_foreach (arr, i, item)
		len += strlen(json_string_value(item) ?: "") + 1;
	if (!len)
		return strdup("-");
	out = calloc(1, len);
	if (!out)
		return NULL;
	json_array_foreach (arr, i, item) {
		if (i)
			strcat(out, ",");
		strcat(out, json_string_value(item) ?: "");
	}
	return out;
}
