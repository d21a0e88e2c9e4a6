// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The cluster: section: whether the node announces its VIPs, into which kernel
 * routing table (BIRD learns routes from there), with which route metrics for
 * the primary and the secondary zone, and the failback hold-down.
 */
#include <errno.h>

#include "config/config_cluster.h"

static int cfg_cluster_parse_enabled(struct cfg_ctx *ctx, const char *what,
				     const struct cfg_ynode *val, void *obj)
{
	struct cfg_cluster *cl = obj;

	return cfg_value_bool(ctx, what, val, &cl->enabled);
}

static const struct cfg_enum cfg_secondary_mode_names[] = {
    {"standby", CFG_SECONDARY_STANDBY},
    {"backup", CFG_SECONDARY_BACKUP},
    {},
};

/* Route metrics are u32 in the kernel; BIRD reads them as krt_metric. */
static const struct cfg_key cfg_cluster_keys[] = {
    CFG_FUNC("enabled", cfg_cluster_parse_enabled, false),
    CFG_UINT("announce_table", struct cfg_cluster, announce_table, 1, 0xfffffffe, false),
    CFG_UINT("metric_primary", struct cfg_cluster, metric_primary, 1, 0xfffffffe, false),
    CFG_UINT("metric_secondary", struct cfg_cluster, metric_secondary, 1, 0xfffffffe, false),
    CFG_ENUM("secondary_mode", struct cfg_cluster, secondary_mode, cfg_secondary_mode_names),
    CFG_UINT("hold_down", struct cfg_cluster, hold_down_ms, 0, 3600000, false),
    CFG_UINT("interval", struct cfg_cluster, interval_ms, 10, 10000, false),
};
static const struct cfg_section cfg_cluster_section = CFG_SECTION("cluster", cfg_cluster_keys);

void cfg_cluster_defaults(struct lb_config *cfg)
{
	struct cfg_cluster *cl = &cfg->cluster;

	cl->enabled = false;
	cl->secondary_mode = CFG_SECONDARY_STANDBY;
	cl->announce_table = CFG_CLUSTER_DEFAULT_TABLE;
	cl->metric_primary = CFG_CLUSTER_DEFAULT_METRIC_PRIMARY;
	cl->metric_secondary = CFG_CLUSTER_DEFAULT_METRIC_SECONDARY;
	cl->hold_down_ms = CFG_CLUSTER_DEFAULT_HOLD_DOWN_MS;
	cl->interval_ms = CFG_CLUSTER_DEFAULT_INTERVAL_MS;
}

int cfg_cluster_parse(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val, void *obj)
{
	struct lb_config *cfg = obj;
	struct cfg_cluster *cl = &cfg->cluster;
	const struct cfg_ynode *at;
	int err;

	err = cfg_parse_section(ctx, &cfg_cluster_section, val, cl);
	if (err)
		return err;
	/* The kernel's own tables: routes there would reach the node's forwarding, not BIRD. */
	if (cl->announce_table >= 253 && cl->announce_table <= 255) {
		at = cfg_yaml_get(val, "announce_table");
		return cfg_error(ctx, at ? at : val,
				 "cluster.announce_table: %u is a table the kernel reserves "
				 "(253 default, 254 main, 255 local); expected 1..252 or above 255",
				 cl->announce_table);
	}
	if (cl->metric_secondary <= cl->metric_primary) {
		at = cfg_yaml_get(val, "metric_secondary");
		return cfg_error(ctx, at ? at : val,
				 "cluster.metric_secondary: %u must be larger (worse) than "
				 "metric_primary %u",
				 cl->metric_secondary, cl->metric_primary);
	}
	return 0;
}
