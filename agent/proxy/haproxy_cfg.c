// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The proxy: section as HAProxy's configuration: one frontend per listener (its rules as
 * use_backend lines), one backend per server group, and the health endpoint the balancers
 * check. Every value was validated by config_proxy.c, so the text needs no quoting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config_proxy.h"
#include "proxy/haproxy_cfg.h"
#include "proxy/proxy_log.h"

/* "ipv6@" keeps HAProxy from reading the address's last group as the port. */
static void haproxy_put_addr(FILE *f, const struct xaddr *a, uint16_t port)
{
	char buf[CFG_ADDR_STRLEN];

	cfg_format_addr(a, buf, sizeof(buf));
	fprintf(f, "%s%s:%u", a->family == LB_AF_INET6 ? "ipv6@" : "", buf, port);
}

static void haproxy_put_global(FILE *f, const struct lb_config *cfg)
{
	const struct cfg_proxy *p = &cfg->proxy;

	fprintf(f,
		"# Written by lbagent from %s (proxy: section); edits here are overwritten.\n"
		"global\n"
		"    stats socket %s/" HAPROXY_STATS_SOCK " mode 600 level admin\n"
		/* An old worker finishes its in-flight requests after a reload, for so long. */
		"    hard-stop-after 5m\n"
		"\n"
		"defaults\n"
		"    mode http\n"
		/* A request sent to a server that just died goes to another one. */
		"    option redispatch\n"
		"    retries 3\n"
		"    timeout connect %ums\n"
		"    timeout client %ums\n"
		"    timeout server %ums\n"
		"    timeout http-request %ums\n"
		"    timeout tunnel 1h\n"
		"\n",
		cfg->path, p->run_dir, CFG_PROXY_DEFAULT_CONNECT_MS, CFG_PROXY_DEFAULT_CLIENT_MS,
		CFG_PROXY_DEFAULT_SERVER_MS, CFG_PROXY_DEFAULT_REQUEST_MS);
}

/* The balancers' check: 200 while the gate's one server is up, 503 otherwise. */
static void haproxy_put_health(FILE *f, const struct cfg_proxy *p, unsigned int flags)
{
	bool up = (flags & HAPROXY_CFG_READY) && !p->drain;

	fprintf(f,
		"frontend xlb_health\n"
		"    bind :::%u v4v6\n"
		"    monitor-uri %s\n"
		"    monitor fail if { nbsrv(xlb_gate) lt 1 }\n"
		"\n"
		"backend xlb_gate\n"
		"    server ready 127.0.0.1:9%s\n"
		"\n",
		p->health_port, p->health_path,
		(flags & HAPROXY_CFG_STRUCTURE) ? ""
		: up				? ""
						: " disabled");
}

/* HAProxy's own exporter: per frontend, backend and server, HAProxy's metric names. */
static void haproxy_put_metrics(FILE *f, const struct cfg_metrics *m)
{
	if (!m->enabled)
		return;
	fputs("frontend xlb_metrics\n    bind ", f);
	haproxy_put_addr(f, &m->addr, m->port);
	fputs("\n    http-request use-service prometheus-exporter if { path /metrics }\n"
	      "    http-request return status 404\n\n",
	      f);
}

static void haproxy_put_rule(FILE *f, const struct cfg_proxy_rule *r)
{
	fprintf(f, "    use_backend " HAPROXY_BE_PREFIX "%s if", r->group);
	if (!strncmp(r->host, "*.", 2))
		fprintf(f, " { req.hdr(host),field(1,:),lower -m end %s }", r->host + 1);
	else if (r->host[0])
		fprintf(f, " { req.hdr(host),field(1,:),lower -m str %s }", r->host);
	if (r->path[0])
		fprintf(f, " { path -m beg %s }", r->path);
	fputc('\n', f);
}

static void haproxy_put_origin(FILE *f, const struct lb_config *cfg, unsigned int flags,
			       const char *what, const char *name, int line, int column)
{
	if (flags & HAPROXY_CFG_ORIGINS)
		fprintf(f, "# at %s:%d:%d: %s %s\n", cfg->path, line, column, what, name);
}

/*
 * A certificate file replaced under the same name must reload HAProxy too: the structure
 * names each file's identity (inode, size, change time), which the real config leaves out.
 */
