// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The config schema: YAML tree -> struct lb_config, every value and cross-reference checked. */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config/config.h"
#include "config/config_int.h"
#include "config/config_cluster.h"
#include "config/config_proxy.h"
#include "config/config_region.h"
#include "config/config_metrics.h"
#include "config/config_sync.h"
#include "config/config_yaml.h"
#include "common/log.h"

#define CFG_CT_SIZE_MIN	      1024
#define CFG_CT_SIZE_MAX	      (1U << 28)
#define CFG_MTU_MIN4	      576  /* every IPv4 host must take this (RFC 791) */
#define CFG_MTU_MIN6	      1280 /* IPv6 minimum link MTU (RFC 8200) */
#define CFG_TUN_VARY_BITS_MAX 16   /* lb_settings.tun_src*_bits */

/* --- node ------------------------------------------------------------------------------------- */

static int cfg_parse_node_addresses(struct cfg_ctx *ctx, const char *what,
				    const struct cfg_ynode *val, void *obj)
{
	struct cfg_node *node = obj;
	size_t i, j;
	char found[96];
	int err;

	if (val->type != CFG_Y_SEQ) {
		cfg_yaml_describe(val, found, sizeof(found));
		return cfg_error(ctx, val, "%s: expected a list of addresses, found %s", what,
				 found);
	}
	if (val->n_kids > CFG_NODE_ADDRS_MAX)
		return cfg_error(ctx, val->kids[CFG_NODE_ADDRS_MAX], "%s: more than %d addresses",
				 what, CFG_NODE_ADDRS_MAX);
	for (i = 0; i < val->n_kids; i++) {
		err = cfg_value_addr(ctx, "node address", val->kids[i], &node->addresses[i]);
		if (err)
			return err;
		for (j = 0; j < i; j++)
			if (cfg_addr_equal(&node->addresses[j], &node->addresses[i]))
				return cfg_error(ctx, val->kids[i],
						 "node address %s: listed twice (first at line %d)",
						 log_cut(val->kids[i]->text), val->kids[j]->line);
	}
	node->n_addresses = val->n_kids;
	return 0;
}

/* "addr" or "addr/N": N says how many low bits stay fixed; the rest vary per flow. */
static int cfg_parse_tunnel_source(struct cfg_ctx *ctx, const char *what,
				   const struct cfg_ynode *val, uint8_t family, struct xaddr *addr,
				   uint8_t *bits)
{
	unsigned int width = family == LB_AF_INET ? 32 : 128;
	char text[CFG_ADDR_STRLEN + 8], expected[64], *slash;
	uint64_t prefix = width;
	int err;

	snprintf(expected, sizeof(expected), "an %s address, optionally /%u..%u",
		 family == LB_AF_INET ? "IPv4" : "IPv6", width - CFG_TUN_VARY_BITS_MAX, width);
	err = cfg_need_scalar(ctx, what, val, expected);
	if (err)
		return err;
	if (snprintf(text, sizeof(text), "%s", val->text) >= (int)sizeof(text))
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 log_cut(val->text));
	slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (cfg_parse_addr(text, addr) || addr->family != family)
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 log_cut(val->text));
	if (slash && cfg_text_to_u64(slash + 1, &prefix))
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 log_cut(val->text));
	if (prefix > width || prefix < width - CFG_TUN_VARY_BITS_MAX)
		return cfg_error(
		    ctx, val, "%s: /%llu would vary %lld bits per flow; at most %d (/%u..%u)", what,
		    (unsigned long long)prefix, (long long)width - (long long)prefix,
		    CFG_TUN_VARY_BITS_MAX, width - CFG_TUN_VARY_BITS_MAX, width);
	*bits = width - prefix;
	return 0;
}

static int cfg_parse_tunnel_source4(struct cfg_ctx *ctx, const char *what,
				    const struct cfg_ynode *val, void *obj)
{
	struct cfg_node *node = obj;

	return cfg_parse_tunnel_source(ctx, what, val, LB_AF_INET, &node->tun_src4,
				       &node->tun_src4_bits);
}

static int cfg_parse_tunnel_source6(struct cfg_ctx *ctx, const char *what,
				    const struct cfg_ynode *val, void *obj)
{
	struct cfg_node *node = obj;

	return cfg_parse_tunnel_source(ctx, what, val, LB_AF_INET6, &node->tun_src6,
				       &node->tun_src6_bits);
}

static const struct cfg_key cfg_tunnel_keys[] = {
    CFG_FUNC("ipv4", cfg_parse_tunnel_source4, false),
    CFG_FUNC("ipv6", cfg_parse_tunnel_source6, false),
};
static const struct cfg_section cfg_tunnel_section =
    CFG_SECTION("node.tunnel_source", cfg_tunnel_keys);

