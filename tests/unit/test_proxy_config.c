// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The proxy: section (role proxy): what it loads into, what it refuses with file:line:column,
 * and the HAProxy config written from it: what a reload needs (runtime or structure), and
 * that HAProxy itself accepts it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <criterion/criterion.h>

#include "config/config.h"
#include "proxy/haproxy_cfg.h"
#include "proxy/proxy.h"
#include "skip.h"

static struct lb_config pcfg;
static char perr[CFG_ERR_MAX];
static char pdir[] = "/tmp/xdplb-proxy-XXXXXX";

static void proxy_setup(void)
{
	cr_assert_not_null(mkdtemp(pdir));
}

static void proxy_teardown(void)
{
	char cmd[64];

	cfg_free(&pcfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(proxy_config, .init = proxy_setup, .fini = proxy_teardown);

/* A proxy node whose proxy: section is body (indented 2), written as pdir/p.yaml. */
static int load_proxy(const char *body)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/p.yaml", pdir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f,
		"node:\n"
		"  id: 7\n"
		"  zone: a\n"
		"  role: proxy\n"
		"  interface: eth0\n"
		"  addresses: [198.51.100.21]\n"
		"vips:\n"
		"  - {name: web, address: 192.0.2.10, port: 80}\n"
		"  - {name: tls, address: 192.0.2.10, port: 443}\n"
		"  - {name: dns, address: 192.0.2.10, port: 53, protocol: udp}\n"
		"proxy:\n"
		"%s",
		body);
	fclose(f);
	cfg_free(&pcfg);
	perr[0] = '\0';
	return cfg_load(path, &pcfg, perr, sizeof(perr));
}

/* The position and message after "<dir>/p.yaml:". */
static void expect_refused(const char *body, const char *where_and_why)
{
	char want[CFG_ERR_MAX];
	int ret = load_proxy(body);

	snprintf(want, sizeof(want), "%s/p.yaml:%s", pdir, where_and_why);
	cr_assert_eq(ret, -EINVAL, "loaded where \"%s\" was expected", where_and_why);
	cr_assert_str_eq(perr, want);
}

#define GROUPS                                                                                     \
	"  groups:\n"                                                                              \
	"    - name: app\n"                                                                        \
	"      servers:\n"                                                                         \
	"        - {address: 198.51.100.31, port: 8080}\n"

#define HTTP_LISTENER(extra)                                                                       \
	"  listeners:\n"                                                                           \
	"    - {name: www, vip: web, protocol: http, default_group: app" extra "}\n"

Test(proxy_config, loads_the_example_with_its_defaults)
{
	const struct cfg_proxy *p;
	const struct cfg_proxy_group *api;
	char addr[CFG_ADDR_STRLEN];

	cr_assert_eq(cfg_load("configs/proxy-node.yaml", &pcfg, perr, sizeof(perr)), 0, "%s", perr);
	p = &pcfg.proxy;
	cr_assert_eq(pcfg.node.role, CFG_ROLE_PROXY);
	cr_assert_str_eq(cfg_role_name(pcfg.node.role), "proxy");
	cr_assert_eq(p->n_listeners, 1);
	cr_assert_eq(p->n_groups, 3);
	cr_assert_eq(p->listeners[0].port, 80, "the port comes from the VIP");
	cr_assert_str_eq(cfg_format_addr(&p->listeners[0].addr, addr, sizeof(addr)), "192.0.2.10");
	cr_assert_eq(p->listeners[0].n_rules, 2);
	cr_assert_str_eq(p->listeners[0].rules[1].host, "*.static.example.com");
	cr_assert(p->listeners[0].forwarded_for, "X-Forwarded-For is on by default");
	cr_assert_eq(p->health_port, 8404);
	cr_assert_str_eq(p->run_dir, "/run/xdplb/proxy");
	cr_assert_eq(p->groups[0].servers[1].weight, 50);
	cr_assert_eq(p->groups[0].servers[0].weight, 100);
	cr_assert_eq(p->groups[0].check->interval_ms, 1000);
	cr_assert_str_eq(p->groups[0].cookie, "SRV");
	api = &p->groups[1];
	cr_assert_str_eq(api->servers[0].name, "s1", "servers without a name are s1, s2...");
	cr_assert_str_eq(api->servers[1].name, "s2");
	cr_assert_eq(api->servers[1].state, CFG_SRV_DRAIN);
	cr_assert_eq(api->connect_ms, 2000);
	cr_assert_null(p->groups[2].check, "a group without check: has no checks");
}

