/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The agent's control socket: one JSON request per connection, dispatched to a verb table. */
#ifndef XDPLB_CONTROL_H
#define XDPLB_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define CONTROL_IO_TIMEOUT_MS 1000 /* reading the request plus writing the reply, per client */

/*
 * A verb: args is always an object (empty when the request had none), borrowed. On success set
 * *result to a new reference to an object (NULL is sent as {}) and return 0. On failure write a
 * message into err and return -errno; return -EINVAL only when the arguments themselves are
 * wrong (missing, wrong type, out of range): those are counted as rejected requests.
 */
typedef int (*control_verb_fn)(void *ctx, json_t *args, json_t **result, char *err, size_t errlen);

struct control_verb {
	const char *name; /* wire name, e.g. "backend.drain" */
	bool mutating;	  /* refused unless the peer's uid is 0 */
	control_verb_fn fn;
};

struct control_server;

/*
 * Creates the socket (parent dir created 0755, stale socket replaced, mode 0600, or 0660 + chown
 * to group when group is non-empty). verbs/ctx are kept by pointer. NULL + errno on failure
 * (EADDRINUSE: another agent answers on path; ENOENT: no such group), with the reason logged.
 */
struct control_server *control_open(const char *path, const char *group,
				    const struct control_verb *verbs, size_t n_verbs, void *ctx);
int control_listen_fd(const struct control_server *srv); /* for the agent's epoll */
/* Gives the socket to group (mode 0660), or back to root only with "" (0600). 0 or -errno. */
int control_set_group(struct control_server *srv, const char *group);
/*
 * Call when the listen fd is readable: accepts one client, reads one request (bounded: 1 s, 64
 * KiB), checks SO_PEERCRED for mutating verbs, dispatches, writes the reply, closes. Never blocks
 * longer than about a second (plus the verb's own run time); never crashes on input.
 */
void control_serve_one(struct control_server *srv);
uint64_t control_rejected(const struct control_server *srv);
void control_close(struct control_server *srv); /* closes and unlinks the socket */

/*
 * Argument helpers for verb functions. An absent optional key returns 0 and leaves *out as the
 * caller preset it; an absent required key, a wrong type or a value outside [min, max] returns
 * -EINVAL with a message naming the key ("args.weight: expected an integer").
 */
int control_arg_string(json_t *args, const char *key, bool required, const char **out, char *err,
		       size_t errlen);
int control_arg_int(json_t *args, const char *key, bool required, long long min, long long max,
		    long long *out, char *err, size_t errlen);
int control_arg_bool(json_t *args, const char *key, bool required, bool *out, char *err,
		     size_t errlen);

#endif /* XDPLB_CONTROL_H */
