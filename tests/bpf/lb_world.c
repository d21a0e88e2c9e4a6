// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The lb fixtures' world and the packets docs/DATAPLANE.md predicts for it. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <string.h>

#include "lb_hash.h"
#include "lb_world.h"

#define W_NO_TABLE_MARK (~0u)

static const char *const W_CLIENT4 = "203.0.113.5";
static const char *const W_CLIENT6 = "2001:db8:3::5";
static const char *const W_NODE_MAC = "02:00:00:00:00:fe"; /* the balancer's interface */
static const char *const W_ROUTER_MAC = "02:00:00:00:00:01"; /* the router in front */

const struct w_vip_def w_vips[W_N_VIPS] = {
	[W_VIP4_TCP] = { "192.0.2.10", 80, IPPROTO_TCP, 0, LB_ENCAP_IPIP, W_BE1 },
	[W_VIP4_UDP_GUE] = { "192.0.2.10", 53, IPPROTO_UDP, 0, LB_ENCAP_GUE, W_BE2 },
	[W_VIP4_WILD] = { "192.0.2.11", 0, IPPROTO_TCP, 0, LB_ENCAP_IPIP, W_BE1 },
	[W_VIP6_TCP] = { "2001:db8::10", 80, IPPROTO_TCP, 0, LB_ENCAP_IPIP, W_BE3 },
	[W_VIP6_UDP_GUE] = { "2001:db8::10", 53, IPPROTO_UDP, 0, LB_ENCAP_GUE, W_BE4 },
	[W_VIP4_TO6] = { "192.0.2.12", 80, IPPROTO_TCP, 0, LB_ENCAP_IPIP, W_BE3 },
	[W_VIP4_ADDRS] = { "192.0.2.13", 0, IPPROTO_UDP, LB_VIP_F_HASH_ADDRS, LB_ENCAP_IPIP,
			   W_BE1 },
	[W_VIP4_FAIL_OPEN] = { "192.0.2.14", 80, IPPROTO_TCP, LB_VIP_F_FAIL_OPEN, LB_ENCAP_IPIP,
			       W_BE5 },
	[W_VIP4_ALL_DOWN] = { "192.0.2.15", 80, IPPROTO_TCP, 0, LB_ENCAP_IPIP, W_BE5 },
	[W_VIP6_ADDRS] = { "2001:db8::13", 0, IPPROTO_UDP, LB_VIP_F_HASH_ADDRS, LB_ENCAP_IPIP,
			   W_BE3 },
	[W_VIP4_NO_TABLE] = { "192.0.2.16", 80, IPPROTO_TCP, 0, LB_ENCAP_IPIP, W_NO_TABLE_MARK },
	[W_VIP6_TO4] = { "2001:db8::16", 80, IPPROTO_TCP, 0, LB_ENCAP_IPIP, W_BE1 },
	[W_VIP4_EMPTY] = { "192.0.2.17", 80, IPPROTO_TCP, 0, LB_ENCAP_IPIP, LB_NO_BACKEND },
	[W_VIP4_REDIRECT] = { "192.0.2.18", 80, IPPROTO_TCP, 0, LB_ENCAP_IPIP, W_BE7 },
	[W_ICMP4] = { "192.0.2.10", 0, IPPROTO_ICMP, LB_VIP_F_ICMP, LB_ENCAP_IPIP,
		      W_NO_TABLE_MARK },
	[W_ICMP6] = { "2001:db8::10", 0, IPPROTO_ICMPV6, LB_VIP_F_ICMP, LB_ENCAP_IPIP,
		      W_NO_TABLE_MARK },
};

static const struct {
	const char *addr;
	uint8_t flags;
	uint32_t ifindex;
} w_backend_defs[W_N_BACKENDS] = {
	[W_BE1] = { "198.51.100.1" },	     [W_BE2] = { "198.51.100.2" },
	[W_BE3] = { "2001:db8:1::1" },	     [W_BE4] = { "2001:db8:1::2" },
	[W_BE5] = { "198.51.100.5", LB_BE_F_DOWN }, [W_BE6] = { "198.51.100.6", LB_BE_F_DRAIN },
	[W_BE7] = { "198.51.100.7", 0, 1 },
};

