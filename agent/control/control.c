// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The control socket server: one request per connection, every length and type checked before
 * dispatch, mutating verbs for root only (SO_PEERCRED), every client bounded to one second of I/O
 * so that a stuck or hostile client can never stall the agent's event loop.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/clock.h"
#include "control/control.h"
#include "common/ctl_proto.h"
#include "common/log.h"

#define CONTROL_BACKLOG 16
#define CONTROL_ERR_MAX 512

struct control_server {
	int fd;
	struct sockaddr_un addr;
	ino_t ino; /* the socket we bound: control_close never unlinks a successor's */
	const struct control_verb *verbs;
	size_t n_verbs;
	void *ctx;
	uint64_t rejected;
};

/* mkdir -p of path's parent directory; existing directories are left as they are. */
static int control_mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * A socket file left by a dead agent is removed; one a live agent answers on is not (two agents
 * would fight over the data plane), and neither is anything that is not a socket.
 */
static int control_remove_stale(const struct sockaddr_un *addr)
{
	struct stat st;
	int fd, ret;

	if (lstat(addr->sun_path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("control: %s exists and is not a socket", addr->sun_path);
		return -EEXIST;
	}
	/* Non-blocking: a live agent with a full backlog answers EAGAIN instead of hanging us. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) ? -errno : 0;
	close(fd);
	if (!ret || ret == -EAGAIN) {
		log_warnx("control: another agent answers on %s", addr->sun_path);
		return -EADDRINUSE;
	}
	if (ret != -ECONNREFUSED) {
		log_warnx("control: %s: %s", addr->sun_path, strerror(-ret));
		return ret;
	}
	if (unlink(addr->sun_path) && errno != ENOENT)
		return -errno;
	return 0;
}

/* 0600 for root only, or 0660 with the group: members may connect, only root may mutate. */
static int control_set_owner(const char *path, const char *group)
{
	struct group gr, *res = NULL;
	mode_t mode = 0600;
	char buf[4096];
	int ret;

	if (group && group[0]) {
		ret = getgrnam_r(group, &gr, buf, sizeof(buf), &res);
		if (ret || !res) {
			log_warnx("control: group %s: %s", group,
				  ret ? strerror(ret) : "no such group");
			return ret ? -ret : -ENOENT;
		}
		if (chown(path, (uid_t)-1, gr.gr_gid)) {
			ret = -errno;
			log_warn("control: chown %s to group %s", path, group);
			return ret;
		}
		mode = 0660;
	}
	if (chmod(path, mode)) {
		ret = -errno;
		log_warn("control: chmod %s", path);
		return ret;
	}
	return 0;
}

struct control_server *control_open(const char *path, const char *group,
				    const struct control_verb *verbs, size_t n_verbs, void *ctx)
{
	struct control_server *srv;
	struct stat st;
	mode_t old_mask;
	int ret;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return NULL;
	srv->fd = -1;
	srv->verbs = verbs;
	srv->n_verbs = n_verbs;
	srv->ctx = ctx;
	srv->addr.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(srv->addr.sun_path)) {
		log_warnx("control: %s: path longer than %zu bytes", path,
			  sizeof(srv->addr.sun_path) - 1);
		ret = -ENAMETOOLONG;
		goto cleanup;
	}
	strcpy(srv->addr.sun_path, path);
	ret = control_mkdir_parent(path);
	if (ret) {
		log_warnx("control: cannot create the directory of %s: %s", path, strerror(-ret));
		goto cleanup;
	}
	ret = control_remove_stale(&srv->addr);
	if (ret)
		goto cleanup;
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0) {
		ret = -errno;
		log_warn("control: socket");
		goto cleanup;
	}
	/* bind() creates the file with the umask: born 0600, never briefly open to everyone. */
	old_mask = umask(0177);
	ret = bind(srv->fd, (struct sockaddr *)&srv->addr, sizeof(srv->addr)) ? -errno : 0;
	umask(old_mask);
	if (ret) {
		log_warnx("control: bind %s: %s", path, strerror(-ret));
		goto cleanup;
	}
	if (lstat(path, &st)) {
		ret = -errno;
		log_warn("control: stat %s", path);
		goto cleanup_unlink;
	}
	srv->ino = st.st_ino;
	ret = control_set_owner(path, group);
	if (ret)
		goto cleanup_unlink;
	if (listen(srv->fd, CONTROL_BACKLOG)) {
		ret = -errno;
		log_warn("control: listen on %s", path);
		goto cleanup_unlink;
	}
	return srv;
cleanup_unlink:
	unlink(path);
cleanup:
	if (srv->fd >= 0)
		close(srv->fd);
	free(srv);
	errno = -ret;
	return NULL;
}

