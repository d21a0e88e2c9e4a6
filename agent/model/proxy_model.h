/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The proxy: section of the model (role proxy): layer-7 listeners on the node's VIPs, the
 * rules that send requests to server groups, and the groups. agent/config/config_proxy.c
 * fills it, agent/proxy/ turns it into HAProxy's configuration and runtime commands.
 */
#ifndef XDPLB_PROXY_MODEL_H
#define XDPLB_PROXY_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Include model/model.h, not this: it includes this file once struct xaddr is defined. */
struct cfg_health;

#define CFG_PROXY_NAME_MAX   64
#define CFG_PROXY_HOST_MAX   256
#define CFG_PROXY_PATH_MAX   256
#define CFG_PROXY_CERTS_MAX  16	 /* certificate files of one listener */
#define CFG_PROXY_WEIGHT_MAX 256 /* HAProxy's server weights are 0..256 */

enum cfg_l7_protocol {
	CFG_L7_HTTP = 0,
	CFG_L7_HTTPS = 1, /* TLS terminated here, certificate chosen by SNI */
};

/* A server's administrative state: what the runtime API can change with no reload. */
enum cfg_server_state {
	CFG_SRV_READY = 0,
	CFG_SRV_DRAIN = 1, /* no new sessions, persistent (cookie) ones still come */
	CFG_SRV_MAINT = 2, /* no traffic at all */
};

enum cfg_balance {
	CFG_BALANCE_ROUNDROBIN = 0,
	CFG_BALANCE_LEASTCONN = 1,
	CFG_BALANCE_SOURCE = 2,
};

struct cfg_proxy_server {
	char name[CFG_PROXY_NAME_MAX]; /* unique in its group; default "s<N>", N from 1 */
	struct xaddr addr;
	uint16_t port; /* host order */
	uint8_t state; /* enum cfg_server_state */
	uint8_t pad;
	uint32_t weight; /* 1..CFG_PROXY_WEIGHT_MAX */
	int line, column;
};

struct cfg_proxy_group {
	char name[CFG_PROXY_NAME_MAX];
	uint8_t balance;     /* enum cfg_balance */
	bool proxy_protocol; /* connections (and checks) to servers open with a PROXY v2 header */
	char cookie[CFG_PROXY_NAME_MAX]; /* inserted persistence cookie's name; "" = none */
	uint32_t connect_ms, server_ms;	 /* timeouts toward the servers */
	struct cfg_health *check;	 /* the servers' active check; NULL = none */
	struct cfg_proxy_server *servers;
	size_t n_servers;
	int line, column;
};

/* Requests whose Host matches host (exact, or "*.example.com") and whose path starts with path. */
struct cfg_proxy_rule {
	char host[CFG_PROXY_HOST_MAX]; /* "" = any host */
	char path[CFG_PROXY_PATH_MAX]; /* "" = any path */
	char group[CFG_PROXY_NAME_MAX];
	int line, column;
};

struct cfg_proxy_listener {
	char name[CFG_PROXY_NAME_MAX];
	char vip[CFG_PROXY_NAME_MAX]; /* the VIP (vips: entry) whose address and port it binds */
	struct xaddr addr;	      /* copied from that VIP */
	uint16_t port;
	uint8_t protocol;	 /* enum cfg_l7_protocol */
	bool http2;		 /* https: offer h2 by ALPN before http/1.1 */
	uint16_t redirect_https; /* http: answer 301 to https on this port; 0 = serve */
	bool forwarded_for;	 /* add X-Forwarded-For and X-Forwarded-Proto */
	char certs[CFG_PROXY_CERTS_MAX][CFG_PROXY_PATH_MAX]; /* https: PEM, cert + key */
	size_t n_certs;
	char default_group[CFG_PROXY_NAME_MAX]; /* "" = requests no rule takes get 503 */
	uint32_t client_ms, request_ms; /* idle client, and time to receive a whole request */
	struct cfg_proxy_rule *rules;
	size_t n_rules;
	int line, column;
};

struct cfg_proxy {
	bool present; /* the file has a proxy: section */
	bool drain;   /* the health endpoint answers 503: the balancers move new flows away */
	uint16_t health_port; /* the health endpoint (HAProxy's monitor-uri), every address */
	char health_path[CFG_PROXY_PATH_MAX];
	struct cfg_metrics metrics;	  /* HAProxy's own Prometheus exporter; enabled: serve it */
	char haproxy[CFG_PROXY_PATH_MAX]; /* the binary */
	char run_dir[CFG_PROXY_PATH_MAX]; /* generated config, master socket, stats socket */
	struct cfg_proxy_listener *listeners;
	size_t n_listeners;
	struct cfg_proxy_group *groups;
	size_t n_groups;
};

#endif /* XDPLB_PROXY_MODEL_H */