static int cfg_parse_node_tunnel(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
				 void *obj)
{
	return cfg_parse_section(ctx, &cfg_tunnel_section, val, obj);
}

static int cfg_parse_node_mtu(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			      void *obj)
{
	struct cfg_node *node = obj;
	uint64_t v;
	int err;

	err = cfg_value_uint(ctx, what, val, 0, 65535, &v);
	if (err)
		return err;
	if (v && v < CFG_MTU_MIN4)
		return cfg_error(ctx, val,
				 "%s: %llu is below %d, the least any IPv4 link carries "
				 "(0 turns the check off)",
				 what, (unsigned long long)v, CFG_MTU_MIN4);
	node->mtu = v;
	return 0;
}

static int cfg_parse_node_gue_ports(struct cfg_ctx *ctx, const char *what,
				    const struct cfg_ynode *val, void *obj)
{
	static const char expected[] = "a port range like 40000-40999";
	struct cfg_node *node = obj;
	char text[32], *dash;
	uint64_t lo, hi;
	int err;

	err = cfg_need_scalar(ctx, what, val, expected);
	if (err)
		return err;
	snprintf(text, sizeof(text), "%s", val->text);
	dash = strchr(text, '-');
	if (dash)
		*dash = '\0';
	if (cfg_text_to_u64(text, &lo) || (dash && cfg_text_to_u64(dash + 1, &hi)))
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 log_cut(val->text));
	if (!dash)
		hi = lo;
	if (!lo || lo > 65535 || !hi || hi > 65535)
		return cfg_error(ctx, val, "%s: %s: ports must be 1..65535", what,
				 log_cut(val->text));
	if (lo > hi)
		return cfg_error(ctx, val, "%s: %s: the first port is above the last", what,
				 log_cut(val->text));
	node->gue_sport_min = lo;
	node->gue_sport_max = hi;
	return 0;
}

static const struct cfg_key cfg_control_keys[] = {
    CFG_STRING("socket", CFG_K_PATH, struct cfg_node, control_socket, false),
    CFG_IDENT("group", struct cfg_node, control_group, 0, false),
};
static const struct cfg_section cfg_control_section = CFG_SECTION("node.control", cfg_control_keys);

static int cfg_parse_node_control(struct cfg_ctx *ctx, const char *what,
				  const struct cfg_ynode *val, void *obj)
{
	return cfg_parse_section(ctx, &cfg_control_section, val, obj);
}

static const struct cfg_enum cfg_role_names[] = {
    {"balancer", CFG_ROLE_BALANCER},
    {"backend", CFG_ROLE_BACKEND},
    {"proxy", CFG_ROLE_PROXY},
    {},
};

static const struct cfg_enum cfg_xdp_mode_names[] = {
    {"auto", CFG_XDP_AUTO},
    {"native", CFG_XDP_NATIVE},
    {"generic", CFG_XDP_GENERIC},
    {},
};

static const struct cfg_key cfg_node_keys[] = {
    CFG_UINT("id", struct cfg_node, id, 1, UINT32_MAX, true),
    CFG_IDENT("zone", struct cfg_node, zone, 1, true),
    CFG_ENUM("role", struct cfg_node, role, cfg_role_names),
    CFG_STRING("interface", CFG_K_IFNAME, struct cfg_node, interface, false),
    CFG_ENUM("xdp_mode", struct cfg_node, xdp_mode, cfg_xdp_mode_names),
    CFG_FUNC("addresses", cfg_parse_node_addresses, false),
    CFG_FUNC("tunnel_source", cfg_parse_node_tunnel, false),
    CFG_FUNC("mtu", cfg_parse_node_mtu, false),
    CFG_FUNC("gue_source_ports", cfg_parse_node_gue_ports, false),
    CFG_UINT("outer_ttl", struct cfg_node, outer_ttl, 1, 255, false),
    CFG_UINT("hash_seed", struct cfg_node, hash_seed, 0, UINT32_MAX, false),
    CFG_UINT("conntrack_size", struct cfg_node, conntrack_size, CFG_CT_SIZE_MIN, CFG_CT_SIZE_MAX,
	     false),
    CFG_FUNC("control", cfg_parse_node_control, false),
    CFG_STRING("bpffs", CFG_K_PATH, struct cfg_node, bpffs_dir, false),
    CFG_FUNC("metrics", cfg_parse_node_metrics, false),
};
static const struct cfg_section cfg_node_section = CFG_SECTION("node", cfg_node_keys);
_Static_assert(sizeof(cfg_node_keys) / sizeof(cfg_node_keys[0]) <= CFG_SECTION_KEYS_MAX,
	       "the largest section must fit cfg_parse_section's table of seen keys");

