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
	CFG_ROLE_PROXY = 2, /* a backend that runs HAProxy on its VIPs (agent/proxy/) */
};

enum cfg_xdp_mode {
	CFG_XDP_AUTO = 0, /* native, falling back to generic with a warning */
	CFG_XDP_NATIVE = 1,
	CFG_XDP_GENERIC = 2,
};

enum cfg_health_type {
	CFG_HC_NONE = 0, /* no checks: the backend counts as up */
	CFG_HC_TCP = 1, /* connect() succeeds */
	CFG_HC_HTTP = 2, /* GET (or method) answers an expected status (and body) */
	CFG_HC_HTTPS = 3, /* the same over TLS */
	CFG_HC_UDP = 4, /* a datagram sent is answered (with the expected bytes) */
	CFG_HC_EXEC = 5, /* a command exits 0 within the timeout */
};

#define CFG_HC_STATUS_MAX 8 /* expect_status entries */
#define CFG_HC_HOST_MAX 256
#define CFG_HC_BYTES_MAX 256 /* expect_body (text), udp payload and expect (any bytes) */
#define CFG_HC_ARGV_MAX 16
#define CFG_HC_COMMAND_MAX 512 /* exec argv, NUL-separated */

/*
 * How one backend is checked. cfg_load fills every default and resolves port 0
 * to the VIP's port, so a reader never needs the VIP to run a check.
 */
struct cfg_health {
	uint8_t type; /* enum cfg_health_type */
	bool initial_up; /* state of a backend before its first verdict */
	bool tls_verify; /* https: verify the certificate and the host name */
	uint8_t n_status; /* entries of status */
	uint16_t port; /* host order; where tcp/http/https/udp checks go */
	uint16_t status[CFG_HC_STATUS_MAX][2]; /* accepted HTTP status ranges, inclusive */
	uint32_t interval_ms; /* from the start of one check to the start of the next */
	uint32_t timeout_ms; /* <= interval_ms */
	uint32_t jitter_ms; /* each interval is longer by a random 0..jitter_ms */
	uint32_t rise, fall; /* successes to go up, failures to go down, in a row */
	char method[16]; /* http(s) */
	char path[CFG_PATH_MAX]; /* http(s), starts with '/' */
	char host[CFG_HC_HOST_MAX]; /* http(s) Host header and TLS name; "" = the address */
	char expect_body[CFG_HC_BYTES_MAX]; /* http(s): "" or a substring the body must hold */
	uint8_t payload[CFG_HC_BYTES_MAX]; /* udp: what to send; NUL bytes are data */
	uint8_t expect[CFG_HC_BYTES_MAX]; /* udp: bytes the reply must hold */
	uint16_t payload_len; /* bytes of payload; 0 sends an empty datagram */
	uint16_t expect_len; /* bytes of expect; 0 takes any reply */
	char command[CFG_HC_COMMAND_MAX]; /* exec: argc strings one after another */
	uint8_t argc;
};

struct cfg_backend {
	struct xaddr addr;
	uint32_t weight; /* 1..CFG_WEIGHT_MAX; 0 is refused (use drain) */
	char zone[CFG_ZONE_MAX]; /* "" = the node's zone */
	struct cfg_health *health; /* its own health: overrides; NULL = the VIP's */
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
	bool no_second_chance; /* second_chance: off (GUE VIPs have it on by default) */
	/*
	 * down_flows: keep. A backend its checks take DOWN gets no new flows of
	 * this VIP but keeps the ones tracked to it (it may still serve them);
	 * else (move, the default) they pick a new backend on their next packet.
	 */
	bool down_keeps_flows;
	char primary_zone[CFG_ZONE_MAX]; /* "" = every zone is primary */
	char secondary_zone[CFG_ZONE_MAX];
	struct cfg_health health; /* how its backends are checked (type none: not at all) */
	struct cfg_backend *backends;
	size_t n_backends;
	int line, column;
};

/* node.metrics: the Prometheus endpoint (agent/config/config_metrics.c parses it). */
struct cfg_metrics {
	bool enabled; /* listen: "" or off disables it */
	bool per_backend; /* series per (VIP, backend) pair; off at 100,000 pairs */
	uint16_t port; /* host order */
	struct xaddr addr;
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
	uint32_t sync_refresh_seconds; /* 0 = no refresh by time */
	char control_socket[CFG_PATH_MAX];
	char control_group[CFG_NAME_MAX]; /* "" = root only (mode 0600) */
	char bpffs_dir[CFG_PATH_MAX];
	struct cfg_metrics metrics;
};

