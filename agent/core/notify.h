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

#endif /* XDPLB_NOTIFY_H */
