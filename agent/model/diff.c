// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Comparing models: equal checks, VIPs and backends, and what a reload changes. */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

bool cfg_health_equal(const struct cfg_health *a, const struct cfg_health *b)
{
	size_t len = 0, i;

	if (a->type != b->type || a->initial_up != b->initial_up ||
	    a->tls_verify != b->tls_verify || a->n_status != b->n_status || a->port != b->port ||
	    a->interval_ms != b->interval_ms || a->timeout_ms != b->timeout_ms ||
	    a->jitter_ms != b->jitter_ms || a->rise != b->rise || a->fall != b->fall ||
	    a->argc != b->argc)
		return false;
	if (memcmp(a->status, b->status, a->n_status * sizeof(a->status[0])) ||
	    strcmp(a->method, b->method) || strcmp(a->path, b->path) || strcmp(a->host, b->host) ||
	    strcmp(a->expect_body, b->expect_body) || a->payload_len != b->payload_len ||
	    memcmp(a->payload, b->payload, a->payload_len) || a->expect_len != b->expect_len ||
	    memcmp(a->expect, b->expect, a->expect_len))
		return false;
	for (i = 0; i < a->argc; i++)
		len += strlen(a->command + len) + 1;
	return !memcmp(a->command, b->command, len);
}

static bool cfg_backend_equal(const struct cfg_backend *a, const struct cfg_backend *b)
{
	if (!a->health != !b->health)
		return false;
	return cfg_addr_equal(&a->addr, &b->addr) && a->weight == b->weight &&
	       !strcmp(a->zone, b->zone) && (!a->health || cfg_health_equal(a->health, b->health));
}

bool cfg_vip_equal(const struct cfg_vip *a, const struct cfg_vip *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || !cfg_addr_equal(&a->addr, &b->addr) || a->port != b->port ||
	    a->proto != b->proto || a->encap != b->encap || a->gue_port != b->gue_port ||
	    a->maglev_size != b->maglev_size || a->flags != b->flags ||
	    a->down_keeps_flows != b->down_keeps_flows ||
	    a->no_second_chance != b->no_second_chance ||
	    strcmp(a->primary_zone, b->primary_zone) ||
	    strcmp(a->secondary_zone, b->secondary_zone) || a->n_backends != b->n_backends ||
	    !cfg_health_equal(&a->health, &b->health))
		return false;
	for (i = 0; i < a->n_backends; i++)
		if (!cfg_backend_equal(&a->backends[i], &b->backends[i]))
			return false;
	return true;
}

static bool cfg_vip_in(const struct lb_config *cfg, const struct cfg_vip *v,
		       const struct cfg_vip **match)
{
	size_t i;

	for (i = 0; i < cfg->n_vips; i++) {
		const struct cfg_vip *o = &cfg->vips[i];

		if (cfg_addr_equal(&o->addr, &v->addr) && o->port == v->port &&
		    o->proto == v->proto) {
			*match = o;
			return true;
		}
	}
	return false;
}

static int cfg_addr_cmp(const void *pa, const void *pb)
{
	const struct xaddr *a = pa, *b = pb;
	size_t words = a->family == LB_AF_INET ? 1 : 4;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, words * sizeof(a->addr[0]));
}

/* Sorted, so that 100,000 pairs over a few hundred hosts compare in n log n, not n^2. */
struct xaddr *cfg_backend_addrs(const struct lb_config *cfg, size_t *n)
{
	size_t total = 0, k = 0, i, j;
	struct xaddr *a;

	for (i = 0; i < cfg->n_vips; i++)
		total += cfg->vips[i].n_backends;
	a = malloc((total ?: 1) * sizeof(*a));
	if (!a)
		return NULL;
	for (i = 0; i < cfg->n_vips; i++)
		for (j = 0; j < cfg->vips[i].n_backends; j++)
			a[k++] = cfg->vips[i].backends[j].addr;
	qsort(a, k, sizeof(*a), cfg_addr_cmp);
	for (i = 0, j = 0; i < k; i++)
		if (!j || cfg_addr_cmp(&a[j - 1], &a[i]))
			a[j++] = a[i];
	*n = j;
	return a;
}

