// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The proxy: section (role proxy): where HAProxy and its files live, the health endpoint
 * the balancers check, the listeners on the node's VIPs with their rules, and the server
 * groups. Names are checked across the file by cfg_proxy_check once everything is read.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "config/config.h"
#include "config/config_metrics.h"
#include "config/config_proxy.h"
#include "config/config_sync.h"

#define CFG_PROXY_TIMEOUT_MAX_MS (24U * 3600 * 1000)

static const struct cfg_enum cfg_server_state_names[] = {
    {"ready", CFG_SRV_READY},
    {"drain", CFG_SRV_DRAIN},
    {"maint", CFG_SRV_MAINT},
    {},
};

const char *cfg_server_state_name(uint8_t state)
{
	const struct cfg_enum *e;

	for (e = cfg_server_state_names; e->name; e++)
		if (e->value == state)
			return e->name;
	return "?";
}

/* A list of mappings into a fresh array of n elements of size, each read by one(). */
typedef int (*cfg_proxy_item_fn)(struct cfg_ctx *ctx, const struct cfg_ynode *map, void *item,
				 size_t index);

static int cfg_proxy_list(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  size_t size, void **array, size_t *n, cfg_proxy_item_fn one)
{
	char found[96];
	size_t i;
	int err;

	if (val->type != CFG_Y_SEQ) {
		cfg_yaml_describe(val, found, sizeof(found));
		return cfg_error(ctx, val, "%s: expected a list, found %s", what, found);
	}
	if (!val->n_kids)
		return 0;
	*array = calloc(val->n_kids, size);
	if (!*array)
		return -ENOMEM;
	*n = val->n_kids;
	for (i = 0; i < val->n_kids; i++) {
		err = one(ctx, val->kids[i], (char *)*array + i * size, i);
		if (err)
			return err;
	}
	return 0;
}

static int cfg_proxy_bool(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  bool *out)
{
	return cfg_value_bool(ctx, what, val, out);
}

/* --- servers and groups ----------------------------------------------------------------------- */

static const struct cfg_key cfg_server_keys[] = {
    CFG_IDENT("name", struct cfg_proxy_server, name, 1, false),
    CFG_ADDR("address", struct cfg_proxy_server, addr, true),
    CFG_UINT("port", struct cfg_proxy_server, port, 1, 65535, true),
    CFG_UINT("weight", struct cfg_proxy_server, weight, 1, CFG_PROXY_WEIGHT_MAX, false),
    CFG_ENUM("state", struct cfg_proxy_server, state, cfg_server_state_names),
};
static const struct cfg_section cfg_server_section = CFG_SECTION("server", cfg_server_keys);

static int cfg_proxy_server(struct cfg_ctx *ctx, const struct cfg_ynode *map, void *item,
			    size_t index)
{
	struct cfg_proxy_server *s = item;

	s->weight = CFG_PROXY_DEFAULT_WEIGHT;
	s->line = map->line;
	s->column = map->column;
	snprintf(s->name, sizeof(s->name), "s%zu", index + 1);
	return cfg_parse_section(ctx, &cfg_server_section, map, s);
}

static int cfg_group_servers(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			     void *obj)
{
	struct cfg_proxy_group *g = obj;

	return cfg_proxy_list(ctx, what, val, sizeof(*g->servers), (void **)&g->servers,
			      &g->n_servers, cfg_proxy_server);
}

static int cfg_group_check(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   void *obj)
{
	struct cfg_proxy_group *g = obj;

	g->check = calloc(1, sizeof(*g->check));
	if (!g->check)
		return -ENOMEM;
	return cfg_parse_group_check(ctx, what, val, g->check);
}

static int cfg_group_connect(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			     void *obj)
{
	return cfg_value_duration(ctx, what, val, 1, CFG_PROXY_TIMEOUT_MAX_MS,
				  &((struct cfg_proxy_group *)obj)->connect_ms);
}

static int cfg_group_server_timeout(struct cfg_ctx *ctx, const char *what,
				    const struct cfg_ynode *val, void *obj)
{
	return cfg_value_duration(ctx, what, val, 1, CFG_PROXY_TIMEOUT_MAX_MS,
				  &((struct cfg_proxy_group *)obj)->server_ms);
}

