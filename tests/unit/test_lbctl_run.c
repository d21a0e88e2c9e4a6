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
#include "lbctl.h"

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

static int verb_backend_list(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	*result =
	    json_pack("{s:[{s:s, s:s}]}", "backends", "address", "198.51.100.9", "state", "up");
	return 0;
}

static const struct control_verb run_verbs[] = {
    {"status", false, verb_status},
    {"backend.list", false, verb_backend_list},
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
		 "lbctl: cannot reach lbagent at %s: No such file or directory: is it running? "
		 "(systemctl status lbagent)\n",
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
		 "lbctl: cannot reach lbagent at %s: No such file or directory: is it running? "
		 "(systemctl status lbagent)\n",
		 sock);
	cr_assert_str_eq(r.err, expected);
}

Test(lbctl_run, prints_usage_on_stderr_for_bad_words)
{
	struct run r;

	run_lbctl(&r, false, (char *const[]){"-s", sock, "frob", NULL});
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.out, "");
	cr_assert(!strncmp(r.err, "lbctl: unknown command \"frob\"\n\nusage: lbctl ", 44), "%s",
		  r.err);
	cr_assert(strstr(r.err, "  explain <client-ip:port> <vip:port> [tcp|udp]"), "%s", r.err);
	run_lbctl(&r, false, (char *const[]){"backend", "drain", "nope", NULL});
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.err, "lbctl: <addr>: \"nope\" is not an IPv4 or IPv6 address\n"
				"usage: lbctl [-j] [-s socket] backend drain <addr> [vip]\n"
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

Test(lbctl_run, takes_global_options_anywhere_on_the_line)
{
	json_t *got;
	struct run r;

	serve();
	/* As docs/lbagent.md writes it: the option after the command. */
	setenv("XDPLB_SOCKET", sock, 1);
	run_lbctl(&r, true, (char *const[]){"backend", "list", "-j", NULL});
	unsetenv("XDPLB_SOCKET");
	cr_assert_eq(r.status, 0, "%s", r.err);
	got = json_loads(r.out, 0, NULL);
	cr_assert_not_null(got, "not JSON: %s", r.out);
	cr_assert_str_eq(json_string_value(json_object_get(
			     json_array_get(json_object_get(got, "backends"), 0), "address")),
			 "198.51.100.9");
	json_decref(got);
	run_lbctl(&r, true,
		  (char *const[]){"backend", "drain", "--socket", sock, "198.51.100.9", NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(!strncmp(r.out, "backend 198.51.100.9: drain", 27), "%s", r.out);
	run_lbctl(&r, false, (char *const[]){"status", "--json", "--socket=", NULL});
	cr_assert_eq(r.status, 2, "an empty socket path is a usage error: %s", r.err);
	cr_assert_str_eq(r.err, "lbctl: --socket needs a path\n"
				"usage: lbctl [-j] [-s socket] status\n"
				"(lbctl -h lists every command)\n");
}

Test(lbctl_run, prints_its_own_version_without_an_agent)
{
	struct run r;

	run_lbctl(&r, false, (char *const[]){"-s", sock, "--version", NULL});
	cr_assert_eq(r.status, 0, "%s", r.err);
	/* The binary may be built at another commit than this test (git describe): the shape. */
	cr_assert(!strncmp(r.out, "lbctl ", 6) && strlen(r.out) > 7 &&
		      strchr(r.out, '\n') == r.out + strlen(r.out) - 1,
		  "one line with lbctl's version: %s", r.out);
	cr_assert_str_eq(r.err, "", "no agent was asked: %s", r.err);
}

/* The literal words of a verb's synopsis ("backend weight <addr> ..." -> backend, weight). */
static size_t synopsis_words(const char *synopsis, char *buf, size_t len, char *words[], size_t max)
{
	size_t n = 0;
	char *w, *save;

	snprintf(buf, len, "%s", synopsis);
	for (w = strtok_r(buf, " ", &save); w && n < max; w = strtok_r(NULL, " ", &save)) {
		if (w[0] == '<' || w[0] == '[')
			break;
		words[n++] = w;
	}
	words[n] = NULL;
	return n;
}

Test(lbctl_run, prints_each_verbs_usage_for_help_after_it)
{
	char buf[128], expected[256], *words[8], *args[12];
	struct run r, by_help;
	size_t n, i;
	int v;

	for (v = LBCTL_NONE + 1; v < LBCTL_VERB_MAX; v++) {
		n = synopsis_words(lbctl_verbs[v].synopsis, buf, sizeof(buf), words, 6);
		cr_assert_gt(n, 0);
		snprintf(expected, sizeof(expected), "usage: lbctl [-j] [-s socket] %s\n  %s\n",
			 lbctl_verbs[v].synopsis, lbctl_verbs[v].help);
		for (i = 0; i < n; i++)
			args[i] = words[i];
		args[n] = "--help";
		args[n + 1] = NULL;
		run_lbctl(&r, false, args);
		cr_assert_eq(r.status, 0, "%s --help: %s", lbctl_verbs[v].synopsis, r.err);
		cr_assert(strstr(r.out, expected), "%s --help printed:\n%s",
			  lbctl_verbs[v].synopsis, r.out);
		cr_assert_str_eq(r.err, "");
		/* lbctl help VERB says the same */
		args[0] = "help";
		for (i = 0; i < n; i++)
			args[i + 1] = words[i];
		args[n + 1] = NULL;
		run_lbctl(&by_help, false, args);
		cr_assert_eq(by_help.status, 0, "help %s: %s", lbctl_verbs[v].synopsis,
			     by_help.err);
		cr_assert_str_eq(by_help.out, r.out);
	}
	/* Only the verbs named: backend drain's usage is not vip list's. */
	run_lbctl(&r, false, (char *const[]){"backend", "drain", "-h", NULL});
	cr_assert_eq(r.status, 0);
	cr_assert_null(strstr(r.out, "vip list"), "%s", r.out);
	cr_assert_null(strstr(r.out, "backend list"), "%s", r.out);
	run_lbctl(&r, false, (char *const[]){"help", "frob", NULL});
	cr_assert_eq(r.status, 2);
	cr_assert(!strncmp(r.err, "lbctl: unknown command \"frob\"\n", 30), "%s", r.err);
}

Test(lbctl_run, says_why_the_socket_cannot_be_reached)
{
	struct run r;

	run_lbctl(&r, false, (char *const[]){"-s", "/etc/passwd", "status", NULL});
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "lbctl: cannot reach lbagent at /etc/passwd: Connection refused: "
				"not a socket but a regular file (see -s or $XDPLB_SOCKET)\n");
	run_lbctl(&r, false, (char *const[]){"-s", "/etc/passwd/x", "status", NULL});
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.err, "lbctl: cannot reach lbagent at /etc/passwd/x: Not a directory\n");
}

