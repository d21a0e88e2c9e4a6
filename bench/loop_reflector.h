/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What bench/loop_reflector.bpf.c and bench/bench_xdp_loop.c agree on: modes and tuples. */
#ifndef XDPLB_BENCH_LOOP_REFLECTOR_H
#define XDPLB_BENCH_LOOP_REFLECTOR_H

/* Bytes of the packet template: Ethernet + IPv6 + TCP + 64 payload bytes fit. */
#define LOOP_PKT_MAX 160

/* How the reflector varies an IPv4 template's client tuple, frame by frame. */
enum loop_tuple {
	LOOP_TUPLE_FIXED = 0, /* as in the template: one flow */
	LOOP_TUPLE_FRESH = 1, /* a never-used tuple every frame */
	LOOP_TUPLE_TABLE = 2, /* the flow loop_flows names, in turn; LOOP_FLOW_FRESH: a fresh one */
};

/* A loop_flows entry that asks for a fresh tuple instead of an established flow's. */
#define LOOP_FLOW_FRESH 0xffffffffULL
/*
 * loop_flows entries: the longest sequence of flows a case cycles through (the
 * mix's two packets for each of its flows fit). Values are 64-bit: an array
 * map keeps each value on an 8-byte stride, also in its mmapped view.
 */
#define LOOP_FLOWS_MAX (1U << 21)

/*
 * Client tuples, all in documentation ranges, none a VIP: flow f of the
 * table is 198.51.100.(f >> 16), port f & 0xffff, so at most
 * LOOP_TABLE_FLOWS_MAX flows; fresh tuple s has port s & 0xffff and address
 * number a = s >> 16: 203.0.113.a, then 198.51.100.128-255, then
 * 192.0.2.128-255, so at most LOOP_FRESH_MAX tuples.
 */
#define LOOP_TABLE_NET	     0xc6336400U /* 198.51.100.0 */
#define LOOP_TABLE_FLOWS_MAX (16U << 16)
#define LOOP_FRESH_NET	     0xcb007100U /* 203.0.113.0 */
#define LOOP_FRESH_NET2	     0xc6336400U /* 198.51.100.0, from .128 */
#define LOOP_FRESH_NET3	     0xc0000200U /* 192.0.2.0, from .128 */
#define LOOP_FRESH_MAX	     (512U << 16)

#endif /* XDPLB_BENCH_LOOP_REFLECTOR_H */
