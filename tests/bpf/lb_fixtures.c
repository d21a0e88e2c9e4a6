// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Runs every lb fixture table, its rows of data and its story functions, as one
 * parameterized Criterion test, one program load per case.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <sched.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/parameterized.h>
#include <linux/bpf.h>
#include <netinet/in.h>
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
    &lb_cases_fwd,  &lb_cases_parse,	&lb_cases_icmp,	 &lb_cases_sync,
    &lb_cases_edge, &lb_cases_contract, &lb_cases_cache, &lb_cases_sc,
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

void lbc_icmp_error(struct lb_run *r, struct pkt_spec *flow, uint8_t proto, const char *vip,
		    uint16_t vport, const struct lb_icmp_err *e)
{
	static uint8_t quote[PKT_MAX / 2];
	struct pkt_spec reply, err = {0};
	size_t len;

	w_client(flow, proto, vip, vport);
	reply = *flow;
	reply.ip_opts = e->quote_opts;
	reply.ip_opts_len = e->quote_opts_len;
	if (e->quote_frag) {
		reply.frag = e->quote_frag;
		reply.raw = true;
	}
	cr_assert_leq(e->quote_n_ext, PKT_EXT_MAX);
	if (e->quote_n_ext)
		memcpy(reply.ext, e->quote_ext, e->quote_n_ext * sizeof(reply.ext[0]));
	reply.n_ext = e->quote_n_ext;
	for (size_t i = 0; i < reply.n_ext; i++)
		if (reply.ext[i].type == IPPROTO_FRAGMENT && reply.ext[i].frag_off)
			reply.raw = true; /* a later fragment: no L4 header */
	memcpy(reply.src, flow->dst, sizeof(reply.src));
	memcpy(reply.dst, flow->src, sizeof(reply.dst));
	reply.sport = flow->dport;
	reply.dport = flow->sport;
	len = pkt_build_l3(quote, sizeof(quote), &reply);
	cr_assert_gt(len, 0);

	memcpy(err.dmac, flow->dmac, 6);
	memcpy(err.smac, flow->smac, 6);
	err.family = flow->family;
	pkt_addr(err.src, flow->family == LB_AF_INET ? "203.0.113.254" : "2001:db8:3::fe");
	memcpy(err.dst, flow->dst, sizeof(err.dst));
	err.tos = 0xc0;
	err.proto = flow->family == LB_AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	err.icmp_type = e->type;
	err.icmp_code = e->code;
	err.icmp_rest = e->rest;
	err.payload = quote;
	err.payload_len = e->quote_len ? e->quote_len : len;
	if (e->vlan_tci) {
		err.vlan_tpid = 0x8100;
		err.vlan_tci = e->vlan_tci;
	}
	lbc_build(&r->in, &err);
}

