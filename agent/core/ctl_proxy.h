/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The listener verbs of a proxy node: listener.list, listener.show, listener.(un)drain. */
#ifndef XDPLB_CTL_PROXY_H
#define XDPLB_CTL_PROXY_H

#include <jansson.h>

/* Each answers "this node is not a proxy" on other roles. */
int ctl_listener_list(void *ctx, json_t *args, json_t **result, char *err, size_t errlen);
int ctl_listener_show(void *ctx, json_t *args, json_t **result, char *err, size_t errlen);
int ctl_listener_drain(void *ctx, json_t *args, json_t **result, char *err, size_t errlen);
int ctl_listener_undrain(void *ctx, json_t *args, json_t **result, char *err, size_t errlen);

#endif /* XDPLB_CTL_PROXY_H */
