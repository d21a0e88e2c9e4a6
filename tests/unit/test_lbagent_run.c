// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The lbagent binary's command line, run next to this test binary ($(OUTPUT)/lbagent): exit
 * codes (0 ok, 1 failure, 2 bad command line), --help naming only keys the parser accepts, and
 * --reload, the unit's ExecReload=, turning the agent's verdict into its exit status. Nothing
 * here needs root: no option tested attaches anything.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "skip.h"

#include "config/config.h"
#include "control/control.h"

static char agent_path[PATH_MAX], run_dir[64];

static void agent_run_setup(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	cr_assert_gt(n, 0);
	exe[n] = '\0';
	/* $(OUTPUT)/tests/unit_tests -> $(OUTPUT)/lbagent */
	snprintf(agent_path, sizeof(agent_path), "%s/lbagent", dirname(dirname(exe)));
	run_dir[0] = '\0';
	if (access(agent_path, X_OK))
		return;
	snprintf(run_dir, sizeof(run_dir), "/tmp/xdplb-lbagent-XXXXXX");
	cr_assert_not_null(mkdtemp(run_dir));
}

static void agent_run_teardown(void)
{
	char cmd[128];

	if (!run_dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", run_dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(lbagent_run, .init = agent_run_setup, .fini = agent_run_teardown, .timeout = 30);

/* A skipped test never reaches .fini: setup makes nothing when lbagent is not there. */
static void need_agent(void)
{
	if (!run_dir[0])
		XLB_SKIP("%s not built (make lbagent with the same OUTPUT)", agent_path);
}

/* Starts "lbagent ARGS 2>&1" in the run directory, for reading. */
static FILE *agent_popen(const char *args)
{
	char cmd[PATH_MAX + 512];

	need_agent();
	snprintf(cmd, sizeof(cmd), "cd %s && '%s' %s 2>&1", run_dir, agent_path, args);
	return popen(cmd, "r");
}

/* Runs lbagent with args; its output (stdout and stderr) into out, its exit code returned. */
static int agent_exit(const char *args, char *out, size_t len)
{
	FILE *p = agent_popen(args);
	size_t n;
	int status;

	cr_assert_not_null(p);
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	status = pclose(p);
	cr_assert(WIFEXITED(status), "lbagent %s did not exit", args);
	return WEXITSTATUS(status);
}

static void agent_write(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	need_agent();
	snprintf(path, sizeof(path), "%s/%s", run_dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(lbagent_run, bad_command_lines_exit_2_failures_1)
{
	char out[4096];

	cr_assert_eq(agent_exit("--no-such-option", out, sizeof(out)), 2, "%s", out);
	cr_assert_eq(agent_exit("-c", out, sizeof(out)), 2, "%s", out);
	cr_assert_eq(agent_exit("stray-argument", out, sizeof(out)), 2, "%s", out);
	cr_assert_eq(agent_exit("--backend --reload", out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "usage: lbagent"), "%s", out);
	cr_assert_eq(agent_exit("--check-config missing.yaml", out, sizeof(out)), 1, "%s", out);
	cr_assert_str_eq(out, "missing.yaml: No such file or directory\n");
	cr_assert_eq(agent_exit("--help", out, sizeof(out)), 0, "%s", out);
	cr_assert_eq(agent_exit("--version", out, sizeof(out)), 0, "%s", out);
	cr_assert_eq(strncmp(out, "lbagent ", 8), 0, "%s", out);
}

/* The YAML that sets key (a dotted path) to a mapping, which no scalar key takes. */
static void key_yaml(const char *key, char *buf, size_t len)
{
	const char *dot;
	size_t used, depth = 0;

	used = snprintf(buf, len, "node:\n  id: 1\n  zone: a\n  interface: lo\n");
	if (strncmp(key, "node.", 5)) {
		dot = strchr(key, '.');
		used += snprintf(buf + used, len - used, "%.*s:\n", (int)(dot - key), key);
		key = dot + 1;
	} else {
		key += 5;
	}
	depth = 1;
	while ((dot = strchr(key, '.'))) {
		used += snprintf(buf + used, len - used, "%*s%.*s:\n", (int)(2 * depth), "",
				 (int)(dot - key), key);
		key = dot + 1;
		depth++;
	}
	snprintf(buf + used, len - used, "%*s%s: {no: such}\n", (int)(2 * depth), "", key);
}

Test(lbagent_run, help_names_only_keys_the_parser_accepts)
{
	char out[8192], key[128], yaml[1024], path[128], err[CFG_ERR_MAX], unknown[160];
	struct lb_config cfg = {};
	const char *p;
	size_t n, keys = 0;

	cr_assert_eq(agent_exit("--help", out, sizeof(out)), 0, "%s", out);
	snprintf(path, sizeof(path), "%s/key.yaml", run_dir);
	for (p = out; *p; p++) {
		if ((strncmp(p, "node.", 5) && strncmp(p, "sync.", 5) &&
		     strncmp(p, "cluster.", 8)) ||
		    (p > out && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.')))
			continue;
		for (n = 0;
		     n + 1 < sizeof(key) && (islower((unsigned char)p[n]) || p[n] == '_' ||
					     (p[n] == '.' && islower((unsigned char)p[n + 1])));
		     n++)
			key[n] = p[n];
		key[n] = '\0';
		p += n - 1;
		key_yaml(key, yaml, sizeof(yaml));
		agent_write("key.yaml", yaml);
		cr_assert_neq(cfg_load(path, &cfg, err, sizeof(err)), 0, "%s took a mapping", key);
		snprintf(unknown, sizeof(unknown), "unknown key '%s'", strrchr(key, '.') + 1);
		cr_assert_null(strstr(err, unknown), "--help names %s, the parser says: %s", key,
			       err);
		keys++;
	}
	cr_assert_geq(keys, 2, "--help names node.role and node.control.socket: %s", out);
}

static int verb_reload_refused(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	snprintf(err, errlen, "lb.yaml:30:42: backend.weight: 70000 is out of range 1..65535");
	return -EBADMSG;
}

static int verb_reload_ok(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	*result = json_pack("{s:{s:i}}", "changed", "vips_added", 1);
	return 0;
}

/* --reload against a canned agent on the socket the file names: the verdict is the status. */
static int agent_reload_against(control_verb_fn fn, char *out, size_t len)
{
	const struct control_verb verbs[] = {{"reload", true, fn}};
	char sock[128], yaml[256];
	struct control_server *srv;
	struct pollfd pfd;
	FILE *p;
	size_t n;
	int status;

	snprintf(sock, sizeof(sock), "%s/agent.sock", run_dir);
	/* The rest of the file may be refused: the socket is still read from it. */
	snprintf(yaml, sizeof(yaml),
		 "node:\n  id: 0\n  control: {socket: %s}\nvips: [{weight: 70000}]\n", sock);
	agent_write("lb.yaml", yaml);
	srv = control_open(sock, "", verbs, 1, NULL);
	cr_assert_not_null(srv);
	p = agent_popen("-c lb.yaml --reload");
	cr_assert_not_null(p);
	pfd = (struct pollfd){.fd = control_listen_fd(srv), .events = POLLIN};
	if (poll(&pfd, 1, 5000) == 1)
		control_serve_one(srv);
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	status = pclose(p);
	control_close(srv);
	cr_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

Test(lbagent_run, reload_exits_with_the_agents_verdict)
{
	char out[4096];

	cr_assert_eq(agent_reload_against(verb_reload_refused, out, sizeof(out)), 1, "%s", out);
	cr_assert_str_eq(out, "lbagent: reload refused: lb.yaml:30:42: backend.weight: 70000 is "
			      "out of range 1..65535\n");
	cr_assert_eq(agent_reload_against(verb_reload_ok, out, sizeof(out)), 0, "%s", out);
	cr_assert_str_eq(out, "lbagent: reloaded: {\"vips_added\":1}\n");
}

/* What the start would refuse after attaching, --check-config refuses first: exit 1, its line. */
Test(lbagent_run, check_config_refuses_a_missing_control_group)
{
	char out[4096];

	agent_write("lb.yaml", "node:\n  id: 1\n  zone: a\n  interface: lo\n"
			       "  control: {group: no-such-group-xdplb}\n");
	cr_assert_eq(agent_exit("--check-config lb.yaml", out, sizeof(out)), 1, "%s", out);
	cr_assert_str_eq(out,
			 "lb.yaml:5:20: node.control.group: no-such-group-xdplb: no such group "
			 "(groupadd --system it, or set \"\" for root only)\n");
}

Test(lbagent_run, reload_without_an_agent_says_why_and_fails)
{
	char out[4096];

	cr_assert_eq(agent_exit("-s nobody.sock --reload", out, sizeof(out)), 1, "%s", out);
	cr_assert_str_eq(out, "lbagent: reload not done: connect nobody.sock: No such file or "
			      "directory\n");
}
