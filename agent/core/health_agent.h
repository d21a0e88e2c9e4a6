/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The health engine in the agent: its part row and what the data plane asks of it. */
#ifndef XDPLB_HEALTH_AGENT_H
#define XDPLB_HEALTH_AGENT_H

#include <stdbool.h>

#include "model/model.h"

struct agent;

/* dataplane_up_fn over the engine (ctx): a pair follows its own check. */
bool health_agent_pair_up(void *ctx, const struct cfg_vip *vip, const struct cfg_backend *b);

/* After a restart: the pairs the adopted data plane holds DOWN start their checks down. */
void health_agent_adopt(struct agent *a);

#endif /* XDPLB_HEALTH_AGENT_H */
