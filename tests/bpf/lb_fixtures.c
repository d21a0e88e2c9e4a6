// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Runs every lb fixture table as one parameterized Criterion test, one program load per case. */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/parameterized.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>

#include "lb_cases.h"

/* The runner verifies lb.bpf.c once; a failure here fails every lb fixture. */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	int err = harness_lb_suite_load();

	if (err)
		fprintf(stderr, "lb fixtures: loading lb.bpf.c: %s\n", strerror(-err));
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	harness_lb_suite_unload();
}

static const struct lb_case_table *const lb_tables[] = {
	&lb_cases_fwd, &lb_cases_parse, &lb_cases_icmp, &lb_cases_sync,
	&lb_cases_edge, &lb_cases_contract, &lb_cases_cache,
};

#define LB_MAX_CASES 256

void lbc_build(struct pkt *p, const struct pkt_spec *s)
{
	cr_assert_gt(pkt_build(p, s), 0, "building a fixture packet");
}

void lbc_forward(struct lb_run *r, const struct pkt_spec *s, uint32_t vip, uint32_t be)
{
	struct lb_flow_key key = w_key(s, w_vips[vip].flags & LB_VIP_F_HASH_ADDRS);

	lbc_build(&r->in, s);
	w_expect_encap(r, &r->in, vip, be, &key, &r->out);
	r->action = r->backends[be].ifindex ? XDP_REDIRECT : XDP_TX;
	r->stat = LB_STAT_FORWARDED;
}

void lbc_reused_tuple(struct lb_run *r, struct pkt_spec *s)
{
	struct pkt p;

	w_table_fill(r, W_VIP4_TCP, W_BE2);
	s->tcp_flags = PKT_TCP_SYN;
	lbc_build(&p, s);
	cr_assert_eq(w_send(r, &p), XDP_TX, "the reused tuple's SYN is forwarded");
	s->tcp_flags = PKT_TCP_ACK;
	lbc_forward(r, s, W_VIP4_TCP, W_BE2);
}

void lbc_pass(struct lb_run *r, const struct pkt_spec *s)
{
	lbc_build(&r->in, s);
	r->out = r->in;
	r->action = XDP_PASS;
	r->stat = LB_STAT_PASS;
}

void lbc_drop(struct lb_run *r, uint32_t reason)
{
	r->out = r->in;
	r->action = XDP_DROP;
	r->drop = reason;
}

static const struct lb_case *lb_case_at(size_t flat)
{
	size_t t;

	for (t = 0; t < sizeof(lb_tables) / sizeof(lb_tables[0]); t++) {
		if (flat < lb_tables[t]->n)
			return &lb_tables[t]->cases[flat];
		flat -= lb_tables[t]->n;
	}
	return NULL;
}

ParameterizedTestParameters(lb, fixtures)
{
	static int idx[LB_MAX_CASES];
	size_t n = 0, t;

	for (t = 0; t < sizeof(lb_tables) / sizeof(lb_tables[0]); t++)
		n += lb_tables[t]->n;
	if (n > LB_MAX_CASES)
		n = LB_MAX_CASES;
	for (t = 0; t < n; t++)
		idx[t] = t;
	return cr_make_param_array(int, idx, n);
}

static uint64_t counter_packets(struct lb_run *r)
{
	struct lb_counter c = { 0 };
	int err;

	if (r->drop)
		err = harness_percpu_sum(r->h.drops, r->drop, (uint64_t *)&c, 2);
	else if (r->stat != W_NO_STAT)
		err = harness_percpu_sum(r->h.stats, r->stat, (uint64_t *)&c, 2);
	else
		return 0;
	cr_assert_eq(err, 0, "reading a counter: %s", strerror(-err));
	return c.packets;
}

ParameterizedTest(int *i, lb, fixtures)
{
	const struct lb_case *c = lb_case_at(*i);
	static struct lb_run r;
	uint64_t before;
	bool ok;

	cr_assert_not_null(c);
	w_setup(&r);
	c->build(&r);
	before = counter_packets(&r);
	ok = harness_expect(stderr, c->name, r.h.prog_fd, &r.in, r.action, &r.out, W_GUE_PORT);
	cr_expect(ok, "lb fixture \"%s\" failed (diff above)", c->name);
	if (r.drop || r.stat != W_NO_STAT)
		cr_expect_eq(counter_packets(&r) - before, 1, "%s: %s %d not counted once", c->name,
			     r.drop ? "drop reason" : "stat", r.drop ? (int)r.drop : r.stat);
	if (c->check)
		c->check(&r);
	harness_lb_destroy(&r.h);
}