Test(proxy_config, rejects_what_names_nothing)
{
	expect_refused(HTTP_LISTENER("") "  groups:\n    - name: other\n      servers: [{address: "
					 "198.51.100.31, port: 80}]\n",
		       "13:60: listener.default_group: no group named 'app' in proxy.groups");
	expect_refused("  listeners:\n    - {name: www, vip: nope, default_group: app}\n" GROUPS,
		       "13:24: listener www: vip 'nope' is not a name in vips");
	expect_refused("  listeners:\n    - {name: www, vip: dns, default_group: app}\n" GROUPS,
		       "13:24: listener www: vip 'dns' must be tcp with a port");
	expect_refused("  listeners:\n"
		       "    - name: www\n"
		       "      vip: web\n"
		       "      rules: [{host: a.example.com, group: nosuch}]\n" GROUPS,
		       "15:44: rule.group: no group named 'nosuch' in proxy.groups");
	expect_refused("  groups: []\n", "12:3: proxy: role proxy needs proxy.listeners");
}

Test(proxy_config, rejects_bad_values_at_their_position)
{
	expect_refused(HTTP_LISTENER(", http2: true") GROUPS,
		       "13:72: listener www: http2: means nothing to an http listener");
	expect_refused("  listeners:\n"
		       "    - {name: www, vip: web, rules: [{host: 'a b', group: app}]}\n" GROUPS,
		       "13:44: rule.host: expected a host name like www.example.com or "
		       "*.example.com, found 'a b'");
	expect_refused("  listeners:\n"
		       "    - {name: www, vip: web, rules: [{path: /x}]}\n" GROUPS,
		       "13:37: rule: missing required key 'group'");
	expect_refused(
	    HTTP_LISTENER("") "  groups:\n    - name: app\n      servers:\n"
			      "        - {address: 198.51.100.31, port: 80, weight: 257}\n",
	    "17:54: server.weight: 257 is out of range 1..256");
	expect_refused(HTTP_LISTENER("") "  groups:\n    - name: app\n      servers:\n"
					 "        - {name: a, address: 198.51.100.31, port: 80}\n"
					 "        - {name: a, address: 198.51.100.32, port: 80}\n",
		       "18:11: group app: server name 'a' used twice (first at line 17)");
	expect_refused(HTTP_LISTENER("") "  groups:\n    - name: app\n"
					 "      check: {type: udp}\n"
					 "      servers: [{address: 198.51.100.31, port: 80}]\n",
		       "16:21: group.check.type: udp: the proxy's checks are http or tcp");
	expect_refused(HTTP_LISTENER("") "  groups:\n    - name: app\n"
					 "      check: {jitter: 10ms}\n"
					 "      servers: [{address: 198.51.100.31, port: 80}]\n",
		       "16:23: group.check.jitter: HAProxy's checks have no such setting");
}

Test(proxy_config, https_needs_certificates_only_root_reads)
{
	char body[1024], pem[64];
	FILE *f;

	expect_refused(
	    "  listeners:\n    - {name: s, vip: tls, protocol: https, default_group: app}\n" GROUPS,
	    "13:7: listener s: missing required key 'certificates' (protocol https "
	    "terminates TLS)");
	snprintf(pem, sizeof(pem), "%s/site.pem", pdir);
	f = fopen(pem, "w");
	cr_assert_not_null(f);
	fputs("-----BEGIN PRIVATE KEY-----\nnot really a key, but long enough to be one\n", f);
	fclose(f);
	chmod(pem, 0644);
	snprintf(body, sizeof(body),
		 "  listeners:\n    - {name: s, vip: tls, protocol: https, default_group: app, "
		 "certificates: [%s]}\n" GROUPS,
		 pem);
	cr_assert_eq(load_proxy(body), -EINVAL);
	cr_assert(strstr(perr, "p.yaml:13:79: listener.certificates ") &&
		      strstr(perr, "mode 0644 lets group or others at the key: chmod 600 it"),
		  "%s", perr);
	chmod(pem, 0600);
	cr_assert_eq(load_proxy(body), 0, "%s", perr);
}

