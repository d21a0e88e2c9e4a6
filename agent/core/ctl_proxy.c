// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The listener verbs of a proxy node (docs/CONTROL.md): its listeners and server groups from
 * the model, with what HAProxy says of them now (`show stat`: state, sessions, requests,
 * responses by class, server states and checks), and a server's drain per group through the
 * runtime API.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "control/control.h"
#include "core/agent.h"
#include "core/ctl_proxy.h"
#include "proxy/haproxy_cfg.h"
#include "proxy/haproxy_stat.h"
#include "proxy/proxy.h"

static const char *const ctl_classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "other"};

/* HAProxy's row of proxy prefix+name, server sv; NULL when HAProxy has none (not running). */
static const struct haproxy_stat_row *ctl_stat_find(const struct haproxy_stat_row *rows, size_t n,
						    const char *prefix, const char *name,
						    const char *sv)
{
	size_t plen = strlen(prefix), i;

	for (i = 0; i < n; i++)
		if (!strncmp(rows[i].px, prefix, plen) && !strcmp(rows[i].px + plen, name) &&
		    !strcmp(rows[i].sv, sv))
			return &rows[i];
	return NULL;
}

static json_t *ctl_responses(const struct haproxy_stat_row *r)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < sizeof(ctl_classes) / sizeof(ctl_classes[0]); i++)
		json_object_set_new(o, ctl_classes[i],
				    json_integer(r ? (json_int_t)r->hrsp[i] : 0));
	return o;
}

static json_t *ctl_listener_groups(const struct cfg_proxy_listener *l)
{
	json_t *list = json_array();
	size_t i, j;

	for (i = 0; i <= l->n_rules; i++) {
		const char *g = i < l->n_rules ? l->rules[i].group : l->default_group;
		bool seen = !g[0];

		for (j = 0; j < json_array_size(list) && !seen; j++)
			seen = !strcmp(json_string_value(json_array_get(list, j)), g);
		if (!seen)
			json_array_append_new(list, json_string(g));
	}
	return list;
}

static json_t *ctl_listener_item(const struct cfg_proxy_listener *l,
				 const struct haproxy_stat_row *rows, size_t n)
{
	const struct haproxy_stat_row *r =
	    ctl_stat_find(rows, n, HAPROXY_FE_PREFIX, l->name, "FRONTEND");
	char addr[CFG_ADDR_STRLEN];

	return json_pack(
	    "{s:s, s:s, s:s, s:i, s:s, s:s, s:I, s:I, s:o, s:o}", "name", l->name, "vip", l->vip,
	    "address", cfg_format_addr(&l->addr, addr, sizeof(addr)), "port", l->port, "protocol",
	    l->protocol == CFG_L7_HTTPS ? "https" : "http", "state", r ? r->status : "unknown",
	    "sessions", (json_int_t)(r ? r->scur : 0), "requests", (json_int_t)(r ? r->req_tot : 0),
	    "responses", ctl_responses(r), "groups", ctl_listener_groups(l));
}

static json_t *ctl_group_item(const struct proxy *p, const struct cfg_proxy_group *g,
			      const struct haproxy_stat_row *rows, size_t n)
{
	const struct haproxy_stat_row *r;
	const struct cfg_proxy_server *s;
	char addr[CFG_ADDR_STRLEN + 16];
	json_t *servers = json_array();
	size_t i;

	for (i = 0; i < g->n_servers; i++) {
		s = &g->servers[i];
		r = ctl_stat_find(rows, n, HAPROXY_BE_PREFIX, g->name, s->name);
		cfg_format_addr(&s->addr, addr, sizeof(addr));
		snprintf(addr + strlen(addr), sizeof(addr) - strlen(addr), ":%u", s->port);
		json_array_append_new(
		    servers,
		    json_pack(
			"{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:b, s:o}", "name", s->name,
			"address", addr, "state", r ? haproxy_stat_state(r) : "unknown", "status",
			r ? r->status : "", "weight", (json_int_t)(r ? r->weight : 0), "check",
			r ? r->check : "", "sessions", (json_int_t)(r ? r->scur : 0),
			"sessions_total", (json_int_t)(r ? r->stot : 0), "lbctl_drain",
			proxy_server_drained(p, g->name, s->name), "responses", ctl_responses(r)));
	}
	return json_pack("{s:s, s:o}", "name", g->name, "servers", servers);
}

/* HAProxy's rows; none (and a warning) while it does not answer: the model still shows. */
static void ctl_proxy_stat(struct agent *a, struct haproxy_stat_row **rows, size_t *n)
{
	int err = proxy_show_stat(a->proxy, rows, n);

	if (err && err != -EAGAIN)
		log_warnx("agent: HAProxy's show stat: %s", strerror(-err));
}

