// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Control protocol: framing over socketpairs, then the real server over a real unix socket in a
 * temp dir, served from a thread, with a fake verb table (dispatch, every rejection class and its
 * count, SO_PEERCRED for mutating verbs from a child that became nobody, socket mode and group).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "skip.h"

#include "common/clock.h"
#include "control/control.h"
#include "common/ctl_proto.h"

#define NOBODY 65534 /* uid nobody, gid nogroup on Debian */

/* ---- framing ------------------------------------------------------------------------------ */

static int sp[2];

static void proto_setup(void)
{
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
}

static void proto_teardown(void)
{
	close(sp[0]);
	close(sp[1]);
}

TestSuite(ctl_proto, .init = proto_setup, .fini = proto_teardown);

Test(ctl_proto, round_trips_a_message)
{
	const char msg[] = "{\"verb\":\"status\"}";
	size_t len;
	char *buf;

	cr_assert_eq(ctl_write_msg(sp[0], msg, strlen(msg)), 0);
	cr_assert_eq(ctl_read_msg(sp[1], 100, 1000, &buf, &len), 0);
	cr_assert_eq(len, strlen(msg));
	cr_assert_str_eq(buf, msg, "the buffer comes back NUL-terminated");
	free(buf);
}

Test(ctl_proto, puts_the_length_big_endian_in_front)
{
	unsigned char raw[8];

	cr_assert_eq(ctl_write_msg(sp[0], "abcd", 4), 0);
	cr_assert_eq(recv(sp[1], raw, sizeof(raw), 0), 8);
	cr_assert_arr_eq(raw, ((unsigned char[]){0, 0, 0, 4, 'a', 'b', 'c', 'd'}), 8);
}

Test(ctl_proto, round_trips_an_empty_message)
{
	size_t len = 99;
	char *buf;

	cr_assert_eq(ctl_write_msg(sp[0], "", 0), 0);
	cr_assert_eq(ctl_read_msg(sp[1], 100, 1000, &buf, &len), 0);
	cr_assert_eq(len, 0);
	cr_assert_str_eq(buf, "");
	free(buf);
}

Test(ctl_proto, accepts_exactly_max_and_refuses_one_byte_more)
{
	char msg[101];
	size_t len;
	char *buf;

	memset(msg, 'x', sizeof(msg));
	cr_assert_eq(ctl_write_msg(sp[0], msg, 100), 0);
	cr_assert_eq(ctl_read_msg(sp[1], 100, 1000, &buf, &len), 0);
	cr_assert_eq(len, 100);
	free(buf);
	cr_assert_eq(ctl_write_msg(sp[0], msg, 101), 0);
	cr_assert_eq(ctl_read_msg(sp[1], 100, 1000, &buf, &len), -EMSGSIZE);
	cr_assert_eq(len, 101, "the declared length is reported for the message");
	cr_assert_null(buf);
}

Test(ctl_proto, reports_a_body_cut_short_as_eproto)
{
	uint32_t hdr = htonl(10);
	size_t len;
	char *buf;

	cr_assert_eq(send(sp[0], &hdr, sizeof(hdr), 0), 4);
	cr_assert_eq(send(sp[0], "abc", 3, 0), 3);
	shutdown(sp[0], SHUT_WR);
	cr_assert_eq(ctl_read_msg(sp[1], 100, 1000, &buf, &len), -EPROTO);
	cr_assert_null(buf);
}

Test(ctl_proto, reports_a_torn_length_as_eproto)
{
	size_t len;
	char *buf;

	cr_assert_eq(send(sp[0], "\0\0", 2, 0), 2);
	shutdown(sp[0], SHUT_WR);
	cr_assert_eq(ctl_read_msg(sp[1], 100, 1000, &buf, &len), -EPROTO);
}

Test(ctl_proto, reports_a_close_before_any_byte_as_enodata)
{
	size_t len;
	char *buf;

	shutdown(sp[0], SHUT_WR);
	cr_assert_eq(ctl_read_msg(sp[1], 100, 1000, &buf, &len), -ENODATA);
}