static const struct cfg_key cfg_group_timeout_keys[] = {
    CFG_FUNC("connect", cfg_group_connect, false),
    CFG_FUNC("server", cfg_group_server_timeout, false),
};
static const struct cfg_section cfg_group_timeout_section =
    CFG_SECTION("group.timeouts", cfg_group_timeout_keys);

static int cfg_group_timeouts(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			      void *obj)
{
	return cfg_parse_section(ctx, &cfg_group_timeout_section, val, obj);
}

static int cfg_group_proxy_protocol(struct cfg_ctx *ctx, const char *what,
				    const struct cfg_ynode *val, void *obj)
{
	return cfg_proxy_bool(ctx, what, val, &((struct cfg_proxy_group *)obj)->proxy_protocol);
}

static const struct cfg_enum cfg_balance_names[] = {
    {"roundrobin", CFG_BALANCE_ROUNDROBIN},
    {"leastconn", CFG_BALANCE_LEASTCONN},
    {"source", CFG_BALANCE_SOURCE},
    {},
};

static const struct cfg_key cfg_group_keys[] = {
    CFG_IDENT("name", struct cfg_proxy_group, name, 1, true),
    CFG_ENUM("balance", struct cfg_proxy_group, balance, cfg_balance_names),
    CFG_IDENT("cookie", struct cfg_proxy_group, cookie, 1, false),
    CFG_FUNC("check", cfg_group_check, false),
    CFG_FUNC("timeouts", cfg_group_timeouts, false),
    CFG_FUNC("proxy_protocol", cfg_group_proxy_protocol, false),
    CFG_FUNC("servers", cfg_group_servers, true),
};
static const struct cfg_section cfg_group_section = CFG_SECTION("group", cfg_group_keys);

static int cfg_proxy_group(struct cfg_ctx *ctx, const struct cfg_ynode *map, void *item,
			   size_t index)
{
	struct cfg_proxy_group *g = item;
	const struct cfg_proxy_server *a, *b;
	const struct cfg_ynode *list;
	size_t i, j;
	int err;

	g->connect_ms = CFG_PROXY_DEFAULT_CONNECT_MS;
	g->server_ms = CFG_PROXY_DEFAULT_SERVER_MS;
	g->line = map->line;
	g->column = map->column;
	err = cfg_parse_section(ctx, &cfg_group_section, map, g);
	if (err)
		return err;
	list = cfg_yaml_get(map, "servers");
	if (!g->n_servers)
		return cfg_error(ctx, list, "group %s: no servers", g->name);
	for (i = 0; i < g->n_servers; i++) {
		b = &g->servers[i];
		for (j = 0; j < i; j++) {
			a = &g->servers[j];
			if (!strcmp(a->name, b->name))
				return cfg_error(ctx, list->kids[i],
						 "group %s: server name '%s' used twice (first at "
						 "line %d)",
						 g->name, b->name, a->line);
			if (cfg_addr_equal(&a->addr, &b->addr) && a->port == b->port)
				return cfg_error(ctx, list->kids[i],
						 "group %s: server %s has the address and port of "
						 "server %s (line %d)",
						 g->name, b->name, a->name, a->line);
		}
	}
	return 0;
}

/* --- listeners and rules ---------------------------------------------------------------------- */

/* "example.com", "*.example.com": letters, digits, '-', '.', and a leading "*." at most. */
static int cfg_rule_host(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			 void *obj)
{
	static const char expected[] = "a host name like www.example.com or *.example.com";
	struct cfg_proxy_rule *r = obj;
	const char *c;
	int err;

	err = cfg_value_token(ctx, what, val, expected, r->host, sizeof(r->host));
	if (err)
		return err;
	c = !strncmp(r->host, "*.", 2) ? r->host + 2 : r->host;
	if (!*c)
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 val->text);
	for (; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.')
			return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
					 val->text);
	/* Host headers compare case-insensitively: one case in the config. */
	for (c = r->host; *c; c++)
		r->host[c - r->host] = tolower((unsigned char)*c);
	return 0;
}

