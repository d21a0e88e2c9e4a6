// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * decap.bpf.c fixtures: {description, packet in, expected action, expected
 * packet out}, built from docs/DATAPLANE.md "Decapsulation".
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <linux/bpf.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "netns.h"
#include "pkt.h"

#define GUE_PORT 6080

/* One fixture: the builder fills in, out and the counter the run must bump. */
struct decap_case {
	const char *name;
	void (*build)(struct pkt *in, struct pkt *out);
	uint32_t action;
	uint32_t drop; /* lb_drops index counted once, or LB_DROP_NONE */
	uint32_t stat; /* lb_stats index counted once when no drop */
	uint32_t kind; /* stat LB_STAT_DECAP: the decap_stats index counted once */
	bool gue_off; /* run with decap_settings GUE port 0 */
	uint32_t sc; /* second chance: lb_sc_stats index + 1 counted once, 0 = none counted */
	bool no_stat; /* neither lb_stats nor lb_drops counts it (second chance's drop) */
};

static const char *const HOST4 = "198.51.100.1";
static const char *const HOST6 = "2001:db8:1::1";

/* Frame from the balancer: MACs of the backend's link. */
static void outer_base(struct pkt_spec *s, uint8_t family, const char *dst)
{
	memset(s, 0, sizeof(*s));
	pkt_mac(s->dmac, "02:00:00:00:01:01");
	pkt_mac(s->smac, "02:00:00:00:00:fe");
	s->family = family;
	pkt_addr(s->src, family == LB_AF_INET ? "192.0.2.130" : "2001:db8:2::7");
	pkt_addr(s->dst, dst);
	s->tos = 0x10;
}

/* A client's TCP packet with a payload, from src:sport to dst:dport. */
static size_t inner_l3_tuple(uint8_t *out, uint8_t family, const char *src, uint16_t sport,
			     const char *dst, uint16_t dport, uint8_t tcp_flags)
{
	static const uint8_t data[] = "GET / HTTP/1.0\r\n\r\n";
	struct pkt_spec s = {.family = family,
			     .proto = IPPROTO_TCP,
			     .sport = sport,
			     .dport = dport,
			     .tcp_flags = tcp_flags,
			     .seq = 1000,
			     .ack_seq = 2000,
			     .tos = 0x10,
			     .frag = PKT_IP4_DF,
			     .payload = data,
			     .payload_len = sizeof(data) - 1};

	pkt_addr(s.src, src);
	pkt_addr(s.dst, dst);
	return pkt_build_l3(out, PKT_MAX / 2, &s);
}

/* The client's packet as the balancer received it: TCP to the VIP with a payload. */
static size_t inner_l3_flags(uint8_t *out, uint8_t family, uint8_t tcp_flags)
{
	return inner_l3_tuple(out, family, family == LB_AF_INET ? "203.0.113.5" : "2001:db8:3::5",
			      40000, family == LB_AF_INET ? "192.0.2.10" : "2001:db8::10", 80,
			      tcp_flags);
}

static size_t inner_l3(uint8_t *out, uint8_t family)
{
	return inner_l3_flags(out, family, PKT_TCP_ACK | PKT_TCP_PSH);
}

/* Outer packet around inner; proto 4/41 for IPIP, IPPROTO_UDP for GUE. */
static void tunnel(struct pkt *in, struct pkt_spec *o, uint8_t proto, const uint8_t *inner,
		   size_t inner_len)
{
	o->proto = proto;
	o->payload = inner;
	o->payload_len = inner_len;
	if (proto == IPPROTO_UDP) {
		o->sport = 49152 + 17;
		o->dport = GUE_PORT;
		o->udp_csum_zero = true;
	}
	pkt_build(in, o);
}

/* What the kernel must get: the same L2 header, inner EtherType, inner packet. */
static void stripped(struct pkt *out, const struct pkt_spec *o, uint8_t inner_family,
		     const uint8_t *inner, size_t inner_len)
{
	struct pkt_spec l2 = *o;

	l2.family = inner_family;
	pkt_build_eth(out, &l2, inner, inner_len);
}

