// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* agent_reload: a bad file changes nothing; a good one is counted per VIP and per backend. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>

#include "core/agent.h"
#include "config/config.h"

static char reload_path[] = "/tmp/xdplb-agent-reload-XXXXXX";
static struct agent reload_agent;

#define NODE_YAML                                                                                  \
	"node:\n  id: 1\n  zone: a\n  role: balancer\n  interface: lo\n"                           \
	"  addresses: [198.51.100.1]\n"

static void reload_write(const char *text)
{
	FILE *f = fopen(reload_path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* An agent with its config loaded and nothing attached: reload is pure bookkeeping then. */
static void reload_setup(void)
{
	char err[CFG_ERR_MAX];
	int fd = mkstemp(reload_path);

	cr_assert_geq(fd, 0);
	close(fd);
	reload_write(NODE_YAML "vips:\n"
			       "  - {name: web, address: 192.0.2.10, port: 80, backends: [\n"
			       "      {address: 198.51.100.11}, {address: 198.51.100.12}]}\n"
			       "  - {name: dns, address: 192.0.2.53, port: 53, protocol: udp,\n"
			       "     backends: [{address: 198.51.100.12}]}\n");
	memset(&reload_agent, 0, sizeof(reload_agent));
	snprintf(reload_agent.config_path, sizeof(reload_agent.config_path), "%s", reload_path);
	cr_assert_eq(cfg_load(reload_path, &reload_agent.cfg, err, sizeof(err)), 0, "%s", err);
}

static void reload_teardown(void)
{
	cfg_free(&reload_agent.cfg);
	unlink(reload_path);
}

TestSuite(agent_reload, .init = reload_setup, .fini = reload_teardown);

Test(agent_reload, bad_file_keeps_running_config_and_reports_position)
{
	struct cfg_changes chg;
	char err[CFG_ERR_MAX] = "";

	reload_write(NODE_YAML "vips:\n  - {name: web, address: 192.0.2.300, port: 80}\n");
	cr_assert_eq(agent_reload(&reload_agent, &chg, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, ":8:26: "), "no line in \"%s\"", err);
	cr_assert_eq(reload_agent.reloads_failed, 1);
	cr_assert_eq(reload_agent.reloads_ok, 0);
	cr_assert_str_eq(reload_agent.last_reload_error, err);
	cr_assert_eq(reload_agent.cfg.n_vips, 2, "the old config must stay");
	cr_assert_str_eq(reload_agent.cfg.vips[0].name, "web");
}

Test(agent_reload, counts_added_removed_and_changed)
{
	struct cfg_changes chg;
	char err[CFG_ERR_MAX] = "";

	/* web loses .12 and gains .13 (changed), dns goes, ntp comes; .12 is gone entirely. */
	reload_write(NODE_YAML "vips:\n"
			       "  - {name: web, address: 192.0.2.10, port: 80, backends: [\n"
			       "      {address: 198.51.100.11}, {address: 198.51.100.13}]}\n"
			       "  - {name: ntp, address: 192.0.2.123, port: 123, protocol: udp,\n"
			       "     backends: [{address: 198.51.100.11}]}\n");
	cr_assert_eq(agent_reload(&reload_agent, &chg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(chg.vips_added, 1);
	cr_assert_eq(chg.vips_removed, 1);
	cr_assert_eq(chg.vips_changed, 1);
	cr_assert_eq(chg.backends_added, 1);
	cr_assert_eq(chg.backends_removed, 1);
	cr_assert_eq(reload_agent.reloads_ok, 1);
	cr_assert_str_eq(reload_agent.last_reload_error, "");
	cr_assert_eq(reload_agent.cfg.n_vips, 2);
}

Test(agent_reload, same_file_changes_nothing)
{
	struct cfg_changes chg;
	char err[CFG_ERR_MAX] = "";

	cr_assert_eq(agent_reload(&reload_agent, &chg, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(chg.vips_added + chg.vips_removed + chg.vips_changed, 0);
	cr_assert_eq(chg.backends_added + chg.backends_removed, 0);
}

Test(agent_reload, refuses_a_new_interface)
{
	struct cfg_changes chg;
	char err[CFG_ERR_MAX] = "";

	reload_write("node:\n  id: 1\n  zone: a\n  role: balancer\n  interface: eth9\n"
		     "  addresses: [198.51.100.1]\n"
		     "vips:\n  - {name: web, address: 192.0.2.10, port: 80,\n"
		     "     backends: [{address: 198.51.100.11}]}\n");
	cr_assert_eq(agent_reload(&reload_agent, &chg, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "node.interface"), "%s", err);
	cr_assert_str_eq(reload_agent.cfg.node.interface, "lo");
}

Test(agent_reload, backend_addresses_are_distinct_and_sorted)
{
	size_t n = 0;
	struct xaddr *a = cfg_backend_addrs(&reload_agent.cfg, &n);

	cr_assert_not_null(a);
	cr_assert_eq(n, 2, "198.51.100.11 and .12 once each");
	cr_assert_eq(ntohl(a[0].addr[0]), 0xc633640b);
	cr_assert_eq(ntohl(a[1].addr[0]), 0xc633640c);
	free(a);
}

/*
 * Every node key a reload applies is counted and named, alone: a reload that changed only
 * node.mtu said "no changes" while it wrote the new MTU into the data plane.
 */
Test(agent_reload, names_each_node_setting_it_applies)
{
	static const struct {
		const char *yaml, *name;
	} cases[] = {
	    {"  mtu: 1400\n", "node.mtu"},
	    {"  outer_ttl: 32\n", "node.outer_ttl"},
	    {"  hash_seed: 7\n", "node.hash_seed"},
	    {"  gue_source_ports: 40000-40100\n", "node.gue_source_ports"},
	    {"  tunnel_source: {ipv4: 198.51.100.16/28}\n", "node.tunnel_source"},
	    {"  control: {group: root}\n", "node.control.group"},
	    /* Before listen: off, whose way back opens the endpoint (not in this test). */
	    {"  metrics: {per_backend: false}\n", "node.metrics"},
	    {"  metrics: {listen: off}\n", "node.metrics"},
	};
	struct cfg_changes chg;
	char err[CFG_ERR_MAX] = "", text[1024];
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 NODE_YAML "%svips:\n  - {name: web, address: 192.0.2.10, port: 80,\n"
				   "     backends: [{address: 198.51.100.11}]}\n",
			 cases[i].yaml);
		/* From the one-VIP file with defaults, so that only this key differs. */
		reload_write(NODE_YAML "vips:\n  - {name: web, address: 192.0.2.10, port: 80,\n"
				       "     backends: [{address: 198.51.100.11}]}\n");
		cr_assert_eq(agent_reload(&reload_agent, &chg, err, sizeof(err)), 0, "%s", err);
		reload_write(text);
		cr_assert_eq(agent_reload(&reload_agent, &chg, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(chg.vips_added + chg.vips_removed + chg.vips_changed, 0, "%s",
			     cases[i].name);
		cr_assert_eq(__builtin_popcount(chg.settings), 1, "%s: settings 0x%x",
			     cases[i].name, chg.settings);
		for (k = 0; !(chg.settings & (1u << k)); k++)
			;
		cr_assert_str_eq(cfg_setting_name(k), cases[i].name);
	}
}

Test(agent_reload, names_node_id_zone_and_addresses)
{
	struct cfg_changes chg;
	char err[CFG_ERR_MAX] = "";

	reload_write("node:\n  id: 2\n  zone: b\n  role: balancer\n  interface: lo\n"
		     "  addresses: [198.51.100.2]\n");
	cr_assert_eq(agent_reload(&reload_agent, &chg, err, sizeof(err)), 0, "%s", err);
	cr_assert(chg.settings & (1u << CFG_SET_NODE_ID));
	cr_assert(chg.settings & (1u << CFG_SET_NODE_ZONE));
	cr_assert(chg.settings & (1u << CFG_SET_NODE_ADDRESSES));
	/* addresses also moved the tunnel source that cfg_load derives from them. */
	cr_assert(chg.settings & (1u << CFG_SET_NODE_TUNNEL_SOURCE));
}

/* A verb's argument is cut in its message like a config value: the reason stays whole. */
Test(agent_reload, verb_message_cuts_a_huge_argument_not_the_reason)
{
	char err[CFG_ERR_MAX] = "", *huge = malloc(100001);
	json_t *args, *result = NULL;
	size_t i;

	cr_assert_not_null(huge);
	memset(huge, 'a', 100000);
	huge[100000] = '\0';
	args = json_pack("{s:s}", "backend", huge);
	for (i = 0; strcmp(agent_balancer_verbs[i].name, "backend.drain"); i++)
		;
	cr_assert_eq(agent_balancer_verbs[i].fn(&reload_agent, args, &result, err, sizeof(err)),
		     -EINVAL);
	cr_assert_str_eq(err, "args.backend: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...: not an IPv4 or "
			      "IPv6 address");
	json_decref(args);
	free(huge);
}