int control_set_group(struct control_server *srv, const char *group)
{
	return control_set_owner(srv->addr.sun_path, group);
}

int control_listen_fd(const struct control_server *srv)
{
	return srv->fd;
}

uint64_t control_rejected(const struct control_server *srv)
{
	return srv->rejected;
}

void control_close(struct control_server *srv)
{
	struct stat st;

	if (!srv)
		return;
	close(srv->fd);
	if (!lstat(srv->addr.sun_path, &st) && st.st_ino == srv->ino)
		unlink(srv->addr.sun_path);
	free(srv);
}

static const struct control_verb *control_find_verb(const struct control_server *srv,
						    const char *name)
{
	size_t i;

	for (i = 0; i < srv->n_verbs; i++)
		if (!strcmp(srv->verbs[i].name, name))
			return &srv->verbs[i];
	return NULL;
}

/*
 * Sends {"ok": false, "error": msg}; the reply is best effort, the client may be gone. Messages
 * may quote the client's own bytes (jansson's parse errors echo them, names are cut at a fixed
 * width, maybe inside a UTF-8 sequence), and jansson refuses a string that is not valid UTF-8:
 * anything outside printable ASCII becomes '?' so that the client always gets its answer.
 */
static void control_reply_error(int fd, const char *msg, int timeout_ms)
{
	char safe[CONTROL_ERR_MAX];
	json_t *reply;
	size_t i;
	char *out;

	for (i = 0; msg[i] && i < sizeof(safe) - 1; i++)
		safe[i] = msg[i] >= 0x20 && msg[i] < 0x7f ? msg[i] : '?';
	safe[i] = '\0';
	reply = json_pack("{s:b,s:s}", "ok", 0, "error", safe);
	out = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
	if (out)
		ctl_write_msg_timeout(fd, out, strlen(out), timeout_ms);
	free(out);
	json_decref(reply);
}

static void control_reply_result(int fd, json_t *result, int timeout_ms)
{
	json_t *reply;
	size_t len;
	char *out;

	reply = json_pack("{s:b,s:O}", "ok", 1, "result", result);
	out = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
	json_decref(reply);
	if (!out) {
		control_reply_error(fd, "internal error: cannot encode the reply", timeout_ms);
		return;
	}
	len = strlen(out);
	if (len > CTL_REPLY_MAX) {
		log_warnx("control: reply of %zu bytes is over the limit of %u", len,
			  CTL_REPLY_MAX);
		free(out);
		control_reply_error(fd, "reply over the 8 MiB limit: narrow the request",
				    timeout_ms);
		return;
	}
	ctl_write_msg_timeout(fd, out, len, timeout_ms);
	free(out);
}

/*
 * Checks the request's shape: an object with a string "verb", an optional object "args" and
 * nothing else. Returns the verb name and sets *args to a new reference (an empty object when
 * absent), or NULL with the reason in err.
 */
static const char *control_parse_request(json_t *req, json_t **args, char *err, size_t errlen)
{
	json_t *verb, *val;
	const char *key;

	*args = NULL;
	if (!json_is_object(req)) {
		snprintf(err, errlen, "request is not a JSON object");
		return NULL;
	}
	json_object_foreach (req, key, val) {
		if (strcmp(key, "verb") && strcmp(key, "args")) {
			snprintf(err, errlen, "unknown request member \"%.32s\"", key);
			return NULL;
		}
	}
	verb = json_object_get(req, "verb");
	if (!json_is_string(verb)) {
		snprintf(err, errlen, "\"verb\" is missing or not a string");
		return NULL;
	}
	val = json_object_get(req, "args");
	if (val && !json_is_object(val)) {
		snprintf(err, errlen, "\"args\" is not an object");
		return NULL;
	}
	*args = val ? json_incref(val) : json_object();
	if (!*args) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return json_string_value(verb);
}

