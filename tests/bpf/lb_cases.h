/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The lb fixture tables: {description, packet in, expected action, expected packet out}. */
#ifndef XDPLB_TESTS_LB_CASES_H
#define XDPLB_TESTS_LB_CASES_H

#include <netinet/in.h>
#include <stddef.h>

#include "lb_world.h"

/*
 * A case that is a story of several packets, or of map state no row field
 * says: build() programs what the case needs beyond the world, may send
 * earlier packets of the flow, and fills r->in, r->out, r->action and the
 * counter the checked packet must bump; check() (optional) asserts map state
 * after the checked packet ran.
 */
struct lb_case {
	const char *name;
	void (*build)(struct lb_run *r);
	void (*check)(struct lb_run *r);
};

#define LB_CASE(desc, fn) { .name = desc, .build = fn }
#define LB_CASE_CHECKED(desc, fn, check_fn) { .name = desc, .build = fn, .check = check_fn }

/*
 * An ICMP error a router sends about the backend's reply (VIP:vport ->
 * client:40000) of a client flow, quoting that reply.
 */
struct lb_icmp_err {
	uint8_t type; /* 0: no error, the case's packet is the client's own */
	uint8_t code;
	uint32_t rest;
	size_t quote_len;	   /* bytes of the reply quoted; 0 = all of it */
	const uint8_t *quote_opts; /* IPv4 options of the quoted packet */
	size_t quote_opts_len;
	const struct pkt_ext6 *quote_ext; /* extension headers of the quoted IPv6 packet */
	size_t quote_n_ext;
	uint16_t quote_frag; /* quoted IPv4 packet is a later fragment at this offset (8 bytes) */
	uint16_t vlan_tci;   /* 802.1Q tag on the error's frame; 0 = none */
};

#define LB_BITS_NONE 0xff /* lb_row_world.tun_src*_bits: no varied bits (0 keeps the world's) */

/* What a row changes in the world before its packet; zero keeps the world as w_setup() left it. */
struct lb_row_world {
	uint16_t gue_sport_min, gue_sport_max;
	uint16_t mtu;
	uint8_t outer_ttl;
	uint8_t tun_src4_bits, tun_src6_bits;
	struct {
		uint32_t vip, be; /* every slot of vip's table to be; be 0 = keep */
	} fill;
	struct {
		uint32_t be; /* 0 = none */
		uint8_t flags;
	} be_flags;
	struct {
		uint32_t vip, fill; /* vip's table of fill, with at[] from the flow's own slot on */
		uint32_t at[9];
		size_t n; /* 0 = keep the table */
	} slots;
	struct {
		const char *backend; /* an entry of the flow as sync writes it; NULL = none */
		uint32_t index;	     /* the backend index of the node it came from */
		uint64_t packets;
	} synced;
	const char *icmp_entry; /* an ICMP entry for this address, as the agent adds with a VIP */
	void (*maps)(struct lb_run *r); /* any other map state */
};

/* The row's packet: w_client()'s, with these fields changed where not zero. */
struct lb_row_pkt {
	uint8_t proto;
	const char *dst;
	uint16_t dport;
	uint16_t sport;
	uint8_t tcp_flags;
	bool no_df;    /* IPv4 without DF */
	uint16_t frag; /* IPv4 flags and offset word in place of DF */
	uint16_t ip_id;
	bool raw; /* a later fragment: no L4 header */
	uint8_t tos, ttl;
	uint32_t flow_label;
	uint16_t vlan_tpid, vlan_tci;
	const uint8_t *ip_opts;
	size_t ip_opts_len;
	struct pkt_ext6 ext[PKT_EXT_MAX];
	size_t n_ext;
	uint8_t icmp_type;
	bool udp_csum_zero;
	const uint8_t *payload; /* with payload_len, in place of w_client()'s */
	size_t payload_len;
	size_t l3_size;		/* zeros as payload, to make the L3 packet this long */
	struct lb_icmp_err err; /* the packet is an ICMP error about this flow instead */
};

/* One byte of the built frame overwritten. */
struct lb_poke {
	size_t at; /* offset in the frame */
	uint8_t val;
};

/* How the built frame is bent after the expected output was computed from it. */
struct lb_row_bend {
	size_t frame_len; /* frame cut to this many bytes; 0 = keep */
	size_t cut_l3;	  /* L3 cut to this many bytes, the IP length field saying so */
	uint16_t ip_len;  /* IPv4 tot_len or IPv6 payload_len set to this */
	int ip_len_over;  /* the IP length field says this many bytes more than the frame holds */
	struct lb_poke poke[2];
	size_t n_poke;
	uint16_t second_tag_tci; /* an 802.1Q tag inserted after the first tag */
	size_t pad;		 /* zero bytes appended (Ethernet padding) */
	size_t pad_to;		 /* zero bytes appended up to this frame length */
};

