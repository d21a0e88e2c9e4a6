// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lbctl's verbs: wire name, usage line, time allowed and printer of each; and the usage text. */
#include "common/ctl_proto.h"
#include "lbctl.h"

#define LBCTL_TIMEOUT_MS 5000
/* A reload rebuilds Maglev tables and rewrites maps; a shutdown may detach and unpin. */
#define LBCTL_SLOW_TIMEOUT_MS 60000

const struct lbctl_verb lbctl_verbs[LBCTL_VERB_MAX] = {
    [LBCTL_STATUS] = {"status", "status", "agent, data plane and config state", NULL,
		      LBCTL_TIMEOUT_MS, lbctl_print_status},
    [LBCTL_VIP_LIST] = {"vip.list", "vip list", "VIPs with their traffic", NULL, LBCTL_TIMEOUT_MS,
			lbctl_print_vip_list},
    [LBCTL_VIP_SHOW] = {"vip.show", "vip show <vip>", "one VIP and its backends", NULL,
			LBCTL_TIMEOUT_MS, lbctl_print_vip_show},
    [LBCTL_BACKEND_LIST] = {"backend.list", "backend list [vip]",
			    "(VIP, backend) pairs (of one VIP), state and traffic", NULL,
			    LBCTL_TIMEOUT_MS, lbctl_print_backend_list},
    [LBCTL_BACKEND_DRAIN] = {"backend.drain", "backend drain <addr> [vip]",
			     "new flows elsewhere, established ones stay (all VIPs or one)", NULL,
			     LBCTL_TIMEOUT_MS, lbctl_print_backend_state},
    [LBCTL_BACKEND_UNDRAIN] = {"backend.undrain", "backend undrain <addr> [vip]",
			       "take new flows again (all VIPs or one)", NULL, LBCTL_TIMEOUT_MS,
			       lbctl_print_backend_state},
    [LBCTL_BACKEND_WEIGHT] = {"backend.weight", "backend weight <addr> <weight> [vip]",
			      "set a weight (1..65535), in all VIPs or one", NULL,
			      LBCTL_SLOW_TIMEOUT_MS, lbctl_print_backend_weight},
    [LBCTL_STATS] = {"stats", "stats", "data plane counters and drops by reason", NULL,
		     LBCTL_TIMEOUT_MS, lbctl_print_stats},
    [LBCTL_CONNTRACK_LIST] = {"conntrack.list", "conntrack list [vip] [--limit N]",
			      "tracked connections (default 100, at most 10000)", NULL,
			      LBCTL_SLOW_TIMEOUT_MS, lbctl_print_conntrack},
    [LBCTL_EXPLAIN] = {"explain", "explain <client-ip:port> <vip:port> [tcp|udp]",
		       "which backend a flow goes to, and why", "{\"proto\": \"tcp\"}",
		       LBCTL_TIMEOUT_MS, lbctl_print_explain},
    [LBCTL_RELOAD] = {"reload", "reload", "re-read the config file, apply the changes", NULL,
		      LBCTL_SLOW_TIMEOUT_MS, lbctl_print_reload},
    [LBCTL_VERSION] = {"version", "version", "lbctl's and lbagent's versions", NULL,
		       LBCTL_TIMEOUT_MS, lbctl_print_version},
    [LBCTL_SHUTDOWN] = {"shutdown", "shutdown [--unload]",
			"stop lbagent (--unload: detach XDP, unpin)", NULL, LBCTL_SLOW_TIMEOUT_MS,
			lbctl_print_shutdown},
    [LBCTL_SYNC] = {"sync", "sync", "connection sync: sent, received, applied, rejected, state",
		    NULL, LBCTL_TIMEOUT_MS, lbctl_print_sync},
    [LBCTL_PEERS] = {"peers", "peers", "live sync peers: zone, address, last seen, lag", NULL,
		     LBCTL_TIMEOUT_MS, lbctl_print_peers},
    [LBCTL_CLUSTER] = {"cluster", "cluster",
		       "zones and their nodes, which zone serves each VIP and why, transitions",
		       NULL, LBCTL_TIMEOUT_MS, lbctl_print_cluster},
    [LBCTL_DNS] = {"dns", "dns",
		   "region failover: records on the DNS server, region verdicts, observers", NULL,
		   LBCTL_TIMEOUT_MS, lbctl_print_dns},
    /* Not a verb of its own on the wire: top polls vip.list and backend.list. */
    [LBCTL_TOP] = {"vip.list", "top [vip] [--once] [-n N] [--interval S]",
		   "live rates per VIP and backend (CPS, PPS, bytes/s)", NULL, LBCTL_TIMEOUT_MS,
		   lbctl_print_top},
    [LBCTL_LISTENER_LIST] = {"listener.list", "listener list",
			     "proxy node: listeners, traffic, server groups and their servers",
			     NULL, LBCTL_TIMEOUT_MS, lbctl_print_listener_list},
    [LBCTL_LISTENER_SHOW] = {"listener.show", "listener show <listener>",
			     "proxy node: one listener and the groups its rules use", NULL,
			     LBCTL_TIMEOUT_MS, lbctl_print_listener_show},
    [LBCTL_LISTENER_DRAIN] = {"listener.drain", "listener drain <server> [group]",
			      "proxy node: no new sessions to a server (all its groups or one)",
			      NULL, LBCTL_TIMEOUT_MS, lbctl_print_listener_drain},
    [LBCTL_LISTENER_UNDRAIN] = {"listener.undrain", "listener undrain <server> [group]",
				"proxy node: new sessions again (all its groups or one)", NULL,
				LBCTL_TIMEOUT_MS, lbctl_print_listener_drain},
};

void lbctl_usage(FILE *out)
{
	int i;

	fputs("usage: lbctl [-j] [-s socket] <command> [args]\n"
	      "       lbctl <command> --help | help <command> | --version\n\ncommands:\n",
	      out);
	for (i = LBCTL_NONE + 1; i < LBCTL_VERB_MAX; i++)
		fprintf(out, "  %-46s %s\n", lbctl_verbs[i].synopsis, lbctl_verbs[i].help);
	fputs("\noptions (anywhere on the line):\n"
	      "  -s, --socket PATH  control socket (default $XDPLB_SOCKET, else " CTL_SOCKET_DEFAULT
	      ")\n"
	      "  -j, --json         print the agent's JSON result as it is\n"
	      "  -h, --help         this help; after a command, that command's usage\n"
	      "  -V, --version      lbctl's own version (`lbctl version` asks lbagent too)\n"
	      "\n<vip> is a config name or address:port/proto (192.0.2.10:80/tcp, "
	      "[2001:db8::10]:443/tcp,\n192.0.2.10:*/udp); <addr> an IPv4 or IPv6 address.\n"
	      "Exit status: 0 done, 1 the command failed, 2 the command line is wrong.\n",
	      out);
}
