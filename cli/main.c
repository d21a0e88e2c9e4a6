// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lbctl: parse the command, send it to lbagent over the control socket, print the result. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctl_proto.h"
#include "lbctl.h"

static void lbctl_report(const char *path, const char *verb, int err, const char *msg,
			 int timeout_ms)
{
	fflush(stdout); /* what was printed comes before the error */
	switch (err) {
	case -ENOENT:
	case -ECONNREFUSED:
		fprintf(stderr,
			"lbctl: cannot reach lbagent at %s: is it running? (systemctl status "
			"lbagent)\n",
			path);
		break;
	case -EACCES:
		fprintf(stderr,
			"lbctl: cannot reach lbagent at %s: permission denied (root or the "
			"control group only)\n",
			path);
		break;
	case -ETIMEDOUT:
		fprintf(stderr, "lbctl: %s: no reply from lbagent within %d s\n", verb,
			timeout_ms / 1000);
		break;
	default:
		fprintf(stderr, "lbctl: %s\n", msg[0] ? msg : strerror(-err));
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	const char *path = getenv("XDPLB_SOCKET");
	const struct lbctl_verb *verb;
	struct lbctl_cmd cmd = {};
	json_t *result = NULL;
	char err[1024];
	bool json = false;
	int opt, ret;

	if (!path || !path[0])
		path = CTL_SOCKET_DEFAULT;
	/* '+': stop at the command, whose own options (--limit, --unload) the table parses. */
	while ((opt = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			lbctl_usage(stdout);
			return 0;
		default:
			lbctl_usage(stderr);
			return 1;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "help")) {
		lbctl_usage(stdout);
		return 0;
	}
	if (lbctl_parse(argc - optind, argv + optind, &cmd, err, sizeof(err))) {
		fprintf(stderr, "lbctl: %s\n", err);
		if (cmd.verb == LBCTL_NONE) {
			fputc('\n', stderr);
			lbctl_usage(stderr);
		} else {
			fprintf(stderr, "usage: lbctl %s\n(lbctl -h lists every command)\n",
				lbctl_verbs[cmd.verb].synopsis);
		}
		return 1;
	}
	verb = &lbctl_verbs[cmd.verb];
	if (cmd.verb == LBCTL_TOP) {
		ret = lbctl_top(path, cmd.args, json, stdout, err, sizeof(err));
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
	if (json) {
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
	return ret ? 1 : 0;
}