static void build_tun(struct pkt *in, struct pkt *out, uint8_t outer_family, uint8_t proto,
		      uint8_t inner_family, uint16_t vlan_tpid)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, inner_family);
	struct pkt_spec o;

	outer_base(&o, outer_family, outer_family == LB_AF_INET ? HOST4 : HOST6);
	o.vlan_tpid = vlan_tpid;
	o.vlan_tci = 100;
	tunnel(in, &o, proto, inner, len);
	stripped(out, &o, inner_family, inner, len);
}

static void c_4in4(struct pkt *in, struct pkt *out)
{
	build_tun(in, out, LB_AF_INET, IPPROTO_IPIP, LB_AF_INET, 0);
}

static void c_6in4(struct pkt *in, struct pkt *out)
{
	build_tun(in, out, LB_AF_INET, IPPROTO_IPV6, LB_AF_INET6, 0);
}

static void c_4in6(struct pkt *in, struct pkt *out)
{
	build_tun(in, out, LB_AF_INET6, IPPROTO_IPIP, LB_AF_INET, 0);
}

static void c_6in6(struct pkt *in, struct pkt *out)
{
	build_tun(in, out, LB_AF_INET6, IPPROTO_IPV6, LB_AF_INET6, 0);
}

static void c_gue4_inner4(struct pkt *in, struct pkt *out)
{
	build_tun(in, out, LB_AF_INET, IPPROTO_UDP, LB_AF_INET, 0);
}

static void c_gue4_inner6(struct pkt *in, struct pkt *out)
{
	build_tun(in, out, LB_AF_INET, IPPROTO_UDP, LB_AF_INET6, 0);
}

static void c_gue6_inner4(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, LB_AF_INET);
	struct pkt_spec o;

	outer_base(&o, LB_AF_INET6, HOST6);
	o.proto = IPPROTO_UDP;
	o.sport = 50000;
	o.dport = GUE_PORT;
	o.payload = inner;
	o.payload_len = len;
	pkt_build(in, &o);
	stripped(out, &o, LB_AF_INET, inner, len);
}

static void c_gue6_inner6(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, LB_AF_INET6);
	struct pkt_spec o;

	outer_base(&o, LB_AF_INET6, HOST6);
	o.proto = IPPROTO_UDP;
	o.sport = 50001;
	o.dport = GUE_PORT;
	o.payload = inner;
	o.payload_len = len;
	pkt_build(in, &o);
	stripped(out, &o, LB_AF_INET6, inner, len);
}

static void c_vlan_4in4(struct pkt *in, struct pkt *out)
{
	build_tun(in, out, LB_AF_INET, IPPROTO_IPIP, LB_AF_INET, 0x8100);
}

static void c_qinq_6in6(struct pkt *in, struct pkt *out)
{
	build_tun(in, out, LB_AF_INET6, IPPROTO_IPV6, LB_AF_INET6, 0x88a8);
}

/* Ethernet padding after a short outer packet stays behind the inner packet. */
static void c_padded_4in4(struct pkt *in, struct pkt *out)
{
	struct pkt_spec i = { .family = LB_AF_INET, .proto = IPPROTO_UDP, .sport = 5353,
			      .dport = 53 };
	uint8_t inner[64];
	size_t len;
	struct pkt_spec o;

	pkt_addr(i.src, "203.0.113.5");
	pkt_addr(i.dst, "192.0.2.10");
	len = pkt_build_l3(inner, sizeof(inner), &i);
	outer_base(&o, LB_AF_INET, HOST4);
	tunnel(in, &o, IPPROTO_IPIP, inner, len);
	stripped(out, &o, LB_AF_INET, inner, len);
	memset(in->b + in->len, 0, 64 - in->len);
	memset(out->b + out->len, 0, 64 - in->len);
	out->len += 64 - in->len;
	in->len = 64;
}

