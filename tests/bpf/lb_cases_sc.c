// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lb fixtures of second chance (docs/SECOND_CHANCE.md): a non-SYN TCP packet
 * of a flow this node does not track, whose Maglev slot moved, goes to the
 * slot's backend with a GUE header naming the slot's previous backend; a
 * SYN, a tracked flow, a slot that never moved, an IPIP VIP or a packet the
 * header would make too big names nobody.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "lb_cases.h"

static uint64_t sc_before[LB_SC_MAX];
static struct lb_gue_sc sc_hdr;

static uint64_t sc_count(uint32_t outcome)
{
	uint64_t c[2] = {0, 0};
	int fd = harness_lb_map_fd("lb_sc_stats");

	cr_assert_geq(fd, 0, "no lb_sc_stats pinned");
	cr_assert_eq(harness_percpu_sum(fd, outcome, c, 2), 0);
	close(fd);
	return c[0];
}

/*
 * VIP vip turns GUE with second chance (ipip: stays IPIP); its table is all
 * be, its prev table all prev but for the flow's own slot, which holds
 * own_prev. The counters are noted for the check.
 */
static void sc_world(struct lb_run *r, uint32_t vip, bool ipip, uint32_t be, uint32_t prev,
		     uint32_t own_prev, const struct pkt_spec *s)
{
	struct lb_vip_key key = w_vip_key(vip);
	struct lb_vip_info info = w_vip_info(vip);
	struct lb_flow_key fk = w_key(s, false);
	uint32_t slots[W_TABLE_SIZE], i;
	int fd = harness_lb_map_fd("lb_maglev_prev");

	info.encap = ipip ? LB_ENCAP_IPIP : LB_ENCAP_GUE;
	info.flags |= LB_VIP_F_SECOND_CHANCE;
	cr_assert_eq(harness_lb_vip(&r->h, &key, &info), 0);
	w_table_fill(r, vip, be);
	for (i = 0; i < W_TABLE_SIZE; i++)
		slots[i] = prev;
	slots[w_slot(r, &fk)] = own_prev;
	cr_assert_geq(fd, 0);
	cr_assert_eq(harness_lb_inner(fd, vip, slots, W_TABLE_SIZE), 0);
	close(fd);
	/* Both backends serve this VIP: a prev of another VIP is never named. */
	r->backends[be].vip_index = vip;
	r->backends[prev].vip_index = vip;
	cr_assert_eq(harness_lb_backend(&r->h, be, &r->backends[be], W_N_VIPS), 0);
	cr_assert_eq(harness_lb_backend(&r->h, prev, &r->backends[prev], W_N_VIPS), 0);
	for (i = 0; i < LB_SC_MAX; i++)
		sc_before[i] = sc_count(i);
}

/* The header lb.bpf.c must write for backend index second. */
static void sc_expect_header(struct lb_run *r, const struct pkt_spec *s, uint32_t second)
{
	memset(&sc_hdr, 0, sizeof(sc_hdr));
	sc_hdr.ver_hlen = LB_GUE_SC_HLEN;
	sc_hdr.proto = s->family == LB_AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
	sc_hdr.kind = LB_GUE_SC_KIND;
	sc_hdr.family = r->backends[second].family;
	memcpy(sc_hdr.addr, r->backends[second].addr, sizeof(sc_hdr.addr));
	r->expect_sc = &sc_hdr;
}

static void sc_ack(struct pkt_spec *s, uint8_t family)
{
	if (family == LB_AF_INET)
		w_client(s, IPPROTO_TCP, "192.0.2.10", 80);
	else
		w_client(s, IPPROTO_TCP, "2001:db8::10", 80);
	s->tcp_flags = PKT_TCP_ACK;
}

