/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Driving HAProxy from outside: its binary (-c, master-worker start) and its master CLI. */
#ifndef XDPLB_HAPROXY_CTL_H
#define XDPLB_HAPROXY_CTL_H

#include <stddef.h>
#include <sys/types.h>

#define HAPROXY_CLI_TIMEOUT_MS	 2000
#define HAPROXY_CHECK_TIMEOUT_MS 10000

/*
 * One command on a HAProxy CLI socket (master or stats): connect, write cmd and "\n",
 * read the reply until HAProxy closes (non-interactive mode), at most
 * HAPROXY_CLI_TIMEOUT_MS. The reply (NUL-terminated, cut to len - 1) goes to reply.
 * On the master socket a command prefixed "@1 " goes to the current worker.
 * Returns 0 or -errno.
 */
int haproxy_cli(const char *sock, const char *cmd, char *reply, size_t len);

/*
 * `haproxy -c -f file`: 0 when HAProxy accepts the file; -EINVAL with its first alert
 * (or the exit reason) in err; -ENOENT when the binary is missing.
 */
int haproxy_check_file(const char *bin, const char *file, char *err, size_t errlen);

/*
 * Starts `bin -W -S master_sock -f file -p pid_file` (master-worker, in the foreground,
 * a child of the caller with default signal handling) and opens a pidfd on it.
 * 0 or -errno.
 */
int haproxy_spawn(const char *bin, const char *file, const char *master_sock, const char *pid_file,
		  pid_t *pid, int *pidfd);

/*
 * The pid of a HAProxy master pid_file names that still runs (an agent that died left it
 * behind), or 0.
 */
pid_t haproxy_running_master(const char *pid_file);

#endif /* XDPLB_HAPROXY_CTL_H */
