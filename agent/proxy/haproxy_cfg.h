/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* HAProxy's configuration file, written from the model's proxy: section. */
#ifndef XDPLB_HAPROXY_CFG_H
#define XDPLB_HAPROXY_CFG_H

#include <stdbool.h>

#include "model/model.h"

/* Names HAProxy knows the parts by: frontends, backends, the health gate. */
#define HAPROXY_FE_PREFIX   "l_"	     /* frontend of listener NAME */
#define HAPROXY_BE_PREFIX   "g_"	     /* backend of group NAME */
#define HAPROXY_GATE	    "xlb_gate/ready" /* up: the health endpoint answers 200 */
#define HAPROXY_CFG_FILE    "haproxy.cfg"
#define HAPROXY_MASTER_SOCK "master.sock"
#define HAPROXY_STATS_SOCK  "stats.sock"
#define HAPROXY_PID_FILE    "haproxy.pid"

enum haproxy_cfg_flags {
	/*
	 * Leave out what the runtime API changes (server weights and states, the gate), and
	 * name each certificate file's identity: two renderings that are equal this way differ
	 * only in what needs no reload. For comparing, not for HAProxy.
	 */
	HAPROXY_CFG_STRUCTURE = 1U << 0,
	/* The gate is up: the agent has seen a worker run and the node is not draining. */
	HAPROXY_CFG_READY = 1U << 1,
	/* "# at FILE:LINE:COLUMN ..." before each section: where haproxy -c errors come from. */
	HAPROXY_CFG_ORIGINS = 1U << 2,
};

/*
 * The whole configuration for cfg's proxy: section, its sockets under proxy.run_dir.
 * Returns a malloc'd NUL-terminated text, or NULL with errno set.
 */
char *haproxy_cfg_render(const struct lb_config *cfg, unsigned int flags);

/*
 * Says where in the YAML the HAProxy line an error message names ("[file:N]") came from:
 * "FILE:LINE:COLUMN: listener NAME: haproxy -c: <message>" into out, from a text
 * rendered with HAPROXY_CFG_ORIGINS; without a position, "proxy: haproxy -c: <message>".
 */
void haproxy_cfg_explain(const char *text, const char *message, char *out, size_t len);

#endif /* XDPLB_HAPROXY_CFG_H */