enum lb_verdict {
	LB_FORWARD,	 /* encapsulated toward want.be as picked for want.vip */
	LB_PASS,	 /* XDP_PASS, unchanged */
	LB_DROP,	 /* XDP_DROP, unchanged, counted under want.drop */
	LB_ECHO_REPLY,	 /* answered as an echo request */
	LB_TOO_BIG,	 /* answered "too big" for an overhead of want.overhead bytes */
	LB_ERROR_ROUTED, /* the ICMP error encapsulated to the quoted flow's backend */
};

struct lb_row_want {
	enum lb_verdict verdict;
	uint32_t vip, be;
	uint32_t drop;
	unsigned int overhead;
	bool by_addrs; /* LB_ERROR_ROUTED: the flow's key without ports (address-hashed VIP) */
};

/*
 * A one-packet case as data (Katran's KatranTestFixtures.h): the world's
 * changes, the packet in, how it is bent, and the verdict, from which the
 * expected packet out follows (lb_world.c predicts it).
 */
struct lb_row {
	const char *name;
	struct lb_row_world world;
	struct lb_row_pkt pkt;
	struct lb_row_bend bend;
	struct lb_row_want want;
	void (*check)(struct lb_run *r); /* map state after the packet; optional */
};

/* lb_row_pkt fields of a client flow to the world's first VIPs (W_VIP4_TCP and its kin). */
#define LB_TCP4 .proto = IPPROTO_TCP, .dst = "192.0.2.10", .dport = 80
#define LB_TCP6 .proto = IPPROTO_TCP, .dst = "2001:db8::10", .dport = 80
#define LB_UDP4 .proto = IPPROTO_UDP, .dst = "192.0.2.10", .dport = 53
#define LB_UDP6 .proto = IPPROTO_UDP, .dst = "2001:db8::10", .dport = 53

#define LB_FWD(v, b)                                                                               \
	{                                                                                          \
		.verdict = LB_FORWARD, .vip = v, .be = b                                           \
	}
#define LB_DROPPED(reason)                                                                         \
	{                                                                                          \
		.verdict = LB_DROP, .drop = reason                                                 \
	}

struct lb_case_table {
	const struct lb_case *cases;
	size_t n;
	const struct lb_row *rows;
	size_t n_rows;
};

#define LB_TABLE(cases, rows)                                                                      \
	{                                                                                          \
		cases, sizeof(cases) / sizeof(cases[0]), rows, sizeof(rows) / sizeof(rows[0])      \
	}
#define LB_ROWS_ONLY(rows)                                                                         \
	{                                                                                          \
		NULL, 0, rows, sizeof(rows) / sizeof(rows[0])                                      \
	}
#define LB_CASES_ONLY(cases)                                                                       \
	{                                                                                          \
		cases, sizeof(cases) / sizeof(cases[0]), NULL, 0                                   \
	}

extern const struct lb_case_table lb_cases_fwd; /* encapsulation, pass, conntrack, Maglev */
extern const struct lb_case_table lb_cases_parse; /* malformed packets, fragments */
extern const struct lb_case_table lb_cases_icmp; /* echo, errors, too big */
extern const struct lb_case_table lb_cases_sync; /* events, counters, conntrack content */
extern const struct lb_case_table lb_cases_edge; /* ranges, wrap-around, padding, odd sizes */
extern const struct lb_case_table lb_cases_contract; /* what the doc pinned later */
extern const struct lb_case_table lb_cases_cache; /* the per-CPU flow cache */
extern const struct lb_case_table lb_cases_sc; /* second chance */

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
/*
 * r->in: the ICMP error e about the backend's reply of the client flow to
 * vip:vport, whose spec goes to *flow.
 */
void lbc_icmp_error(struct lb_run *r, struct pkt_spec *flow, uint8_t proto, const char *vip,
		    uint16_t vport, const struct lb_icmp_err *e);
/* The ICMP error in r->in goes whole to the backend of the flow's reversed quote. */
void lbc_error_routed(struct lb_run *r, const struct pkt_spec *flow, uint32_t vip, uint32_t be,
		      bool by_addrs);

#endif /* XDPLB_TESTS_LB_CASES_H */
