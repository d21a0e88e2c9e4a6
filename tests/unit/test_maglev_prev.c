// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Second chance: the previous backend per Maglev slot across backend changes. */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <criterion/criterion.h>

#include "dataplane/maglev.h"

#define M 1009

/* Backend k (1-based index k): 198.51.100.k, weight 1. */
static void make(struct maglev_backend *b, size_t n)
{
	size_t k;

	memset(b, 0, n * sizeof(*b));
	for (k = 0; k < n; k++) {
		b[k].addr.family = LB_AF_INET;
		b[k].addr.addr[0] = htonl(0xc6336400 | (uint32_t)(k + 1));
		b[k].weight = 1;
		b[k].index = k + 1;
	}
}

static uint32_t *table_of(const struct maglev_backend *b, size_t n)
{
	uint32_t *t = calloc(M, sizeof(*t));

	cr_assert_not_null(t);
	cr_assert_eq(maglev_build(b, n, M, t), 0);
	return t;
}

Test(maglev_prev, first_table_names_no_prev)
{
	struct maglev_backend b[3];
	uint32_t *t, prev[M], s;

	make(b, 3);
	t = table_of(b, 3);
	cr_assert_eq(maglev_prev_update(NULL, NULL, t, M, prev, NULL, NULL), 0);
	for (s = 0; s < M; s++)
		cr_assert_eq(prev[s], LB_NO_BACKEND);
	free(t);
}

Test(maglev_prev, add_moved_slots_name_old_backend_unmoved_name_none)
{
	struct maglev_backend b[4];
	uint32_t *t3, *t4, prev[M], s, moved = 0;

	make(b, 4);
	t3 = table_of(b, 3);
	t4 = table_of(b, 4);
	cr_assert_gt(maglev_prev_update(t3, NULL, t4, M, prev, NULL, NULL), 0);
	for (s = 0; s < M; s++) {
		if (t3[s] != t4[s]) {
			/* Mostly to the new backend; Maglev shuffles a few among the others. */
			moved += t4[s] == 4;
			cr_assert_eq(prev[s], t3[s], "slot %u moved from %u: prev %u", s, t3[s],
				     prev[s]);
		} else {
			cr_assert_eq(prev[s], LB_NO_BACKEND, "slot %u did not move: prev %u", s,
				     prev[s]);
		}
	}
	cr_assert_gt(moved, M / 5, "about a quarter of the slots move to a fourth backend");
	free(t3);
	free(t4);
}

Test(maglev_prev, remove_moved_slots_name_the_removed_backend)
{
	struct maglev_backend b[3];
	uint32_t *t3, *t2, prev[M], s, named;

	make(b, 3);
	t3 = table_of(b, 3);
	t2 = table_of(b, 2);
	named = maglev_prev_update(t3, NULL, t2, M, prev, NULL, NULL);
	for (s = 0; s < M; s++)
		cr_assert_eq(prev[s], t3[s] != t2[s] ? t3[s] : LB_NO_BACKEND, "slot %u", s);
	cr_assert_geq(named, M / 3 - 2, "every slot of the removed backend moved: %u", named);
	free(t3);
	free(t2);
}

/* A slot that stays keeps the prev of the change that last moved it. */
Test(maglev_prev, unmoved_slot_keeps_its_earlier_prev)
{
	struct maglev_backend b[5];
	uint32_t *t3, *t4, *t5, p1[M], p2[M], s, kept = 0;

	make(b, 5);
	t3 = table_of(b, 3);
	t4 = table_of(b, 4);
	t5 = table_of(b, 5);
	maglev_prev_update(t3, NULL, t4, M, p1, NULL, NULL);
	maglev_prev_update(t4, p1, t5, M, p2, NULL, NULL);
	for (s = 0; s < M; s++) {
		if (t4[s] != t5[s]) {
			cr_assert_eq(p2[s], t4[s] == t5[s] ? 0 : t4[s], "slot %u", s);
		} else {
			cr_assert_eq(p2[s], p1[s], "slot %u", s);
			kept += p1[s] != LB_NO_BACKEND;
		}
	}
	cr_assert_gt(kept, 0, "some slots moved by the first change stay in the second");
	free(t3);
	free(t4);
	free(t5);
}

