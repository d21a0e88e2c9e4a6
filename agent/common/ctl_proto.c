// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Control protocol framing and the client call: every read and write bounded by a deadline. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/ctl_proto.h"

#define CTL_NO_DEADLINE (-1)

static int64_t ctl_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? CTL_NO_DEADLINE : (int64_t)clock_now_ms() + timeout_ms;
}

/* Waits for events on fd; a deadline already past still lets data that is there be taken. */
static int ctl_wait(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int64_t left;
	int n;

	for (;;) {
		left = deadline == CTL_NO_DEADLINE ? -1 : deadline - (int64_t)clock_now_ms();
		n = poll(&pfd, 1, deadline == CTL_NO_DEADLINE ? -1 : left < 0 ? 0 : (int)left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int ctl_send_all(int fd, const void *buf, size_t len, int64_t deadline)
{
	const char *p = buf;
	ssize_t n;
	int ret;

	while (len) {
		/* MSG_DONTWAIT even on a blocking socket: a large write must not outlive the
		 * deadline. */
		n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			p += n;
			len -= n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		ret = ctl_wait(fd, POLLOUT, deadline);
		if (ret)
			return ret;
	}
	return 0;
}

/* Fills buf completely; *got says how far it came, to tell a clean close from a torn message. */
static int ctl_recv_all(int fd, void *buf, size_t len, int64_t deadline, size_t *got)
{
	char *p = buf;
	ssize_t n;
	int ret;

	*got = 0;
	while (*got < len) {
		n = recv(fd, p + *got, len - *got, MSG_DONTWAIT);
		if (n > 0) {
			*got += n;
			continue;
		}
		if (n == 0)
			return -EPROTO;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		ret = ctl_wait(fd, POLLIN, deadline);
		if (ret)
			return ret;
	}
	return 0;
}

static int ctl_write_msg_deadline(int fd, const char *buf, size_t len, int64_t deadline)
{
	uint32_t hdr;
	int ret;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	hdr = htonl((uint32_t)len);
	ret = ctl_send_all(fd, &hdr, sizeof(hdr), deadline);
	if (ret)
		return ret;
	return ctl_send_all(fd, buf, len, deadline);
}

int ctl_write_msg_timeout(int fd, const char *buf, size_t len, int timeout_ms)
{
	return ctl_write_msg_deadline(fd, buf, len, ctl_deadline(timeout_ms));
}

int ctl_write_msg(int fd, const char *buf, size_t len)
{
	return ctl_write_msg_deadline(fd, buf, len, CTL_NO_DEADLINE);
}

static int ctl_read_msg_deadline(int fd, size_t max, int64_t deadline, char **buf, size_t *len)
{
	uint32_t hdr;
	size_t got;
	char *msg;
	int ret;

	*buf = NULL;
	*len = 0;
	ret = ctl_recv_all(fd, &hdr, sizeof(hdr), deadline, &got);
	if (ret == -EPROTO && got == 0)
		return -ENODATA;
	if (ret)
		return ret;
	*len = ntohl(hdr);
	if (*len > max)
		return -EMSGSIZE;
	msg = malloc(*len + 1);
	if (!msg)
		return -ENOMEM;
	ret = ctl_recv_all(fd, msg, *len, deadline, &got);
	if (ret) {
		free(msg);
		return ret;
	}
	msg[*len] = '\0';
	*buf = msg;
	return 0;
}

int ctl_read_msg(int fd, size_t max, int timeout_ms, char **buf, size_t *len)
{
	return ctl_read_msg_deadline(fd, max, ctl_deadline(timeout_ms), buf, len);
}

static int ctl_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, ret;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: socket path longer than %zu bytes", path,
			 sizeof(sun.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	/* Non-blocking: a full backlog gives EAGAIN at once instead of hanging past the timeout. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "socket: %s", strerror(-ret));
		return ret;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = -errno;
		snprintf(err, errlen, "connect %s: %s", path, strerror(-ret));
		close(fd);
		return ret;
	}
	return fd;
}

/* Checks the reply's shape and hands out its result or its error message. */
static int ctl_parse_reply(const char *buf, size_t len, json_t **result, char *err, size_t errlen)
{
	json_t *reply, *ok, *val;
	json_error_t jerr;
	int ret = -EBADMSG;

	reply = json_loadb(buf, len, 0, &jerr);
	if (!reply) {
		snprintf(err, errlen, "malformed reply from the agent: %s", jerr.text);
		return -EBADMSG;
	}
	ok = json_object_get(reply, "ok");
	if (!json_is_object(reply) || !json_is_boolean(ok)) {
		snprintf(err, errlen, "malformed reply from the agent: no \"ok\"");
		goto cleanup;
	}
	if (json_is_true(ok)) {
		val = json_object_get(reply, "result");
		if (!json_is_object(val)) {
			snprintf(err, errlen,
				 "malformed reply from the agent: no \"result\" object");
			goto cleanup;
		}
		*result = json_incref(val);
		ret = 0;
	} else {
		val = json_object_get(reply, "error");
		if (!json_is_string(val)) {
			snprintf(err, errlen,
				 "malformed reply from the agent: no \"error\" string");
			goto cleanup;
		}
		snprintf(err, errlen, "%s", json_string_value(val));
		ret = -EREMOTEIO;
	}
cleanup:
	json_decref(reply);
	return ret;
}

int ctl_call(const char *path, const char *verb, json_t *args, int timeout_ms, json_t **result,
	     char *err, size_t errlen)
{
	int64_t deadline = ctl_deadline(timeout_ms);
	char *out = NULL, *in = NULL;
	size_t out_len, in_len;
	int fd = -1, ret, wret;
	json_t *req;

	*result = NULL;
	if (errlen)
		err[0] = '\0';
	req = json_pack("{s:s}", "verb", verb);
	if (!req || (args && json_object_set(req, "args", args))) {
		snprintf(err, errlen, "cannot build the request");
		ret = -ENOMEM;
		goto cleanup;
	}
	out = json_dumps(req, JSON_COMPACT);
	if (!out) {
		snprintf(err, errlen, "cannot encode the request");
		ret = -ENOMEM;
		goto cleanup;
	}
	out_len = strlen(out);
	if (out_len > CTL_REQUEST_MAX) {
		snprintf(err, errlen, "request of %zu bytes is over the limit of %u", out_len,
			 CTL_REQUEST_MAX);
		ret = -EMSGSIZE;
		goto cleanup;
	}
	fd = ctl_connect(path, err, errlen);
	if (fd < 0) {
		ret = fd;
		goto cleanup;
	}
	wret = ctl_write_msg_deadline(fd, out, out_len, deadline);
	/* An agent that refuses a request may answer and close before reading all of it: its
	 * reply says more than EPIPE, so look for one before giving up. */
	if (wret && wret != -EPIPE && wret != -ECONNRESET) {
		snprintf(err, errlen, "send to %s: %s", path, strerror(-wret));
		ret = wret;
		goto cleanup;
	}
	ret = ctl_read_msg_deadline(fd, CTL_REPLY_MAX, deadline, &in, &in_len);
	if (ret) {
		if (wret)
			ret = wret;
		snprintf(err, errlen, "%s from %s: %s", wret ? "send" : "reply", path,
			 ret == -ENODATA    ? "connection closed without a reply"
			 : ret == -EPROTO   ? "connection closed in the middle of the reply"
			 : ret == -EMSGSIZE ? "reply over the size limit"
					    : strerror(-ret));
		goto cleanup;
	}
	ret = ctl_parse_reply(in, in_len, result, err, errlen);
cleanup:
	if (fd >= 0)
		close(fd);
	free(in);
	free(out);
	json_decref(req);
	return ret;
}