/* Outer IPv4 options go with the outer header. */
static void c_4in4_outer_options(struct pkt *in, struct pkt *out)
{
	static const uint8_t opts[] = { 0x01, 0x01, 0x01, 0x00 };
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, LB_AF_INET);
	struct pkt_spec o;

	outer_base(&o, LB_AF_INET, HOST4);
	o.ip_opts = opts;
	o.ip_opts_len = sizeof(opts);
	tunnel(in, &o, IPPROTO_IPIP, inner, len);
	stripped(out, &o, LB_AF_INET, inner, len);
}

static void passes_unchanged(struct pkt *in, struct pkt *out, struct pkt_spec *s)
{
	pkt_build(in, s);
	*out = *in;
}

static void c_plain_tcp_to_host(struct pkt *in, struct pkt *out)
{
	struct pkt_spec s;

	outer_base(&s, LB_AF_INET, HOST4);
	s.proto = IPPROTO_TCP;
	s.sport = 40000;
	s.dport = 22;
	s.tcp_flags = PKT_TCP_SYN;
	passes_unchanged(in, out, &s);
}

static void c_ipip_to_other_host(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, LB_AF_INET);
	struct pkt_spec s;

	outer_base(&s, LB_AF_INET, "198.51.100.99");
	s.proto = IPPROTO_IPIP;
	s.payload = inner;
	s.payload_len = len;
	passes_unchanged(in, out, &s);
}

static void c_ip6ip6_to_other_host(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, LB_AF_INET6);
	struct pkt_spec s;

	outer_base(&s, LB_AF_INET6, "2001:db8:1::99");
	s.proto = IPPROTO_IPV6;
	s.payload = inner;
	s.payload_len = len;
	passes_unchanged(in, out, &s);
}

static void c_udp_other_port(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, LB_AF_INET);
	struct pkt_spec s;

	outer_base(&s, LB_AF_INET, HOST4);
	s.proto = IPPROTO_UDP;
	s.sport = 40000;
	s.dport = GUE_PORT + 1;
	s.payload = inner;
	s.payload_len = len;
	passes_unchanged(in, out, &s);
}

static void c_arp(struct pkt *in, struct pkt *out)
{
	static const uint8_t arp[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0,    0,
				       0,    0xfe, 0x08, 0x06, 0,    1,    0x08, 0, 6,    4,
				       0,    1,    0x02, 0,    0,    0,    0,    0xfe, 198, 51,
				       100,  254,  0,    0,    0,    0,    0,    0,    198,  51,
				       100,  1,    0,    0,    0,    0,    0,    0,    0,    0,
				       0,    0,    0,    0,    0,    0,    0,    0,    0,    0 };

	memcpy(in->b, arp, sizeof(arp));
	in->len = sizeof(arp);
	*out = *in;
}

/* An outer fragment cannot be stripped alone; the kernel reassembles or drops it. */
static void c_outer_fragment(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, LB_AF_INET);
	struct pkt_spec s;

	outer_base(&s, LB_AF_INET, HOST4);
	s.proto = IPPROTO_IPIP;
	s.frag = PKT_IP4_MF;
	s.payload = inner;
	s.payload_len = len;
	passes_unchanged(in, out, &s);
}

static void malformed(struct pkt *in, struct pkt *out, uint8_t outer_family, uint8_t proto,
		      const uint8_t *inner, size_t len)
{
	struct pkt_spec o;

	outer_base(&o, outer_family, outer_family == LB_AF_INET ? HOST4 : HOST6);
	tunnel(in, &o, proto, inner, len);
	*out = *in;
}

static void c_ipip_carrying_ipv6(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];

	malformed(in, out, LB_AF_INET, IPPROTO_IPIP, inner, inner_l3(inner, LB_AF_INET6));
}

static void c_ip6_proto41_carrying_ipv4(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];

	malformed(in, out, LB_AF_INET6, IPPROTO_IPV6, inner, inner_l3(inner, LB_AF_INET));
}

static void c_inner4_truncated(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];

	inner_l3(inner, LB_AF_INET);
	malformed(in, out, LB_AF_INET, IPPROTO_IPIP, inner, 12);
}