Test(lbctl_run, exits_2_on_usage_errors_and_1_on_failures)
{
	static const char *const usage_errors[][5] = {
	    {NULL},
	    {"-x", "status", NULL},
	    {"status", "extra", NULL},
	    {"backend", NULL},
	    {"backend", "weight", "198.51.100.9", "0"},
	    {"status", "-s", NULL},
	};
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(usage_errors) / sizeof(usage_errors[0]); i++) {
		run_lbctl(&r, false, (char *const *)usage_errors[i]);
		cr_assert_eq(r.status, 2, "%s...: exit %d (%s)", usage_errors[i][0] ?: "(none)",
			     r.status, r.err);
		cr_assert_str_eq(r.out, "");
		cr_assert(!strncmp(r.err, "lbctl: ", 7), "%s", r.err);
	}
	run_lbctl(&r, false, (char *const[]){"-s", sock, "reload", NULL});
	cr_assert_eq(r.status, 1, "no agent: a failure, not a usage error");
}

/* What cli/lbctl.bash-completion offers for the line (without bash-completion's helpers). */
static void complete_line(const char *line, char *out, size_t len)
{
	char cmd[512];
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "bash -c 'source cli/lbctl.bash-completion; COMP_LINE=\"$1\"; "
		 "COMP_POINT=${#COMP_LINE}; _lbctl; echo \"${COMPREPLY[*]}\"' _ '%s'",
		 line);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	cr_assert_eq(pclose(p), 0, "bash failed on %s", line);
	out[strcspn(out, "\n")] = '\0';
}

Test(lbctl_completion, offers_global_options_anywhere_and_skips_them_as_words)
{
	char got[256];

	complete_line("lbctl backend list --j", got, sizeof(got));
	cr_assert_str_eq(got, "--json");
	complete_line("lbctl --ver", got, sizeof(got));
	cr_assert_str_eq(got, "--version");
	complete_line("lbctl backend -j d", got, sizeof(got));
	cr_assert_str_eq(got, "drain");
	complete_line("lbctl help ba", got, sizeof(got));
	cr_assert_str_eq(got, "backend");
	complete_line("lbctl lis", got, sizeof(got));
	cr_assert_str_eq(got, "listener");
	complete_line("lbctl listener -j un", got, sizeof(got));
	cr_assert_str_eq(got, "undrain");
}
