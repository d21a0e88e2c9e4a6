/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The region subsystem's glue (region_agent.c): its part row is in parts.h. */
#ifndef XDPLB_REGION_AGENT_H
#define XDPLB_REGION_AGENT_H

#include <stddef.h>
#include <jansson.h>

/* The `dns` verb: {"enabled": false} without a region: section. */
int region_agent_verb(void *ctx, json_t *args, json_t **result, char *err, size_t errlen);

#endif /* XDPLB_REGION_AGENT_H */