static void haproxy_put_cert_ids(FILE *f, const struct cfg_proxy_listener *l)
{
	struct stat st;
	size_t i;

	for (i = 0; i < l->n_certs; i++) {
		if (stat(l->certs[i], &st))
			memset(&st, 0, sizeof(st));
		fprintf(f, "    # crt %s %llu %lld %lld.%09ld\n", l->certs[i],
			(unsigned long long)st.st_ino, (long long)st.st_size,
			(long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	}
}

static void haproxy_put_listener(FILE *f, const struct cfg_proxy *p,
				 const struct cfg_proxy_listener *l, unsigned int flags)
{
	bool https = l->protocol == CFG_L7_HTTPS;
	size_t i;

	fprintf(f, "frontend " HAPROXY_FE_PREFIX "%s\n    bind ", l->name);
	haproxy_put_addr(f, &l->addr, l->port);
	if (https) {
		fputs(" ssl", f);
		for (i = 0; i < l->n_certs; i++)
			fprintf(f, " crt %s", l->certs[i]);
		fprintf(f, " ssl-min-ver TLSv1.2 alpn %s", l->http2 ? "h2,http/1.1" : "http/1.1");
	}
	fprintf(f, "\n    timeout client %ums\n    timeout http-request %ums\n", l->client_ms,
		l->request_ms);
	/* One line per request to the agent, which keeps latency histograms (proxy_log.c). */
	fprintf(f,
		"    log %s/" PROXY_LOG_SOCK " format raw local0 info\n"
		"    log-format \"%s\"\n",
		p->run_dir, PROXY_LOG_FORMAT);
	if (flags & HAPROXY_CFG_STRUCTURE)
		haproxy_put_cert_ids(f, l);
	if (l->forwarded_for)
		fprintf(f,
			"    option forwardfor\n"
			"    http-request set-header X-Forwarded-Proto %s\n",
			https ? "https" : "http");
	if (l->redirect_https == 443)
		fputs("    http-request redirect scheme https code 301\n", f);
	else if (l->redirect_https)
		fprintf(f,
			"    http-request redirect prefix https://%%[req.hdr(host),field(1,:)]:%u "
			"code 301\n",
			l->redirect_https);
	for (i = 0; i < l->n_rules; i++)
		haproxy_put_rule(f, &l->rules[i]);
	if (l->default_group[0])
		fprintf(f, "    default_backend " HAPROXY_BE_PREFIX "%s\n", l->default_group);
	fputc('\n', f);
}

static void haproxy_put_check(FILE *f, const struct cfg_health *hc)
{
	size_t i;

	if (hc->type == CFG_HC_HTTP) {
		/* HTTP/1.1 needs a Host: without one given, ask in HTTP/1.0. */
		fprintf(f, "    option httpchk\n    http-check send meth %s uri %s ver HTTP/1.%d",
			hc->method, hc->path, hc->host[0] ? 1 : 0);
		if (hc->host[0])
			fprintf(f, " hdr Host %s", hc->host);
		fputs("\n    http-check expect status ", f);
		for (i = 0; i < hc->n_status; i++) {
			fprintf(f, "%s%u", i ? "," : "", hc->status[i][0]);
			if (hc->status[i][1] != hc->status[i][0])
				fprintf(f, "-%u", hc->status[i][1]);
		}
		fputc('\n', f);
	}
	fprintf(f, "    timeout check %ums\n    default-server check inter %ums rise %u fall %u",
		hc->timeout_ms, hc->interval_ms, hc->rise, hc->fall);
	if (hc->port)
		fprintf(f, " port %u", hc->port);
	fputc('\n', f);
}

static void haproxy_put_group(FILE *f, const struct cfg_proxy_group *g, unsigned int flags)
{
	static const char *const balance[] = {"roundrobin", "leastconn", "source"};
	const struct cfg_proxy_server *s;
	size_t i;

	fprintf(f,
		"backend " HAPROXY_BE_PREFIX "%s\n"
		"    balance %s\n"
		"    timeout connect %ums\n"
		"    timeout server %ums\n",
		g->name, balance[g->balance], g->connect_ms, g->server_ms);
	if (g->cookie[0])
		fprintf(f, "    cookie %s insert indirect nocache\n", g->cookie);
	if (g->check)
		haproxy_put_check(f, g->check);
	for (i = 0; i < g->n_servers; i++) {
		s = &g->servers[i];
		fprintf(f, "    server %s ", s->name);
		haproxy_put_addr(f, &s->addr, s->port);
		if (g->cookie[0])
			fprintf(f, " cookie %s", s->name);
		/* The checks too: a server that expects the header refuses connections without. */
		if (g->proxy_protocol)
			fprintf(f, " send-proxy-v2%s", g->check ? " check-send-proxy" : "");
		/* Drained: weight 0 takes no new sessions, persistent ones still come. */
		if (!(flags & HAPROXY_CFG_STRUCTURE))
			fprintf(f, " weight %u%s", s->state == CFG_SRV_DRAIN ? 0 : s->weight,
				s->state == CFG_SRV_MAINT ? " disabled" : "");
		fputc('\n', f);
	}
	fputc('\n', f);
}

char *haproxy_cfg_render(const struct lb_config *cfg, unsigned int flags)
{
	const struct cfg_proxy *p = &cfg->proxy;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	haproxy_put_global(f, cfg);
	haproxy_put_health(f, p, flags);
	haproxy_put_metrics(f, &p->metrics);
	for (i = 0; i < p->n_listeners; i++) {
		haproxy_put_origin(f, cfg, flags, "listener", p->listeners[i].name,
				   p->listeners[i].line, p->listeners[i].column);
		haproxy_put_listener(f, p, &p->listeners[i], flags);
	}
	for (i = 0; i < p->n_groups; i++) {
		haproxy_put_origin(f, cfg, flags, "group", p->groups[i].name, p->groups[i].line,
				   p->groups[i].column);
		haproxy_put_group(f, &p->groups[i], flags);
	}
	if (fclose(f)) {
		free(text);
		errno = ENOMEM;
		return NULL;
	}
	return text;
}

void haproxy_cfg_explain(const char *text, const char *message, char *out, size_t len)
{
	const char *open = message, *close, *colon, *origin = NULL, *line = text, *msg = message;
	unsigned long n = 0, i;
	char *end;

	/* HAProxy names the line as "[/path/file:N]"; its message follows "] : ". */
	while (!n && (open = strchr(open, '['))) {
		close = strchr(++open, ']');
		colon = close ? memrchr(open, ':', close - open) : NULL;
		if (colon && colon[1] != ']') {
			n = strtoul(colon + 1, &end, 10);
			n = end == close ? n : 0;
		}
		if (n)
			msg = strncmp(close, "] : ", 4) ? close + 1 : close + 4;
	}
	for (i = 1; i < n && line; i++) {
		if (!strncmp(line, "# at ", 5))
			origin = line + 5;
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	if (origin)
		snprintf(out, len, "%.*s: haproxy -c: %s", (int)strcspn(origin, "\n"), origin, msg);
	else
		snprintf(out, len, "proxy: haproxy -c: %s", msg);
}