static void c_inner4_bad_ihl(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, LB_AF_INET);

	inner[0] = 0x44;
	malformed(in, out, LB_AF_INET, IPPROTO_IPIP, inner, len);
}

static void c_inner4_tot_len_beyond(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, LB_AF_INET);

	inner[2] = (len + 1) >> 8;
	inner[3] = len + 1;
	malformed(in, out, LB_AF_INET6, IPPROTO_IPIP, inner, len);
}

static void c_inner6_payload_beyond(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3(inner, LB_AF_INET6);

	inner[5] += 1;
	malformed(in, out, LB_AF_INET6, IPPROTO_IPV6, inner, len);
}

static void c_inner6_truncated(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];

	inner_l3(inner, LB_AF_INET6);
	malformed(in, out, LB_AF_INET, IPPROTO_IPV6, inner, 30);
}

/* GUE variant 0 (a GUE header, first nibble 0) is not what the balancer sends. */
static void c_gue_variant0(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2] = { 0x00, 0x04, 0, 0 };
	size_t len = inner_l3(inner + 4, LB_AF_INET);

	malformed(in, out, LB_AF_INET, IPPROTO_UDP, inner, len + 4);
}

static void c_gue_empty(struct pkt *in, struct pkt *out)
{
	malformed(in, out, LB_AF_INET, IPPROTO_UDP, NULL, 0);
}

static void c_gue_port_when_gue_off(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	struct pkt_spec o;
	size_t len = inner_l3(inner, LB_AF_INET);

	outer_base(&o, LB_AF_INET, HOST4);
	tunnel(in, &o, IPPROTO_UDP, inner, len);
	*out = *in;
}

/* Stripped and passed up; passed untouched; dropped as malformed. */
#define DECAP_STRIPS(desc, fn, k) \
	{ .name = desc, .build = fn, .action = XDP_PASS, .stat = LB_STAT_DECAP, .kind = LB_DECAP_##k }
#define DECAP_IGNORES(desc, fn) \
	{ .name = desc, .build = fn, .action = XDP_PASS, .stat = LB_STAT_PASS }
#define DECAP_DROPS(desc, fn) \
	{ .name = desc, .build = fn, .action = XDP_DROP, .drop = LB_DROP_DECAP_MALFORMED }

/*
 * Second chance: GUE with the outer header o (outer_base), whose header names
 * second, around the inner packet; hopped: sent on by a backend already.
 * out: the packet stripped, as the kernel must get it when kept here.
 */
static void gue_sc(struct pkt *in, struct pkt *out, struct pkt_spec *o, const char *second,
		   bool hopped, const uint8_t *inner, size_t len)
{
	uint8_t payload[PKT_MAX / 2];
	struct lb_gue_sc sc = {.ver_hlen = LB_GUE_SC_HLEN,
			       .proto = IPPROTO_IPIP,
			       .kind = LB_GUE_SC_KIND,
			       .family = strchr(second, ':') ? LB_AF_INET6 : LB_AF_INET};
	sc.flags = hopped ? LB_GUE_SC_F_HOPPED : 0;
	pkt_addr(sc.addr, second);
	memcpy(payload, &sc, sizeof(sc));
	memcpy(payload + sizeof(sc), inner, len);
	if (o->family == LB_AF_INET6) {
		/* The balancer's UDP checksum over IPv6 (GUE 0 is for IPv4 only). */
		o->proto = IPPROTO_UDP;
		o->sport = 49152 + 17;
		o->dport = GUE_PORT;
		o->payload = payload;
		o->payload_len = len + sizeof(sc);
		pkt_build(in, o);
	} else {
		tunnel(in, o, IPPROTO_UDP, payload, len + sizeof(sc));
	}
	stripped(out, o, LB_AF_INET, inner, len);
}

/* GUE over IPv4 naming second around the client's TCP packet with tcp_flags. */
static void build_sc(struct pkt *in, struct pkt *out, const char *second, uint8_t tcp_flags,
		     bool hopped)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3_flags(inner, LB_AF_INET, tcp_flags);
	struct pkt_spec o;

	outer_base(&o, LB_AF_INET, HOST4);
	gue_sc(in, out, &o, second, hopped, inner, len);
}

