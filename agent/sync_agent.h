/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Sync as the agent uses it: opened on a balancer's maps, and its control-verb answers. */
#ifndef XDPLB_SYNC_AGENT_H
#define XDPLB_SYNC_AGENT_H

#include <stdbool.h>
#include <jansson.h>

#include "model.h"
#include "sync.h"

struct dataplane;

/*
 * Opens sync on the data plane's lb_conntrack, lb_backend_ids, lb_vips and
 * lb_events with cfg's sync: section. NULL with errno 0 when sync is disabled,
 * NULL with errno set when it cannot open (logged).
 */
struct sync *sync_agent_open(const struct lb_config *cfg, const struct dataplane *dp);

/* True when a reload changes the channel (group, port, key...): sync must be reopened. */
bool sync_agent_changed(const struct cfg_sync *old, const struct cfg_sync *new);

/* The `sync` verb's result: counters by direction, rejects by reason, queue, in-sync state. */
json_t *sync_agent_stats_json(const struct sync *s);

/* The `peers` verb's result: {"peers": [{id, zone, address, last_seen_ms, ...}]}. */
json_t *sync_agent_peers_json(const struct sync *s);

#endif /* XDPLB_SYNC_AGENT_H */
