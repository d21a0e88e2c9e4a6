// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lbctl: parse the command, send it to lbagent over the control socket, print the result. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/ctl_proto.h"
#include "lbctl.h"

/* Exit codes: 0 done; 1 the command failed (agent away, refused, ...); 2 the line is wrong. */
#define LBCTL_EXIT_FAILURE 1
#define LBCTL_EXIT_USAGE   2

static const char *lbctl_file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
	case S_IFBLK:
		return "a device";
	default:
		return "not a socket";
	}
}

/* Why the agent could not be asked: the errno's own words first, then what to look at. */
static void lbctl_report(const char *path, const char *verb, int err, const char *msg,
			 int timeout_ms)
{
	struct stat st;

	fflush(stdout); /* what was printed comes before the error */
	switch (err) {
	case -ECONNREFUSED:
		/* connect(2) says "refused" for any file that is not a listening socket. */
		if (!stat(path, &st) && !S_ISSOCK(st.st_mode)) {
			fprintf(stderr,
				"lbctl: cannot reach lbagent at %s: %s: not a socket but %s (see "
				"-s or $XDPLB_SOCKET)\n",
				path, strerror(-err), lbctl_file_kind(st.st_mode));
			break;
		}
		/* fall through */
	case -ENOENT:
		fprintf(stderr,
			"lbctl: cannot reach lbagent at %s: %s: is it running? (systemctl status "
			"lbagent)\n",
			path, strerror(-err));
		break;
	case -EACCES:
	case -EPERM:
		fprintf(stderr,
			"lbctl: cannot reach lbagent at %s: %s (root or the control group only)\n",
			path, strerror(-err));
		break;
	case -ENOTDIR:
	case -ELOOP:
		fprintf(stderr, "lbctl: cannot reach lbagent at %s: %s\n", path, strerror(-err));
		break;
	case -ETIMEDOUT:
		fprintf(stderr, "lbctl: %s: no reply from lbagent within %d s\n", verb,
			timeout_ms / 1000);
		break;
	default:
		fprintf(stderr, "lbctl: %s\n", msg[0] ? msg : strerror(-err));
	}
}

/* A wrong line: the reason, then the usage of what the words name (all of it if nothing). */
static int lbctl_usage_error(const char *why, int n, char *const words[])
{
	fprintf(stderr, "lbctl: %s\n", why);
	if (lbctl_usage_of(stderr, n, words, false)) {
		fputs("(lbctl -h lists every command)\n", stderr);
	} else {
		fputc('\n', stderr);
		lbctl_usage(stderr);
	}
	return LBCTL_EXIT_USAGE;
}

/* -h, --help, `help`: everything, or the verbs the words name ("lbctl backend --help"). */
static int lbctl_help(int n, char *const words[])
{
	char why[256];

	if (n && !strcmp(words[0], "help")) {
		words++;
		n--;
	}
	if (!n) {
		lbctl_usage(stdout);
		return 0;
	}
	if (lbctl_usage_of(stdout, n, words, true))
		return 0;
	snprintf(why, sizeof(why), "unknown command \"%s\"", words[0]);
	return lbctl_usage_error(why, 0, NULL);
}

int main(int argc, char **argv)
{
	const char *path = getenv("XDPLB_SOCKET");
	const struct lbctl_verb *verb;
	struct lbctl_cmd cmd = {};
	struct lbctl_opts o;
	json_t *result = NULL;
	char err[1024];
	int ret;

	if (lbctl_args_split(argc, argv, &o, err, sizeof(err)))
		return lbctl_usage_error(err, o.n_words, o.words);
	if (o.help || (o.n_words && !strcmp(o.words[0], "help")))
		return lbctl_help(o.n_words, o.words);
	if (o.version) {
		printf("lbctl %s\n", XDPLB_VERSION);
		return fflush(stdout) ? LBCTL_EXIT_FAILURE : 0;
	}
	if (o.socket)
		path = o.socket;
	else if (!path || !path[0])
		path = CTL_SOCKET_DEFAULT;
	if (lbctl_parse(o.n_words, o.words, &cmd, err, sizeof(err)))
		return lbctl_usage_error(err, o.n_words, o.words);
	verb = &lbctl_verbs[cmd.verb];
	if (cmd.verb == LBCTL_TOP) {
		ret = lbctl_top(path, cmd.args, o.json, stdout, err, sizeof(err));
		if (ret)
			lbctl_report(path, "top", ret, err, verb->timeout_ms);
		goto cleanup;
	}
	ret = ctl_call(path, verb->wire, cmd.args, verb->timeout_ms, &result, err, sizeof(err));
	if (ret) {
		/* The client's own version is worth printing when the agent is not there. */
		if (cmd.verb == LBCTL_VERSION)
			printf("lbctl %s\n", XDPLB_VERSION);
		lbctl_report(path, verb->wire, ret, err, verb->timeout_ms);
		goto cleanup;
	}
	if (o.json) {
		ret = json_dumpf(result, stdout, JSON_INDENT(2)) ? -EIO : 0;
		putchar('\n');
	} else {
		ret = verb->print(stdout, result, cmd.args);
	}
	if (fflush(stdout) && !ret)
		ret = -errno;
	if (ret)
		fprintf(stderr, "lbctl: cannot print the result: %s\n", strerror(-ret));
cleanup:
	json_decref(result);
	lbctl_cmd_free(&cmd);
	return ret ? LBCTL_EXIT_FAILURE : 0;
}