static void c_sc_syn(struct pkt *in, struct pkt *out)
{
	build_sc(in, out, "198.51.100.9", PKT_TCP_SYN, false);
}

static void c_sc_no_route(struct pkt *in, struct pkt *out)
{
	build_sc(in, out, "198.51.100.9", PKT_TCP_ACK, false);
}

static void c_sc_self(struct pkt *in, struct pkt *out)
{
	build_sc(in, out, HOST4, PKT_TCP_ACK, false);
}

static void c_sc_hopped(struct pkt *in, struct pkt *out)
{
	build_sc(in, out, "198.51.100.9", PKT_TCP_ACK, true);
	*out = *in;
}

#define DECAP_SC(desc, fn, outcome)                                                                \
	{                                                                                          \
		.name = desc, .build = fn, .action = XDP_PASS, .stat = LB_STAT_DECAP,              \
		.kind = LB_DECAP_GUE, .sc = LB_SC_##outcome + 1                                    \
	}

static const struct decap_case decap_cases[] = {
	DECAP_STRIPS("4in4 stripped, EtherType IPv4", c_4in4, IPIP),
	DECAP_STRIPS("6in4 stripped, EtherType IPv6", c_6in4, IP6_IN_IP4),
	DECAP_STRIPS("4in6 stripped, EtherType IPv4", c_4in6, IP4_IN_IP6),
	DECAP_STRIPS("6in6 stripped, EtherType IPv6", c_6in6, IP6IP6),
	DECAP_STRIPS("GUE over IPv4 carrying IPv4", c_gue4_inner4, GUE),
	DECAP_STRIPS("GUE over IPv4 carrying IPv6", c_gue4_inner6, GUE),
	DECAP_STRIPS("GUE over IPv6 carrying IPv4", c_gue6_inner4, GUE),
	DECAP_STRIPS("GUE over IPv6 carrying IPv6", c_gue6_inner6, GUE),
	DECAP_STRIPS("802.1Q tag kept, its EtherType set to the inner one", c_vlan_4in4, IPIP),
	DECAP_STRIPS("802.1ad tag kept on 6in6", c_qinq_6in6, IP6IP6),
	DECAP_STRIPS("Ethernet padding kept behind the inner packet", c_padded_4in4, IPIP),
	DECAP_STRIPS("outer IPv4 options stripped with the outer header", c_4in4_outer_options, IPIP),
	DECAP_IGNORES("plain TCP to the host passes untouched", c_plain_tcp_to_host),
	DECAP_IGNORES("IPIP to another address passes untouched", c_ipip_to_other_host),
	DECAP_IGNORES("6in6 to another address passes untouched", c_ip6ip6_to_other_host),
	DECAP_IGNORES("UDP to another port passes untouched", c_udp_other_port),
	{ .name = "GUE port with GUE off passes untouched",
	  .build = c_gue_port_when_gue_off,
	  .action = XDP_PASS,
	  .stat = LB_STAT_PASS,
	  .gue_off = true },
	DECAP_IGNORES("ARP passes untouched", c_arp),
	DECAP_IGNORES("outer IPv4 fragment passes untouched", c_outer_fragment),
	DECAP_DROPS("IPIP carrying IPv6 dropped", c_ipip_carrying_ipv6),
	DECAP_DROPS("IPv6 next header 41 carrying IPv4 dropped", c_ip6_proto41_carrying_ipv4),
	DECAP_DROPS("inner IPv4 header truncated dropped", c_inner4_truncated),
	DECAP_DROPS("inner IPv4 IHL 4 dropped", c_inner4_bad_ihl),
	DECAP_DROPS("inner IPv4 tot_len beyond the outer packet dropped", c_inner4_tot_len_beyond),
	DECAP_DROPS("inner IPv6 payload beyond the outer packet dropped", c_inner6_payload_beyond),
	DECAP_DROPS("inner IPv6 header truncated dropped", c_inner6_truncated),
	DECAP_DROPS("GUE variant 0 header dropped", c_gue_variant0),
	DECAP_DROPS("GUE without payload dropped", c_gue_empty),
	DECAP_SC("second chance: a SYN is never forwarded: stripped here", c_sc_syn, SYN),
	DECAP_SC("second chance: no socket, no route to the second backend: stripped here",
		 c_sc_no_route, NO_ROUTE),
	DECAP_SC("second chance: the second backend is this host: stripped here", c_sc_self, SELF),
	{ .name = "second chance: forwarded once already and no socket here: dropped, no loop",
	  .build = c_sc_hopped,
	  .action = XDP_DROP,
	  .sc = LB_SC_UNOWNED + 1,
	  .no_stat = true },
};

