/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Shared between dataplane.c (life cycle) and dataplane_apply.c (map programming). */
#ifndef XDPLB_DATAPLANE_INT_H
#define XDPLB_DATAPLANE_INT_H

#include <stddef.h>

#include "dataplane/dataplane.h"

int dp_pin_path(const struct dataplane *dp, const char *name, char *buf, size_t len);

/* Rebuilds the index assignment and runtime state from the (possibly pinned) maps. */
int dp_state_adopt(struct dataplane *dp);

/* lb_vip_filter (dataplane_filter.c): bits added before the VIPs, cut after them. */
int dp_filter_grow(struct dataplane *dp, const struct lb_config *cfg);
int dp_filter_trim(struct dataplane *dp, const struct lb_config *cfg);
int dp_filter_adopt(struct dataplane *dp);

#endif /* XDPLB_DATAPLANE_INT_H */
