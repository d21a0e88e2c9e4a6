/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The validated in-memory config model: what config.c produces and everyone else reads. */
#ifndef XDPLB_MODEL_H
#define XDPLB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "lb_common.h"

#define CFG_NAME_MAX 64
#define CFG_ZONE_MAX 32
#define CFG_PATH_MAX 256
#define CFG_WEIGHT_MAX 65535 /* Maglev weights are relative; this bounds table fill time */

/* An address as the model keeps it: family LB_AF_* and network-order words. */
struct xaddr {
	uint8_t family;
	uint8_t pad[3];
	uint32_t addr[4];
};

enum cfg_role {
	CFG_ROLE_BALANCER = 0, /* runs lb.bpf.c on node.interface */
	CFG_ROLE_BACKEND = 1, /* runs decap.bpf.c and holds the VIPs on lo */
};

enum cfg_xdp_mode {
	CFG_XDP_AUTO = 0, /* native, falling back to generic with a warning */
	CFG_XDP_NATIVE = 1,
	CFG_XDP_GENERIC = 2,
};

struct cfg_backend {
	struct xaddr addr;
	uint32_t weight; /* 1..CFG_WEIGHT_MAX; 0 is refused (use drain) */
	char zone[CFG_ZONE_MAX]; /* "" = the node's zone */
	int line, column; /* where it was defined, for messages */
};

struct cfg_vip {
	char name[CFG_NAME_MAX]; /* "" = derived from address:port/proto */
	struct xaddr addr;
	uint16_t port; /* host order; 0 = any port */
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t encap; /* enum lb_encap */
	uint16_t gue_port; /* host order, GUE destination port */
	uint32_t maglev_size; /* prime */
	uint32_t flags; /* LB_VIP_F_HASH_ADDRS, LB_VIP_F_FAIL_OPEN */
	char primary_zone[CFG_ZONE_MAX]; /* "" = every zone is primary */
	char secondary_zone[CFG_ZONE_MAX];
	struct cfg_backend *backends;
	size_t n_backends;
	int line, column;
};

struct cfg_node {
	uint32_t id; /* unique in the cluster, 1..2^32-1 */
	char zone[CFG_ZONE_MAX];
	enum cfg_role role;
	char interface[IF_NAMESIZE];
	enum cfg_xdp_mode xdp_mode;
	struct xaddr addresses[8]; /* this node's own addresses (backend: decap targets) */
	size_t n_addresses;
	/* Outer source bases; cfg_load fills them from addresses when tunnel_source leaves one out. */
	struct xaddr tun_src4; /* outer IPv4 source base (family 0 = unset) */
	uint8_t tun_src4_bits;
	struct xaddr tun_src6;
	uint8_t tun_src6_bits;
	uint16_t mtu; /* outer L3 MTU toward backends; 0 = no check */
	uint16_t gue_sport_min, gue_sport_max; /* host order; default 49152..65535 */
	uint8_t outer_ttl;
	uint32_t hash_seed;
	uint32_t conntrack_size;
	uint32_t sync_first_packets, sync_refresh_packets;
	char control_socket[CFG_PATH_MAX];
	char control_group[CFG_NAME_MAX]; /* "" = root only (mode 0600) */
	char bpffs_dir[CFG_PATH_MAX];
};

struct lb_config {
	char path[CFG_PATH_MAX];
	struct cfg_node node;
	struct cfg_vip *vips;
	size_t n_vips;
};

#endif /* XDPLB_MODEL_H */