/* A stripped packet counts once under its kind, and nothing else does. */
static void expect_kind_counted(const struct decap_harness *h, const struct decap_case *c,
				size_t len)
{
	struct lb_counter cnt;
	uint32_t k;

	for (k = 0; k < LB_DECAP_MAX; k++) {
		bool counted = c->stat == LB_STAT_DECAP && !c->drop && k == c->kind;

		cr_assert_eq(harness_percpu_sum(h->kinds, k, (uint64_t *)&cnt, 2), 0);
		cr_expect_eq(cnt.packets, counted, "%s: decap kind %u counted %llu packets",
			     c->name, k, (unsigned long long)cnt.packets);
		cr_expect_eq(cnt.bytes, counted ? len : 0, "%s: decap kind %u bytes %llu", c->name,
			     k, (unsigned long long)cnt.bytes);
	}
}

/* Second chance counted once under the case's outcome, and nothing else under any. */
static void expect_sc_counted(const struct decap_harness *h, const struct decap_case *c)
{
	struct lb_counter cnt;
	uint32_t k;

	for (k = 0; k < LB_SC_MAX; k++) {
		cr_assert_eq(harness_percpu_sum(h->sc_stats, k, (uint64_t *)&cnt, 2), 0);
		cr_expect_eq(cnt.packets, c->sc == k + 1, "%s: second chance outcome %u: %llu",
			     c->name, k, (unsigned long long)cnt.packets);
	}
}

#define N_DECAP_CASES (sizeof(decap_cases) / sizeof(decap_cases[0]))

ParameterizedTestParameters(decap, fixtures)
{
	static int idx[N_DECAP_CASES];
	size_t i;

	for (i = 0; i < N_DECAP_CASES; i++)
		idx[i] = i;
	return cr_make_param_array(int, idx, N_DECAP_CASES);
}

/*
 * Loads decap for this host, runs c's packet received on device ifindex (0:
 * loopback) and checks the action, the packet out and every counter.
 */
static void decap_case_run(const struct decap_case *c, uint32_t ifindex)
{
	static struct pkt in, out;
	struct decap_harness h;
	uint32_t host4[4], host6[4];
	struct lb_counter cnt;
	bool ok;
	int err;

	err = harness_decap_load(&h);
	cr_assert_eq(err, 0, "%s: loading decap: %s", c->name, strerror(-err));
	pkt_addr(host4, HOST4);
	pkt_addr(host6, HOST6);
	cr_assert_eq(harness_decap_addr(&h, LB_AF_INET, host4), 0);
	cr_assert_eq(harness_decap_addr(&h, LB_AF_INET6, host6), 0);
	cr_assert_eq(harness_decap_gue_port(&h, c->gue_off ? 0 : GUE_PORT), 0);

	c->build(&in, &out);
	cr_assert_gt(in.len, 0, "%s: fixture did not build", c->name);
	ok = harness_expect_on(stderr, c->name, h.prog_fd, ifindex, &in, c->action, &out, GUE_PORT);
	cr_expect(ok, "decap fixture \"%s\" failed (diff above)", c->name);

	if (c->drop)
		err = harness_percpu_sum(h.drops, c->drop, (uint64_t *)&cnt, 2);
	else if (c->no_stat)
		err = harness_percpu_sum(h.sc_stats, c->sc - 1, (uint64_t *)&cnt, 2);
	else
		err = harness_percpu_sum(h.stats, c->stat, (uint64_t *)&cnt, 2);
	cr_assert_eq(err, 0);
	cr_expect_eq(cnt.packets, 1, "%s: counter %u counted %llu packets", c->name,
		     c->drop ? c->drop : c->stat, (unsigned long long)cnt.packets);
	cr_expect_eq(cnt.bytes, in.len, "%s: counter bytes %llu, frame %zu", c->name,
		     (unsigned long long)cnt.bytes, in.len);
	expect_kind_counted(&h, c, in.len);
	expect_sc_counted(&h, c);
	harness_decap_destroy(&h);
}