static uint8_t w_family(const char *addr)
{
	return strchr(addr, ':') ? LB_AF_INET6 : LB_AF_INET;
}

struct lb_vip_key w_vip_key(uint32_t vip)
{
	const struct w_vip_def *d = &w_vips[vip];
	struct lb_vip_key key = { .port = htons(d->port), .proto = d->proto,
				  .family = w_family(d->addr) };

	pkt_addr(key.addr, d->addr);
	return key;
}

struct lb_vip_info w_vip_info(uint32_t vip)
{
	const struct w_vip_def *d = &w_vips[vip];

	return (struct lb_vip_info){ .vip_index = vip, .flags = d->flags,
				     .maglev_size = W_TABLE_SIZE, .encap = d->encap,
				     .gue_dport = htons(W_GUE_PORT) };
}

void w_apply_settings(struct lb_run *r)
{
	cr_assert_eq(harness_lb_settings(&r->h, &r->settings), 0, "writing lb_settings");
}

void w_apply_sync(struct lb_run *r, uint32_t first, uint32_t every, uint16_t seconds)
{
	r->settings.sync_first_packets = first;
	r->settings.sync_refresh_packets = every;
	r->settings.sync_refresh_s = seconds;
	w_apply_settings(r);
}

static void w_write_backend(struct lb_run *r, uint32_t index)
{
	cr_assert_eq(harness_lb_backend(&r->h, index, &r->backends[index], W_N_VIPS), 0,
		     "writing backend %u", index);
}

void w_set_backend_flags(struct lb_run *r, uint32_t index, uint8_t flags)
{
	r->backends[index].flags = flags;
	w_write_backend(r, index);
}

void w_table_at(struct lb_run *r, uint32_t vip, uint32_t fill, uint32_t slot, const uint32_t *at,
		size_t n)
{
	uint32_t table[W_TABLE_SIZE];
	size_t i;

	for (i = 0; i < W_TABLE_SIZE; i++)
		table[i] = fill;
	for (i = 0; i < n; i++)
		table[(slot + i) % W_TABLE_SIZE] = at[i];
	cr_assert_eq(harness_lb_maglev(&r->h, vip, table, W_TABLE_SIZE), 0,
		     "installing the table of VIP %u", vip);
}

void w_table_fill(struct lb_run *r, uint32_t vip, uint32_t backend)
{
	w_table_at(r, vip, backend, 0, NULL, 0);
}

void w_setup(struct lb_run *r)
{
	uint32_t i, src4[4];
	int err;

	memset(r, 0, sizeof(*r));
	r->stat = W_NO_STAT;
	err = harness_lb_load(&r->h);
	cr_assert_eq(err, 0, "taking lb.bpf.c as pinned by the runner: %s", strerror(-err));

	r->settings.hash_seed = 0x5eed1234;
	pkt_addr(src4, "192.0.2.128");
	r->settings.tun_src4 = src4[0];
	r->settings.tun_src4_bits = 4;
	pkt_addr(r->settings.tun_src6, "2001:db8:2::");
	r->settings.tun_src6_bits = 8;
	w_apply_settings(r);
	/* As the agent leaves it: established flows take the flow cache. */
	cr_assert_eq(harness_lb_generation(&r->h, 1), 0, "writing lb_generation");

	for (i = 1; i < W_N_BACKENDS; i++) {
		struct lb_backend *be = &r->backends[i];

		pkt_addr(be->addr, w_backend_defs[i].addr);
		be->family = w_family(w_backend_defs[i].addr);
		be->flags = w_backend_defs[i].flags;
		pkt_mac(be->dmac, "02:00:00:00:01:00");
		be->dmac[5] = i;
		be->ifindex = w_backend_defs[i].ifindex;
		if (be->ifindex)
			pkt_mac(be->smac, "02:00:00:00:00:aa");
		w_write_backend(r, i);
	}
	for (i = 0; i < W_N_VIPS; i++) {
		struct lb_vip_key key = w_vip_key(i);
		struct lb_vip_info info = w_vip_info(i);

		cr_assert_eq(harness_lb_vip(&r->h, &key, &info), 0, "writing VIP %u", i);
		if (w_vips[i].table_backend != W_NO_TABLE_MARK)
			w_table_fill(r, i, w_vips[i].table_backend);
	}
}

