/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The balancer's data plane: load/adopt/attach lb.bpf.c, pin it, program its maps by diff. */
#ifndef XDPLB_DATAPLANE_H
#define XDPLB_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>

#include "lb_common.h"
#include "lb_filter.h"
#include "model/model.h"

/*
 * One lb_backends slot as the agent keeps it (index = position in
 * dataplane.be): one (VIP, backend) pair, so a backend serving two VIPs has
 * two, each with its own health verdict, drain and counters.
 */
struct dp_backend {
	bool used;
	bool configured; /* seen in the config being applied (scratch for the diff) */
	bool drain;	 /* runtime state from lbctl, kept while the pair stays configured */
	bool nh_known; /* next hop MAC resolved (or adopted from the pinned slot) */
	bool nh_logged; /* "waiting for its next hop" said once */
	bool nh_unreachable; /* no route: retried on route changes, not by the timer */
	uint32_t nh_delay_ms; /* timer retries back off: 200 ms doubling up to 3.2 s */
	uint64_t nh_next_ms; /* CLOCK_MONOTONIC ms of the next timer retry */
	bool healthy; /* health checks' verdict when the slot was last written */
	bool down_keeps_flows; /* the VIP keeps a DOWN pair's flows (down_flows: keep) */
	uint32_t vip_index;    /* the pair's VIP: index into dataplane.vips */
	struct xaddr addr;
	struct lb_backend slot; /* what lb_backends holds for it */
	uint64_t freed_seq; /* when it was freed: older free slots are reused first */
};

/* One lb_vips entry of a service (not the ICMP ones) and its Maglev table. */
struct dp_vip {
	bool used;
	bool configured;
	struct lb_vip_key key;
	struct lb_vip_info info;
	uint32_t *sig; /* {index, weight} pairs the installed table was built from */
	size_t n_sig;
	bool table_known; /* sig describes the installed table */
	uint64_t freed_seq;
};

/* An lbctl weight change, kept until a reload drops its backend or VIP. */
struct dp_weight {
	struct xaddr backend;
	bool any_vip;
	struct lb_vip_key vip;
	uint32_t weight;
};

struct lb;

/* Open-addressing index of dataplane.be by (VIP, address): at most half full. */
#define DP_BE_HASH_SIZE (2 * LB_MAX_BACKENDS)

/* Whether health checks let a (VIP, backend) pair take new flows (true when nothing checks it). */
typedef bool (*dataplane_up_fn)(void *ctx, const struct cfg_vip *vip, const struct cfg_backend *b);

struct dataplane {
	struct lb *skel;
	char pin_dir[CFG_PATH_MAX];
	char ifname[IF_NAMESIZE];
	uint32_t ifindex;
	int link_fd;
	bool generic; /* attached in generic (skb) mode */
	bool adopted; /* found a pinned link and took it over */
	int ncpus;
	uint32_t hash_seed;
	struct lb_settings settings;
	struct dp_backend be[LB_MAX_BACKENDS];
	uint32_t be_fresh; /* next never-used backend index */
	uint32_t be_hash[DP_BE_HASH_SIZE]; /* pair indices by (VIP, address), 0 = empty */
	struct dp_vip vips[LB_MAX_VIPS];
	uint32_t vip_fresh;
	struct lb_vip_key icmp[LB_MAX_VIPS]; /* installed ICMP entries */
	uint64_t vip_filter[LB_VIP_FILTER_WORDS]; /* lb_vip_filter as written */
	size_t n_icmp;
	struct dp_weight *weights;
	size_t n_weights;
	dataplane_up_fn health_up; /* NULL: every backend counts as healthy */
	void *health_ctx;
	uint64_t seq;
	size_t nh_pending; /* configured backends whose next hop is still unknown */
	size_t nh_retry; /* of those, the ones waiting for a neighbour answer (timer retries) */
};

/*
 * Opens lb.bpf.c, reusing the maps pinned under node.bpffs_dir if there are
 * any, loads it, attaches it to node.interface (or takes over the pinned
 * link), and pins programs, link and maps. Returns NULL with errno set.
 */
struct dataplane *dataplane_open(const struct lb_config *cfg);

/* Programs the maps for cfg, writing only what differs from what they hold. */
int dataplane_apply(struct dataplane *dp, const struct lb_config *cfg);

/*
 * Resolves the next hops waiting for a neighbour whose retry is due; with
 * `all` (after a route or neighbour change) also every known and unroutable
 * one. Re-applies the tables when a slot changed.
 */
int dataplane_resolve(struct dataplane *dp, const struct lb_config *cfg, bool all);

/*
 * Runtime state from lbctl; both re-apply tables. -ENOENT: no such configured
 * backend (in vip). A NULL vip drains the backend in every VIP it serves.
 */
int dataplane_set_drain(struct dataplane *dp, const struct lb_config *cfg,
			const struct xaddr *backend, const struct cfg_vip *vip, bool drain);
int dataplane_set_weight(struct dataplane *dp, const struct lb_config *cfg,
			 const struct xaddr *backend, const struct cfg_vip *vip, uint32_t weight);

/* Weight of backend b in vip after lbctl overrides. */
uint32_t dataplane_weight(const struct dataplane *dp, const struct cfg_vip *vip,
			  const struct cfg_backend *b);

/* Index of the VIP's lb_vips entry: 0 or -ENOENT. */
int dataplane_vip_index(const struct dataplane *dp, const struct cfg_vip *vip, uint32_t *idx);

/* "up", "down" (health check or next hop unknown) or "drain", as the agent programmed it. */
const char *dataplane_backend_state(const struct dataplane *dp, uint32_t idx);

/* Index of the (VIP, backend) pair of a configured VIP and backend address, 0 if none. */
uint32_t dataplane_pair_index(const struct dataplane *dp, const struct cfg_vip *vip,
			      const struct xaddr *addr);

/* Sums a per-CPU value of `value_size` bytes (all __u64 fields) over CPUs into out. */
int dataplane_read_percpu(const struct dataplane *dp, int map_fd, uint32_t key, void *out,
			  size_t value_size);

int dataplane_map_fd(const struct dataplane *dp, const char *name);

/* Detaches the program and removes every pin (lbctl shutdown --unload). */
int dataplane_unload(struct dataplane *dp);

/* Frees the agent's side; the attached program and pinned maps keep forwarding. */
void dataplane_close(struct dataplane *dp);

void dataplane_key_from_xaddr(const struct xaddr *a, uint32_t addr[4], uint8_t *family);

#endif /* XDPLB_DATAPLANE_H */
