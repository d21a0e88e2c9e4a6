/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Backend choice: the VIP's Maglev table, probing past DOWN/DRAIN backends. */
#ifndef XDPLB_LIB_MAGLEV_H
#define XDPLB_LIB_MAGLEV_H

#include "maps.h"

/* A backend a table or conntrack entry may name: in range and not an empty slot. */
static __always_inline struct lb_backend *lb_backend_get(__u32 index)
{
	struct lb_backend *be;

	if (index == LB_NO_BACKEND || index >= LB_MAX_BACKENDS)
		return NULL;
	be = bpf_map_lookup_elem(&lb_backends, &index);
	if (!be || !be->family)
		return NULL;
	return be;
}

/*
 * Picks the backend of a new flow: the first of LB_MAGLEV_PROBES slots from
 * hash % size whose backend is neither DOWN nor DRAIN (nor DOWN_KEPT) and has a
 * next hop.
 * Returns 0 with *index and *be set, or the drop reason.
 */
static __always_inline int lb_maglev_pick(const struct lb_vip_info *vip, __u32 hash, __u32 *index,
					  struct lb_backend **be)
{
	__u32 size = vip->maglev_size, slot, first_ok = LB_NO_BACKEND, *entry;
	struct lb_backend *b, *first_be = NULL;
	bool bad = false;
	void *table;
	int i;

	table = bpf_map_lookup_elem(&lb_maglev, &vip->vip_index);
	if (!table || !size)
		return LB_DROP_NO_TABLE;
	slot = hash % size;
	for (i = 0; i < LB_MAGLEV_PROBES; i++) {
		entry = bpf_map_lookup_elem(table, &slot);
		b = entry ? lb_backend_get(*entry) : NULL;
		if (!b) {
			bad = true;
		} else if (!(b->flags & (LB_BE_F_DOWN | LB_BE_F_DRAIN | LB_BE_F_DOWN_KEPT |
					 LB_BE_F_NO_NEXTHOP))) {
			*index = *entry;
			*be = b;
			return 0;
		} else if (!first_be && !(b->flags & LB_BE_F_NO_NEXTHOP)) {
			first_ok = *entry;
			first_be = b;
		}
		if (++slot == size)
			slot = 0;
	}
	if ((vip->flags & LB_VIP_F_FAIL_OPEN) && first_be) {
		*index = first_ok;
		*be = first_be;
		return 0;
	}
	return bad ? LB_DROP_BAD_BACKEND : LB_DROP_NO_BACKEND;
}

#endif /* XDPLB_LIB_MAGLEV_H */
