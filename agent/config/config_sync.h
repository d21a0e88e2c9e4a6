/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The sync: section of the config (struct cfg_sync of model.h), called from config.c. */
#ifndef XDPLB_CONFIG_SYNC_H
#define XDPLB_CONFIG_SYNC_H

#include <stddef.h>

#include "config/config_yaml.h"
#include "model/model.h"

#define CFG_SYNC_DEFAULT_PORT		 8848 /* LVS's sync port */
#define CFG_SYNC_DEFAULT_TTL		 1    /* peers share a link unless told otherwise */
#define CFG_SYNC_DEFAULT_HEARTBEAT_MS	 1000
#define CFG_SYNC_PEER_TIMEOUT_FACTOR	 3 /* default peer_timeout: this many heartbeats */
#define CFG_SYNC_DEFAULT_DUMP_TIMEOUT_MS 5000
#define CFG_SYNC_KEY_MIN		 32 /* bytes of key material */

/* Defaults of every sync key; config.c calls it whether or not the file has a sync: section. */
void cfg_sync_defaults(struct lb_config *cfg);

/*
 * Parses the sync: mapping into cfg->sync (and node.sync_first/refresh_packets).
 * Returns 0 or -EINVAL with "path:line:column: message" in err. With
 * `enabled: true` it also checks the key file: a regular file of at least
 * CFG_SYNC_KEY_MIN bytes, readable by its owner only.
 */
int cfg_sync_parse(const char *path, const struct cfg_ynode *val, struct lb_config *cfg, char *err,
		   size_t errlen);

/* The key file checks alone: 0, or -errno with the reason (no file:line prefix) in err. */
int cfg_sync_check_key_file(const char *key_file, char *err, size_t errlen);

#endif /* XDPLB_CONFIG_SYNC_H */
