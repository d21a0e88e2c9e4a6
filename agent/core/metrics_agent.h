/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The agent's side of the metrics endpoint: start it from node.metrics, fill its snapshot. */
#ifndef XDPLB_METRICS_AGENT_H
#define XDPLB_METRICS_AGENT_H

#include "core/agent.h"
#include "metrics/metrics.h"

/* Opens node.metrics (nothing when off) and adds it to the agent's epoll. 0 or -errno. */
int agent_metrics_open(struct agent *a);
void agent_metrics_close(struct agent *a);

/* After a reload: reopens the endpoint when node.metrics changed. 0 or -errno. */
int agent_metrics_update(struct agent *a, const struct cfg_metrics *old);

/* The metrics_render_fn the endpoint calls: a snapshot of a (a struct agent *), rendered. */
int agent_metrics_render(void *a, char **text, size_t *len);

#endif /* XDPLB_METRICS_AGENT_H */