static int cfg_rule_path(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			 void *obj)
{
	struct cfg_proxy_rule *r = obj;
	int err;

	err = cfg_value_token(ctx, what, val, "a path prefix starting with '/'", r->path,
			      sizeof(r->path));
	if (!err && r->path[0] != '/')
		return cfg_error(ctx, val,
				 "%s: expected a path prefix starting with '/', found '%s'", what,
				 val->text);
	return err;
}

static const struct cfg_key cfg_rule_keys[] = {
    CFG_FUNC("host", cfg_rule_host, false),
    CFG_FUNC("path", cfg_rule_path, false),
    CFG_IDENT("group", struct cfg_proxy_rule, group, 1, true),
};
static const struct cfg_section cfg_rule_section = CFG_SECTION("rule", cfg_rule_keys);

static int cfg_proxy_rule(struct cfg_ctx *ctx, const struct cfg_ynode *map, void *item,
			  size_t index)
{
	struct cfg_proxy_rule *r = item;
	int err;

	r->line = map->line;
	r->column = map->column;
	err = cfg_parse_section(ctx, &cfg_rule_section, map, r);
	if (!err && !r->host[0] && !r->path[0])
		return cfg_error(ctx, map,
				 "rule: needs a host or a path (the listener's default_group takes "
				 "everything else)");
	return err;
}

static int cfg_listener_rules(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			      void *obj)
{
	struct cfg_proxy_listener *l = obj;

	return cfg_proxy_list(ctx, what, val, sizeof(*l->rules), (void **)&l->rules, &l->n_rules,
			      cfg_proxy_rule);
}

static int cfg_listener_certs(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			      void *obj)
{
	struct cfg_proxy_listener *l = obj;
	const struct cfg_ynode *c;
	char found[96];
	size_t i;

	if (val->type != CFG_Y_SEQ || !val->n_kids) {
		cfg_yaml_describe(val, found, sizeof(found));
		return cfg_error(ctx, val, "%s: expected a list of PEM files, found %s", what,
				 found);
	}
	if (val->n_kids > CFG_PROXY_CERTS_MAX)
		return cfg_error(ctx, val->kids[CFG_PROXY_CERTS_MAX], "%s: more than %d files",
				 what, CFG_PROXY_CERTS_MAX);
	for (i = 0; i < val->n_kids; i++) {
		c = val->kids[i];
		if (c->type != CFG_Y_SCALAR || c->null || c->text[0] != '/')
			return cfg_error(ctx, c, "%s: expected an absolute path", what);
		if (strlen(c->text) >= sizeof(l->certs[i]) || strpbrk(c->text, " \t\"'\\#"))
			return cfg_error(ctx, c,
					 "%s: '%s': too long, or holds a space, quote, '\\' or '#'",
					 what, c->text);
		strcpy(l->certs[i], c->text);
	}
	l->n_certs = val->n_kids;
	return 0;
}

static int cfg_listener_http2(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			      void *obj)
{
	return cfg_proxy_bool(ctx, what, val, &((struct cfg_proxy_listener *)obj)->http2);
}

static int cfg_listener_xff(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			    void *obj)
{
	return cfg_proxy_bool(ctx, what, val, &((struct cfg_proxy_listener *)obj)->forwarded_for);
}

static int cfg_listener_client(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			       void *obj)
{
	return cfg_value_duration(ctx, what, val, 1, CFG_PROXY_TIMEOUT_MAX_MS,
				  &((struct cfg_proxy_listener *)obj)->client_ms);
}

static int cfg_listener_request(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
				void *obj)
{
	return cfg_value_duration(ctx, what, val, 1, CFG_PROXY_TIMEOUT_MAX_MS,
				  &((struct cfg_proxy_listener *)obj)->request_ms);
}

static const struct cfg_key cfg_listener_timeout_keys[] = {
    CFG_FUNC("client", cfg_listener_client, false),
    CFG_FUNC("request", cfg_listener_request, false),
};
static const struct cfg_section cfg_listener_timeout_section =
    CFG_SECTION("listener.timeouts", cfg_listener_timeout_keys);

static int cfg_listener_timeouts(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
				 void *obj)
{
	return cfg_parse_section(ctx, &cfg_listener_timeout_section, val, obj);
}

