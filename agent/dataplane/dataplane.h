/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The balancer's data plane: load/adopt/attach lb.bpf.c, pin it, program its maps by diff. */
#ifndef XDPLB_DATAPLANE_H
#define XDPLB_DATAPLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lb_common.h"
#include "lb_filter.h"
#include "model/model.h"

struct dataplane; /* dataplane_int.h: only the data plane's own files look inside */

/* Whether health checks let a (VIP, backend) pair take new flows (true when nothing checks it). */
typedef bool (*dataplane_up_fn)(void *ctx, const struct cfg_vip *vip, const struct cfg_backend *b);

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

/*
 * lb_conntrack's entries from the kernel's counter, in constant time (never a
 * walk): 0, or -errno when this kernel cannot say (before 6.6).
 */
int dataplane_ct_entries(struct dataplane *dp, uint64_t *entries);
/* lb_conntrack's max_entries as loaded (a pinned map keeps its size until an unload). */
uint32_t dataplane_ct_size(const struct dataplane *dp);

/* Sums a per-CPU value of `value_size` bytes (all __u64 fields) over CPUs into out. */
int dataplane_read_percpu(const struct dataplane *dp, int map_fd, uint32_t key, void *out,
			  size_t value_size);

int dataplane_map_fd(const struct dataplane *dp, const char *name);

/* Detaches the program and removes every pin (lbctl shutdown --unload). */
int dataplane_unload(struct dataplane *dp);

/* Frees the agent's side; the attached program and pinned maps keep forwarding. */
void dataplane_close(struct dataplane *dp);

void dataplane_key_from_xaddr(const struct xaddr *a, uint32_t addr[4], uint8_t *family);

/* Where the pair's verdict comes from; without it every pair counts as healthy. */
void dataplane_set_health(struct dataplane *dp, dataplane_up_fn fn, void *ctx);

/* The program: attached (its link held), in generic (skb) mode, on which interface. */
bool dataplane_attached(const struct dataplane *dp);
bool dataplane_generic(const struct dataplane *dp);
uint32_t dataplane_ifindex(const struct dataplane *dp);
/* Found pinned maps and a pinned link, and took them over (an agent restart). */
bool dataplane_adopted(const struct dataplane *dp);

/* Configured pairs whose next hop is unknown; of those, the ones a timer retries. */
size_t dataplane_next_hops_pending(const struct dataplane *dp);
size_t dataplane_next_hops_retrying(const struct dataplane *dp);

/* One pair's slot as lb_backends holds it, for lbctl and the agent's restart. */
struct dataplane_pair {
	bool next_hop_known;
	uint8_t flags; /* LB_BE_F_* as written */
	uint8_t dmac[6];
};

/* 0, or -ENOENT when idx is no pair. */
int dataplane_pair_get(const struct dataplane *dp, uint32_t idx, struct dataplane_pair *out);

#endif /* XDPLB_DATAPLANE_H */
