/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What a backend host shows of itself: where decap runs, which VIPs lo holds, decap's counters. */
#ifndef XDPLB_BACKEND_STATE_H
#define XDPLB_BACKEND_STATE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "lb_common.h"
#include "model/model.h"

struct backend_state {
	bool attached;		     /* the pinned decap link runs on an interface */
	char interface[IF_NAMESIZE]; /* where, "" when not attached */
	bool generic;		     /* XDP in generic (skb) mode rather than the driver's */
	uint32_t prog_id, link_id;   /* for bpftool prog/link show */
	struct lb_counter decap[LB_DECAP_MAX]; /* tunnels stripped, by kind */
	struct lb_counter stats[LB_STAT_MAX];  /* decap counts LB_STAT_DECAP and LB_STAT_PASS */
	struct lb_counter drops[LB_DROP_MAX];  /* by reason; [0] unused */
	struct lb_counter sc[LB_SC_MAX];       /* second chance outcomes (lb_sc_stats) */
};

/*
 * Reads the decap program that backend_mode_apply(cfg) pinned: its link (interface, XDP mode,
 * ids) and its counters summed over CPUs. Nothing pinned is not an error: attached false,
 * counters 0. Returns 0 or -errno (a pin that exists but cannot be read).
 */
int backend_state_read(const struct lb_config *cfg, struct backend_state *st);

/*
 * Whether lo holds each VIP address of cfg: on_lo[i] for cfg->vips[i] (the caller's array of
 * cfg->n_vips). Returns 0 or -errno.
 */
int backend_state_vips_on_lo(const struct lb_config *cfg, bool *on_lo);

#endif /* XDPLB_BACKEND_STATE_H */
