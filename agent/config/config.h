/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Config: a YAML file -> the validated model of model.h, with no side effects. */
#ifndef XDPLB_CONFIG_H
#define XDPLB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"

#define CFG_DEFAULT_PATH "/etc/xdplb/lb.yaml"
#define CFG_ADDR_STRLEN	 46			/* INET6_ADDRSTRLEN */
/* "[addr]:port/proto" or a name: room for the longest of either, or names come out cut. */
#define CFG_LABEL_MAX (CFG_NAME_MAX > CFG_ADDR_STRLEN + 16 ? CFG_NAME_MAX : CFG_ADDR_STRLEN + 16)
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

int cfg_parse_addr(const char *text, struct xaddr *out);		   /* 0 or -EINVAL */
const char *cfg_format_addr(const struct xaddr *a, char *buf, size_t len); /* returns buf */
bool cfg_addr_equal(const struct xaddr *a, const struct xaddr *b);

/*
 * Finds a VIP by its name or "addr:port/proto" ("192.0.2.10:80/tcp",
 * "[2001:db8::10]:80/tcp"; port "*" for an any-port VIP); NULL if none.
 */
const struct cfg_vip *cfg_find_vip(const struct lb_config *cfg, const char *name);
void cfg_vip_label(const struct cfg_vip *vip, char *buf, size_t len); /* name or addr:port/proto */
void cfg_vip_addr_label(const struct cfg_vip *vip, char *buf, size_t len); /* addr:port/proto */
/* Same everything incl. backends (in order); not where in the file it was written. */
bool cfg_vip_equal(const struct cfg_vip *a, const struct cfg_vip *b);

const char *cfg_proto_name(uint8_t proto);     /* "tcp", "udp" */
const char *cfg_encap_name(uint8_t encap);     /* "ipip", "gue" */
const char *cfg_role_name(enum cfg_role role); /* "balancer", "backend" */
const char *cfg_health_type_name(uint8_t type); /* "tcp", "http", ... "none" */

/* How backend b of vip is checked: its own health: overrides, else the VIP's. */
const struct cfg_health *cfg_backend_health(const struct cfg_vip *vip, const struct cfg_backend *b);
bool cfg_health_equal(const struct cfg_health *a, const struct cfg_health *b);
/* What a health: section holds before its keys are read (type none). */
void cfg_health_defaults(struct cfg_health *hc);

#endif /* XDPLB_CONFIG_H */