Test(ctl_proto, read_times_out_on_a_silent_peer)
{
	int64_t start = clock_now_ms(), took;
	uint32_t hdr = htonl(10);
	size_t len;
	char *buf;

	cr_assert_eq(send(sp[0], &hdr, sizeof(hdr), 0), 4);
	cr_assert_eq(ctl_read_msg(sp[1], 100, 150, &buf, &len), -ETIMEDOUT);
	took = clock_now_ms() - start;
	cr_assert(took >= 140 && took < 600, "timed out after %lld ms", (long long)took);
}

Test(ctl_proto, write_times_out_on_a_peer_that_never_reads)
{
	size_t big = 8u << 20;
	int64_t start = clock_now_ms(), took;
	char *msg = calloc(1, big);

	cr_assert_not_null(msg);
	cr_assert_eq(ctl_write_msg_timeout(sp[0], msg, big, 150), -ETIMEDOUT);
	took = clock_now_ms() - start;
	cr_assert(took >= 140 && took < 600, "timed out after %lld ms", (long long)took);
	free(msg);
}

Test(ctl_proto, write_to_a_closed_peer_is_epipe_not_sigpipe)
{
	close(sp[1]);
	sp[1] = socket(AF_UNIX, SOCK_STREAM, 0); /* keeps the teardown's close harmless */
	cr_assert_eq(ctl_write_msg(sp[0], "x", 1), -EPIPE);
}

struct big_writer {
	int fd;
	const char *buf;
	size_t len;
	int ret;
};

static void *big_write(void *arg)
{
	struct big_writer *w = arg;

	w->ret = ctl_write_msg(w->fd, w->buf, w->len);
	return NULL;
}

Test(ctl_proto, round_trips_a_reply_much_larger_than_the_socket_buffer)
{
	struct big_writer w = {.fd = sp[0], .len = 6u << 20};
	pthread_t th;
	size_t len, i;
	char *msg, *buf;

	msg = malloc(w.len);
	cr_assert_not_null(msg);
	for (i = 0; i < w.len; i++)
		msg[i] = 'a' + i % 26;
	w.buf = msg;
	cr_assert_eq(pthread_create(&th, NULL, big_write, &w), 0);
	cr_assert_eq(ctl_read_msg(sp[1], CTL_REPLY_MAX, 5000, &buf, &len), 0);
	pthread_join(th, NULL);
	cr_assert_eq(w.ret, 0);
	cr_assert_eq(len, w.len);
	cr_assert_eq(memcmp(buf, msg, len), 0);
	free(buf);
	free(msg);
}

/* ---- the server ----------------------------------------------------------------------------- */

static char tmpdir[64], sockpath[sizeof(((struct sockaddr_un *)0)->sun_path)];
static struct control_server *srv;
static pthread_t server_thread;
static int stop_pipe[2];
static bool server_running;
static int pokes; /* calls that got through to the mutating verb */

static int verb_echo(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	*result = json_pack("{s:O}", "args", args);
	return *result ? 0 : -ENOMEM;
}

static int verb_count(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	long long n = 0;
	int ret;

	ret = control_arg_int(args, "n", true, 1, 10, &n, err, errlen);
	if (ret)
		return ret;
	*result = json_pack("{s:I}", "n", (json_int_t)n);
	return 0;
}

static int verb_fail(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	snprintf(err, errlen, "vip web: no such VIP");
	return -ENOENT;
}

static int verb_poke(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	(*(int *)ctx)++;
	*result = json_pack("{s:b}", "poked", 1);
	return 0;
}

static int verb_nothing(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	return 0; /* no result: sent as {} */
}

static int verb_huge(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	size_t len = CTL_REPLY_MAX + 1;
	char *s = malloc(len + 1);

	if (!s)
		return -ENOMEM;
	memset(s, 'x', len);
	s[len] = '\0';
	*result = json_pack("{s:s}", "blob", s);
	free(s);
	return 0;
}

static const struct control_verb test_verbs[] = {
    {"echo", false, verb_echo}, {"count", false, verb_count}, {"fail", false, verb_fail},
    {"poke", true, verb_poke},	{"huge", false, verb_huge},   {"nothing", false, verb_nothing},
};