/* Counts unique backend addresses of `from` absent from `to`; 0 without memory (a report). */
static unsigned int cfg_count_backends(const struct lb_config *from, const struct lb_config *to)
{
	size_t nf = 0, nt = 0, i, j = 0;
	struct xaddr *f = cfg_backend_addrs(from, &nf), *t = cfg_backend_addrs(to, &nt);
	unsigned int n = 0;

	for (i = 0; f && t && i < nf; i++) {
		while (j < nt && cfg_addr_cmp(&t[j], &f[i]) < 0)
			j++;
		n += j == nt || cfg_addr_cmp(&t[j], &f[i]);
	}
	free(f);
	free(t);
	return n;
}

const char *cfg_setting_name(unsigned int setting)
{
	static const char *const names[CFG_SET_COUNT] = {
	    [CFG_SET_NODE_ID] = "node.id",
	    [CFG_SET_NODE_ZONE] = "node.zone",
	    [CFG_SET_NODE_ADDRESSES] = "node.addresses",
	    [CFG_SET_NODE_TUNNEL_SOURCE] = "node.tunnel_source",
	    [CFG_SET_NODE_MTU] = "node.mtu",
	    [CFG_SET_NODE_GUE_SOURCE_PORTS] = "node.gue_source_ports",
	    [CFG_SET_NODE_OUTER_TTL] = "node.outer_ttl",
	    [CFG_SET_NODE_HASH_SEED] = "node.hash_seed",
	    [CFG_SET_NODE_CONTROL_GROUP] = "node.control.group",
	    [CFG_SET_NODE_METRICS] = "node.metrics",
	    [CFG_SET_SYNC] = "sync",
	    [CFG_SET_CLUSTER] = "cluster",
	    [CFG_SET_REGION] = "region",
	};

	return setting < CFG_SET_COUNT ? names[setting] : "?";
}

static bool cfg_addrs_equal(const struct xaddr *a, size_t na, const struct xaddr *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!cfg_addr_equal(&a[i], &b[i]))
			return false;
	return true;
}

/* Field by field: the structs have padding that nothing promises to be zero. */
static bool cfg_sync_equal(const struct lb_config *a, const struct lb_config *b)
{
	const struct cfg_sync *x = &a->sync, *y = &b->sync;

	return x->enabled == y->enabled && cfg_addr_equal(&x->group, &y->group) &&
	       x->port == y->port && x->ttl == y->ttl && !strcmp(x->interface, y->interface) &&
	       !strcmp(x->key_file, y->key_file) && x->heartbeat_ms == y->heartbeat_ms &&
	       x->peer_timeout_ms == y->peer_timeout_ms &&
	       x->dump_timeout_ms == y->dump_timeout_ms &&
	       a->node.sync_first_packets == b->node.sync_first_packets &&
	       a->node.sync_refresh_packets == b->node.sync_refresh_packets &&
	       a->node.sync_refresh_seconds == b->node.sync_refresh_seconds;
}

static bool cfg_cluster_equal(const struct cfg_cluster *x, const struct cfg_cluster *y)
{
	return x->enabled == y->enabled && x->secondary_mode == y->secondary_mode &&
	       x->announce_table == y->announce_table && x->metric_primary == y->metric_primary &&
	       x->metric_secondary == y->metric_secondary && x->hold_down_ms == y->hold_down_ms &&
	       x->interval_ms == y->interval_ms;
}

static bool cfg_region_names_equal(const struct cfg_dns_name *a, const struct cfg_dns_name *b)
{
	size_t i;

	if (strcmp(a->name, b->name) || a->ttl != b->ttl || a->n_regions != b->n_regions)
		return false;
	for (i = 0; i < a->n_regions; i++)
		if (a->regions[i].region != b->regions[i].region ||
		    !cfg_addrs_equal(a->regions[i].addrs, a->regions[i].n_addrs,
				     b->regions[i].addrs, b->regions[i].n_addrs))
			return false;
	return true;
}