/* Reads and checks one request; 0 with *req, or -errno with the reason for the client in err. */
static int control_read_request(int fd, int timeout_ms, json_t **req, char *err, size_t errlen)
{
	json_error_t jerr;
	size_t len;
	char *buf, c;
	int ret;

	*req = NULL;
	ret = ctl_read_msg(fd, CTL_REQUEST_MAX, timeout_ms, &buf, &len);
	switch (ret) {
	case 0:
		break;
	case -EMSGSIZE:
		snprintf(err, errlen, "request of %zu bytes is over the limit of %u", len,
			 CTL_REQUEST_MAX);
		return ret;
	case -EPROTO:
		if (len)
			snprintf(err, errlen,
				 "short read: connection closed before the %zu bytes declared",
				 len);
		else
			snprintf(err, errlen,
				 "short read: connection closed inside the length prefix");
		return ret;
	case -ETIMEDOUT:
		snprintf(err, errlen, "request not complete within %d ms", CONTROL_IO_TIMEOUT_MS);
		return ret;
	default:
		snprintf(err, errlen, "read: %s", strerror(-ret));
		return ret;
	}
	/* The length prefix must describe the whole request: nothing may follow it. */
	if (recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
		snprintf(err, errlen, "data after the declared length of %zu bytes", len);
		free(buf);
		return -EBADMSG;
	}
	/* Any JSON value parses, so that "not an object" can be told apart from "not JSON". */
	*req = json_loadb(buf, len, JSON_DECODE_ANY, &jerr);
	free(buf);
	if (!*req) {
		snprintf(err, errlen, "invalid JSON at byte %d: %s", jerr.position, jerr.text);
		return -EBADMSG;
	}
	return 0;
}

static bool control_peer_is_root(int fd, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len)) {
		cred->pid = 0;
		cred->uid = (uid_t)-1;
		return false;
	}
	return cred->uid == 0;
}

static void control_reject(struct control_server *srv, int fd, const char *why, int timeout_ms)
{
	srv->rejected++;
	log_debug("control: rejected a request: %s", why);
	control_reply_error(fd, why, timeout_ms);
}

void control_serve_one(struct control_server *srv)
{
	const struct control_verb *verb;
	json_t *req = NULL, *args = NULL, *result = NULL;
	char err[CONTROL_ERR_MAX] = "";
	const char *name;
	struct ucred cred;
	int64_t start;
	int fd, ret, left;

	fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != ECONNABORTED && errno != EINTR)
			log_warn("control: accept");
		return;
	}
	start = clock_now_ms();
	ret = control_read_request(fd, CONTROL_IO_TIMEOUT_MS, &req, err, sizeof(err));
	/* The reply gets what is left of the client's second, however long the verb runs. */
	left = CONTROL_IO_TIMEOUT_MS - (int)(clock_now_ms() - start);
	if (left < 0)
		left = 0;
	if (ret == -ENODATA)
		goto cleanup; /* connected and closed: no request, nothing to count */
	if (ret) {
		control_reject(srv, fd, err, left);
		goto cleanup;
	}
	name = control_parse_request(req, &args, err, sizeof(err));
	if (!name) {
		control_reject(srv, fd, err, left);
		goto cleanup;
	}
	verb = control_find_verb(srv, name);
	if (!verb) {
		snprintf(err, sizeof(err), "unknown verb \"%.64s\"", name);
		control_reject(srv, fd, err, left);
		goto cleanup;
	}
	if (verb->mutating && !control_peer_is_root(fd, &cred)) {
		log_warnx("control: %s refused for uid %d (pid %d)", verb->name, (int)cred.uid,
			  (int)cred.pid);
		snprintf(err, sizeof(err), "permission denied: %s needs root", verb->name);
		srv->rejected++;
		control_reply_error(fd, err, left);
		goto cleanup;
	}
	ret = verb->fn(srv->ctx, args, &result, err, sizeof(err));
	log_debug("control: %s: %s", verb->name, !ret ? "ok" : err[0] ? err : strerror(-ret));
	if (ret) {
		json_decref(result);
		result = NULL;
		if (!err[0])
			snprintf(err, sizeof(err), "%s: %s", verb->name, strerror(-ret));
		if (ret == -EINVAL)
			control_reject(srv, fd, err, left);
		else
			control_reply_error(fd, err, left);
		goto cleanup;
	}
	if (!result)
		result = json_object();
	control_reply_result(fd, result, left);
cleanup:
	json_decref(result);
	json_decref(args);
	json_decref(req);
	close(fd);
}