static const struct cfg_enum cfg_l7_protocol_names[] = {
    {"http", CFG_L7_HTTP},
    {"https", CFG_L7_HTTPS},
    {},
};

static const struct cfg_key cfg_listener_keys[] = {
    CFG_IDENT("name", struct cfg_proxy_listener, name, 1, true),
    CFG_IDENT("vip", struct cfg_proxy_listener, vip, 1, true),
    CFG_ENUM("protocol", struct cfg_proxy_listener, protocol, cfg_l7_protocol_names),
    CFG_FUNC("certificates", cfg_listener_certs, false),
    CFG_FUNC("http2", cfg_listener_http2, false),
    CFG_UINT("redirect_https", struct cfg_proxy_listener, redirect_https, 1, 65535, false),
    CFG_FUNC("forwarded_for", cfg_listener_xff, false),
    CFG_FUNC("timeouts", cfg_listener_timeouts, false),
    CFG_IDENT("default_group", struct cfg_proxy_listener, default_group, 1, false),
    CFG_FUNC("rules", cfg_listener_rules, false),
};
static const struct cfg_section cfg_listener_section = CFG_SECTION("listener", cfg_listener_keys);

/* Keys that mean something to one protocol only. */
static int cfg_listener_keys_fit(struct cfg_ctx *ctx, const struct cfg_ynode *map,
				 const struct cfg_proxy_listener *l)
{
	static const char *const https_only[] = {"certificates", "http2"};
	const struct cfg_ynode *at;
	size_t i;

	for (i = 0; i < sizeof(https_only) / sizeof(https_only[0]); i++) {
		at = cfg_yaml_get(map, https_only[i]);
		if (at && l->protocol != CFG_L7_HTTPS)
			return cfg_error(ctx, at,
					 "listener %s: %s: means nothing to an http listener",
					 l->name, https_only[i]);
	}
	at = cfg_yaml_get(map, "redirect_https");
	if (at && l->protocol != CFG_L7_HTTP)
		return cfg_error(
		    ctx, at, "listener %s: redirect_https: the listener is https already", l->name);
	if (l->protocol == CFG_L7_HTTPS && !l->n_certs)
		return cfg_error(ctx, map,
				 "listener %s: missing required key 'certificates' (protocol https "
				 "terminates TLS)",
				 l->name);
	return 0;
}

static int cfg_proxy_listener(struct cfg_ctx *ctx, const struct cfg_ynode *map, void *item,
			      size_t index)
{
	struct cfg_proxy_listener *l = item;
	int err;

	l->http2 = true;
	l->forwarded_for = true;
	l->client_ms = CFG_PROXY_DEFAULT_CLIENT_MS;
	l->request_ms = CFG_PROXY_DEFAULT_REQUEST_MS;
	l->line = map->line;
	l->column = map->column;
	err = cfg_parse_section(ctx, &cfg_listener_section, map, l);
	if (!err && map->type == CFG_Y_MAP)
		err = cfg_listener_keys_fit(ctx, map, l);
	return err;
}

/* --- the section ------------------------------------------------------------------------------ */

static int cfg_proxy_listeners(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			       void *obj)
{
	struct cfg_proxy *p = obj;

	return cfg_proxy_list(ctx, what, val, sizeof(*p->listeners), (void **)&p->listeners,
			      &p->n_listeners, cfg_proxy_listener);
}

static int cfg_proxy_groups(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			    void *obj)
{
	struct cfg_proxy *p = obj;

	return cfg_proxy_list(ctx, what, val, sizeof(*p->groups), (void **)&p->groups, &p->n_groups,
			      cfg_proxy_group);
}

static int cfg_proxy_drain(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   void *obj)
{
	return cfg_proxy_bool(ctx, what, val, &((struct cfg_proxy *)obj)->drain);
}

static int cfg_health_path(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   void *obj)
{
	struct cfg_proxy *p = obj;
	int err;

	err = cfg_value_token(ctx, what, val, "a path starting with '/'", p->health_path,
			      sizeof(p->health_path));
	if (!err && p->health_path[0] != '/')
		return cfg_error(ctx, val, "%s: expected a path starting with '/', found '%s'",
				 what, val->text);
	return err;
}

