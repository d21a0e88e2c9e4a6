/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Weighted Maglev lookup tables (Eisenbud et al., NSDI 2016): backends -> M slots. */
#ifndef XDPLB_MAGLEV_H
#define XDPLB_MAGLEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct maglev_backend {
	struct xaddr addr; /* names the backend on every node: its permutation comes from here */
	uint32_t weight; /* relative share of the slots; 0 = no slots */
	uint32_t index; /* value written into the table (node-local lb_backends index) */
};

/*
 * Fills table[0..m-1] with backend indices. Deterministic: the same set of
 * {addr, weight} gives the same table on every node whatever the order of
 * `backends`. n == 0 (or all weights 0) fills LB_NO_BACKEND. m must be prime
 * and > n; addresses must be distinct. Returns 0 or -EINVAL / -ENOMEM.
 */
int maglev_build(const struct maglev_backend *backends, size_t n, uint32_t m, uint32_t *table);

bool maglev_is_prime(uint32_t m);

/*
 * Second chance (docs/SECOND_CHANCE.md): prev[s] is the backend slot s held
 * before the last change that moved it, LB_NO_BACKEND for a slot that never
 * moved. Given the installed table and its prev (either NULL: none installed,
 * or of another size), and the new table, fills new_prev: a slot that moves
 * now names the backend it leaves, one that stays keeps its earlier prev. A
 * prev equal to the slot's new backend, or that keep() refuses (a pair gone
 * since), is dropped. Returns how many slots name a prev.
 */
uint32_t maglev_prev_update(const uint32_t *old_table, const uint32_t *old_prev,
			    const uint32_t *new_table, uint32_t m, uint32_t *new_prev,
			    bool (*keep)(uint32_t index, void *ctx), void *ctx);

/*
 * Why a non-SYN packet of a flow would name no second backend, as
 * lb_sc_second() in bpf/lib/second_chance.h and its caller in bpf/lb.bpf.c
 * decide, or NULL when it names `second` (lb_backends[prev]; NULL if that
 * index is empty). tracked: lb_conntrack or lb_ct_new holds the flow. pick is
 * Maglev's backend index, prev the slot's lb_maglev_prev value. For lbctl
 * explain, which cannot read the data plane's decision.
 */
const char *maglev_sc_why_not(const struct lb_vip_info *vip, uint8_t proto, bool tracked,
			      uint32_t pick, uint32_t prev, const struct lb_backend *second);

#endif /* XDPLB_MAGLEV_H */
