/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* node.metrics: where lbagent serves its Prometheus metrics (struct cfg_metrics of model.h). */
#ifndef XDPLB_CONFIG_METRICS_H
#define XDPLB_CONFIG_METRICS_H

#include "config/config_int.h"
#include "model/model.h"

/* Not in the Prometheus exporter port list's busy 9100s; loopback unless told otherwise. */
#define CFG_METRICS_DEFAULT_ADDR "127.0.0.1"
#define CFG_METRICS_DEFAULT_PORT 9742

void cfg_metrics_defaults(struct cfg_metrics *m);

/* The node.metrics mapping: {listen: "addr:port" | "[v6addr]:port" | "" | off, per_backend}. */
int cfg_parse_node_metrics(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			   void *obj);

/* A listen: key into the struct cfg_metrics obj: "addr:port", "" or off (also proxy.metrics). */
int cfg_parse_metrics_listen(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val,
			     void *obj);

/* "addr:port" or "[v6addr]:port" into m (enabled); -EINVAL if it is neither. */
int cfg_metrics_parse_listen(const char *text, struct cfg_metrics *m);

#endif /* XDPLB_CONFIG_METRICS_H */