void w_client(struct pkt_spec *s, uint8_t proto, const char *dst, uint16_t dport)
{
	static const uint8_t hello[] = "hello, backend";

	memset(s, 0, sizeof(*s));
	pkt_mac(s->dmac, W_NODE_MAC);
	pkt_mac(s->smac, W_ROUTER_MAC);
	s->family = w_family(dst);
	pkt_addr(s->src, s->family == LB_AF_INET ? W_CLIENT4 : W_CLIENT6);
	pkt_addr(s->dst, dst);
	s->frag = s->family == LB_AF_INET ? PKT_IP4_DF : 0;
	s->ip_id = 0x1234;
	s->proto = proto;
	s->sport = 40000;
	s->dport = dport;
	s->tcp_flags = PKT_TCP_ACK | PKT_TCP_PSH;
	s->seq = 1;
	s->ack_seq = 1;
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		s->icmp_type = proto == IPPROTO_ICMP ? 8 : 128;
		s->icmp_rest = 0x0abc0001;
	}
	s->payload = hello;
	s->payload_len = sizeof(hello) - 1;
}

struct lb_flow_key w_key(const struct pkt_spec *s, bool hash_addrs)
{
	struct lb_flow_key key = { .proto = s->proto, .family = s->family };

	memcpy(key.src, s->src, sizeof(key.src));
	memcpy(key.dst, s->dst, sizeof(key.dst));
	if (!hash_addrs) {
		key.sport = htons(s->sport);
		key.dport = htons(s->dport);
	}
	return key;
}

uint32_t w_hash(const struct lb_run *r, const struct lb_flow_key *key)
{
	return lb_hash_flow(key, r->settings.hash_seed);
}

uint32_t w_slot(const struct lb_run *r, const struct lb_flow_key *key)
{
	return w_hash(r, key) % W_TABLE_SIZE;
}

uint32_t w_send(struct lb_run *r, const struct pkt *p)
{
	static struct pkt scratch;
	uint32_t action = ~0u;

	cr_assert_eq(harness_run(r->h.prog_fd, p, &scratch, &action), 0, "running a packet");
	return action;
}

/* L3 length as the IP header states it (trailing padding is not part of the packet). */
static size_t l3_len(const uint8_t *l3)
{
	if (l3[0] >> 4 == 4)
		return l3[2] << 8 | l3[3];
	return 40 + (l3[4] << 8 | l3[5]);
}

static uint32_t low_bits(uint32_t base_be, uint8_t bits, uint32_t h2)
{
	uint32_t mask = bits ? (bits >= 32 ? ~0u : (1u << bits) - 1) : 0;

	return htonl((ntohl(base_be) & ~mask) | (h2 & mask));
}

/* The encapsulation as programmed in lb_vips (a case may have changed the world's). */
static uint8_t w_programmed_encap(const struct lb_run *r, uint32_t vip)
{
	struct lb_vip_key key = w_vip_key(vip);
	struct lb_vip_info info;

	cr_assert_eq(bpf_map_lookup_elem(r->h.vips, &key, &info), 0, "VIP %u not programmed", vip);
	return info.encap;
}

