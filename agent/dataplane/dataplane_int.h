/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Shared between dataplane.c (life cycle) and dataplane_apply.c (map programming). */
#ifndef XDPLB_DATAPLANE_INT_H
#define XDPLB_DATAPLANE_INT_H

#include <stddef.h>

#include "dataplane/dataplane.h"

struct ct_count;

/*
 * One lb_backends slot as the agent keeps it (index = position in
 * dataplane.be): one (VIP, backend) pair, so a backend serving two VIPs has
 * two, each with its own health verdict, drain and counters.
 */
struct dp_backend {
	bool used;
	bool configured;       /* seen in the config being applied (scratch for the diff) */
	bool drain;	       /* runtime state from lbctl, kept while the pair stays configured */
	bool nh_known;	       /* next hop MAC resolved (or adopted from the pinned slot) */
	bool nh_logged;	       /* "waiting for its next hop" said once */
	bool nh_unreachable;   /* no route: retried on route changes, not by the timer */
	uint32_t nh_delay_ms;  /* timer retries back off: 200 ms doubling up to 3.2 s */
	uint64_t nh_next_ms;   /* CLOCK_MONOTONIC ms of the next timer retry */
	bool healthy;	       /* health checks' verdict when the slot was last written */
	bool down_keeps_flows; /* the VIP keeps a DOWN pair's flows (down_flows: keep) */
	struct xaddr addr;
	struct lb_backend slot; /* what lb_backends holds for it; slot.vip_index: the pair's VIP */
	uint64_t freed_seq;	/* when it was freed: older free slots are reused first */
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
	uint32_t be_fresh;		   /* next never-used backend index */
	uint32_t be_hash[DP_BE_HASH_SIZE]; /* pair indices by (VIP, address), 0 = empty */
	uint32_t nh_memo[DP_BE_HASH_SIZE]; /* dataplane_resolve's scratch: first pair per address */
	struct dp_vip vips[LB_MAX_VIPS];
	uint32_t vip_fresh;
	struct lb_vip_key icmp[LB_MAX_VIPS];	  /* installed ICMP entries */
	uint64_t vip_filter[LB_VIP_FILTER_WORDS]; /* lb_vip_filter as written */
	size_t n_icmp;
	struct dp_weight *weights;
	size_t n_weights;
	dataplane_up_fn health_up; /* NULL: every backend counts as healthy */
	void *health_ctx;
	uint64_t seq;
	uint64_t tables_built; /* Maglev tables built and swapped in since start */
	size_t nh_pending; /* configured backends whose next hop is still unknown */
	size_t nh_retry;   /* of those, the ones waiting for a neighbour answer (timer retries) */
	struct ct_count *ct_count; /* lb_conntrack's counter, loaded at first use */
	int ct_count_err;	   /* why it could not be loaded: asked once, not at every status */
};

int dp_pin_path(const struct dataplane *dp, const char *name, char *buf, size_t len);

/* Rebuilds the index assignment and runtime state from the (possibly pinned) maps. */
int dp_state_adopt(struct dataplane *dp);

/* Maglev inner tables and second chance's prev tables (dataplane_prev.c). */
int dp_table_create(const char *name, uint32_t m, const uint32_t *values);
/* Before a new table goes in: lb_maglev_prev from the installed table and the new one. */
int dp_prev_install(struct dataplane *dp, uint32_t vip_index, uint32_t m, const uint32_t *table);
int dp_prev_remove(struct dataplane *dp, uint32_t vip_index);

/* lb_vip_filter (dataplane_filter.c): bits added before the VIPs, cut after them. */
int dp_filter_grow(struct dataplane *dp, const struct lb_config *cfg);
int dp_filter_trim(struct dataplane *dp, const struct lb_config *cfg);
int dp_filter_adopt(struct dataplane *dp);

#endif /* XDPLB_DATAPLANE_INT_H */
