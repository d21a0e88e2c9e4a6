// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the control server's request path. control.c has no pure decoder (framing,
 * JSON, request shape, verb lookup, SO_PEERCRED and the reply all live in control_serve_one), so
 * each input is sent by a real client over the real Unix socket and served by control_serve_one,
 * with a verb table that reads its args through the control_arg_* helpers the agent's verbs use.
 * First input byte: bit 0 set frames the rest with a correct length prefix (reaching the JSON and
 * the verbs), clear sends the bytes as they are (the framing itself).
 * The server must answer every request that has at least one byte with one well-formed reply.
 */
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

#include "control/control.h"
#include "common/ctl_proto.h"
#include "common/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct control_server *fuzz_srv;
static struct sockaddr_un fuzz_addr = {.sun_family = AF_UNIX};
static char fuzz_dir[] = "/tmp/fuzz_control.XXXXXX";

/* A reading verb: every helper on every key the corpus uses, result built from what it read. */
static int fuzz_verb_show(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	const char *name = "";
	long long weight = 0;
	bool unload = false;
	int ret;

	ret = control_arg_string(args, "vip", false, &name, err, errlen) ?:
	      control_arg_int(args, "weight", false, 0, 65535, &weight, err, errlen) ?:
	      control_arg_bool(args, "unload", false, &unload, err, errlen);
	if (ret)
		return ret;
	*result = json_pack("{s:s,s:I,s:b}", "vip", name, "weight", (json_int_t)weight, "unload",
			    unload);
	return *result ? 0 : -ENOMEM;
}

/* A mutating verb with required keys, failing with something other than -EINVAL sometimes. */
static int fuzz_verb_weight(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	const char *backend;
	long long weight;
	int ret;

	ret = control_arg_string(args, "backend", true, &backend, err, errlen) ?:
	      control_arg_int(args, "weight", true, 0, 65535, &weight, err, errlen);
	if (ret)
		return ret;
	if (weight == 0)
		return -EBUSY; /* the agent's "no such backend" kind of failure */
	*result = json_pack("{s:s}", "backend", backend);
	return *result ? 0 : -ENOMEM;
}

static const struct control_verb fuzz_verbs[] = {
	{"status", false, fuzz_verb_show},
	{"vip.show", false, fuzz_verb_show},
	{"backend.weight", true, fuzz_verb_weight},
};

static void fuzz_cleanup(void)
{
	control_close(fuzz_srv);
	rmdir(fuzz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz_control", LOG_LVL_ERR);
	if (!mkdtemp(fuzz_dir))
		abort();
	snprintf(fuzz_addr.sun_path, sizeof(fuzz_addr.sun_path), "%s/ctl.sock", fuzz_dir);
	fuzz_srv = control_open(fuzz_addr.sun_path, NULL, fuzz_verbs,
				sizeof(fuzz_verbs) / sizeof(fuzz_verbs[0]), NULL);
	if (!fuzz_srv)
		abort();
	atexit(fuzz_cleanup);
	return 0;
}

static void fuzz_send(int fd, const uint8_t *data, size_t size)
{
	ssize_t n;

	while (size) {
		n = send(fd, data, size, MSG_NOSIGNAL);
		if (n <= 0)
			abort(); /* the socket buffer holds more than -max_len */
		data += n;
		size -= (size_t)n;
	}
}

/* The one reply: a length prefix and a JSON object with a boolean "ok". */
static void fuzz_check_reply(int fd)
{
	json_t *reply, *ok;
	json_error_t jerr;
	size_t len;
	char *buf;
	int ret;

	ret = ctl_read_msg(fd, CTL_REPLY_MAX, 1000, &buf, &len);
	if (ret) {
		fprintf(stderr, "fuzz_control: no reply: %s\n", strerror(-ret));
		abort();
	}
	reply = json_loadb(buf, len, 0, &jerr);
	ok = json_object_get(reply, "ok");
	if (!json_is_boolean(ok)) {
		fprintf(stderr, "fuzz_control: malformed reply: %.*s\n", (int)len, buf);
		abort();
	}
	if (json_is_false(ok) && !json_is_string(json_object_get(reply, "error")))
		abort();
	if (json_is_true(ok) && !json_is_object(json_object_get(reply, "result")))
		abort();
	json_decref(reply);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t prefix;
	int fd;

	if (!size)
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&fuzz_addr, sizeof(fuzz_addr)))
		abort();
	if (data[0] & 1) {
		prefix = htonl((uint32_t)(size - 1));
		fuzz_send(fd, (const uint8_t *)&prefix, sizeof(prefix));
	}
	fuzz_send(fd, data + 1, size - 1);
	/* The client has said everything: a short request ends at EOF, not at the timeout. */
	shutdown(fd, SHUT_WR);
	control_serve_one(fuzz_srv);
	if ((data[0] & 1) || size > 1)
		fuzz_check_reply(fd);
	close(fd);
	return 0;
}
