// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* node.metrics: the listen address of the Prometheus endpoint, or off; which series. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "config/config.h"
#include "config/config_metrics.h"

void cfg_metrics_defaults(struct cfg_metrics *m)
{
	memset(m, 0, sizeof(*m));
	m->enabled = true;
	m->per_backend = true;
	m->port = CFG_METRICS_DEFAULT_PORT;
	cfg_parse_addr(CFG_METRICS_DEFAULT_ADDR, &m->addr);
}

int cfg_metrics_parse_listen(const char *text, struct cfg_metrics *m)
{
	char host[CFG_ADDR_STRLEN + 2];
	const char *colon, *start = text;
	unsigned long port;
	size_t len;
	char *end;

	if (text[0] == '[') {
		colon = strstr(text, "]:");
		if (!colon)
			return -EINVAL;
		start = text + 1;
		len = colon - start;
		colon++;
	} else {
		colon = strrchr(text, ':');
		/* A bare IPv6 address has more than one colon: it needs brackets. */
		if (!colon || memchr(text, ':', colon - text))
			return -EINVAL;
		len = colon - text;
	}
	if (!len || len >= sizeof(host))
		return -EINVAL;
	memcpy(host, start, len);
	host[len] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || !port || port > 65535)
		return -EINVAL;
	if (cfg_parse_addr(host, &m->addr))
		return -EINVAL;
	if ((m->addr.family == LB_AF_INET6) != (text[0] == '['))
		return -EINVAL;
	m->port = port;
	m->enabled = true;
	return 0;
}

int cfg_parse_metrics_listen(struct cfg_ctx *ctx, const char *what,
				    const struct cfg_ynode *val, void *obj)
{
	struct cfg_metrics *m = obj;
	int err = cfg_need_scalar(ctx, what, val, "addr:port, \"\" or off");

	if (err)
		return err;
	if (!val->text[0] || !strcmp(val->text, "off")) {
		m->enabled = false;
		return 0;
	}
	if (cfg_metrics_parse_listen(val->text, m))
		return cfg_error(ctx, val,
				 "%s: %s: expected addr:port ([addr]:port for IPv6), \"\" or off",
				 what, log_cut(val->text));
	return 0;
}

static int cfg_parse_metrics_per_backend(struct cfg_ctx *ctx, const char *what,
					 const struct cfg_ynode *val, void *obj)
{
	struct cfg_metrics *m = obj;

	return cfg_value_bool(ctx, what, val, &m->per_backend);
}

static const struct cfg_key cfg_metrics_keys[] = {
    CFG_FUNC("listen", cfg_parse_metrics_listen, false),
    CFG_FUNC("per_backend", cfg_parse_metrics_per_backend, false),
};
static const struct cfg_section cfg_metrics_section = CFG_SECTION("node.metrics", cfg_metrics_keys);

int cfg_parse_node_metrics(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   void *obj)
{
	struct cfg_node *node = obj;

	return cfg_parse_section(ctx, &cfg_metrics_section, val, &node->metrics);
}
