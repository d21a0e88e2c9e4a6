/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The lb fixture tables: {description, packet in, expected action, expected packet out}. */
#ifndef XDPLB_TESTS_LB_CASES_H
#define XDPLB_TESTS_LB_CASES_H

#include <stddef.h>

#include "lb_world.h"

/*
 * build() programs what the case needs beyond the world, may send earlier
 * packets of the flow, and fills r->in, r->out, r->action and the counter
 * the checked packet must bump; check() (optional) asserts map state after
 * the checked packet ran.
 */
struct lb_case {
	const char *name;
	void (*build)(struct lb_run *r);
	void (*check)(struct lb_run *r);
};

#define LB_CASE(desc, fn) { .name = desc, .build = fn }
#define LB_CASE_CHECKED(desc, fn, check_fn) { .name = desc, .build = fn, .check = check_fn }

struct lb_case_table {
	const struct lb_case *cases;
	size_t n;
};

extern const struct lb_case_table lb_cases_fwd; /* encapsulation, pass, conntrack, Maglev */
extern const struct lb_case_table lb_cases_parse; /* malformed packets, fragments */
extern const struct lb_case_table lb_cases_icmp; /* echo, errors, too big */
extern const struct lb_case_table lb_cases_sync; /* events, counters, conntrack content */
extern const struct lb_case_table lb_cases_edge; /* ranges, wrap-around, padding, odd sizes */
extern const struct lb_case_table lb_cases_contract; /* what the doc pinned later */
extern const struct lb_case_table lb_cases_cache; /* the per-CPU flow cache */

/* Shared steps of building a case. */
void lbc_forward(struct lb_run *r, const struct pkt_spec *s, uint32_t vip, uint32_t be);
void lbc_pass(struct lb_run *r, const struct pkt_spec *s);
/* r->in already built: it must be dropped unchanged, counted under reason. */
void lbc_drop(struct lb_run *r, uint32_t reason);
void lbc_build(struct pkt *p, const struct pkt_spec *s);
/*
 * s's tuple, already tracked on W_BE1 in the IPv4 TCP VIP, is reused: the
 * table moves to W_BE2, a SYN goes, and the checked packet is the ACK after
 * it, which must reach W_BE2.
 */
void lbc_reused_tuple(struct lb_run *r, struct pkt_spec *s);

#endif /* XDPLB_TESTS_LB_CASES_H */
