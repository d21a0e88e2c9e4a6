// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lbagent: the xdplb node agent. Options, then the event loop of agent.c. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/agent.h"
#include "config/config.h"
#include "common/ctl_proto.h"
#include "common/log.h"
#include "core/notify.h"
#include "proxy/proxy.h"

/* systemd gives ExecReload= TimeoutStartSec= (60 s in the unit): the verdict comes sooner. */
#define MAIN_RELOAD_TIMEOUT_MS 60000

static const struct option main_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check-config", required_argument, NULL, 'C' },
	{ "backend", no_argument, NULL, 'b' },
	{ "socket", required_argument, NULL, 's' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "reload", no_argument, NULL, 'R' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static void main_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: lbagent [-c FILE] [--backend] [-s SOCKET] [-v]\n"
	    "       lbagent --check-config FILE\n"
	    "       lbagent [-c FILE] [-s SOCKET] --reload\n"
	    "       lbagent --version\n"
	    "  -c, --config FILE        config file (default %s)\n"
	    "      --check-config FILE  validate FILE, print \"FILE: ok\" or the error, exit\n"
	    "  -b, --backend            run as a backend host (decap, VIPs on lo), whatever\n"
	    "                           node.role says\n"
	    "  -s, --socket PATH        control socket (default node.control.socket)\n"
	    "      --reload             ask the running agent to reload and wait for the\n"
	    "                           verdict: exit 0, or 1 with the refused line (systemd's\n"
	    "                           ExecReload=)\n"
	    "  -v, --verbose            debug messages, the agent's own and libbpf's\n"
	    "      --version            print the version and exit\n"
	    "Signals: SIGHUP reloads the config; SIGTERM/SIGINT exit and leave the data\n"
	    "plane forwarding (lbctl shutdown --unload takes it down).\n"
	    "Exit status: 0 ok, 1 failure, 2 bad command line.\n",
	    CFG_DEFAULT_PATH);
}

/* What HAProxy says of the config the agent would write for it, when it is installed. */
static int main_check_proxy(const struct lb_config *cfg, char *err, size_t errlen)
{
	bool checked;
	int ret = proxy_check_config(cfg, &checked, err, errlen);

	if (!ret && !checked)
		fprintf(stderr, "%s: note: %s not found, HAProxy did not check the proxy config\n",
			cfg->path, cfg->proxy.haproxy);
	return ret;
}

static int main_check_config(const char *path)
{
	struct lb_config cfg = {};
	char err[CFG_ERR_MAX];

	if (cfg_load(path, &cfg, err, sizeof(err)) ||
	    (cfg.node.role == CFG_ROLE_PROXY && main_check_proxy(&cfg, err, sizeof(err)))) {
		fprintf(stderr, "%s\n", err);
		cfg_free(&cfg);
		return 1;
	}
	cfg_free(&cfg);
	printf("%s: ok\n", path);
	return 0;
}

/* The reload verb on the agent's socket: the file's verdict becomes the exit status. */
static int main_reload(const struct agent_opts *opts)
{
	char sock[CFG_PATH_MAX], err[CFG_ERR_MAX];
	json_t *res = NULL;
	char *changed;
	int ret;

	if (opts->socket)
		snprintf(sock, sizeof(sock), "%s", opts->socket);
	else
		cfg_peek_control_socket(opts->config_path, sock, sizeof(sock));
	ret = ctl_call(sock, "reload", NULL, MAIN_RELOAD_TIMEOUT_MS, &res, err, sizeof(err));
	if (ret) {
		/* The agent's own word, or why it could not be asked ("connect PATH: ..."). */
		fprintf(stderr, "lbagent: reload %s: %s\n",
			ret == -EREMOTEIO ? "refused" : "not done", err);
		return 1;
	}
	changed = json_dumps(json_object_get(res, "changed"), JSON_COMPACT);
	printf("lbagent: reloaded: %s\n", changed ? changed : "{}");
	free(changed);
	json_decref(res);
	return 0;
}

int main(int argc, char **argv)
{
	struct agent_opts opts = { .config_path = CFG_DEFAULT_PATH };
	enum log_level level = LOG_LVL_INFO;
	static struct agent agent;
	bool reload = false;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "c:bs:vh", main_options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			opts.config_path = optarg;
			break;
		case 'C':
			return main_check_config(optarg);
		case 'b':
			opts.backend = true;
			break;
		case 's':
			opts.socket = optarg;
			break;
		case 'v':
			level = LOG_LVL_DEBUG;
			break;
		case 'V':
			printf("lbagent %s\n", XDPLB_VERSION);
			return 0;
		case 'R':
			reload = true;
			break;
		case 'h':
			main_usage(stdout);
			return 0;
		default:
			main_usage(stderr);
			return 2;
		}
	}
	if (optind != argc || (reload && opts.backend)) {
		main_usage(stderr);
		return 2;
	}
	if (reload)
		return main_reload(&opts);

	log_init("lbagent", level);
	log_route_libbpf();
	log_info("lbagent %s starting: config %s", XDPLB_VERSION, opts.config_path);
	err = agent_start(&agent, &opts);
	/* Ready for systemd (Type=notify) once attached and answering on the control socket. */
	if (!err && notify_ready("forwarding, control socket open"))
		log_warnx("lbagent: cannot notify systemd of readiness at $NOTIFY_SOCKET");
	if (!err)
		err = agent_run(&agent);
	notify_send("STOPPING=1");
	agent_stop(&agent);
	return err ? 1 : 0;
}
