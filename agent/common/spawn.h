/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Starting a child program clean: what the agent blocks, ignores and holds open stays behind. */
#ifndef XDPLB_SPAWN_H
#define XDPLB_SPAWN_H

#include <sys/types.h>

#define SPAWN_OUT_NULL	  (-1) /* stdout and stderr to /dev/null */
#define SPAWN_OUT_INHERIT (-2) /* the caller's stdout and stderr */

/*
 * posix_spawn (vfork speed) of argv[0] with envp, in a process group of its own (a
 * timeout or a stop can signal all it started, and a ^C on the agent's terminal stays
 * the agent's), the signal mask and SIGPIPE back to defaults (the agent blocks the
 * signals it reads from a signalfd and ignores SIGPIPE), stdin from /dev/null, none of
 * the caller's descriptors above 2 whether or not they are close-on-exec (a socket copy
 * held by a child outlives the agent's close). out is a descriptor for stdout and
 * stderr, or SPAWN_OUT_*. Returns 0 or -errno.
 */
int spawn_clean(pid_t *pid, char *const argv[], char *const envp[], int out);

#endif /* XDPLB_SPAWN_H */
