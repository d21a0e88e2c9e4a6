// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Addresses and VIP labels of the config model: parse, format, compare, find. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

int cfg_parse_addr(const char *text, struct xaddr *out)
{
	struct xaddr a = {};

	if (inet_pton(AF_INET, text, &a.addr[0]) == 1)
		a.family = LB_AF_INET;
	else if (inet_pton(AF_INET6, text, a.addr) == 1)
		a.family = LB_AF_INET6;
	else
		return -EINVAL;
	*out = a;
	return 0;
}

const char *cfg_format_addr(const struct xaddr *a, char *buf, size_t len)
{
	int af = a->family == LB_AF_INET ? AF_INET : a->family == LB_AF_INET6 ? AF_INET6 : 0;

	if (!len)
		return buf;
	if (!af || !inet_ntop(af, a->addr, buf, len))
		snprintf(buf, len, "%s", af ? "?" : "(none)");
	return buf;
}

bool cfg_addr_equal(const struct xaddr *a, const struct xaddr *b)
{
	size_t words = a->family == LB_AF_INET ? 1 : 4;

	return a->family == b->family && !memcmp(a->addr, b->addr, words * sizeof(a->addr[0]));
}

const char *cfg_proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "?";
}

const char *cfg_encap_name(uint8_t encap)
{
	return encap == LB_ENCAP_IPIP ? "ipip" : encap == LB_ENCAP_GUE ? "gue" : "?";
}

const char *cfg_role_name(enum cfg_role role)
{
	if (role == CFG_ROLE_PROXY)
		return "proxy";
	return role == CFG_ROLE_BACKEND ? "backend" : "balancer";
}

void cfg_vip_addr_label(const struct cfg_vip *vip, char *buf, size_t len)
{
	char addr[CFG_ADDR_STRLEN], port[8];
	bool v6 = vip->addr.family == LB_AF_INET6;

	cfg_format_addr(&vip->addr, addr, sizeof(addr));
	if (vip->port)
		snprintf(port, sizeof(port), "%u", vip->port);
	else
		snprintf(port, sizeof(port), "*");
	snprintf(buf, len, "%s%s%s:%s/%s", v6 ? "[" : "", addr, v6 ? "]" : "", port,
		 cfg_proto_name(vip->proto));
}

void cfg_vip_label(const struct cfg_vip *vip, char *buf, size_t len)
{
	if (vip->name[0])
		snprintf(buf, len, "%s", vip->name);
	else
		cfg_vip_addr_label(vip, buf, len);
}

/* "addr:port/proto" -> its parts; IPv6 in brackets, port "*" = any (0). */
static int cfg_parse_vip_label(const char *text, struct xaddr *addr, uint16_t *port, uint8_t *proto)
{
	char buf[CFG_LABEL_MAX], *slash, *colon, *host, *end;
	unsigned long p;

	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return -EINVAL;
	slash = strrchr(buf, '/');
	colon = strrchr(buf, ':');
	if (!slash || !colon || colon > slash)
		return -EINVAL;
	*slash = *colon = '\0';
	if (!strcmp(slash + 1, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(slash + 1, "udp"))
		*proto = IPPROTO_UDP;
	else
		return -EINVAL;
	if (!strcmp(colon + 1, "*")) {
		*port = 0;
	} else {
		errno = 0;
		p = strtoul(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || !p || p > 65535 || colon[1] == '-')
			return -EINVAL;
		*port = p;
	}
	host = buf;
	if (*host == '[') {
		end = host + strlen(host) - 1;
		if (end <= host || *end != ']')
			return -EINVAL;
		*end = '\0';
		host++;
		if (cfg_parse_addr(host, addr) || addr->family != LB_AF_INET6)
			return -EINVAL;
		return 0;
	}
	if (cfg_parse_addr(host, addr) || addr->family != LB_AF_INET)
		return -EINVAL;
	return 0;
}

const struct cfg_vip *cfg_find_vip(const struct lb_config *cfg, const char *name)
{
	struct xaddr addr;
	uint16_t port;
	uint8_t proto;
	size_t i;

	for (i = 0; i < cfg->n_vips; i++)
		if (cfg->vips[i].name[0] && !strcmp(cfg->vips[i].name, name))
			return &cfg->vips[i];
	if (cfg_parse_vip_label(name, &addr, &port, &proto))
		return NULL;
	for (i = 0; i < cfg->n_vips; i++)
		if (cfg_addr_equal(&cfg->vips[i].addr, &addr) && cfg->vips[i].port == port &&
		    cfg->vips[i].proto == proto)
			return &cfg->vips[i];
	return NULL;
}

const struct cfg_health *cfg_backend_health(const struct cfg_vip *vip, const struct cfg_backend *b)
{
	return b->health ? b->health : &vip->health;
}
