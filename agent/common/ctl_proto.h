/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Control protocol framing (4-byte big-endian length + JSON) and the client call (docs/CONTROL.md).
 */
#ifndef XDPLB_CTL_PROTO_H
#define XDPLB_CTL_PROTO_H

#include <stddef.h>
#include <jansson.h>

#define CTL_SOCKET_DEFAULT "/run/xdplb/lbagent.sock"
#define CTL_REQUEST_MAX	   65536u     /* bytes of JSON in one request */
#define CTL_REPLY_MAX	   (8u << 20) /* bytes of JSON in one reply */

/*
 * Sends {"verb","args"} and waits (timeout_ms for the whole exchange) for the reply. Returns 0
 * with *result (owned by the caller) when ok:true; -EREMOTEIO with the agent's message in err when
 * ok:false; -ECONNREFUSED / -ENOENT when no agent is listening; other -errno on transport errors
 * (-EACCES: the socket's mode keeps us out, -ETIMEDOUT, -EMSGSIZE, -EBADMSG: not a valid reply).
 * args may be NULL; it is borrowed, not stolen. err always holds a message on failure.
 */
int ctl_call(const char *path, const char *verb, json_t *args, int timeout_ms, json_t **result,
	     char *err, size_t errlen);

/*
 * Framing on a stream socket. ctl_write_msg sends the length and buf, never raising SIGPIPE.
 * ctl_read_msg reads one message of at most max bytes within timeout_ms (-1: no limit) into a
 * malloc'd, NUL-terminated *buf. Errors: -EMSGSIZE (declared length over max, or len over
 * UINT32_MAX), -EPROTO (the peer closed mid-message), -ENODATA (closed before the first byte),
 * -ETIMEDOUT, or the -errno of the failed call.
 */
int ctl_write_msg(int fd, const char *buf, size_t len);
int ctl_read_msg(int fd, size_t max, int timeout_ms, char **buf, size_t *len);

/* ctl_write_msg bounded in time: -ETIMEDOUT when the peer does not take it within timeout_ms. */
int ctl_write_msg_timeout(int fd, const char *buf, size_t len, int timeout_ms);

#endif /* XDPLB_CTL_PROTO_H */