/* sync: connection sync to peers over multicast (agent/config/config_sync.c parses it). */
struct cfg_sync {
	bool enabled;
	struct xaddr group; /* IPv4 or IPv6 multicast group */
	uint16_t port;	    /* host order */
	uint8_t ttl;	    /* multicast TTL / hop limit */
	char interface[IF_NAMESIZE]; /* "" = node.interface */
	char key_file[CFG_PATH_MAX];
	uint32_t heartbeat_ms, peer_timeout_ms, dump_timeout_ms;
};

/* cluster: zone state machine and route announcement (agent/config/config_cluster.c parses it). */
enum cfg_secondary_mode {
	CFG_SECONDARY_STANDBY = 0, /* announce only while no primary-zone peer is alive */
	CFG_SECONDARY_BACKUP = 1,  /* always announce, with the worse preference */
};

struct cfg_cluster {
	bool enabled;
	uint8_t secondary_mode;	   /* enum cfg_secondary_mode */
	uint8_t pad[2];
	uint32_t announce_table;   /* kernel routing table the VIP routes go to (BIRD learns it) */
	uint32_t metric_primary;   /* route priority of a primary-zone announcement */
	uint32_t metric_secondary; /* of a secondary-zone one: BIRD maps it to a worse BGP path */
	uint32_t hold_down_ms;	   /* primary zone up this long before traffic goes back to it */
	uint32_t interval_ms;	   /* how often the state machine looks at its inputs */
};

#include "model/proxy_model.h"
#include "model/region_model.h"

struct lb_config {
	char path[CFG_PATH_MAX];
	struct cfg_node node;
	struct cfg_sync sync;
	struct cfg_cluster cluster;
	struct cfg_proxy proxy; /* role proxy */
	struct cfg_region region; /* DNS failover between regions */
	struct cfg_vip *vips;
	size_t n_vips;
};

/* --- verbs on the model (model.c: addresses and names; diff.c: comparisons) --------------- */

#define CFG_ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
/* "[addr]:port/proto" or a name: room for the longest of either, or names come out cut. */
#define CFG_LABEL_MAX (CFG_NAME_MAX > CFG_ADDR_STRLEN + 16 ? CFG_NAME_MAX : CFG_ADDR_STRLEN + 16)

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

const char *cfg_proto_name(uint8_t proto);     /* "tcp", "udp" */
const char *cfg_encap_name(uint8_t encap);     /* "ipip", "gue" */
const char *cfg_role_name(enum cfg_role role); /* "balancer", "backend", "proxy" */

/* How backend b of vip is checked: its own health: overrides, else the VIP's. */
const struct cfg_health *cfg_backend_health(const struct cfg_vip *vip, const struct cfg_backend *b);
bool cfg_health_equal(const struct cfg_health *a, const struct cfg_health *b);
/* Same everything incl. backends (in order); not where in the file it was written. */
bool cfg_vip_equal(const struct cfg_vip *a, const struct cfg_vip *b);

/* The settings outside vips a reload applies, as bits of cfg_changes.settings. */
enum cfg_setting {
	CFG_SET_NODE_ID,
	CFG_SET_NODE_ZONE,
	CFG_SET_NODE_ADDRESSES,
	CFG_SET_NODE_TUNNEL_SOURCE,
	CFG_SET_NODE_MTU,
	CFG_SET_NODE_GUE_SOURCE_PORTS,
	CFG_SET_NODE_OUTER_TTL,
	CFG_SET_NODE_HASH_SEED,
	CFG_SET_NODE_CONTROL_GROUP,
	CFG_SET_NODE_METRICS,
	CFG_SET_SYNC,
	CFG_SET_CLUSTER,
	CFG_SET_REGION,
	CFG_SET_COUNT,
};

/* "node.mtu", "sync"...: how the file names the setting. */
const char *cfg_setting_name(unsigned int setting);

/*
 * What a reload from old to new changes, counted by VIP and by backend address, and the
 * settings it applies that changed. Keys a reload refuses (role, interface...) and
 * node.conntrack_size (applied at the next load only) are not settings here.
 */
struct cfg_changes {
	unsigned int vips_added, vips_removed, vips_changed;
	unsigned int backends_added, backends_removed;
	uint32_t settings; /* 1u << CFG_SET_* */
};

void cfg_diff(const struct lb_config *old, const struct lb_config *new, struct cfg_changes *chg);

/* The distinct backend addresses of cfg, sorted, *n of them (free()); NULL: no memory. */
struct xaddr *cfg_backend_addrs(const struct lb_config *cfg, size_t *n);

#endif /* XDPLB_MODEL_H */
