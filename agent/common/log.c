// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Logging to stderr with a level word; journald adds the time itself. When stderr is the
 * journal, every line starts with its syslog priority as sd-daemon(3) defines it ("<4>"), which
 * journald takes off the line and keeps as the entry's priority: `journalctl -p warning` works.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "common/log.h"

static const char *log_prog = "xdplb";
static enum log_level log_level = LOG_LVL_INFO;
static bool log_journal; /* stderr is a journald stream: lines carry "<priority>" */

bool log_stream_is_journal(const char *journal_stream, int fd)
{
	unsigned long long dev, ino;
	struct stat st;
	int end = 0;

	/* systemd sets JOURNAL_STREAM=DEVICE:INODE of the stream it gave the service. */
	if (!journal_stream || sscanf(journal_stream, "%llu:%llu%n", &dev, &ino, &end) != 2 ||
	    journal_stream[end] || fstat(fd, &st))
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_init(const char *prog, enum log_level level)
{
	log_prog = prog;
	log_level = level;
	/* Not inherited blindly: a child whose stderr was redirected elsewhere sees the mismatch.
	 */
	log_journal = log_stream_is_journal(getenv("JOURNAL_STREAM"), STDERR_FILENO);
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
	/* LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG of syslog.h */
	static const int priorities[] = {3, 4, 6, 7};

	if (level > log_level)
		return;
	if (log_journal)
		fprintf(stderr, "<%d>", priorities[level]);
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