void w_expect_encap(struct lb_run *r, const struct pkt *in, uint32_t vip, uint32_t be,
		    const struct lb_flow_key *key, struct pkt *out)
{
	const struct lb_settings *st = &r->settings;
	const struct lb_backend *b = &r->backends[be];
	size_t off = pkt_l3_offset(in->b, in->len);
	const uint8_t *inner = in->b + off;
	uint32_t hash = w_hash(r, key), h2 = lb_hash_outer(hash);
	struct pkt_spec o = { 0 };
	bool inner4 = inner[0] >> 4 == 4;
	static uint8_t with_sc[PKT_MAX];

	memcpy(o.dmac, b->dmac, 6);
	memcpy(o.smac, b->ifindex ? b->smac : in->b, 6);
	if (off > 14) {
		o.vlan_tpid = in->b[12] << 8 | in->b[13];
		o.vlan_tci = in->b[14] << 8 | in->b[15];
	}
	o.family = b->family;
	memcpy(o.dst, b->addr, sizeof(o.dst));
	o.tos = inner4 ? inner[1] : (uint8_t)(((inner[0] & 0xf) << 4) | inner[1] >> 4);
	o.ttl = st->outer_ttl ? st->outer_ttl : 64;
	if (b->family == LB_AF_INET) {
		o.src[0] = low_bits(st->tun_src4, st->tun_src4_bits, h2);
		/* 6in4 always with DF: IPv6 is not fragmented on the way. */
		o.frag = !inner4 || (inner[6] & 0x40) ? PKT_IP4_DF : 0;
	} else {
		memcpy(o.src, st->tun_src6, sizeof(o.src));
		o.src[3] = low_bits(st->tun_src6[3], st->tun_src6_bits, h2);
		o.flow_label = hash & 0xfffff;
	}
	o.payload = inner;
	o.payload_len = l3_len(inner);
	if (r->expect_sc) { /* second chance: its header, then the inner packet */
		memcpy(with_sc, r->expect_sc, sizeof(*r->expect_sc));
		memcpy(with_sc + sizeof(*r->expect_sc), inner, o.payload_len);
		o.payload = with_sc;
		o.payload_len += sizeof(*r->expect_sc);
	}
	if (w_programmed_encap(r, vip) == LB_ENCAP_GUE) {
		o.proto = IPPROTO_UDP;
		if (st->gue_sport_min && st->gue_sport_max >= st->gue_sport_min)
			o.sport = st->gue_sport_min +
				  h2 % (st->gue_sport_max - st->gue_sport_min + 1u);
		else
			o.sport = 0xc000 | (h2 & 0x3fff);
		o.dport = W_GUE_PORT;
		o.udp_csum_zero = true;
	} else {
		o.proto = inner4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	}
	cr_assert_gt(pkt_build(out, &o), 0, "building the expected encapsulation");
}

void w_expect_echo_reply(const struct pkt_spec *req, struct pkt *out)
{
	struct pkt_spec s = *req;

	memcpy(s.dmac, req->smac, 6);
	memcpy(s.smac, req->dmac, 6);
	memcpy(s.src, req->dst, sizeof(s.src));
	memcpy(s.dst, req->src, sizeof(s.dst));
	s.ttl = 64;
	s.icmp_type = req->family == LB_AF_INET ? 0 : 129;
	cr_assert_gt(pkt_build(out, &s), 0, "building the expected echo reply");
}

void w_expect_too_big(const struct lb_run *r, const struct pkt *in, const struct pkt_spec *req,
		      unsigned int overhead, struct pkt *out)
{
	size_t off = pkt_l3_offset(in->b, in->len);
	struct pkt_spec s = { 0 };

	memcpy(s.dmac, req->smac, 6);
	memcpy(s.smac, req->dmac, 6);
	s.vlan_tpid = req->vlan_tpid;
	s.vlan_tci = req->vlan_tci;
	s.family = req->family;
	memcpy(s.src, req->dst, sizeof(s.src));
	memcpy(s.dst, req->src, sizeof(s.dst));
	s.ttl = 64;
	if (req->family == LB_AF_INET) {
		s.proto = IPPROTO_ICMP;
		s.icmp_type = 3;
		s.icmp_code = 4;
		s.icmp_rest = (r->settings.mtu - overhead) & 0xffff;
	} else {
		s.proto = IPPROTO_ICMPV6;
		s.icmp_type = 2;
		s.icmp_rest = r->settings.mtu - overhead;
	}
	s.payload = in->b + off;
	s.payload_len = l3_len(in->b + off) < 128 ? l3_len(in->b + off) : 128;
	cr_assert_gt(pkt_build(out, &s), 0, "building the expected too-big answer");
}
