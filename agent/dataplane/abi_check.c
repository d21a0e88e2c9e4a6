// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The map ABI shared with bpf/, pinned at build time: a change to
 * bpf/lb_common.h that moves a field or changes a size fails here, before
 * an agent could write mis-laid-out values into maps pinned by an older one.
 */
#include <stddef.h>

#include "lb_common.h"

_Static_assert(sizeof(struct lb_vip_key) == 20, "lb_vip_key layout");
_Static_assert(sizeof(struct lb_vip_info) == 16, "lb_vip_info layout");
_Static_assert(sizeof(struct lb_backend) == 36, "lb_backend layout");
_Static_assert(offsetof(struct lb_backend, ifindex) == 32, "lb_backend.ifindex offset");
_Static_assert(sizeof(struct lb_backend_key) == 20, "lb_backend_key layout");
_Static_assert(sizeof(struct lb_weight_key) == 44, "lb_weight_key layout");
_Static_assert(sizeof(struct lb_flow_key) == 40, "lb_flow_key layout");
_Static_assert(sizeof(struct lb_conn) == 48, "lb_conn layout");
_Static_assert(offsetof(struct lb_conn, packets) == 24, "lb_conn.packets offset");
_Static_assert(sizeof(struct lb_flow_event) == 72, "lb_flow_event layout");
_Static_assert(offsetof(struct lb_flow_event, packets) == 64, "lb_flow_event.packets offset");
_Static_assert(sizeof(struct lb_settings) == 44, "lb_settings layout");
_Static_assert(sizeof(struct lb_vip_stats) == 40, "lb_vip_stats layout");
_Static_assert(sizeof(struct lb_backend_stats) == 24, "lb_backend_stats layout");
_Static_assert(sizeof(struct lb_counter) == 16, "lb_counter layout");
_Static_assert(sizeof(struct lb_gue_sc) == 24 && LB_GUE_SC_HLEN * 4 + 4 == 24, "lb_gue_sc layout");
_Static_assert(LB_SC_MAX == LB_SC_NOT_TCP + 1, "lb_sc_stats size");

/* Rows of LB_DROP_REASONS / LB_STATS in number order, none lost: *_MAX sizes lb_drops, lb_stats. */
_Static_assert(LB_DROP_MAX == LB_DROP_DECAP_MALFORMED + 1 && LB_DROP_MAX == 16, "lb_drops size");
_Static_assert(LB_STAT_MAX == LB_STAT_DECAP + 1 && LB_STAT_MAX == 9, "lb_stats size");

/*
 * Per-CPU values are copied out in 8-byte strides: these must need no
 * rounding so that a plain array of them is what the kernel hands back.
 */
_Static_assert(sizeof(struct lb_vip_stats) % 8 == 0, "lb_vip_stats per-CPU stride");
_Static_assert(sizeof(struct lb_backend_stats) % 8 == 0, "lb_backend_stats per-CPU stride");
_Static_assert(sizeof(struct lb_counter) % 8 == 0, "lb_counter per-CPU stride");