ParameterizedTest(int *i, decap, fixtures)
{
	decap_case_run(&decap_cases[*i], 0);
}

/*
 * The outcomes that need this host's network: a socket that owns the flow,
 * a route and a neighbour to the second backend. bpf_prog_test_run runs in
 * the caller's network namespace, so each test makes one of its own with
 * unshare (Criterion runs every test in a process of its own): it goes away
 * with the process, a failed assertion included.
 */
static void sc_netns_new(void)
{
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET): %m");
	cr_assert_eq(netns_sh("ip link set lo up"), 0, "ip link set lo up");
}

/* The ports of the connection sc_connect opened on loopback, for the builders below. */
static struct {
	uint16_t client, server;
} sc_conn;

static uint16_t sc_port(int fd)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0, "getsockname: %m");
	return ntohs(a.sin_port);
}

/* An established TCP connection 127.0.0.1 to 127.0.0.1 of this process; fds[3] to close. */
static void sc_connect(int fds[3])
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);

	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	fds[1] = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fds[0] >= 0 && fds[1] >= 0, "socket: %m");
	cr_assert_eq(bind(fds[0], (struct sockaddr *)&a, sizeof(a)), 0, "bind: %m");
	cr_assert_eq(listen(fds[0], 1), 0, "listen: %m");
	cr_assert_eq(getsockname(fds[0], (struct sockaddr *)&a, &alen), 0, "getsockname: %m");
	cr_assert_eq(connect(fds[1], (struct sockaddr *)&a, sizeof(a)), 0, "connect: %m");
	fds[2] = accept(fds[0], NULL, NULL);
	cr_assert_geq(fds[2], 0, "accept: %m");
	sc_conn.server = sc_port(fds[0]);
	sc_conn.client = sc_port(fds[1]);
}

/* The client's next segment of the connection, tunnelled naming another backend. */
static void c_sc_local(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3_tuple(inner, LB_AF_INET, "127.0.0.1", sc_conn.client, "127.0.0.1",
				    sc_conn.server, PKT_TCP_ACK | PKT_TCP_PSH);
	struct pkt_spec o;

	outer_base(&o, LB_AF_INET, HOST4);
	gue_sc(in, out, &o, "198.51.100.9", false, inner, len);
}

/* The same from a client port of no connection: only the listener matches it. */
static void c_sc_listener_only(struct pkt *in, struct pkt *out)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3_tuple(inner, LB_AF_INET, "127.0.0.1", sc_conn.client ^ 1, "127.0.0.1",
				    sc_conn.server, PKT_TCP_ACK | PKT_TCP_PSH);
	struct pkt_spec o;

	outer_base(&o, LB_AF_INET, HOST4);
	gue_sc(in, out, &o, "198.51.100.9", false, inner, len);
}

Test(decap, sc_local_socket)
{
	const struct decap_case owned = DECAP_SC(
	    "second chance: a socket here owns the flow: stripped here", c_sc_local, LOCAL);
	const struct decap_case listener = DECAP_SC(
	    "second chance: only a listener matches (not an owner), no route: stripped here",
	    c_sc_listener_only, NO_ROUTE);
	int fds[3];

	sc_netns_new();
	sc_connect(fds);
	decap_case_run(&owned, 0);
	decap_case_run(&listener, 0);
	close(fds[2]);
	close(fds[1]);
	close(fds[0]);
}