static int ctl_need_proxy(struct agent *a, char *err, size_t errlen)
{
	if (a->proxy)
		return 0;
	snprintf(err, errlen, "this node is not a proxy (role %s)", cfg_role_name(a->role));
	return -EOPNOTSUPP;
}

int ctl_listener_list(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;
	const struct cfg_proxy *cp = &a->cfg.proxy;
	struct haproxy_stat_row *rows = NULL;
	json_t *listeners, *groups;
	size_t n = 0, i;
	int ret = ctl_need_proxy(a, err, errlen);

	if (ret)
		return ret;
	ctl_proxy_stat(a, &rows, &n);
	listeners = json_array();
	groups = json_array();
	for (i = 0; i < cp->n_listeners; i++)
		json_array_append_new(listeners, ctl_listener_item(&cp->listeners[i], rows, n));
	for (i = 0; i < cp->n_groups; i++)
		json_array_append_new(groups, ctl_group_item(a->proxy, &cp->groups[i], rows, n));
	free(rows);
	*result = json_pack("{s:o, s:o}", "listeners", listeners, "groups", groups);
	return *result ? 0 : -ENOMEM;
}

int ctl_listener_show(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	struct agent *a = ctx;
	const struct cfg_proxy *cp = &a->cfg.proxy;
	const struct cfg_proxy_listener *l = NULL;
	struct haproxy_stat_row *rows = NULL;
	json_t *item, *names, *groups;
	const char *name;
	size_t n = 0, i, j;
	int ret = ctl_need_proxy(a, err, errlen);

	if (!ret)
		ret = control_arg_string(args, "listener", true, &name, err, errlen);
	if (ret)
		return ret;
	for (i = 0; i < cp->n_listeners && !l; i++)
		if (!strcmp(cp->listeners[i].name, name))
			l = &cp->listeners[i];
	if (!l) {
		snprintf(err, errlen, "no listener %s", log_cut(name));
		return -ENOENT;
	}
	ctl_proxy_stat(a, &rows, &n);
	item = ctl_listener_item(l, rows, n);
	names = json_object_get(item, "groups");
	groups = json_array();
	for (i = 0; i < json_array_size(names); i++)
		for (j = 0; j < cp->n_groups; j++)
			if (!strcmp(cp->groups[j].name,
				    json_string_value(json_array_get(names, i))))
				json_array_append_new(
				    groups, ctl_group_item(a->proxy, &cp->groups[j], rows, n));
	free(rows);
	*result = json_pack("{s:o, s:o}", "listener", item, "groups", groups);
	return *result ? 0 : -ENOMEM;
}

/* Drains (or undrains) a server in one group (args.group) or in every group that has it. */
static int ctl_listener_drain_set(struct agent *a, json_t *args, json_t **result, bool drain,
				  char *err, size_t errlen)
{
	const char *server, *group = NULL, *state;
	json_t *groups;
	size_t i;
	int ret = ctl_need_proxy(a, err, errlen);

	if (!ret)
		ret = control_arg_string(args, "server", true, &server, err, errlen);
	if (!ret)
		ret = control_arg_string(args, "group", false, &group, err, errlen);
	if (ret)
		return ret;
	ret = proxy_set_drain(a->proxy, &a->cfg, group, server, drain);
	if (ret == -ENOENT) {
		snprintf(err, errlen, "no server %s%s%s", log_cut(server),
			 group ? " in group " : "", group ? log_cut(group) : "");
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "server %s: HAProxy's runtime API: %s", log_cut(server),
			 strerror(-ret));
		return ret;
	}
	groups = json_array();
	for (i = 0; i < a->cfg.proxy.n_groups; i++) {
		const char *g = a->cfg.proxy.groups[i].name;

		state = proxy_server_state(a->proxy, g, server);
		if (state && (!group || !strcmp(group, g)))
			json_array_append_new(groups,
					      json_pack("{s:s, s:s}", "group", g, "state", state));
	}
	log_info("agent: server %s %s%s%s", server, drain ? "drained" : "undrained",
		 group ? " in group " : "", group ? group : "");
	*result = json_pack("{s:s, s:o}", "server", server, "groups", groups);
	return *result ? 0 : -ENOMEM;
}

int ctl_listener_drain(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	return ctl_listener_drain_set(ctx, args, result, true, err, errlen);
}

int ctl_listener_undrain(void *ctx, json_t *args, json_t **result, char *err, size_t errlen)
{
	return ctl_listener_drain_set(ctx, args, result, false, err, errlen);
}