void lbc_error_routed(struct lb_run *r, const struct pkt_spec *flow, uint32_t vip, uint32_t be,
		      bool by_addrs)
{
	struct lb_flow_key key = w_key(flow, by_addrs);

	w_expect_encap(r, &r->in, vip, be, &key, &r->out);
	r->action = XDP_TX;
	r->stat = LB_STAT_ICMP_ERR_FORWARDED;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void row_world(struct lb_run *r, const struct lb_row_world *w, const struct pkt_spec *s)
{
	if (w->gue_sport_min || w->gue_sport_max || w->mtu || w->outer_ttl || w->tun_src4_bits ||
	    w->tun_src6_bits) {
		if (w->gue_sport_min || w->gue_sport_max) {
			r->settings.gue_sport_min = w->gue_sport_min;
			r->settings.gue_sport_max = w->gue_sport_max;
		}
		if (w->mtu)
			r->settings.mtu = w->mtu;
		if (w->outer_ttl)
			r->settings.outer_ttl = w->outer_ttl;
		if (w->tun_src4_bits)
			r->settings.tun_src4_bits =
			    w->tun_src4_bits == LB_BITS_NONE ? 0 : w->tun_src4_bits;
		if (w->tun_src6_bits)
			r->settings.tun_src6_bits =
			    w->tun_src6_bits == LB_BITS_NONE ? 0 : w->tun_src6_bits;
		w_apply_settings(r);
	}
	if (w->fill.be)
		w_table_fill(r, w->fill.vip, w->fill.be);
	if (w->be_flags.be)
		w_set_backend_flags(r, w->be_flags.be, w->be_flags.flags);
	cr_assert(s || (!w->slots.n && !w->synced.backend),
		  "a row's slots and synced entry need the client's own packet");
	if (w->slots.n) {
		struct lb_flow_key key = w_key(s, false);

		w_table_at(r, w->slots.vip, w->slots.fill, w_slot(r, &key), w->slots.at,
			   w->slots.n);
	}
	if (w->synced.backend) {
		struct lb_flow_key key = w_key(s, false);
		struct lb_conn conn = {.backend_index = w->synced.index,
				       .flags = LB_CONN_F_SYNCED,
				       .packets = w->synced.packets};

		pkt_addr(conn.backend_addr, w->synced.backend);
		conn.backend_family = strchr(w->synced.backend, ':') ? LB_AF_INET6 : LB_AF_INET;
		cr_assert_eq(bpf_map_update_elem(r->h.conntrack, &key, &conn, BPF_ANY), 0,
			     "inserting a synced entry");
	}
	if (w->icmp_entry) {
		bool v6 = strchr(w->icmp_entry, ':');
		struct lb_vip_key key = {.proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
					 .family = v6 ? LB_AF_INET6 : LB_AF_INET};
		struct lb_vip_info info = w_vip_info(v6 ? W_ICMP6 : W_ICMP4);

		pkt_addr(key.addr, w->icmp_entry);
		cr_assert_eq(harness_lb_vip(&r->h, &key, &info), 0, "adding an ICMP entry");
	}
	if (w->maps)
		w->maps(r);
}

static void row_spec(struct pkt_spec *s, const struct lb_row_pkt *p)
{
	static const uint8_t zeros[PKT_MAX];
	size_t hdrs;

	w_client(s, p->proto, p->dst, p->dport);
	if (p->sport)
		s->sport = p->sport;
	if (p->tcp_flags)
		s->tcp_flags = p->tcp_flags;
	if (p->no_df)
		s->frag = 0;
	if (p->frag)
		s->frag = p->frag;
	if (p->ip_id)
		s->ip_id = p->ip_id;
	s->raw = p->raw;
	s->tos = p->tos;
	s->ttl = p->ttl;
	s->flow_label = p->flow_label;
	s->vlan_tpid = p->vlan_tpid;
	s->vlan_tci = p->vlan_tci;
	s->ip_opts = p->ip_opts;
	s->ip_opts_len = p->ip_opts_len;
	memcpy(s->ext, p->ext, sizeof(s->ext));
	s->n_ext = p->n_ext;
	if (p->icmp_type)
		s->icmp_type = p->icmp_type;
	s->udp_csum_zero = p->udp_csum_zero;
	if (p->payload) {
		s->payload = p->payload;
		s->payload_len = p->payload_len;
	}
	if (p->l3_size) {
		hdrs = (s->family == LB_AF_INET ? 20 : 40) + (p->proto == IPPROTO_TCP ? 20 : 8);
		cr_assert_leq(p->l3_size - hdrs, sizeof(zeros));
		s->payload = zeros;
		s->payload_len = p->l3_size - hdrs;
	}
}

/* The IP length field of the frame's L3 packet, whichever the family. */
static uint8_t *ip_len_field(struct pkt *p, size_t *hdr)
{
	size_t off = pkt_l3_offset(p->b, p->len);
	bool v4 = p->b[off] >> 4 == 4;

	*hdr = v4 ? 0 : 40;
	return p->b + off + (v4 ? 2 : 4);
}

static void row_bend(struct pkt *p, const struct lb_row_bend *b)
{
	size_t off = pkt_l3_offset(p->b, p->len), hdr, i;
	uint8_t *f;

	if (b->frame_len)
		p->len = b->frame_len;
	f = ip_len_field(p, &hdr);
	if (b->cut_l3) {
		p->len = off + b->cut_l3;
		put16(f, b->cut_l3 - hdr);
	}
	if (b->ip_len)
		put16(f, b->ip_len);
	if (b->ip_len_over)
		put16(f, p->len - off - hdr + b->ip_len_over);
	for (i = 0; i < b->n_poke; i++)
		p->b[b->poke[i].at] = b->poke[i].val;
	if (b->second_tag_tci) {
		size_t at = off - 2; /* the first tag's EtherType field */

		memmove(p->b + at + 4, p->b + at, p->len - at);
		put16(p->b + at, 0x8100);
		put16(p->b + at + 2, b->second_tag_tci);
		p->len += 4;
	}
	if (b->pad) {
		memset(p->b + p->len, 0, b->pad);
		p->len += b->pad;
	}
	if (b->pad_to > p->len) {
		memset(p->b + p->len, 0, b->pad_to - p->len);
		p->len = b->pad_to;
	}
}

/* Builds a row's case as its build function would: world, r->in, r->out, verdict, counter. */
static void row_build(struct lb_run *r, const struct lb_row *row)
{
	const struct lb_row_want *w = &row->want;
	struct pkt_spec s;

	if (row->pkt.err.type) {
		row_world(r, &row->world, NULL);
		lbc_icmp_error(r, &s, row->pkt.proto, row->pkt.dst, row->pkt.dport, &row->pkt.err);
	} else {
		row_spec(&s, &row->pkt);
		row_world(r, &row->world, &s);
		lbc_build(&r->in, &s);
	}
	switch (w->verdict) {
	case LB_FORWARD:
		lbc_forward(r, &s, w->vip, w->be);
		break;
	case LB_PASS:
		r->action = XDP_PASS;
		r->stat = LB_STAT_PASS;
		break;
	case LB_DROP:
		r->action = XDP_DROP;
		r->drop = w->drop;
		break;
	case LB_ECHO_REPLY:
		w_expect_echo_reply(&s, &r->out);
		r->action = XDP_TX;
		r->stat = LB_STAT_ICMP_ECHO_REPLIED;
		break;
	case LB_TOO_BIG:
		w_expect_too_big(r, &r->in, &s, w->overhead, &r->out);
		r->action = XDP_TX;
		r->stat = LB_STAT_ICMP_TOO_BIG_SENT;
		break;
	case LB_ERROR_ROUTED:
		lbc_error_routed(r, &s, w->vip, w->be, w->by_addrs);
		break;
	}
	row_bend(&r->in, &row->bend);
	if (w->verdict == LB_PASS || w->verdict == LB_DROP)
		r->out = r->in;
}

/* The flat index's case: a function case in *c, or a row in *row. */
static void lb_case_at(size_t flat, const struct lb_case **c, const struct lb_row **row)
{
	size_t t;

	*c = NULL;
	*row = NULL;
	for (t = 0; t < sizeof(lb_tables) / sizeof(lb_tables[0]); t++) {
		if (flat < lb_tables[t]->n_rows) {
			*row = &lb_tables[t]->rows[flat];
			return;
		}
		flat -= lb_tables[t]->n_rows;
		if (flat < lb_tables[t]->n) {
			*c = &lb_tables[t]->cases[flat];
			return;
		}
		flat -= lb_tables[t]->n;
	}
}

ParameterizedTestParameters(lb, fixtures)
{
	static int idx[LB_MAX_CASES];
	size_t n = 0, t;

	for (t = 0; t < sizeof(lb_tables) / sizeof(lb_tables[0]); t++)
		n += lb_tables[t]->n_rows + lb_tables[t]->n;
	if (n > LB_MAX_CASES)
		n = LB_MAX_CASES;
	for (t = 0; t < n; t++)
		idx[t] = t;
	return cr_make_param_array(int, idx, n);
}

static uint64_t counter_packets(struct lb_run *r)
{
	struct lb_counter c = {0};
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

/*
 * Per-CPU maps (the flow cache, its packet counts) hold a flow's state on the
 * CPU that ran its packets: a fixture whose process migrates between two runs
 * (likely across the cache cases' one-second sleep on a loaded machine) sees
 * another CPU's empty slot. Stay on the CPU the fixture starts on.
 */
static void stay_on_this_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	cr_assert_geq(cpu, 0, "sched_getcpu: %s", strerror(errno));
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	cr_assert_eq(sched_setaffinity(0, sizeof(set), &set), 0, "sched_setaffinity: %s",
		     strerror(errno));
}

ParameterizedTest(int *i, lb, fixtures)
{
	void (*check)(struct lb_run * r);
	const struct lb_case *c;
	const struct lb_row *row;
	static struct lb_run r;
	const char *name;
	uint64_t before;
	bool ok;

	lb_case_at(*i, &c, &row);
	cr_assert(c || row, "no lb fixture %d", *i);
	stay_on_this_cpu();
	w_setup(&r);
	if (row) {
		name = row->name;
		check = row->check;
		row_build(&r, row);
	} else {
		name = c->name;
		check = c->check;
		c->build(&r);
	}
	before = counter_packets(&r);
	ok = harness_expect(stderr, name, r.h.prog_fd, &r.in, r.action, &r.out, W_GUE_PORT);
	cr_expect(ok, "lb fixture \"%s\" failed (diff above)", name);
	if (r.drop || r.stat != W_NO_STAT)
		cr_expect_eq(counter_packets(&r) - before, 1, "%s: %s %d not counted once", name,
			     r.drop ? "drop reason" : "stat", r.drop ? (int)r.drop : r.stat);
	if (check)
		check(&r);
	harness_lb_destroy(&r.h);
}