static void *server_loop(void *arg)
{
	struct pollfd pfd[2] = {
	    {.fd = control_listen_fd(srv), .events = POLLIN},
	    {.fd = stop_pipe[0], .events = POLLIN},
	};

	for (;;) {
		if (poll(pfd, 2, -1) < 0)
			continue;
		if (pfd[1].revents)
			return NULL;
		if (pfd[0].revents)
			control_serve_one(srv);
	}
}

/* Opens the server on tmpdir/run/lbagent.sock with group (NULL: root only) and serves it. */
static void server_start(const char *group)
{
	snprintf(sockpath, sizeof(sockpath), "%s/run/lbagent.sock", tmpdir);
	srv = control_open(sockpath, group, test_verbs, sizeof(test_verbs) / sizeof(test_verbs[0]),
			   &pokes);
	cr_assert_not_null(srv, "control_open: %s", strerror(errno));
	cr_assert_eq(pipe2(stop_pipe, O_CLOEXEC), 0);
	cr_assert_eq(pthread_create(&server_thread, NULL, server_loop, NULL), 0);
	server_running = true;
}

/* Joins the server thread: its counters can be read safely afterwards. */
static void server_stop(void)
{
	if (!server_running)
		return;
	cr_assert_eq(write(stop_pipe[1], "x", 1), 1);
	pthread_join(server_thread, NULL);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	server_running = false;
}

static void server_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/xdplb-control-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	/* nobody must reach the socket through it for the SO_PEERCRED tests */
	cr_assert_eq(chmod(tmpdir, 0755), 0);
	pokes = 0;
	srv = NULL;
}

static void server_teardown(void)
{
	char run[80];

	server_stop();
	control_close(srv);
	srv = NULL;
	snprintf(run, sizeof(run), "%s/run", tmpdir);
	unlink(sockpath);
	rmdir(run);
	rmdir(tmpdir);
}

TestSuite(control, .init = server_setup, .fini = server_teardown, .timeout = 30);

static int raw_connect(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0, "connect: %s",
		     strerror(errno));
	return fd;
}

/* Reads the reply on fd and returns its "error" (caller frees), asserting ok:false. */
static char *read_error_reply(int fd)
{
	json_t *reply, *ok;
	size_t len;
	char *buf, *msg;

	cr_assert_eq(ctl_read_msg(fd, CTL_REPLY_MAX, 3000, &buf, &len), 0, "no reply");
	reply = json_loadb(buf, len, 0, NULL);
	free(buf);
	cr_assert_not_null(reply);
	ok = json_object_get(reply, "ok");
	cr_assert(json_is_false(ok), "expected ok:false");
	cr_assert(json_is_string(json_object_get(reply, "error")));
	msg = strdup(json_string_value(json_object_get(reply, "error")));
	json_decref(reply);
	return msg;
}

/* Sends raw bytes as one request and returns the error the server answered. */
static char *send_raw_request(const char *req)
{
	int fd = raw_connect();
	char *msg;

	cr_assert_eq(ctl_write_msg(fd, req, strlen(req)), 0);
	msg = read_error_reply(fd);
	close(fd);
	return msg;
}

static void expect_rejected(const char *req, const char *message_part)
{
	char *msg = send_raw_request(req);

	cr_assert(strstr(msg, message_part), "reply \"%s\" lacks \"%s\"", msg, message_part);
	free(msg);
}

Test(control, dispatches_a_verb_and_returns_its_result)
{
	char err[256];
	json_t *args = json_pack("{s:i}", "x", 7), *result = NULL;

	server_start(NULL);
	cr_assert_eq(ctl_call(sockpath, "echo", args, 2000, &result, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(result, "args"), "x")), 7);
	json_decref(result);
	json_decref(args);
	server_stop();
	cr_assert_eq(control_rejected(srv), 0);
}

Test(control, gives_a_verb_an_empty_object_when_args_are_absent)
{
	json_t *result = NULL;
	char err[256];

	server_start(NULL);
	cr_assert_eq(ctl_call(sockpath, "echo", NULL, 2000, &result, err, sizeof(err)), 0);
	cr_assert(json_is_object(json_object_get(result, "args")));
	cr_assert_eq(json_object_size(json_object_get(result, "args")), 0);
	json_decref(result);
}

