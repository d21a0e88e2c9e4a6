/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One log module for agent and tools: levels, stderr, libbpf's output routed in. */
#ifndef XDPLB_LOG_H
#define XDPLB_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *prog, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* log_warn appends strerror(errno); log_warnx does not (relayd's convention). */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Routes libbpf's messages into this module (debug ones only at -v). */
void log_route_libbpf(void);

#endif /* XDPLB_LOG_H */