static void names_prev4(struct lb_run *r)
{
	struct pkt_spec s;

	sc_ack(&s, LB_AF_INET);
	sc_world(r, W_VIP4_TCP, false, W_BE1, W_BE2, W_BE2, &s);
	sc_expect_header(r, &s, W_BE2);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

/* Counted as named; and the flow is not tracked: its next packet names the prev too. */
static void names_prev_check(struct lb_run *r)
{
	struct pkt_spec s;
	struct lb_flow_key key;
	struct lb_conn conn;
	struct lb_ct_seen seen;

	cr_expect_eq(sc_count(LB_SC_NAMED) - sc_before[LB_SC_NAMED], 1, "named not counted once");
	sc_ack(&s, r->in.b[12] == 0x08 && r->in.b[13] == 0x00 ? LB_AF_INET : LB_AF_INET6);
	key = w_key(&s, false);
	cr_expect_neq(bpf_map_lookup_elem(r->h.conntrack, &key, &conn), 0, "tracked");
	cr_expect_neq(harness_lb_ct_seen(&r->h, &key, &seen), 0, "written to lb_ct_new");
	cr_expect(harness_expect(stderr, "the next packet", r->h.prog_fd, &r->in, r->action,
				 &r->out, W_GUE_PORT),
		  "the flow's next packet names the previous backend again");
}

static void names_prev6(struct lb_run *r)
{
	struct pkt_spec s;

	sc_ack(&s, LB_AF_INET6);
	sc_world(r, W_VIP6_TCP, false, W_BE3, W_BE4, W_BE4, &s);
	sc_expect_header(r, &s, W_BE4);
	lbc_forward(r, &s, W_VIP6_TCP, W_BE3);
}

static void syn_names_nobody(struct lb_run *r)
{
	struct pkt_spec s;

	sc_ack(&s, LB_AF_INET);
	s.tcp_flags = PKT_TCP_SYN;
	sc_world(r, W_VIP4_TCP, false, W_BE1, W_BE2, W_BE2, &s);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

/* SYN, then the ACK that confirms it, then the checked ACK: tracked, named by nobody. */
static void tracked_flow_names_nobody(struct lb_run *r)
{
	struct pkt_spec s;
	struct pkt p;

	sc_ack(&s, LB_AF_INET);
	sc_world(r, W_VIP4_TCP, false, W_BE1, W_BE2, W_BE2, &s);
	s.tcp_flags = PKT_TCP_SYN;
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_TX);
	s.tcp_flags = PKT_TCP_ACK;
	lbc_build(&p, &s);
	cr_assert_eq(w_send(r, &p), XDP_TX);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void unmoved_slot_names_nobody(struct lb_run *r)
{
	struct pkt_spec s;

	sc_ack(&s, LB_AF_INET);
	sc_world(r, W_VIP4_TCP, false, W_BE1, W_BE2, LB_NO_BACKEND, &s);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void ipip_names_nobody(struct lb_run *r)
{
	struct pkt_spec s;

	sc_ack(&s, LB_AF_INET);
	sc_world(r, W_VIP4_TCP, true, W_BE1, W_BE2, W_BE2, &s);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

/* node.mtu leaves room for GUE but not for the header: sent as GUE alone, counted. */
static void no_room_names_nobody(struct lb_run *r)
{
	struct pkt_spec s;

	sc_ack(&s, LB_AF_INET);
	sc_world(r, W_VIP4_TCP, false, W_BE1, W_BE2, W_BE2, &s);
	lbc_build(&r->in, &s);
	r->settings.mtu = (r->in.len - 14) + LB_IP4_HDR_LEN + LB_UDP_HDR_LEN + 10;
	w_apply_settings(r);
	lbc_forward(r, &s, W_VIP4_TCP, W_BE1);
}

static void no_room_check(struct lb_run *r)
{
	cr_expect_eq(sc_count(LB_SC_NO_ROOM) - sc_before[LB_SC_NO_ROOM], 1, "no_room not counted");
	cr_expect_eq(sc_count(LB_SC_NAMED), sc_before[LB_SC_NAMED], "named though sent without");
}

static void nobody_check(struct lb_run *r)
{
	(void)r;
	cr_expect_eq(sc_count(LB_SC_NAMED), sc_before[LB_SC_NAMED], "counted as named");
}

static const struct lb_case cases[] = {
    LB_CASE_CHECKED("second chance: an untracked ACK to a moved slot names its previous "
		    "backend (GUE over IPv4)",
		    names_prev4, names_prev_check),
    LB_CASE_CHECKED("second chance: the same over IPv6 (UDP checksum grown by the header)",
		    names_prev6, names_prev_check),
    LB_CASE_CHECKED("second chance: a SYN names nobody", syn_names_nobody, nobody_check),
    LB_CASE_CHECKED("second chance: a tracked flow names nobody", tracked_flow_names_nobody,
		    nobody_check),
    LB_CASE_CHECKED("second chance: a slot that never moved names nobody",
		    unmoved_slot_names_nobody, nobody_check),
    LB_CASE_CHECKED("second chance: an IPIP VIP names nobody", ipip_names_nobody, nobody_check),
    LB_CASE_CHECKED("second chance: no room under node.mtu for the header: sent without it",
		    no_room_names_nobody, no_room_check),
};

const struct lb_case_table lb_cases_sc = LB_CASES_ONLY(cases);
