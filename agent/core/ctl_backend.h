/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The control verbs' view of a backend host: its decap program and the VIPs on lo. */
#ifndef XDPLB_CTL_BACKEND_H
#define XDPLB_CTL_BACKEND_H

#include <jansson.h>

#include "core/agent.h"

/* Adds what `status` says of a backend to result: decap (where, how, counts) and lo's VIPs. */
int ctl_backend_status(struct agent *a, json_t *result, char *err, size_t errlen);

/* Second chance counters of a role (metrics_sc_in_role) as {"outcome": {"packets", "bytes"}}. */
json_t *ctl_sc_json(const struct lb_counter *c, bool backend);

/* The `stats` verb on a backend: decapsulated packets by kind, passed, drops by reason. */
int ctl_backend_stats(void *ctx, json_t *args, json_t **result, char *err, size_t errlen);

#endif /* XDPLB_CTL_BACKEND_H */