static int cfg_parse_node(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  void *obj)
{
	struct lb_config *cfg = obj;

	return cfg_parse_section(ctx, &cfg_node_section, val, &cfg->node);
}

/* sync: has its own file (agent/config/config_sync.c). */
static int cfg_parse_sync(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  void *obj)
{
	return cfg_sync_parse(ctx->path, val, obj, ctx->err, ctx->errlen);
}

/* --- vips and backends ------------------------------------------------------------------------ */

static const struct cfg_key cfg_backend_keys[] = {
    CFG_ADDR("address", struct cfg_backend, addr, true),
    CFG_UINT("weight", struct cfg_backend, weight, 1, CFG_WEIGHT_MAX, false),
    CFG_IDENT("zone", struct cfg_backend, zone, 1, false),
    CFG_FUNC("health", cfg_parse_backend_health, false),
};
static const struct cfg_section cfg_backend_section = CFG_SECTION("backend", cfg_backend_keys);

static int cfg_parse_vip_backends(struct cfg_ctx *ctx, const char *what,
				  const struct cfg_ynode *val, void *obj)
{
	struct cfg_vip *vip = obj;
	struct cfg_backend *be;
	char found[96];
	size_t i;
	int err;

	if (val->type != CFG_Y_SEQ) {
		cfg_yaml_describe(val, found, sizeof(found));
		return cfg_error(ctx, val, "%s: expected a list of backends, found %s", what,
				 found);
	}
	if (val->n_kids >= LB_MAX_BACKENDS)
		return cfg_error(ctx, val->kids[LB_MAX_BACKENDS - 1], "%s: more than %d backends",
				 what, LB_MAX_BACKENDS - 1);
	if (!val->n_kids)
		return 0;
	vip->backends = calloc(val->n_kids, sizeof(*vip->backends));
	if (!vip->backends)
		return -ENOMEM;
	vip->n_backends = val->n_kids;
	for (i = 0; i < val->n_kids; i++) {
		be = &vip->backends[i];
		be->weight = CFG_DEFAULT_WEIGHT;
		be->line = val->kids[i]->line;
		be->column = val->kids[i]->column;
		err = cfg_parse_section(ctx, &cfg_backend_section, val->kids[i], be);
		if (err)
			return err;
	}
	return 0;
}

static int cfg_parse_vip_port(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			      void *obj)
{
	static const char expected[] = "a port 1..65535 or any";
	struct cfg_vip *vip = obj;
	uint64_t v;
	int err;

	err = cfg_need_scalar(ctx, what, val, expected);
	if (err)
		return err;
	if (!strcmp(val->text, "any")) {
		vip->port = 0;
		return 0;
	}
	if (cfg_text_to_u64(val->text, &v) || !v || v > 65535)
		return cfg_error(ctx, val, "%s: expected %s, found '%s'", what, expected,
				 log_cut(val->text));
	vip->port = v;
	return 0;
}

static bool cfg_is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return false;
	for (d = 2; d <= n / d; d++)
		if (n % d == 0)
			return false;
	return true;
}

static int cfg_parse_vip_maglev_size(struct cfg_ctx *ctx, const char *what,
				     const struct cfg_ynode *val, void *obj)
{
	struct cfg_vip *vip = obj;
	uint64_t v, next;
	int err;

	err = cfg_value_uint(ctx, what, val, CFG_MAGLEV_MIN_SIZE, LB_MAGLEV_MAX_SIZE, &v);
	if (err)
		return err;
	if (!cfg_is_prime(v)) {
		for (next = v + 1; !cfg_is_prime(next); next++)
			;
		return cfg_error(ctx, val, "%s: %llu is not a prime (the next prime is %llu)", what,
				 (unsigned long long)v, (unsigned long long)next);
	}
	vip->maglev_size = v;
	return 0;
}

static const struct cfg_enum cfg_hash_names[] = {
    {"ports", 0},
    {"addresses", LB_VIP_F_HASH_ADDRS},
    {},
};

static int cfg_parse_vip_hash(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			      void *obj)
{
	struct cfg_vip *vip = obj;
	unsigned int flag;
	int err;

	err = cfg_value_enum(ctx, what, val, cfg_hash_names, &flag);
	if (!err)
		vip->flags = (vip->flags & ~LB_VIP_F_HASH_ADDRS) | flag;
	return err;
}

static const struct cfg_enum cfg_down_flows_names[] = {
    {"move", 0},
    {"keep", 1},
    {},
};

