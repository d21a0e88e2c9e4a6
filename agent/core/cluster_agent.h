/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The cluster subsystem inside the agent: its timer, its inputs, its routes, its control verb. */
#ifndef XDPLB_CLUSTER_AGENT_H
#define XDPLB_CLUSTER_AGENT_H

#include <jansson.h>

#include "core/agent.h"

struct cluster_agent;

/* For the agent's epoll: the state machine's timer. */
int cluster_agent_fd(const struct cluster_agent *cl);

/* Starts the state machine and the announcer when cluster.enabled; adds its timer to the loop. */
int cluster_agent_open(struct agent *a);

/* The timer fired: read inputs, decide, make the announce table match. */
void cluster_agent_process(struct agent *a);

/* Before a->cfg becomes `next`: keeps the verdicts of unchanged VIPs, follows enabled/table. */
int cluster_agent_reload(struct agent *a, const struct lb_config *next);

/* Withdraws every route (SIGTERM, shutdown) and stops. */
void cluster_agent_close(struct agent *a);

/* The `cluster` control verb: zones and their nodes, each VIP's verdict and why, transitions. */
int cluster_agent_verb(void *ctx, json_t *args, json_t **result, char *err, size_t errlen);

#endif /* XDPLB_CLUSTER_AGENT_H */
