// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Logging to stderr with a level prefix; journald adds the time itself. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "common/log.h"

static const char *log_prog = "xdplb";
static enum log_level log_level = LOG_LVL_INFO;

void log_init(const char *prog, enum log_level level)
{
	log_prog = prog;
	log_level = level;
}

void log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

const char *log_cut(const char *text)
{
	/* Whole up to a little over the cut: "abc...", three characters longer, would hide less. */
	static char slots[LOG_CUT_SLOTS][LOG_CUT_SHOWN + 8 + 1];
	static unsigned int next;
	char *out = slots[next++ % LOG_CUT_SLOTS];
	size_t len = strlen(text), n = len <= LOG_CUT_SHOWN + 8 ? len : LOG_CUT_SHOWN, i;

	for (i = 0; i < n; i++)
		out[i] = iscntrl((unsigned char)text[i]) ? '?' : text[i];
	strcpy(out + n, n < len ? "..." : "");
	return out;
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap, int err)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	if (level > log_level)
		return;
	fprintf(stderr, "%s: %s: ", log_prog, names[level]);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap, 0);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_WARN, fmt, ap, err);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_WARN, fmt, ap, 0);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_INFO, fmt, ap, 0);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_DEBUG, fmt, ap, 0);
	va_end(ap);
}

static int log_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level ours = level == LIBBPF_WARN ? LOG_LVL_WARN :
			      level == LIBBPF_INFO ? LOG_LVL_INFO : LOG_LVL_DEBUG;
	char line[1024];
	size_t len;

	if (ours > log_level)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	/* libbpf prefixes most of its lines itself. */
	log_msg(ours, "%s%s", strncmp(line, "libbpf: ", 8) ? "libbpf: " : "", line);
	return 0;
}

void log_route_libbpf(void)
{
	libbpf_set_print(log_libbpf_print);
}
