/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The region: section of the config (struct cfg_region of model/region_model.h). */
#ifndef XDPLB_CONFIG_REGION_H
#define XDPLB_CONFIG_REGION_H

#include <stddef.h>

#include "config/config_int.h"
#include "model/model.h"

#define CFG_REGION_DEFAULT_TIMEOUT_MS	  1000
#define CFG_REGION_DEFAULT_INTERVAL_MS	  5000
#define CFG_REGION_DEFAULT_OBS_TIMEOUT_MS 30000
#define CFG_REGION_DEFAULT_OBS_TTL	  5 /* seconds */
#define CFG_REGION_DEFAULT_HOLD_DOWN_MS	  30000
#define CFG_TSIG_LINE_MAX		  512

/* A TSIG key as libknot takes it: names without the final dot, the secret in base64. */
struct cfg_tsig_key {
	char algorithm[16];
	char name[CFG_DNS_NAME_MAX];
	char secret[CFG_TSIG_LINE_MAX];
};

/* Defaults of every region key; config.c calls it whether or not the file has the section. */
void cfg_region_defaults(struct lb_config *cfg);

/*
 * Parses the region: mapping into cfg->region: 0 or -EINVAL with "path:line:column: message"
 * in ctx->err. The key file must be a regular file of mode 0600 holding one line
 * "algorithm:key-name:base64-secret"; this node's region must serve a name; the names must
 * span two regions or more.
 */
int cfg_region_parse(struct cfg_ctx *ctx, const char *what, const struct cfg_ynode *val, void *obj);
void cfg_region_free(struct cfg_region *r);

/* The key file's checks and content: 0, or -errno with the reason (no file:line) in err. */
int cfg_region_read_key(const char *path, struct cfg_tsig_key *key, char *err, size_t errlen);

/* text as a DNS name: lower case, no final dot, into out: 0 or -EINVAL. */
int cfg_region_dns_name(const char *text, char *out, size_t size);

#endif /* XDPLB_CONFIG_REGION_H */