static int cfg_parse_vip_down_flows(struct cfg_ctx *ctx, const char *what,
				    const struct cfg_ynode *val, void *obj)
{
	struct cfg_vip *vip = obj;
	unsigned int keep;
	int err;

	err = cfg_value_enum(ctx, what, val, cfg_down_flows_names, &keep);
	if (!err)
		vip->down_keeps_flows = keep;
	return err;
}

static int cfg_parse_vip_fail_open(struct cfg_ctx *ctx, const char *what,
				   const struct cfg_ynode *val, void *obj)
{
	struct cfg_vip *vip = obj;
	bool on = false;
	int err;

	err = cfg_value_bool(ctx, what, val, &on);
	if (!err)
		vip->flags = (vip->flags & ~LB_VIP_F_FAIL_OPEN) | (on ? LB_VIP_F_FAIL_OPEN : 0);
	return err;
}

static int cfg_parse_vip_second_chance(struct cfg_ctx *ctx, const char *what,
				       const struct cfg_ynode *val, void *obj)
{
	struct cfg_vip *vip = obj;
	bool on = true;
	int err;

	err = cfg_value_bool(ctx, what, val, &on);
	if (!err)
		vip->no_second_chance = !on;
	return err;
}

static const struct cfg_key cfg_zones_keys[] = {
    CFG_IDENT("primary", struct cfg_vip, primary_zone, 1, true),
    CFG_IDENT("secondary", struct cfg_vip, secondary_zone, 1, false),
};
static const struct cfg_section cfg_zones_section = CFG_SECTION("vip.zones", cfg_zones_keys);

static int cfg_parse_vip_zones(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			       void *obj)
{
	struct cfg_vip *vip = obj;
	int err;

	err = cfg_parse_section(ctx, &cfg_zones_section, val, vip);
	if (err)
		return err;
	if (!strcmp(vip->primary_zone, vip->secondary_zone))
		return cfg_error(ctx, cfg_yaml_get(val, "secondary"),
				 "%s: secondary zone '%s' is also the primary", what,
				 vip->secondary_zone);
	return 0;
}

static const struct cfg_enum cfg_proto_names[] = {
    {"tcp", IPPROTO_TCP},
    {"udp", IPPROTO_UDP},
    {},
};

static const struct cfg_enum cfg_encap_names[] = {
    {"ipip", LB_ENCAP_IPIP},
    {"gue", LB_ENCAP_GUE},
    {},
};

static const struct cfg_key cfg_vip_keys[] = {
    CFG_IDENT("name", struct cfg_vip, name, 1, false),
    CFG_ADDR("address", struct cfg_vip, addr, true),
    CFG_FUNC("port", cfg_parse_vip_port, true),
    CFG_ENUM("protocol", struct cfg_vip, proto, cfg_proto_names),
    CFG_ENUM("encapsulation", struct cfg_vip, encap, cfg_encap_names),
    CFG_UINT("gue_port", struct cfg_vip, gue_port, 1, 65535, false),
    CFG_FUNC("maglev_size", cfg_parse_vip_maglev_size, false),
    CFG_FUNC("hash", cfg_parse_vip_hash, false),
    CFG_FUNC("fail_open", cfg_parse_vip_fail_open, false),
    CFG_FUNC("down_flows", cfg_parse_vip_down_flows, false),
    CFG_FUNC("second_chance", cfg_parse_vip_second_chance, false),
    CFG_FUNC("zones", cfg_parse_vip_zones, false),
    CFG_FUNC("health", cfg_parse_vip_health, false),
    CFG_FUNC("backends", cfg_parse_vip_backends, false),
};
static const struct cfg_section cfg_vip_section = CFG_SECTION("vip", cfg_vip_keys);

