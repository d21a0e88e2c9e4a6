// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The lbctl binary end to end: run next to this test binary ($(OUTPUT)/lbctl), against a real
 * control server with canned verbs, checking exit codes and the exact stdout and stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "skip.h"

#include "control/control.h"

extern char **environ;

static char lbctl_path[PATH_MAX], dir[64], sock[128];
static struct control_server *srv;

static int verb_status(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	*result = json_pack("{s:i, s:s, s:s, s:b, s:i}", "node_id", 7, "zone", "b", "role",
			    "balancer", "attached", 1, "pid", 99);
	return 0;
}

static int verb_vip_show(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	snprintf(err, errlen, "vip %s: no such VIP",
		 json_string_value(json_object_get(args, "vip")) ?: "?");
	return -ENOENT;
}

static int verb_drain(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	*result =
	    json_pack("{s:O, s:s}", "backend", json_object_get(args, "backend"), "state", "drain");
	return 0;
}

static const struct control_verb run_verbs[] = {
    {"status", false, verb_status},
    {"vip.show", false, verb_vip_show},
    {"backend.drain", true, verb_drain},
};

static void run_setup(void)
{
	char exe[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	cr_assert_gt(n, 0);
	exe[n] = '\0';
	/* $(OUTPUT)/tests/unit_tests -> $(OUTPUT)/lbctl */
	snprintf(lbctl_path, sizeof(lbctl_path), "%s/lbctl", dirname(dirname(exe)));
	dir[0] = '\0';
	srv = NULL;
	/* A skipped test never reaches .fini: make nothing for it to leave behind. */
	if (access(lbctl_path, X_OK))
		return;
	snprintf(dir, sizeof(dir), "/tmp/xdplb-lbctl-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/lbagent.sock", dir);
}

static void need_lbctl(void)
{
	if (!dir[0])
		XLB_SKIP("%s not built (make lbctl with the same OUTPUT)", lbctl_path);
}

static void run_teardown(void)
{
	control_close(srv);
	if (dir[0])
		rmdir(dir);
}

TestSuite(lbctl_run, .init = run_setup, .fini = run_teardown, .timeout = 30);

struct run {
	int status; /* exit code */
	char out[8192], err[8192];
};

static void read_all(int fd, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t n;

	while (used + 1 < len && (n = read(fd, buf + used, len - 1 - used)) > 0)
		used += n;
	buf[used] = '\0';
	close(fd);
}

/* Runs lbctl with args (NULL-terminated); serves one request first when serve is set. */
static void run_lbctl(struct run *r, bool serve, char *const args[])
{
	int outp[2], errp[2], status;
	posix_spawn_file_actions_t fa;
	struct pollfd pfd;
	char *argv[16];
	pid_t pid;
	size_t i;

	need_lbctl();
	argv[0] = lbctl_path;
	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	cr_assert_eq(pipe2(outp, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(errp, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	cr_assert_eq(posix_spawn(&pid, lbctl_path, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(outp[1]);
	close(errp[1]);
	if (serve) {
		pfd = (struct pollfd){.fd = control_listen_fd(srv), .events = POLLIN};
		cr_assert_eq(poll(&pfd, 1, 5000), 1, "lbctl never connected");
		control_serve_one(srv);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	r->status = WEXITSTATUS(status);
	read_all(outp[0], r->out, sizeof(r->out));
	read_all(errp[0], r->err, sizeof(r->err));
}

static void serve(void)
{
	need_lbctl();
	srv = control_open(sock, NULL, run_verbs, sizeof(run_verbs) / sizeof(run_verbs[0]), NULL);
	cr_assert_not_null(srv);
}

Test(lbctl_run, says_how_to_check_the_agent_when_none_listens)
{
	char expected[256];
	struct run r;

	run_lbctl(&r, false, (char *const[]){"-s", sock, "status", NULL});
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "");
	snprintf(expected, sizeof(expected),
		 "lbctl: cannot reach lbagent at %s: is it running? (systemctl status lbagent)\n",
		 sock);
	cr_assert_str_eq(r.err, expected);
}

Test(lbctl_run, takes_the_socket_from_the_environment)
{
	char expected[256];
	struct run r;

	setenv("XDPLB_SOCKET", sock, 1);
	run_lbctl(&r, false, (char *const[]){"version", NULL});
	unsetenv("XDPLB_SOCKET");
	cr_assert_eq(r.status, 1);
	/* its own version: the binary may predate this test's build, so only the shape */
	cr_assert(!strncmp(r.out, "lbctl ", 6) && strlen(r.out) > 7 && strchr(r.out, '\n'),
		  "the client's own version still shows: %s", r.out);
	snprintf(expected, sizeof(expected),
		 "lbctl: cannot reach lbagent at %s: is it running? (systemctl status lbagent)\n",
		 sock);
	cr_assert_str_eq(r.err, expected);
}

Test(lbctl_run, prints_usage_on_stderr_for_bad_words)
{
	struct run r;

	run_lbctl(&r, false, (char *const[]){"-s", sock, "frob", NULL});
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "");
	cr_assert(!strncmp(r.err, "lbctl: unknown command \"frob\"\n\nusage: lbctl ", 44), "%s",
		  r.err);
	cr_assert(strstr(r.err, "  explain <client-ip:port> <vip:port> [tcp|udp]"), "%s", r.err);
	run_lbctl(&r, false, (char *const[]){"backend", "drain", "nope", NULL});
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "lbctl: <addr>: \"nope\" is not an IPv4 or IPv6 address\n"
				"usage: lbctl backend drain <addr> [vip]\n"
				"(lbctl -h lists every command)\n");
}

Test(lbctl_run, prints_usage_on_stdout_for_help)
{
	struct run r;

	run_lbctl(&r, false, (char *const[]){"-h", NULL});
	cr_assert_eq(r.status, 0);
	cr_assert(!strncmp(r.out, "usage: lbctl ", 13));
	cr_assert_str_eq(r.err, "");
}

Test(lbctl_run, prints_a_result_for_people_and_exits_0)
{
	struct run r;

	serve();
	run_lbctl(&r, true, (char *const[]){"-s", sock, "status", NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(!strncmp(r.out, "node       7, zone b, balancer\n", 31), "%s", r.out);
	cr_assert_str_eq(r.err, "");
}

Test(lbctl_run, prints_the_raw_result_with_json)
{
	json_t *got;
	struct run r;

	serve();
	run_lbctl(&r, true, (char *const[]){"--json", "-s", sock, "status", NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	got = json_loads(r.out, 0, NULL);
	cr_assert_not_null(got, "not JSON: %s", r.out);
	cr_assert_eq(json_integer_value(json_object_get(got, "node_id")), 7);
	cr_assert_eq(json_integer_value(json_object_get(got, "pid")), 99);
	json_decref(got);
}

Test(lbctl_run, passes_the_agents_refusal_on_and_exits_1)
{
	struct run r;

	serve();
	run_lbctl(&r, true, (char *const[]){"-s", sock, "vip", "show", "api", NULL});
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "");
	cr_assert_str_eq(r.err, "lbctl: vip api: no such VIP\n");
}

Test(lbctl_run, sends_a_mutating_verb_with_its_args)
{
	struct run r;

	serve();
	run_lbctl(&r, true, (char *const[]){"-s", sock, "backend", "drain", "198.51.100.9", NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "backend 198.51.100.9: drain (established flows stay, new flows go "
				"elsewhere)\n");
}