static bool cfg_region_equal(const struct cfg_region *x, const struct cfg_region *y)
{
	size_t i;

	if (x->enabled != y->enabled)
		return false;
	if (!x->enabled)
		return true;
	if (strcmp(x->name, y->name) || !cfg_addr_equal(&x->server, &y->server) ||
	    x->port != y->port || strcmp(x->zone, y->zone) ||
	    strcmp(x->tsig_key_file, y->tsig_key_file) || x->timeout_ms != y->timeout_ms ||
	    x->interval_ms != y->interval_ms ||
	    x->observation_timeout_ms != y->observation_timeout_ms ||
	    x->observation_ttl != y->observation_ttl || x->hold_down_ms != y->hold_down_ms ||
	    !cfg_health_equal(x->check, y->check) || x->n_regions != y->n_regions ||
	    x->n_names != y->n_names)
		return false;
	for (i = 0; i < x->n_regions; i++)
		if (strcmp(x->regions[i], y->regions[i]))
			return false;
	for (i = 0; i < x->n_names; i++)
		if (!cfg_region_names_equal(&x->names[i], &y->names[i]))
			return false;
	return true;
}

static uint32_t cfg_diff_settings(const struct lb_config *old, const struct lb_config *new)
{
	const struct cfg_node *o = &old->node, *n = &new->node;
	const struct cfg_metrics *om = &o->metrics, *nm = &n->metrics;
	const bool differ[CFG_SET_COUNT] = {
	    [CFG_SET_NODE_ID] = o->id != n->id,
	    [CFG_SET_NODE_ZONE] = strcmp(o->zone, n->zone) != 0,
	    [CFG_SET_NODE_ADDRESSES] =
		!cfg_addrs_equal(o->addresses, o->n_addresses, n->addresses, n->n_addresses),
	    [CFG_SET_NODE_TUNNEL_SOURCE] = !cfg_addr_equal(&o->tun_src4, &n->tun_src4) ||
					   !cfg_addr_equal(&o->tun_src6, &n->tun_src6) ||
					   o->tun_src4_bits != n->tun_src4_bits ||
					   o->tun_src6_bits != n->tun_src6_bits,
	    [CFG_SET_NODE_MTU] = o->mtu != n->mtu,
	    [CFG_SET_NODE_GUE_SOURCE_PORTS] =
		o->gue_sport_min != n->gue_sport_min || o->gue_sport_max != n->gue_sport_max,
	    [CFG_SET_NODE_OUTER_TTL] = o->outer_ttl != n->outer_ttl,
	    [CFG_SET_NODE_HASH_SEED] = o->hash_seed != n->hash_seed,
	    [CFG_SET_NODE_CONTROL_GROUP] = strcmp(o->control_group, n->control_group) != 0,
	    [CFG_SET_NODE_METRICS] = om->enabled != nm->enabled || om->port != nm->port ||
				     !cfg_addr_equal(&om->addr, &nm->addr) ||
				     om->per_backend != nm->per_backend,
	    [CFG_SET_SYNC] = !cfg_sync_equal(old, new),
	    [CFG_SET_CLUSTER] = !cfg_cluster_equal(&old->cluster, &new->cluster),
	    [CFG_SET_REGION] = !cfg_region_equal(&old->region, &new->region),
	};
	uint32_t bits = 0;
	unsigned int i;

	for (i = 0; i < CFG_SET_COUNT; i++)
		if (differ[i])
			bits |= 1u << i;
	return bits;
}

void cfg_diff(const struct lb_config *old, const struct lb_config *new, struct cfg_changes *chg)
{
	const struct cfg_vip *match;
	size_t i;

	memset(chg, 0, sizeof(*chg));
	for (i = 0; i < new->n_vips; i++) {
		if (!cfg_vip_in(old, &new->vips[i], &match))
			chg->vips_added++;
		else if (!cfg_vip_equal(match, &new->vips[i]))
			chg->vips_changed++;
	}
	for (i = 0; i < old->n_vips; i++)
		if (!cfg_vip_in(new, &old->vips[i], &match))
			chg->vips_removed++;
	chg->backends_added = cfg_count_backends(new, old);
	chg->backends_removed = cfg_count_backends(old, new);
	chg->settings = cfg_diff_settings(old, new);
}