/* Checks that need the whole VIP, whatever order its keys came in. */
static int cfg_check_vip(struct cfg_ctx *ctx, const struct cfg_ynode *map,
			 const struct cfg_vip *vip)
{
	const struct cfg_ynode *backends = cfg_yaml_get(map, "backends");
	const struct cfg_ynode *msize = cfg_yaml_get(map, "maglev_size");
	char label[CFG_LABEL_MAX], addr[CFG_ADDR_STRLEN];
	const struct cfg_backend *be;
	size_t i, j;

	cfg_vip_label(vip, label, sizeof(label));
	for (i = 0; i < vip->n_backends; i++) {
		be = &vip->backends[i];
		cfg_format_addr(&be->addr, addr, sizeof(addr));
		for (j = 0; j < i; j++)
			if (cfg_addr_equal(&vip->backends[j].addr, &be->addr))
				return cfg_error(ctx, backends->kids[i],
						 "backend %s: listed twice in vip %s (first at "
						 "line %d)",
						 addr, label, vip->backends[j].line);
	}
	if (vip->maglev_size <= vip->n_backends)
		return cfg_error(ctx, msize ? msize : map,
				 "vip %s: maglev_size %u must be larger than its %zu backends",
				 label, vip->maglev_size, vip->n_backends);
	if ((uint64_t)vip->maglev_size < 100ULL * vip->n_backends)
		cfg_warn(ctx, msize ? msize : map,
			 "vip %s: maglev_size %u is under 100 x %zu backends: shares may differ "
			 "by more than a few percent",
			 label, vip->maglev_size, vip->n_backends);
	/* The data plane matches portless (non-first) fragments against port-0 entries only. */
	if ((vip->flags & LB_VIP_F_HASH_ADDRS) && vip->port)
		cfg_warn(ctx, cfg_yaml_get(map, "hash"),
			 "vip %s: hash: addresses on port %u: only first fragments reach it, the "
			 "others carry no port and match only a 'port: any' vip",
			 label, vip->port);
	return 0;
}

static int cfg_parse_vips(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			  void *obj)
{
	struct lb_config *cfg = obj;
	struct cfg_vip *vip;
	char found[96];
	size_t i;
	int err;

	if (val->type != CFG_Y_SEQ) {
		cfg_yaml_describe(val, found, sizeof(found));
		return cfg_error(ctx, val, "%s: expected a list of vips, found %s", what, found);
	}
	if (!val->n_kids)
		return 0;
	cfg->vips = calloc(val->n_kids, sizeof(*cfg->vips));
	if (!cfg->vips)
		return -ENOMEM;
	cfg->n_vips = val->n_kids;
	for (i = 0; i < val->n_kids; i++) {
		vip = &cfg->vips[i];
		vip->proto = IPPROTO_TCP;
		vip->encap = LB_ENCAP_IPIP;
		vip->gue_port = LB_GUE_DEFAULT_PORT;
		vip->maglev_size = LB_MAGLEV_DEFAULT_SIZE;
		cfg_health_defaults(&vip->health);
		vip->line = val->kids[i]->line;
		vip->column = val->kids[i]->column;
		err = cfg_parse_section(ctx, &cfg_vip_section, val->kids[i], vip);
		if (err)
			return err;
		err = cfg_check_vip(ctx, val->kids[i], vip);
		if (!err)
			err = cfg_check_health(ctx, val->kids[i], vip);
		if (err)
			return err;
	}
	return 0;
}

static const struct cfg_key cfg_top_keys[] = {
    CFG_FUNC("node", cfg_parse_node, true),
    CFG_FUNC("sync", cfg_parse_sync, false),
    CFG_FUNC("cluster", cfg_cluster_parse, false),
    CFG_FUNC("proxy", cfg_proxy_parse, false),
    CFG_FUNC("region", cfg_region_parse, false),
    CFG_FUNC("vips", cfg_parse_vips, false),
};
static const struct cfg_section cfg_top_section = {
    .what = "top level",
    .prefix = "",
    .keys = cfg_top_keys,
    .n_keys = sizeof(cfg_top_keys) / sizeof(cfg_top_keys[0]),
};

/* --- the whole file --------------------------------------------------------------------------- */

/*
 * What the control socket needs from the host, checked here so that --check-config catches
 * it: a start would attach the data plane first and fail later, at the socket.
 */
static int cfg_check_control(struct cfg_ctx *ctx, const struct cfg_ynode *map,
			     const struct cfg_node *node)
{
	const struct cfg_ynode *control = cfg_yaml_get(map, "control");
	struct sockaddr_un sun;
	struct group gr, *res = NULL;
	char buf[4096];
	int ret;

	if (strlen(node->control_socket) >= sizeof(sun.sun_path))
		return cfg_error(ctx, cfg_yaml_get(control, "socket") ?: map,
				 "node.control.socket: longer than %zu characters, the most a unix "
				 "socket path holds",
				 sizeof(sun.sun_path) - 1);
	if (!node->control_group[0])
		return 0;
	ret = getgrnam_r(node->control_group, &gr, buf, sizeof(buf), &res);
	if (ret || !res)
		return cfg_error(
		    ctx, cfg_yaml_get(control, "group") ?: map, "node.control.group: %s: %s",
		    node->control_group,
		    ret ? strerror(ret)
			: "no such group (groupadd --system it, or set \"\" for root only)");
	return 0;
}

