/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The agent's parts as one table (BIRD's struct protocol, keepalived's checker
 * ops): start, reload, stop and the event loop walk it instead of naming every
 * subsystem. A new subsystem is one row.
 */
#ifndef XDPLB_PARTS_H
#define XDPLB_PARTS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"

struct agent;

#define AGENT_PART_BALANCER (1U << CFG_ROLE_BALANCER)
#define AGENT_PART_BACKEND  (1U << CFG_ROLE_BACKEND)
#define AGENT_PART_PROXY    (1U << CFG_ROLE_PROXY)

struct agent_part {
	const char *name;   /* for messages: "reload: <name>: <why>" */
	unsigned int roles; /* AGENT_PART_*: the node roles that run it */
	/* In table order; the first that fails stops the start. NULL: nothing to start. */
	int (*start)(struct agent *a);
	/*
	 * A reload, before the new model replaces the old (a->cfg is still the
	 * old one). Skipped once an earlier part failed, unless always is set:
	 * parts that must follow the swap whatever happened (the cluster maps
	 * its verdicts to the new VIPs).
	 */
	int (*reload)(struct agent *a, const struct lb_config *next);
	bool reload_always;
	/* And after the swap (a->cfg is the new model), while no part has failed. */
	int (*reloaded)(struct agent *a, const struct lb_config *old);
	/* In reverse table order. */
	void (*stop)(struct agent *a);
	/* The fd the part wants the loop to watch (-1: none now), and what to do when readable. */
	int (*fd)(const struct agent *a);
	void (*event)(struct agent *a);
	/* Every AGENT_TICK_MS. */
	void (*tick)(struct agent *a);
};

extern const struct agent_part *const agent_parts[];
extern const size_t agent_n_parts;

/* Rows defined next to each part's glue (the core's *_agent.c files, parts.c). */
extern const struct agent_part agent_part_health, agent_part_dataplane, agent_part_backend,
    agent_part_sync, agent_part_cluster, agent_part_control, agent_part_metrics, agent_part_proxy,
    agent_part_proxy_log, agent_part_region;

#endif /* XDPLB_PARTS_H */
