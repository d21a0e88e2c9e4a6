/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Config: a YAML file -> the validated model of model.h, with no side effects. */
#ifndef XDPLB_CONFIG_H
#define XDPLB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"

#define CFG_DEFAULT_PATH "/etc/xdplb/lb.yaml"
#define CFG_ERR_MAX	 512			/* enough for any message cfg_load writes */

/* Defaults of keys the file may leave out (docs/CONFIG.md lists them all). */
#define CFG_DEFAULT_MTU		   1500
#define CFG_DEFAULT_GUE_SPORT_MIN  49152
#define CFG_DEFAULT_GUE_SPORT_MAX  65535
#define CFG_DEFAULT_OUTER_TTL	   64
#define CFG_DEFAULT_SYNC_FIRST	   3  /* LVS syncs at the 3rd packet... */
#define CFG_DEFAULT_SYNC_REFRESH   50 /* ...then every 50 */
#define CFG_DEFAULT_CONTROL_SOCKET "/run/xdplb/lbagent.sock"
#define CFG_DEFAULT_BPFFS	   "/sys/fs/bpf/xdplb"
#define CFG_DEFAULT_WEIGHT	   100
#define CFG_MAGLEV_MIN_SIZE	   7
#define CFG_NODE_ADDRS_MAX	   8 /* entries of cfg_node.addresses */

/*
 * Parses and validates a YAML file into *cfg (no side effects). On error
 * returns -EINVAL (or -errno for I/O), leaves *cfg empty and writes
 * "file:line:column: message" into err.
 */
int cfg_load(const char *path, struct lb_config *cfg, char *err, size_t errlen);
void cfg_free(struct lb_config *cfg);

/*
 * The control socket path would find: node.control.socket as the file writes it, read even
 * from a file cfg_load refuses for another key (a reload client must still reach the agent to
 * hear why), else the default. Never fails: an unreadable file gives the default.
 */
void cfg_peek_control_socket(const char *path, char *out, size_t len);

const char *cfg_health_type_name(uint8_t type); /* "tcp", "http", ... "none" */

/* What a health: section holds before its keys are read (type none). */
void cfg_health_defaults(struct cfg_health *hc);

#endif /* XDPLB_CONFIG_H */