static const struct cfg_key cfg_proxy_health_keys[] = {
    CFG_UINT("port", struct cfg_proxy, health_port, 1, 65535, false),
    CFG_FUNC("path", cfg_health_path, false),
};
static const struct cfg_section cfg_proxy_health_section =
    CFG_SECTION("proxy.health", cfg_proxy_health_keys);

static int cfg_proxy_health(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			    void *obj)
{
	return cfg_parse_section(ctx, &cfg_proxy_health_section, val, obj);
}

static const struct cfg_key cfg_proxy_metrics_keys[] = {
    CFG_FUNC("listen", cfg_parse_metrics_listen, false),
};
static const struct cfg_section cfg_proxy_metrics_section =
    CFG_SECTION("proxy.metrics", cfg_proxy_metrics_keys);

static int cfg_proxy_metrics(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			     void *obj)
{
	return cfg_parse_section(ctx, &cfg_proxy_metrics_section, val,
				 &((struct cfg_proxy *)obj)->metrics);
}

static const struct cfg_key cfg_proxy_keys[] = {
    CFG_STRING("haproxy", CFG_K_PATH, struct cfg_proxy, haproxy, false),
    CFG_STRING("run_dir", CFG_K_PATH, struct cfg_proxy, run_dir, false),
    CFG_FUNC("health", cfg_proxy_health, false),
    CFG_FUNC("drain", cfg_proxy_drain, false),
    CFG_FUNC("metrics", cfg_proxy_metrics, false),
    CFG_FUNC("listeners", cfg_proxy_listeners, false),
    CFG_FUNC("groups", cfg_proxy_groups, false),
};
static const struct cfg_section cfg_proxy_section = CFG_SECTION("proxy", cfg_proxy_keys);

void cfg_proxy_defaults(struct lb_config *cfg)
{
	struct cfg_proxy *p = &cfg->proxy;

	memset(p, 0, sizeof(*p));
	p->health_port = CFG_PROXY_DEFAULT_HEALTH_PORT;
	strcpy(p->health_path, CFG_PROXY_DEFAULT_HEALTH_PATH);
	strcpy(p->haproxy, CFG_PROXY_DEFAULT_HAPROXY);
	strcpy(p->run_dir, CFG_PROXY_DEFAULT_RUN_DIR);
	cfg_metrics_parse_listen(CFG_PROXY_DEFAULT_METRICS, &p->metrics);
}

int cfg_proxy_parse(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val, void *obj)
{
	struct lb_config *cfg = obj;

	cfg->proxy.present = true;
	return cfg_parse_section(ctx, &cfg_proxy_section, val, &cfg->proxy);
}

/* --- across the file -------------------------------------------------------------------------- */

static const struct cfg_proxy_group *cfg_proxy_find_group(const struct cfg_proxy *p,
							  const char *name)
{
	size_t i;

	for (i = 0; i < p->n_groups; i++)
		if (!strcmp(p->groups[i].name, name))
			return &p->groups[i];
	return NULL;
}

static int cfg_proxy_need_group(struct cfg_ctx *ctx, const struct cfg_ynode *at,
				const struct cfg_proxy *p, const char *what, const char *name)
{
	if (cfg_proxy_find_group(p, name))
		return 0;
	return cfg_error(ctx, at, "%s: no group named '%s' in proxy.groups", what, name);
}

