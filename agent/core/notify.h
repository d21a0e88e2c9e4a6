/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* systemd's readiness protocol (sd_notify), spoken directly: one datagram to $NOTIFY_SOCKET. */
#ifndef XDPLB_NOTIFY_H
#define XDPLB_NOTIFY_H

/*
 * Sends state ("READY=1", "STOPPING=1", "STATUS=...", newline separated) to
 * the unix datagram socket named by $NOTIFY_SOCKET (a path, or "@name" for
 * the abstract namespace). 0 when sent or when the variable is unset (not
 * started by systemd, or not Type=notify), else -errno.
 */
int notify_send(const char *state);

/*
 * Around a reload (systemd 252 reads these from a Type=notify service too):
 * RELOADING=1 with MONOTONIC_USEC (the clock of the reload's start, as
 * sd_notify(3) asks), then READY=1 with a STATUS line saying how it went.
 */
int notify_reloading(void);
int notify_ready(const char *status);

#endif /* XDPLB_NOTIFY_H */
