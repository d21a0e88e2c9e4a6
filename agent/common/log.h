/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One log module for agent and tools: levels, stderr, libbpf's output routed in. */
#ifndef XDPLB_LOG_H
#define XDPLB_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Also looks whether stderr is the journal (JOURNAL_STREAM): lines get "<priority>" then. */
void log_init(const char *prog, enum log_level level);
/* Whether fd is the stream journal_stream ("DEVICE:INODE", $JOURNAL_STREAM) names. */
bool log_stream_is_journal(const char *journal_stream, int fd);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* log_warn appends strerror(errno); log_warnx does not (relayd's convention). */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A value as a message shows it: whole when short, else its first LOG_CUT_SHOWN characters and
 * "...", control characters as '?'. Then a huge value never pushes the reason out of the message
 * buffer. The text lives in one of LOG_CUT_SLOTS static buffers, reused in turn: enough for the
 * values of one message.
 */
#define LOG_CUT_SHOWN 32
#define LOG_CUT_SLOTS 4
const char *log_cut(const char *text);

/* Routes libbpf's messages into this module (debug ones only at -v). */
void log_route_libbpf(void);

#endif /* XDPLB_LOG_H */