/* The VIP a listener binds: a TCP one with a port, not taken by another listener. */
static int cfg_listener_vip(struct cfg_ctx *ctx, const struct cfg_ynode *map,
			    const struct lb_config *cfg, struct cfg_proxy_listener *l, size_t index)
{
	const struct cfg_ynode *at = cfg_yaml_get(map, "vip");
	const struct cfg_proxy *p = &cfg->proxy;
	const struct cfg_vip *vip = cfg_find_vip(cfg, l->vip);
	size_t j;

	if (!vip)
		return cfg_error(ctx, at, "listener %s: vip '%s' is not a name in vips", l->name,
				 l->vip);
	if (vip->proto != IPPROTO_TCP || !vip->port)
		return cfg_error(ctx, at, "listener %s: vip '%s' must be tcp with a port", l->name,
				 l->vip);
	if (vip->port == p->health_port)
		return cfg_error(ctx, at,
				 "listener %s: port %u is proxy.health.port, which the health "
				 "endpoint binds on every address",
				 l->name, vip->port);
	for (j = 0; j < index; j++) {
		if (!strcmp(p->listeners[j].name, l->name))
			return cfg_error(ctx, map,
					 "listener %s: name used twice (first at line %d)", l->name,
					 p->listeners[j].line);
		if (!strcmp(p->listeners[j].vip, l->vip))
			return cfg_error(ctx, at, "listener %s: vip '%s' is listener %s's already",
					 l->name, l->vip, p->listeners[j].name);
	}
	l->addr = vip->addr;
	l->port = vip->port;
	return 0;
}

static int cfg_listener_check(struct cfg_ctx *ctx, const struct cfg_ynode *map,
			      const struct lb_config *cfg, struct cfg_proxy_listener *l,
			      size_t index)
{
	const struct cfg_ynode *rules = cfg_yaml_get(map, "rules"), *certs;
	char why[CFG_ERR_MAX - 64];
	size_t i;
	int err;

	err = cfg_listener_vip(ctx, map, cfg, l, index);
	if (err)
		return err;
	if (l->default_group[0]) {
		err = cfg_proxy_need_group(ctx, cfg_yaml_get(map, "default_group"), &cfg->proxy,
					   "listener.default_group", l->default_group);
		if (err)
			return err;
	}
	if (!l->default_group[0] && !l->n_rules && !l->redirect_https)
		return cfg_error(ctx, map,
				 "listener %s: no rules and no default_group: it would answer "
				 "every request 503",
				 l->name);
	for (i = 0; i < l->n_rules; i++) {
		err = cfg_proxy_need_group(ctx, cfg_yaml_get(rules->kids[i], "group"), &cfg->proxy,
					   "rule.group", l->rules[i].group);
		if (err)
			return err;
	}
	certs = cfg_yaml_get(map, "certificates");
	for (i = 0; i < l->n_certs; i++) {
		/* The PEM holds the private key: the sync key's rules apply. */
		if (cfg_sync_check_key_file(l->certs[i], why, sizeof(why)))
			return cfg_error(ctx, certs->kids[i], "listener.certificates %s", why);
	}
	return 0;
}

int cfg_proxy_check(struct cfg_ctx *ctx, const struct cfg_ynode *root, struct lb_config *cfg)
{
	static const struct cfg_ynode file_start = {.line = 1, .column = 1};
	const struct cfg_ynode *sec = cfg_yaml_get(root, "proxy"), *list;
	struct cfg_proxy *p = &cfg->proxy;
	size_t i, j;
	int err;

	if (cfg->node.role != CFG_ROLE_PROXY) {
		if (sec)
			cfg_warn(ctx, sec, "proxy: ignored: node.role is %s, not proxy",
				 cfg_role_name(cfg->node.role));
		return 0;
	}
	if (!sec || !p->n_listeners)
		return cfg_error(ctx, sec ? sec : cfg_yaml_get(root, "node") ?: &file_start,
				 "proxy: role proxy needs proxy.listeners");
	list = cfg_yaml_get(sec, "groups");
	for (i = 0; i < p->n_groups; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(p->groups[i].name, p->groups[j].name))
				return cfg_error(ctx, list->kids[i],
						 "group %s: name used twice (first at line %d)",
						 p->groups[i].name, p->groups[j].line);
	list = cfg_yaml_get(sec, "listeners");
	for (i = 0; i < p->n_listeners; i++) {
		err = cfg_listener_check(ctx, list->kids[i], cfg, &p->listeners[i], i);
		if (err)
			return err;
	}
	return 0;
}

void cfg_proxy_free(struct cfg_proxy *p)
{
	size_t i;

	for (i = 0; i < p->n_listeners; i++)
		free(p->listeners[i].rules);
	for (i = 0; i < p->n_groups; i++) {
		free(p->groups[i].servers);
		free(p->groups[i].check);
	}
	free(p->listeners);
	free(p->groups);
	memset(p, 0, sizeof(*p));
}
