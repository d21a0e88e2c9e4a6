// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The previous backend per Maglev slot (Beamer, NSDI 2018: "previous
 * server"), which the data plane names as a flow's second chance.
 */
#include <netinet/in.h>

#include "dataplane/maglev.h"

uint32_t maglev_prev_update(const uint32_t *old_table, const uint32_t *old_prev,
			    const uint32_t *new_table, uint32_t m, uint32_t *new_prev,
			    bool (*keep)(uint32_t index, void *ctx), void *ctx)
{
	uint32_t s, prev, named = 0;

	for (s = 0; s < m; s++) {
		if (old_table && old_table[s] != new_table[s])
			prev = old_table[s];
		else
			prev = old_prev ? old_prev[s] : LB_NO_BACKEND;
		if (prev == new_table[s] || (prev != LB_NO_BACKEND && keep && !keep(prev, ctx)))
			prev = LB_NO_BACKEND;
		new_prev[s] = prev;
		named += prev != LB_NO_BACKEND;
	}
	return named;
}

const char *maglev_sc_why_not(const struct lb_vip_info *vip, uint8_t proto, bool tracked,
			      uint32_t pick, uint32_t prev, const struct lb_backend *second)
{
	/* The agent never sets LB_VIP_F_SECOND_CHANCE on an IPIP VIP: say why first. */
	if (vip->encap != LB_ENCAP_GUE)
		return "IPIP VIP: no header to carry a name";
	if (!(vip->flags & LB_VIP_F_SECOND_CHANCE))
		return "second_chance is off for this VIP";
	if (proto != IPPROTO_TCP)
		return "not TCP";
	if (tracked)
		return "tracked flow: its packets follow conntrack";
	if (prev == LB_NO_BACKEND || prev == pick)
		return "slot did not move";
	if (!second || !second->family || second->vip_index != vip->vip_index)
		return "slot's previous backend is gone";
	return NULL;
}
