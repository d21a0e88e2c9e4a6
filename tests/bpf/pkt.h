/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Packet builder for BPF fixtures: Ethernet to L4 with valid checksums, and a checksum verifier. */
#ifndef XDPLB_TESTS_PKT_H
#define XDPLB_TESTS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 4096 /* largest frame a fixture builds */
#define PKT_EXT_MAX 8 /* IPv6 extension headers one spec can carry */

/* TCP flags as in the header's flag byte. */
#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10

#define PKT_IP4_DF 0x4000 /* pkt_spec.frag: don't fragment */
#define PKT_IP4_MF 0x2000 /* pkt_spec.frag: more fragments */

/* One IPv6 extension header. */
struct pkt_ext6 {
	uint8_t type; /* 0 hop-by-hop, 43 routing, 60 destination options, 44 fragment */
	uint8_t len; /* Hdr Ext Len field: 8-octet units beyond the first 8; ignored for 44 */
	uint16_t frag_off; /* fragment header: offset in 8-octet units */
	bool frag_more; /* fragment header: M flag */
	uint32_t frag_id; /* fragment header: identification */
};

/*
 * What to build. Zero means the obvious default (no VLAN, TTL 64, no
 * options). Addresses are network-order words like the map keys (IPv4 in
 * word 0); ports, ids and the like are host order.
 */
struct pkt_spec {
	uint8_t dmac[6], smac[6];
	uint16_t vlan_tpid; /* 0 = untagged, else 0x8100 or 0x88a8 */
	uint16_t vlan_tci;

	uint8_t family; /* LB_AF_INET or LB_AF_INET6 */
	uint32_t src[4], dst[4];
	uint8_t tos; /* IPv4 TOS or IPv6 traffic class */
	uint8_t ttl; /* TTL or hop limit; 0 = 64 */
	uint32_t flow_label;
	uint16_t ip_id;
	uint16_t frag; /* IPv4 flags and offset word (PKT_IP4_DF, PKT_IP4_MF, offset/8) */
	const uint8_t *ip_opts; /* IPv4 options, a multiple of 4 bytes */
	size_t ip_opts_len;
	struct pkt_ext6 ext[PKT_EXT_MAX];
	size_t n_ext;

	uint8_t proto; /* IPPROTO_*: TCP, UDP, ICMP, ICMPV6 get a header; others take payload raw */
	bool raw; /* payload follows the L3 headers as is (non-first fragment) */
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t seq, ack_seq;
	uint16_t window;
	uint8_t icmp_type, icmp_code;
	uint32_t icmp_rest; /* second word: id << 16 | seq, MTU, unused */
	bool udp_csum_zero; /* UDP over IPv4 without checksum (GUE) */
	const uint8_t *payload;
	size_t payload_len;
};

/* A built frame or L3 packet. */
struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;
};

/* Parses an IPv4 or IPv6 literal into map-key words; aborts on a typo in a fixture. */
void pkt_addr(uint32_t out[4], const char *text);
void pkt_mac(uint8_t out[6], const char *text);

/* Builds from the IP header on; returns the length, 0 if it does not fit in cap. */
size_t pkt_build_l3(uint8_t *out, size_t cap, const struct pkt_spec *s);
/* Builds the whole frame (Ethernet, VLAN, L3). */
size_t pkt_build(struct pkt *p, const struct pkt_spec *s);
/* Ethernet (+VLAN) header of s followed by an already built L3 packet. */
size_t pkt_build_eth(struct pkt *p, const struct pkt_spec *s, const uint8_t *l3, size_t l3_len);

/* Offset of the L3 header in a frame (after Ethernet and one VLAN tag). */
size_t pkt_l3_offset(const uint8_t *frame, size_t len);

uint16_t pkt_csum(const void *data, size_t len, uint32_t sum);
uint32_t pkt_csum_add(const void *data, size_t len, uint32_t sum);

/*
 * Checks every IPv4 header, TCP, UDP, ICMP and ICMPv6 checksum of a frame,
 * recursing into IPIP / IPv6-in-IP and GUE (UDP to gue_port, host order;
 * 0 = none) and into the IP header quoted by ICMP errors. Fragments' L4 is
 * not checked. Returns 0, or -EBADMSG with the first problem in why.
 */
int pkt_verify_csums(const uint8_t *frame, size_t len, uint16_t gue_port, char *why,
		     size_t why_len);

#endif /* XDPLB_TESTS_PKT_H */