static int cfg_check_node(struct cfg_ctx *ctx, const struct cfg_ynode *root, struct cfg_node *node)
{
	const struct cfg_ynode *map = cfg_yaml_get(root, "node");
	size_t i;
	int err;

	if (node->role == CFG_ROLE_BALANCER && !node->interface[0])
		return cfg_error(ctx, map,
				 "node: missing required key 'interface' (role balancer attaches "
				 "to it)");
	if (node->role != CFG_ROLE_BALANCER && !node->n_addresses)
		return cfg_error(ctx, map,
				 "node: missing required key 'addresses' (role %s decapsulates "
				 "tunnel packets sent to them)",
				 cfg_role_name(node->role));
	err = cfg_check_control(ctx, map, node);
	if (err)
		return err;
	/* Without an explicit tunnel source the node's own address is the outer source. */
	for (i = 0; i < node->n_addresses; i++) {
		if (node->addresses[i].family == LB_AF_INET && !node->tun_src4.family)
			node->tun_src4 = node->addresses[i];
		if (node->addresses[i].family == LB_AF_INET6 && !node->tun_src6.family)
			node->tun_src6 = node->addresses[i];
	}
	return 0;
}

/* A backend as the data plane sees it: one lb_backends slot per address, whatever the VIP. */
static int cfg_check_backend(struct cfg_ctx *ctx, const struct cfg_ynode *root,
			     const struct lb_config *cfg, const struct cfg_ynode *at,
			     const struct cfg_backend *be)
{
	const struct cfg_ynode *mtu = cfg_yaml_get(cfg_yaml_get(root, "node"), "mtu");
	const struct cfg_node *node = &cfg->node;
	bool v4 = be->addr.family == LB_AF_INET;
	char addr[CFG_ADDR_STRLEN];

	cfg_format_addr(&be->addr, addr, sizeof(addr));
	if (node->role == CFG_ROLE_BALANCER && !(v4 ? node->tun_src4 : node->tun_src6).family)
		return cfg_error(ctx, at,
				 "backend %s: an %s backend needs an %s tunnel source: set "
				 "node.tunnel_source.%s or give node.addresses an %s address",
				 addr, v4 ? "IPv4" : "IPv6", v4 ? "IPv4" : "IPv6",
				 v4 ? "ipv4" : "ipv6", v4 ? "IPv4" : "IPv6");
	if (!v4 && node->mtu && node->mtu < CFG_MTU_MIN6)
		return cfg_error(ctx, mtu ? mtu : cfg_yaml_get(root, "node"),
				 "node.mtu: %u is below %d, the IPv6 minimum, and backend %s (line "
				 "%d) is IPv6",
				 node->mtu, CFG_MTU_MIN6, addr, be->line);
	return 0;
}

/*
 * Every family pair is forwarded (4in4, 6in4, 4in6, 6in6, each also in GUE), but
 * an IPv6 client must be able to send 1280 bytes, the least every IPv6 path
 * carries: with less room under node.mtu the "packet too big" it gets names an
 * MTU below 1280, which RFC 8201 has it ignore, and the flow stalls.
 */
static int cfg_check_vip_room(struct cfg_ctx *ctx, const struct cfg_ynode *root,
			      const struct lb_config *cfg, const struct cfg_vip *vip,
			      const struct cfg_backend *be)
{
	const struct cfg_ynode *node = cfg_yaml_get(root, "node");
	const struct cfg_ynode *mtu = cfg_yaml_get(node, "mtu");
	unsigned int overhead =
	    (be->addr.family == LB_AF_INET ? 20 : 40) + (vip->encap == LB_ENCAP_GUE ? 8 : 0);
	char label[CFG_LABEL_MAX], addr[CFG_ADDR_STRLEN];

	if (cfg->node.role != CFG_ROLE_BALANCER || vip->addr.family != LB_AF_INET6 ||
	    !cfg->node.mtu || cfg->node.mtu >= CFG_MTU_MIN6 + overhead)
		return 0;
	cfg_vip_label(vip, label, sizeof(label));
	cfg_format_addr(&be->addr, addr, sizeof(addr));
	return cfg_error(ctx, mtu ? mtu : node,
			 "node.mtu: %u leaves %u bytes for IPv6 vip %s through backend %s (line "
			 "%d, %u bytes of %s): below 1280, the IPv6 minimum; at least %u",
			 cfg->node.mtu, cfg->node.mtu - overhead, label, addr, be->line, overhead,
			 vip->encap == LB_ENCAP_GUE ? "GUE" : "IPIP", CFG_MTU_MIN6 + overhead);
}

/* One backend entry of the file, for finding the entries that share a data-plane slot. */
struct cfg_backend_ref {
	const struct cfg_backend *be;
	const struct cfg_ynode *at;
	size_t order; /* place in the file */
};

