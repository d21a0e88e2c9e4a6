/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The proxy part in the agent: its row is agent_part_proxy (parts.h); this is what status shows. */
#ifndef XDPLB_PROXY_AGENT_H
#define XDPLB_PROXY_AGENT_H

#include <jansson.h>

struct agent;

/* {pid, ready, restarts, reloads, runtime_changes} of HAProxy, or null off role proxy. */
json_t *proxy_agent_status_json(const struct agent *a);

#endif /* XDPLB_PROXY_AGENT_H */