Test(proxy_config, a_replaced_certificate_changes_the_structure)
{
	char body[1024], pem[64], tmp[72], *before, *after;
	FILE *f;

	snprintf(pem, sizeof(pem), "%s/site.pem", pdir);
	snprintf(tmp, sizeof(tmp), "%s/new.pem", pdir);
	for (int i = 0; i < 2; i++) {
		f = fopen(i ? tmp : pem, "w");
		cr_assert_not_null(f);
		fprintf(f, "-----BEGIN PRIVATE KEY-----\nkey number %d, long enough to be a key\n",
			i);
		fclose(f);
		chmod(i ? tmp : pem, 0600);
	}
	snprintf(body, sizeof(body),
		 "  listeners:\n    - {name: s, vip: tls, protocol: https, default_group: app, "
		 "certificates: [%s]}\n" GROUPS,
		 pem);
	cr_assert_eq(load_proxy(body), 0, "%s", perr);
	before = haproxy_cfg_render(&pcfg, HAPROXY_CFG_STRUCTURE);
	cr_assert_eq(rename(tmp, pem), 0);
	after = haproxy_cfg_render(&pcfg, HAPROXY_CFG_STRUCTURE);
	cr_assert_str_neq(before, after, "a rotated certificate must reload HAProxy");
	free(before);
	free(after);
}

/* --- the HAProxy config --------------------------------------------------------------- */

#define RUNTIME_BASE                                                                               \
	"  listeners:\n"                                                                           \
	"    - name: www\n"                                                                        \
	"      vip: web\n"                                                                         \
	"      rules:\n"                                                                           \
	"        - {host: '*.Example.com', path: /v1/, group: app}\n"                              \
	"%s"                                                                                       \
	"      default_group: app\n"                                                               \
	"  drain: %s\n"                                                                            \
	"  groups:\n"                                                                              \
	"    - name: app\n"                                                                        \
	"      cookie: SRV\n"                                                                      \
	"      check: {path: /health, interval: 500ms, timeout: 200ms, rise: 3, fall: 2}\n"        \
	"      servers:\n"                                                                         \
	"        - {name: a, address: 198.51.100.31, port: 8080, weight: %d, state: %s}\n"         \
	"        - {name: b, address: 198.51.100.32, port: 8080}\n"

static char *render(const char *rule, const char *drain, int weight, const char *state,
		    unsigned int flags)
{
	char body[2048];
	char *text;

	snprintf(body, sizeof(body), RUNTIME_BASE, rule, drain, weight, state);
	cr_assert_eq(load_proxy(body), 0, "%s", perr);
	text = haproxy_cfg_render(&pcfg, flags);
	cr_assert_not_null(text);
	return text;
}

Test(proxy_config, runtime_changes_leave_the_structure_alone)
{
	char *base = render("", "false", 100, "ready", HAPROXY_CFG_STRUCTURE);
	char *drained = render("", "true", 7, "drain", HAPROXY_CFG_STRUCTURE);
	char *maint = render("", "false", 100, "maint", HAPROXY_CFG_STRUCTURE);
	char *rule = render("        - {path: /new/, group: app}\n", "false", 100, "ready",
			    HAPROXY_CFG_STRUCTURE);

	cr_assert_str_eq(drained, base, "weight, drain and node drain need no reload");
	cr_assert_str_eq(maint, base);
	cr_assert_str_neq(rule, base, "a new rule needs a reload");
	free(base);
	free(drained);
	free(maint);
	free(rule);
}