static int cfg_backend_ref_cmp(const void *pa, const void *pb)
{
	const struct cfg_backend_ref *a = pa, *b = pb;
	int c;

	if (a->be->addr.family != b->be->addr.family)
		return a->be->addr.family - b->be->addr.family;
	c = memcmp(a->be->addr.addr, b->be->addr.addr, sizeof(a->be->addr.addr));
	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * A backend shared between VIPs is one host: its zone must agree. Each (VIP, backend) pair
 * takes an lb_backends slot of its own, so the pairs must fit. Sorting by address keeps this
 * fast for 100,000 pairs; the error reported is still the first one in file order.
 */
static int cfg_check_backend_slots(struct cfg_ctx *ctx, const struct cfg_ynode *root,
				   const struct lb_config *cfg)
{
	const struct cfg_ynode *vips = cfg_yaml_get(root, "vips"), *list;
	const struct cfg_backend_ref *conflict = NULL, *conflict_first = NULL, *first = NULL;
	struct cfg_backend_ref *refs = NULL, *r;
	char addr[CFG_ADDR_STRLEN];
	size_t i, j, n = 0;
	int err = 0;

	for (i = 0; i < cfg->n_vips; i++)
		n += cfg->vips[i].n_backends;
	if (!n)
		return 0;
	refs = calloc(n, sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (i = 0, n = 0; i < cfg->n_vips; i++) {
		list = cfg_yaml_get(vips->kids[i], "backends");
		for (j = 0; j < cfg->vips[i].n_backends; j++, n++) {
			refs[n] =
			    (struct cfg_backend_ref){&cfg->vips[i].backends[j], list->kids[j], n};
			if (n == LB_MAX_BACKENDS - 1) {
				err = cfg_error(ctx, refs[n].at,
						"backend %s: more than %d (vip, backend) pairs",
						cfg_format_addr(&refs[n].be->addr, addr,
								sizeof(addr)),
						LB_MAX_BACKENDS - 1);
				goto cleanup;
			}
			err = cfg_check_backend(ctx, root, cfg, refs[n].at, refs[n].be);
			if (!err)
				err = cfg_check_vip_room(ctx, root, cfg, &cfg->vips[i], refs[n].be);
			if (err)
				goto cleanup;
		}
	}
	qsort(refs, n, sizeof(*refs), cfg_backend_ref_cmp);
	for (i = 0; i < n; i++) {
		r = &refs[i];
		if (!i || !cfg_addr_equal(&r->be->addr, &first->be->addr)) {
			first = r;
		} else if (strcmp(first->be->zone, r->be->zone) &&
			   (!conflict || r->order < conflict->order)) {
			conflict = r;
			conflict_first = first;
		}
	}
	if (conflict) {
		err = cfg_error(ctx, conflict->at, "backend %s: zone '%s' here but '%s' at line %d",
				cfg_format_addr(&conflict->be->addr, addr, sizeof(addr)),
				conflict->be->zone, conflict_first->be->zone,
				conflict_first->be->line);
	}
cleanup:
	free(refs);
	return err;
}

/* VIPs must be told apart by name and by {address, port, protocol}, and fit lb_vips. */
static int cfg_check_vips(struct cfg_ctx *ctx, const struct cfg_ynode *root,
			  const struct lb_config *cfg)
{
	const struct cfg_ynode *vips = cfg_yaml_get(root, "vips");
	const struct cfg_vip *a, *b;
	char label[CFG_LABEL_MAX], other[CFG_LABEL_MAX];
	size_t i, j, entries = 0;
	bool new_addr;

	for (i = 0; i < cfg->n_vips; i++) {
		b = &cfg->vips[i];
		cfg_vip_label(b, label, sizeof(label));
		new_addr = true;
		for (j = 0; j < i; j++) {
			a = &cfg->vips[j];
			if (b->name[0] && !strcmp(a->name, b->name))
				return cfg_error(ctx, cfg_yaml_get(vips->kids[i], "name"),
						 "vip %s: name used twice (first at line %d)",
						 label, a->line);
			if (!cfg_addr_equal(&a->addr, &b->addr))
				continue;
			new_addr = false;
			if (a->port == b->port && a->proto == b->proto) {
				cfg_vip_label(a, other, sizeof(other));
				return cfg_error(
				    ctx, vips->kids[i],
				    "vip %s: same address, port and protocol as vip %s "
				    "at line %d",
				    label, other, a->line);
			}
		}
		if (cfg->node.role == CFG_ROLE_BALANCER && !b->n_backends)
			cfg_warn(ctx, vips->kids[i], "vip %s: no backends: its packets are dropped",
				 label);
		/* One lb_vips entry per VIP plus one ICMP entry per distinct address. */
		entries += new_addr ? 2 : 1;
		if (entries > LB_MAX_VIPS)
			return cfg_error(ctx, vips->kids[i],
					 "vip %s: more vips than the data plane holds (%d entries, "
					 "one more per distinct address)",
					 label, LB_MAX_VIPS);
	}
	return 0;
}

static void cfg_set_defaults(struct lb_config *cfg, const char *path)
{
	struct cfg_node *node = &cfg->node;

	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	node->role = CFG_ROLE_BALANCER;
	node->xdp_mode = CFG_XDP_AUTO;
	node->mtu = CFG_DEFAULT_MTU;
	node->gue_sport_min = CFG_DEFAULT_GUE_SPORT_MIN;
	node->gue_sport_max = CFG_DEFAULT_GUE_SPORT_MAX;
	node->outer_ttl = CFG_DEFAULT_OUTER_TTL;
	node->conntrack_size = LB_CT_SIZE;
	node->sync_first_packets = CFG_DEFAULT_SYNC_FIRST;
	node->sync_refresh_packets = CFG_DEFAULT_SYNC_REFRESH;
	cfg_sync_defaults(cfg);
	cfg_cluster_defaults(cfg);
	cfg_proxy_defaults(cfg);
	cfg_region_defaults(cfg);
	snprintf(node->control_socket, sizeof(node->control_socket), "%s",
		 CFG_DEFAULT_CONTROL_SOCKET);
	snprintf(node->bpffs_dir, sizeof(node->bpffs_dir), "%s", CFG_DEFAULT_BPFFS);
	cfg_metrics_defaults(&node->metrics);
}

int cfg_load(const char *path, struct lb_config *cfg, char *err, size_t errlen)
{
	static const struct cfg_ynode file_start = {.line = 1, .column = 1};
	char scratch[CFG_ERR_MAX];
	struct cfg_ctx ctx = {.path = path, .err = err, .errlen = errlen};
	struct cfg_ynode *root = NULL;
	int ret;

	if (!err || !errlen) {
		ctx.err = scratch;
		ctx.errlen = sizeof(scratch);
	}
	memset(cfg, 0, sizeof(*cfg));
	if (strlen(path) >= sizeof(cfg->path)) {
		snprintf(ctx.err, ctx.errlen, "%.64s...: path longer than %zu characters", path,
			 sizeof(cfg->path) - 1);
		return -ENAMETOOLONG;
	}
	ret = cfg_yaml_load(path, &root, ctx.err, ctx.errlen);
	if (ret)
		goto cleanup;
	if (!root || (root->type == CFG_Y_SCALAR && root->null)) {
		ret = cfg_error(&ctx, root ? root : &file_start,
				"empty config: expected a mapping with at least a 'node' section");
		goto cleanup;
	}
	cfg_set_defaults(cfg, path);
	ret = cfg_parse_section(&ctx, &cfg_top_section, root, cfg);
	if (ret)
		goto cleanup;
	ret = cfg_check_node(&ctx, root, &cfg->node);
	if (ret)
		goto cleanup;
	ret = cfg_check_vips(&ctx, root, cfg);
	if (ret)
		goto cleanup;
	ret = cfg_check_backend_slots(&ctx, root, cfg);
	if (!ret)
		ret = cfg_proxy_check(&ctx, root, cfg);
cleanup:
	cfg_yaml_free(root);
	if (ret)
		cfg_free(cfg);
	return ret;
}

void cfg_free(struct lb_config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->n_vips; i++) {
		for (j = 0; j < cfg->vips[i].n_backends; j++)
			free(cfg->vips[i].backends[j].health);
		free(cfg->vips[i].backends);
	}
	free(cfg->vips);
	cfg_proxy_free(&cfg->proxy);
	cfg_region_free(&cfg->region);
	memset(cfg, 0, sizeof(*cfg));
}

void cfg_peek_control_socket(const char *path, char *out, size_t len)
{
	const struct cfg_ynode *at = NULL;
	struct cfg_ynode *root = NULL;
	char err[CFG_ERR_MAX];

	if (!cfg_yaml_load(path, &root, err, sizeof(err)) && root)
		at = cfg_yaml_get(cfg_yaml_get(cfg_yaml_get(root, "node"), "control"), "socket");
	snprintf(out, len, "%s",
		 at && at->type == CFG_Y_SCALAR && at->text[0] == '/' ? at->text
								      : CFG_DEFAULT_CONTROL_SOCKET);
	cfg_yaml_free(root);
}