Test(control, sends_an_empty_result_object_when_a_verb_sets_none)
{
	json_t *result = NULL;
	char err[256];

	server_start(NULL);
	cr_assert_eq(ctl_call(sockpath, "nothing", NULL, 2000, &result, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert(json_is_object(result) && json_object_size(result) == 0);
	json_decref(result);
}

Test(control, rejects_and_counts_an_unknown_verb)
{
	json_t *result = NULL;
	char err[256];

	server_start(NULL);
	cr_assert_eq(ctl_call(sockpath, "frobnicate", NULL, 2000, &result, err, sizeof(err)),
		     -EREMOTEIO);
	cr_assert_str_eq(err, "unknown verb \"frobnicate\"");
	cr_assert_null(result);
	server_stop();
	cr_assert_eq(control_rejected(srv), 1);
}

Test(control, rejects_and_counts_malformed_requests)
{
	server_start(NULL);
	expect_rejected("{\"verb\": \"echo\"", "invalid JSON");
	expect_rejected("", "invalid JSON");
	expect_rejected("{\"verb\":\"echo\"} {}", "invalid JSON");
	expect_rejected("[\"echo\"]", "not a JSON object");
	expect_rejected("\"echo\"", "not a JSON object");
	expect_rejected("{\"args\": {}}", "\"verb\" is missing or not a string");
	expect_rejected("{\"verb\": 5}", "\"verb\" is missing or not a string");
	expect_rejected("{\"verb\": \"echo\", \"args\": [1]}", "\"args\" is not an object");
	expect_rejected("{\"verb\": \"echo\", \"args\": null}", "\"args\" is not an object");
	expect_rejected("{\"verb\": \"echo\", \"extra\": 1}", "unknown request member \"extra\"");
	expect_rejected("{\"verb\": \"ec\xff\"}", "invalid JSON");
	server_stop();
	cr_assert_eq(control_rejected(srv), 11);
}

Test(control, rejects_and_counts_arguments_of_the_wrong_type)
{
	server_start(NULL);
	expect_rejected("{\"verb\": \"count\", \"args\": {\"n\": \"five\"}}",
			"args.n: expected an integer");
	expect_rejected("{\"verb\": \"count\", \"args\": {\"n\": 2.5}}",
			"args.n: expected an integer");
	expect_rejected("{\"verb\": \"count\", \"args\": {\"n\": 11}}",
			"args.n: 11 is outside 1..10");
	expect_rejected("{\"verb\": \"count\", \"args\": {}}", "args.n: missing");
	server_stop();
	cr_assert_eq(control_rejected(srv), 4);
}

Test(control, answers_a_failing_verb_without_counting_it)
{
	json_t *result = NULL;
	char err[256];

	server_start(NULL);
	cr_assert_eq(ctl_call(sockpath, "fail", NULL, 2000, &result, err, sizeof(err)), -EREMOTEIO);
	cr_assert_str_eq(err, "vip web: no such VIP");
	server_stop();
	cr_assert_eq(control_rejected(srv), 0);
}

Test(control, refuses_a_length_over_64k_without_reading_the_body)
{
	uint32_t hdr = htonl(CTL_REQUEST_MAX + 1);
	int fd;
	char *msg;

	server_start(NULL);
	fd = raw_connect();
	cr_assert_eq(send(fd, &hdr, sizeof(hdr), 0), 4);
	msg = read_error_reply(fd);
	cr_assert_str_eq(msg, "request of 65537 bytes is over the limit of 65536");
	free(msg);
	close(fd);
	server_stop();
	cr_assert_eq(control_rejected(srv), 1);
}

Test(control, serves_a_request_of_exactly_64k)
{
	char *req = malloc(CTL_REQUEST_MAX + 1), *buf;
	const char *head = "{\"verb\":\"echo\",\"args\":{\"pad\":\"";
	size_t len;
	int fd;

	cr_assert_not_null(req);
	memset(req, 'p', CTL_REQUEST_MAX);
	memcpy(req, head, strlen(head));
	memcpy(req + CTL_REQUEST_MAX - 3, "\"}}", 3);
	req[CTL_REQUEST_MAX] = '\0';
	server_start(NULL);
	fd = raw_connect();
	cr_assert_eq(ctl_write_msg(fd, req, CTL_REQUEST_MAX), 0);
	cr_assert_eq(ctl_read_msg(fd, CTL_REPLY_MAX, 3000, &buf, &len), 0);
	cr_assert(strstr(buf, "\"ok\":true"), "reply: %.80s", buf);
	free(buf);
	free(req);
	close(fd);
}

Test(control, client_refuses_to_send_a_request_over_64k)
{
	json_t *args = json_object(), *result = NULL;
	char *pad = malloc(CTL_REQUEST_MAX + 1), err[256];

	memset(pad, 'p', CTL_REQUEST_MAX);
	pad[CTL_REQUEST_MAX] = '\0';
	json_object_set_new(args, "pad", json_string(pad));
	/* no server at all: the size check comes before connecting */
	snprintf(sockpath, sizeof(sockpath), "%s/none.sock", tmpdir);
	cr_assert_eq(ctl_call(sockpath, "echo", args, 1000, &result, err, sizeof(err)), -EMSGSIZE);
	free(pad);
	json_decref(args);
}

Test(control, rejects_a_request_cut_short)
{
	uint32_t hdr = htonl(100);
	int fd;
	char *msg;

	server_start(NULL);
	fd = raw_connect();
	cr_assert_eq(send(fd, &hdr, sizeof(hdr), 0), 4);
	cr_assert_eq(send(fd, "{\"verb\":", 8, 0), 8);
	shutdown(fd, SHUT_WR);
	msg = read_error_reply(fd);
	cr_assert_str_eq(msg, "short read: connection closed before the 100 bytes declared");
	free(msg);
	close(fd);
	server_stop();
	cr_assert_eq(control_rejected(srv), 1);
}

Test(control, rejects_bytes_after_the_declared_length)
{
	const char req[] = "\0\0\0\x10{\"verb\":\"echo\"}garbage";
	int fd;
	char *msg;

	server_start(NULL);
	fd = raw_connect();
	cr_assert_eq(send(fd, req, sizeof(req) - 1, 0), (ssize_t)sizeof(req) - 1);
	msg = read_error_reply(fd);
	cr_assert_str_eq(msg, "data after the declared length of 16 bytes");
	free(msg);
	close(fd);
	server_stop();
	cr_assert_eq(control_rejected(srv), 1);
}

Test(control, gives_a_stalled_client_one_second_then_moves_on)
{
	uint32_t hdr = htonl(100);
	json_t *result = NULL;
	int64_t start, took;
	char err[256];
	int fd;
	char *msg;

	server_start(NULL);
	fd = raw_connect();
	start = clock_now_ms();
	cr_assert_eq(send(fd, &hdr, sizeof(hdr), 0), 4);
	msg = read_error_reply(fd);
	took = clock_now_ms() - start;
	cr_assert_str_eq(msg, "request not complete within 1000 ms");
	cr_assert(took >= 900 && took < 1500, "gave up after %lld ms", (long long)took);
	free(msg);
	cr_assert_eq(ctl_call(sockpath, "echo", NULL, 2000, &result, err, sizeof(err)), 0,
		     "the next client is served");
	json_decref(result);
	close(fd);
	server_stop();
	cr_assert_eq(control_rejected(srv), 1);
}

Test(control, does_not_count_a_connection_that_sends_nothing)
{
	json_t *result = NULL;
	char err[256];

	server_start(NULL);
	close(raw_connect());
	cr_assert_eq(ctl_call(sockpath, "echo", NULL, 2000, &result, err, sizeof(err)), 0);
	json_decref(result);
	server_stop();
	cr_assert_eq(control_rejected(srv), 0);
}

Test(control, replaces_a_reply_over_8m_by_an_error)
{
	json_t *result = NULL;
	char err[256];

	server_start(NULL);
	cr_assert_eq(ctl_call(sockpath, "huge", NULL, 5000, &result, err, sizeof(err)), -EREMOTEIO);
	cr_assert_str_eq(err, "reply over the 8 MiB limit: narrow the request");
}

Test(control, survives_a_client_that_closes_before_the_reply)
{
	json_t *result = NULL;
	char err[256];
	int fd;

	server_start(NULL);
	fd = raw_connect();
	cr_assert_eq(ctl_write_msg(fd, "{\"verb\":\"huge\"}", 15), 0);
	close(fd);
	cr_assert_eq(ctl_call(sockpath, "echo", NULL, 5000, &result, err, sizeof(err)), 0);
	json_decref(result);
}

/* Sends one frame as given (declared length may lie), half-closes, and drains any reply. */
static void send_garbage(const void *hdr, size_t hdr_len, const char *body, size_t len)
{
	size_t rlen;
	char *reply;
	int fd = raw_connect();

	send(fd, hdr, hdr_len, MSG_NOSIGNAL);
	send(fd, body, len, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	if (!ctl_read_msg(fd, CTL_REPLY_MAX, 3000, &reply, &rlen))
		free(reply);
	close(fd);
}

Test(control, survives_random_and_mutated_requests)
{
	static const char valid[] =
	    "{\"verb\":\"count\",\"args\":{\"n\":5,\"s\":[1,{\"a\":null}]}}";
	char body[256], err[256];
	json_t *result = NULL;
	unsigned int seed = 42;
	uint32_t hdr;
	size_t len, hdr_len, flips, i, k;

	server_start(NULL);
	for (i = 0; i < 300; i++) {
		if (i % 2) {
			/* a valid request with a few bytes flipped */
			len = sizeof(valid) - 1;
			memcpy(body, valid, len);
			flips = 1 + rand_r(&seed) % 4;
			for (k = 0; k < flips; k++)
				body[rand_r(&seed) % len] = (char)rand_r(&seed);
		} else {
			len = rand_r(&seed) % sizeof(body);
			for (k = 0; k < len; k++)
				body[k] = (char)rand_r(&seed);
		}
		/* the declared length is right, beyond the body, or anything at all */
		switch (rand_r(&seed) % 4) {
		case 0:
		case 1:
			hdr = htonl(len);
			break;
		case 2:
			hdr = htonl(len + 1 + rand_r(&seed) % 100);
			break;
		default:
			hdr = rand_r(&seed);
		}
		/* one in eight stops inside the length prefix */
		hdr_len = rand_r(&seed) % 8 ? sizeof(hdr) : 2;
		send_garbage(&hdr, hdr_len, body, hdr_len == sizeof(hdr) ? len : 0);
	}
	cr_assert_eq(ctl_call(sockpath, "echo", NULL, 2000, &result, err, sizeof(err)), 0,
		     "the server still answers: %s", err);
	json_decref(result);
	server_stop();
	cr_assert_geq(control_rejected(srv), 250, "rejected %llu",
		      (unsigned long long)control_rejected(srv));
}

/* A skipped test never reaches .fini: the temp dir goes first. */
static void skip_unless_root(const char *why)
{
	if (!geteuid())
		return;
	rmdir(tmpdir);
	XLB_SKIP("needs root %s", why);
}

/* Runs fn in a child that dropped to nobody/nogroup; returns the child's exit status. */
static int run_as_nobody(int (*fn)(void))
{
	pid_t pid;
	int status;

	pid = fork();
	cr_assert_geq(pid, 0);
	if (!pid) {
		if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		_exit(fn());
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "child died");
	return WEXITSTATUS(status);
}

/* Exit codes: 0 all as expected, else which step failed. */
static int nobody_pokes(void)
{
	json_t *result = NULL;
	char err[256];
	int ret;

	ret = ctl_call(sockpath, "poke", NULL, 2000, &result, err, sizeof(err));
	if (ret != -EREMOTEIO)
		return 1;
	if (strcmp(err, "permission denied: poke needs root"))
		return 2;
	ret = ctl_call(sockpath, "echo", NULL, 2000, &result, err, sizeof(err));
	if (ret)
		return 3;
	json_decref(result);
	return 0;
}

static int nobody_connects(void)
{
	json_t *result = NULL;
	char err[256];

	return ctl_call(sockpath, "echo", NULL, 2000, &result, err, sizeof(err)) == -EACCES ? 0 : 1;
}

Test(control, refuses_a_mutating_verb_to_a_non_root_peer)
{
	skip_unless_root("to setuid() a child to nobody");
	server_start("nogroup");
	cr_assert_eq(run_as_nobody(nobody_pokes), 0);
	server_stop();
	cr_assert_eq(pokes, 0, "the verb never ran");
	cr_assert_eq(control_rejected(srv), 1);
}

Test(control, lets_root_call_a_mutating_verb)
{
	json_t *result = NULL;
	char err[256];

	skip_unless_root("to be root");
	server_start(NULL);
	cr_assert_eq(ctl_call(sockpath, "poke", NULL, 2000, &result, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert(json_is_true(json_object_get(result, "poked")));
	json_decref(result);
	server_stop();
	cr_assert_eq(pokes, 1);
	cr_assert_eq(control_rejected(srv), 0);
}

Test(control, keeps_others_out_of_a_root_only_socket)
{
	skip_unless_root("to setuid() a child to nobody");
	server_start(NULL);
	cr_assert_eq(run_as_nobody(nobody_connects), 0);
}

Test(control, creates_the_socket_0600_in_a_0755_directory)
{
	char run[80];
	struct stat st;

	server_start(NULL);
	cr_assert_eq(lstat(sockpath, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);
	cr_assert_eq(st.st_uid, geteuid());
	snprintf(run, sizeof(run), "%s/run", tmpdir);
	cr_assert_eq(stat(run, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0755, "dir mode %o", st.st_mode & 07777);
}

Test(control, gives_a_configured_group_0660)
{
	struct group *gr = getgrnam("nogroup");
	struct stat st;

	skip_unless_root("to chown the socket");
	cr_assert_not_null(gr);
	server_start("nogroup");
	cr_assert_eq(lstat(sockpath, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0660, "mode %o", st.st_mode & 07777);
	cr_assert_eq(st.st_gid, gr->gr_gid);
}

Test(control, fails_on_an_unknown_group)
{
	snprintf(sockpath, sizeof(sockpath), "%s/lbagent.sock", tmpdir);
	srv = control_open(sockpath, "no-such-group-xdplb", test_verbs, 1, NULL);
	cr_assert_null(srv);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(access(sockpath, F_OK), -1, "no socket left behind");
}

Test(control, replaces_a_stale_socket)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	json_t *result = NULL;
	char err[256], run[80];
	int fd;

	snprintf(run, sizeof(run), "%s/run", tmpdir);
	cr_assert_eq(mkdir(run, 0755), 0);
	snprintf(sockpath, sizeof(sockpath), "%s/lbagent.sock", run);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd); /* the file stays, nobody listens: a dead agent's socket */
	server_start(NULL);
	cr_assert_eq(ctl_call(sockpath, "echo", NULL, 2000, &result, err, sizeof(err)), 0);
	json_decref(result);
}

Test(control, refuses_to_take_over_a_live_agents_socket)
{
	struct control_server *second;
	json_t *result = NULL;
	char err[256];

	server_start(NULL);
	second = control_open(sockpath, NULL, test_verbs, 1, NULL);
	cr_assert_null(second);
	cr_assert_eq(errno, EADDRINUSE);
	cr_assert_eq(ctl_call(sockpath, "echo", NULL, 2000, &result, err, sizeof(err)), 0,
		     "the first agent still answers");
	json_decref(result);
}

Test(control, sees_a_live_agent_even_with_its_backlog_full)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int lfd, fds[64], n = 0;
	int64_t start;

	snprintf(sockpath, sizeof(sockpath), "%s/lbagent.sock", tmpdir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(lfd, 0), 0);
	/* a hung agent: it never accepts, so connections pile up until the backlog refuses */
	for (n = 0; n < 64; n++) {
		fds[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(fds[n], (struct sockaddr *)&sun, sizeof(sun))) {
			cr_assert_eq(errno, EAGAIN);
			break;
		}
	}
	cr_assert_lt(n, 64, "the backlog never filled");
	start = clock_now_ms();
	cr_assert_null(control_open(sockpath, NULL, test_verbs, 1, NULL));
	cr_assert_eq(errno, EADDRINUSE);
	cr_assert_lt(clock_now_ms() - start, 500, "control_open hung on the full backlog");
	for (; n >= 0; n--)
		close(fds[n]);
	close(lfd);
}

Test(control, never_replaces_a_file_that_is_not_a_socket)
{
	int fd;

	snprintf(sockpath, sizeof(sockpath), "%s/lbagent.sock", tmpdir);
	fd = open(sockpath, O_CREAT | O_WRONLY, 0644);
	cr_assert_geq(fd, 0);
	close(fd);
	cr_assert_null(control_open(sockpath, NULL, test_verbs, 1, NULL));
	cr_assert_eq(errno, EEXIST);
	cr_assert_eq(access(sockpath, F_OK), 0, "the file is still there");
}

Test(control, refuses_a_path_longer_than_sun_path)
{
	char path[200];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	cr_assert_null(control_open(path, NULL, test_verbs, 1, NULL));
	cr_assert_eq(errno, ENAMETOOLONG);
}

Test(control, close_removes_the_socket)
{
	server_start(NULL);
	server_stop();
	control_close(srv);
	srv = NULL;
	cr_assert_eq(access(sockpath, F_OK), -1);
	cr_assert_eq(errno, ENOENT);
}

Test(control, call_without_an_agent_is_enoent_or_econnrefused)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	json_t *result = NULL;
	char err[256];
	int fd;

	snprintf(sockpath, sizeof(sockpath), "%s/lbagent.sock", tmpdir);
	cr_assert_eq(ctl_call(sockpath, "status", NULL, 1000, &result, err, sizeof(err)), -ENOENT);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	cr_assert_eq(ctl_call(sockpath, "status", NULL, 1000, &result, err, sizeof(err)),
		     -ECONNREFUSED);
	unlink(sockpath);
}

/* A fake agent that answers every request with a fixed reply, to test the client's checks. */
static const char *canned_reply;

static void *canned_agent(void *arg)
{
	int lfd = *(int *)arg, fd;
	size_t len;
	char *buf;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (!ctl_read_msg(fd, CTL_REQUEST_MAX, 2000, &buf, &len)) {
		ctl_write_msg(fd, canned_reply, strlen(canned_reply));
		free(buf);
	}
	close(fd);
	return NULL;
}

static int call_canned(const char *reply, json_t **result, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	pthread_t th;
	int lfd, ret;

	snprintf(sockpath, sizeof(sockpath), "%s/canned.sock", tmpdir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	unlink(sockpath);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert_eq(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(lfd, 1), 0);
	canned_reply = reply;
	cr_assert_eq(pthread_create(&th, NULL, canned_agent, &lfd), 0);
	ret = ctl_call(sockpath, "status", NULL, 2000, result, err, errlen);
	pthread_join(th, NULL);
	close(lfd);
	unlink(sockpath);
	return ret;
}

Test(control, client_rejects_malformed_replies)
{
	static const char *const bad[] = {
	    "not json",
	    "[]",
	    "{}",
	    "{\"ok\": 1}",
	    "{\"ok\": true}",
	    "{\"ok\": true, \"result\": 5}",
	    "{\"ok\": false}",
	};
	json_t *result = NULL;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(call_canned(bad[i], &result, err, sizeof(err)), -EBADMSG, "%s",
			     bad[i]);
		cr_assert_null(result);
		cr_assert(strstr(err, "malformed reply"), "%s", err);
	}
}

Test(control, client_sends_verb_and_args_and_returns_the_result)
{
	json_t *result = NULL;
	char err[256];

	cr_assert_eq(
	    call_canned("{\"ok\": true, \"result\": {\"pid\": 42}}", &result, err, sizeof(err)), 0);
	cr_assert_eq(json_integer_value(json_object_get(result, "pid")), 42);
	json_decref(result);
}
