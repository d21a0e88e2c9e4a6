/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Sync as the control verbs show it (agent.c opens it on the data plane's maps). */
#ifndef XDPLB_SYNC_AGENT_H
#define XDPLB_SYNC_AGENT_H

#include <jansson.h>

#include "sync/sync.h"

/* The `sync` verb's result: counters by direction, rejects by reason, queue, in-sync state. */
json_t *sync_agent_stats_json(const struct sync *s);

/* The `peers` verb's result: {"peers": [{id, zone, address, last_seen_ms, ...}]}. */
json_t *sync_agent_peers_json(const struct sync *s);

#endif /* XDPLB_SYNC_AGENT_H */
