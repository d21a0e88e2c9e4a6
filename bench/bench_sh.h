/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The benches' one shell helper: namespaces and mounts are `ip` and `mount` commands. */
#ifndef XDPLB_BENCH_SH_H
#define XDPLB_BENCH_SH_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* Runs a formatted shell command; its exit status, or -1. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

#endif /* XDPLB_BENCH_SH_H */