Test(proxy_config, full_config_holds_rules_checks_and_states)
{
	char *ready = render("", "false", 30, "ready", HAPROXY_CFG_READY);
	char *drain = render("", "true", 30, "drain", HAPROXY_CFG_READY);
	char *maint = render("", "false", 30, "maint", 0);

	cr_assert(strstr(ready, "use_backend g_app if { req.hdr(host),field(1,:),lower -m end "
				".example.com } { path -m beg /v1/ }\n"),
		  "%s", ready);
	cr_assert(strstr(ready, "    default_backend g_app\n"));
	cr_assert(strstr(ready, "    cookie SRV insert indirect nocache\n"));
	cr_assert(strstr(ready, "http-check send meth GET uri /health ver HTTP/1.0\n"), "%s",
		  ready);
	cr_assert(strstr(ready, "default-server check inter 500ms rise 3 fall 2\n"));
	cr_assert(strstr(ready, "    server a 198.51.100.31:8080 cookie a weight 30\n"), "%s",
		  ready);
	cr_assert(strstr(ready, "    option forwardfor\n"));
	cr_assert(strstr(ready, "    server ready 127.0.0.1:9\n"), "ready: the gate is up");
	cr_assert(strstr(drain, "    server a 198.51.100.31:8080 cookie a weight 0\n"),
		  "a drained server has weight 0");
	cr_assert(strstr(drain, "    server ready 127.0.0.1:9 disabled\n"), "draining: gate down");
	cr_assert(strstr(maint, "cookie a weight 30 disabled\n"), "%s", maint);
	cr_assert(strstr(maint, "    server ready 127.0.0.1:9 disabled\n"), "not ready: gate down");
	free(ready);
	free(drain);
	free(maint);
}

Test(proxy_config, haproxy_errors_point_at_the_yaml)
{
	char out[256];
	const char *text = "global\n# at lb.yaml:12:5: listener www\nfrontend l_www\n    bind x\n"
			   "# at lb.yaml:20:5: group app\nbackend g_app\n";

	haproxy_cfg_explain(text,
			    "[ALERT]    (1) : config : parsing [/run/x/haproxy.cfg:4] : 'bind x' : "
			    "no such address",
			    out, sizeof(out));
	cr_assert_str_eq(out, "lb.yaml:12:5: listener www: haproxy -c: 'bind x' : no such address");
	haproxy_cfg_explain(text, "[ALERT] (1) : config : [/tmp/h:6] : bad thing", out,
			    sizeof(out));
	cr_assert_str_eq(out, "lb.yaml:20:5: group app: haproxy -c: bad thing");
	haproxy_cfg_explain(text, "something without a line", out, sizeof(out));
	cr_assert_str_eq(out, "proxy: haproxy -c: something without a line");
}

Test(proxy_config, haproxy_accepts_the_example)
{
	bool checked;

	if (access("/usr/sbin/haproxy", X_OK))
		XLB_SKIP("haproxy is not installed (scripts/deps.sh installs it)");
	cr_assert_eq(cfg_load("configs/proxy-node.yaml", &pcfg, perr, sizeof(perr)), 0, "%s", perr);
	cr_assert_eq(proxy_check_config(&pcfg, &checked, perr, sizeof(perr)), 0, "%s", perr);
	cr_assert(checked);
}

Test(proxy_config, proxy_protocol_goes_on_servers_and_their_checks)
{
	char *text;

	cr_assert_eq(
	    load_proxy(HTTP_LISTENER("") "  groups:\n    - name: app\n"
					 "      proxy_protocol: true\n"
					 "      check: {type: tcp}\n"
					 "      servers: [{address: 198.51.100.31, port: 80}]\n"),
	    0, "%s", perr);
	text = haproxy_cfg_render(&pcfg, 0);
	cr_assert_not_null(text);
	cr_assert(strstr(text,
			 "    server s1 198.51.100.31:80 send-proxy-v2 check-send-proxy weight "
			 "100\n"),
		  "%s", text);
	free(text);
}

Test(proxy_config, haproxy_exporter_on_loopback_unless_told)
{
	char *text;

	cr_assert_eq(load_proxy(HTTP_LISTENER("") GROUPS), 0, "%s", perr);
	text = haproxy_cfg_render(&pcfg, 0);
	cr_assert(strstr(text, "frontend xlb_metrics\n    bind 127.0.0.1:8405\n    http-request "
			       "use-service prometheus-exporter if { path /metrics }\n"),
		  "%s", text);
	free(text);
	cr_assert_eq(load_proxy("  metrics: {listen: off}\n" HTTP_LISTENER("") GROUPS), 0, "%s",
		     perr);
	text = haproxy_cfg_render(&pcfg, 0);
	cr_assert_null(strstr(text, "xlb_metrics"), "metrics off: no exporter");
	free(text);
}
