/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The proxy: section of the config (struct cfg_proxy of model/proxy_model.h), called from config.c.
 */
#ifndef XDPLB_CONFIG_PROXY_H
#define XDPLB_CONFIG_PROXY_H

#include "config/config_int.h"
#include "model/model.h"

#define CFG_PROXY_DEFAULT_HAPROXY     "/usr/sbin/haproxy"
#define CFG_PROXY_DEFAULT_RUN_DIR     "/run/xdplb/proxy"
#define CFG_PROXY_DEFAULT_HEALTH_PORT 8404 /* HAProxy's own examples serve stats there */
#define CFG_PROXY_DEFAULT_HEALTH_PATH "/healthz"
#define CFG_PROXY_DEFAULT_METRICS     "127.0.0.1:8405" /* HAProxy's exporter, /metrics */
#define CFG_PROXY_DEFAULT_WEIGHT      100
#define CFG_PROXY_DEFAULT_CONNECT_MS  5000
#define CFG_PROXY_DEFAULT_SERVER_MS   60000
#define CFG_PROXY_DEFAULT_CLIENT_MS   60000
#define CFG_PROXY_DEFAULT_REQUEST_MS  10000

/* Defaults of every proxy key; config.c calls it whether or not the file has the section. */
void cfg_proxy_defaults(struct lb_config *cfg);

/* The proxy: mapping into cfg->proxy: 0 or -EINVAL with "path:line:column: message". */
int cfg_proxy_parse(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val, void *obj);

/*
 * What needs the whole file: role proxy has listeners; each listener names a TCP VIP with
 * a port, once; rules and default groups name groups; https certificates are regular files
 * readable by their owner only (they hold the private key). A proxy: section on another
 * role is ignored with a warning.
 */
int cfg_proxy_check(struct cfg_ctx *ctx, const struct cfg_ynode *root, struct lb_config *cfg);

void cfg_proxy_free(struct cfg_proxy *p);

const char *cfg_server_state_name(uint8_t state); /* "ready", "drain", "maint" */

#endif /* XDPLB_CONFIG_PROXY_H */
