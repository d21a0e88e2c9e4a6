/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The cluster: section of the config (struct cfg_cluster of model.h), called from config.c. */
#ifndef XDPLB_CONFIG_CLUSTER_H
#define XDPLB_CONFIG_CLUSTER_H

#include "config/config_int.h"
#include "model/model.h"

#define CFG_CLUSTER_DEFAULT_TABLE	     100
#define CFG_CLUSTER_DEFAULT_METRIC_PRIMARY   100
#define CFG_CLUSTER_DEFAULT_METRIC_SECONDARY 200
#define CFG_CLUSTER_DEFAULT_HOLD_DOWN_MS     5000
#define CFG_CLUSTER_DEFAULT_INTERVAL_MS	     100

/* Defaults of every cluster key; config.c calls it whether or not the file has the section. */
void cfg_cluster_defaults(struct lb_config *cfg);

/*
 * Parses the cluster: mapping into cfg->cluster: 0 or -EINVAL with
 * "path:line:column: message" in ctx->err. The table must not be one the
 * kernel reserves (0, 253 default, 254 main, 255 local), and the secondary
 * metric must be worse (larger) than the primary one.
 */
int cfg_cluster_parse(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
		      void *obj);

#endif /* XDPLB_CONFIG_CLUSTER_H */