#define SC_DEV	     "xsc0"
#define SC_DEV_MAC   "02:00:00:00:01:01"
#define SC_NEIGH_MAC "02:00:00:00:09:09"
#define SC_SECOND4   "198.51.100.9"
#define SC_SECOND6   "2001:db8:1::9"

/*
 * This host on SC_DEV, a veth, with forwarding on there and static neighbours
 * for the second backends; returns SC_DEV's index.
 */
static uint32_t sc_net_forwarding(void)
{
	uint32_t ifindex;

	sc_netns_new();
	cr_assert_eq(netns_sh("ip link add " SC_DEV " address " SC_DEV_MAC
			      " type veth peer name xsc1 && "
			      "ip link set xsc1 up && ip link set " SC_DEV " up && "
			      "ip addr add %s/24 dev " SC_DEV " && "
			      "ip addr add %s/64 dev " SC_DEV " nodad && "
			      "sysctl -qw net.ipv4.conf." SC_DEV ".forwarding=1 && "
			      "sysctl -qw net.ipv6.conf." SC_DEV ".forwarding=1 && "
			      "ip neigh add " SC_SECOND4 " lladdr " SC_NEIGH_MAC " dev " SC_DEV
			      " nud permanent && "
			      "ip -6 neigh add " SC_SECOND6 " lladdr " SC_NEIGH_MAC " dev " SC_DEV
			      " nud permanent",
			      HOST4, HOST6),
		     0, "setting up " SC_DEV);
	ifindex = if_nametoindex(SC_DEV);
	cr_assert_neq(ifindex, 0, "if_nametoindex " SC_DEV ": %m");
	return ifindex;
}

/*
 * in: a non-SYN from the balancer to host naming second, no socket here.
 * out: the same re-addressed from host to second, marked hopped, between
 * SC_DEV and the neighbour's MAC, every checksum recomputed by pkt_build.
 */
static void sc_forwarded(struct pkt *in, struct pkt *out, const char *host, const char *second)
{
	uint8_t inner[PKT_MAX / 2];
	size_t len = inner_l3_flags(inner, LB_AF_INET, PKT_TCP_ACK | PKT_TCP_PSH);
	uint8_t family = strchr(host, ':') ? LB_AF_INET6 : LB_AF_INET;
	struct pkt *scratch = calloc(1, sizeof(*scratch));
	struct pkt_spec o;

	cr_assert_not_null(scratch);
	outer_base(&o, family, host);
	gue_sc(in, scratch, &o, second, false, inner, len);
	outer_base(&o, family, second);
	pkt_addr(o.src, host);
	pkt_mac(o.smac, SC_DEV_MAC);
	pkt_mac(o.dmac, SC_NEIGH_MAC);
	gue_sc(out, scratch, &o, second, true, inner, len);
	free(scratch);
}

static void c_sc_forwarded4(struct pkt *in, struct pkt *out)
{
	sc_forwarded(in, out, HOST4, SC_SECOND4);
}

static void c_sc_forwarded6(struct pkt *in, struct pkt *out)
{
	sc_forwarded(in, out, HOST6, SC_SECOND6);
}

#define DECAP_SC_FORWARDS(desc, fn)                                                                \
	{                                                                                          \
		.name = desc, .build = fn, .action = XDP_TX, .sc = LB_SC_FORWARDED + 1,            \
		.no_stat = true                                                                    \
	}

Test(decap, sc_forwarded_ipv4)
{
	const struct decap_case c = DECAP_SC_FORWARDS(
	    "second chance: no socket, a route: sent back out to the second backend (IPv4)",
	    c_sc_forwarded4);

	decap_case_run(&c, sc_net_forwarding());
}

Test(decap, sc_forwarded_ipv6)
{
	const struct decap_case c = DECAP_SC_FORWARDS(
	    "second chance: no socket, a route: sent back out to the second backend (IPv6)",
	    c_sc_forwarded6);

	decap_case_run(&c, sc_net_forwarding());
}