/* Moving back (add, then remove the same backend) leaves no prev equal to the backend. */
Test(maglev_prev, moved_back_slot_names_the_backend_it_left)
{
	struct maglev_backend b[4];
	uint32_t *t3, *t4, p1[M], p2[M], s;

	make(b, 4);
	t3 = table_of(b, 3);
	t4 = table_of(b, 4);
	maglev_prev_update(t3, NULL, t4, M, p1, NULL, NULL);
	maglev_prev_update(t4, p1, t3, M, p2, NULL, NULL);
	for (s = 0; s < M; s++) {
		cr_assert_neq(p2[s], t3[s], "slot %u names its own backend", s);
		cr_assert_eq(p2[s],
			     t4[s] != t3[s]   ? t4[s]
			     : p1[s] != t3[s] ? p1[s]
					      : 0,
			     "slot %u", s);
	}
	free(t3);
	free(t4);
}

static bool keep_not_2(uint32_t index, void *ctx)
{
	(void)ctx;
	return index != 2;
}

Test(maglev_prev, prev_of_a_pair_gone_is_dropped)
{
	struct maglev_backend b[3];
	uint32_t *t3, *t2, prev[M], s;

	make(b, 3);
	t3 = table_of(b, 3);
	t2 = table_of(b, 2);
	maglev_prev_update(t3, NULL, t2, M, prev, keep_not_2, NULL);
	for (s = 0; s < M; s++)
		cr_assert(prev[s] != 2 && (prev[s] == 3 || prev[s] == LB_NO_BACKEND), "slot %u", s);
	free(t3);
	free(t2);
}

/* lbctl explain's reading of lb_sc_second(): each reason a flow names nobody, in its order. */
Test(maglev_prev, explain_names_the_prev_only_for_an_untracked_tcp_flow_of_a_moved_slot)
{
	struct lb_vip_info vip = {
	    .vip_index = 7, .encap = LB_ENCAP_GUE, .flags = LB_VIP_F_SECOND_CHANCE};
	struct lb_backend second = {.family = LB_AF_INET, .vip_index = 7}, other = second;
	const char *why;

	cr_assert_null(maglev_sc_why_not(&vip, IPPROTO_TCP, false, 3, 5, &second));
	why = maglev_sc_why_not(&vip, IPPROTO_TCP, false, 3, LB_NO_BACKEND, &second);
	cr_assert_str_eq(why, "slot did not move");
	cr_assert_str_eq(maglev_sc_why_not(&vip, IPPROTO_TCP, false, 5, 5, &second), why);
	cr_assert_str_eq(maglev_sc_why_not(&vip, IPPROTO_TCP, true, 3, 5, &second),
			 "tracked flow: its packets follow conntrack");
	cr_assert_str_eq(maglev_sc_why_not(&vip, IPPROTO_UDP, false, 3, 5, &second), "not TCP");
	other.vip_index = 8;
	why = maglev_sc_why_not(&vip, IPPROTO_TCP, false, 3, 5, &other);
	cr_assert_str_eq(why, "slot's previous backend is gone");
	other.family = 0;
	other.vip_index = 7;
	cr_assert_str_eq(maglev_sc_why_not(&vip, IPPROTO_TCP, false, 3, 5, &other), why);
	vip.flags = 0;
	cr_assert_str_eq(maglev_sc_why_not(&vip, IPPROTO_TCP, false, 3, 5, &second),
			 "second_chance is off for this VIP");
	vip.encap = LB_ENCAP_IPIP;
	cr_assert_str_eq(maglev_sc_why_not(&vip, IPPROTO_TCP, false, 3, 5, &second),
			 "IPIP VIP: no header to carry a name");
}
