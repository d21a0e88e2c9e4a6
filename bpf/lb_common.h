/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Every map key and value, flag, counter index and drop reason shared by bpf/ and agent/. */
#ifndef XDPLB_LB_COMMON_H
#define XDPLB_LB_COMMON_H

#include <linux/types.h>

/*
 * Rules for this file: fixed-width types only, explicit padding, no
 * bitfields, every struct a multiple of 8 bytes where it holds a __u64.
 * Addresses are kept in network byte order in four 32-bit words; an IPv4
 * address uses word 0 and leaves words 1..3 zero. Ports are network order
 * unless a field says otherwise. The agent _Static_asserts every size
 * (agent/dataplane/abi_check.c), so a change here that breaks the layout fails the build.
 */

/* Sizes, overridable at build time (-DLB_MAX_VIPS=...). */
#ifndef LB_MAX_VIPS
#define LB_MAX_VIPS 2048 /* VIP entries, ICMP address entries included: 1000 VIPs at an edge */
#endif
#ifndef LB_MAX_BACKENDS
#define LB_MAX_BACKENDS 131072 /* (VIP, backend) pairs, index 0 unused: 1000 VIPs x 100 at an edge */
#endif
#ifndef LB_CT_SIZE
#define LB_CT_SIZE 1048576 /* default conntrack entries; the agent may resize before load */
#endif
#define LB_MAGLEV_DEFAULT_SIZE 65537 /* slots per VIP table, prime */
#define LB_MAGLEV_MAX_SIZE 1048573 /* largest prime table the agent accepts */
/*
 * Flags of every Maglev (and prev) table, the template's and the agent's alike (the
 * kernel refuses an inner map whose flags differ). Mmapable: the agent writes and reads
 * a table through memory, not element by element in syscalls.
 */
#define LB_MAGLEV_TABLE_FLAGS (BPF_F_INNER_MAP | BPF_F_MMAPABLE)
#define LB_MAGLEV_PROBES 8 /* slots tried past a DOWN/DRAIN pick before giving up */
#define LB_IP6_EXT_MAX 4 /* IPv6 extension headers skipped before giving up */
#define LB_EVENTS_SIZE (1 << 22) /* ring buffer bytes for flow events */
#define LB_FLOW_CACHE_LOG2 12
#define LB_FLOW_CACHE_SLOTS (1U << LB_FLOW_CACHE_LOG2) /* lb_flow_cache entries per CPU */
#define LB_FLOW_CACHE_BATCH 16 /* packets a flow cache entry serves between two conntrack visits */
/*
 * And at most this many jiffies apart: 0.1 s to 1 s for the kernel's HZ of
 * 100 to 1000, so idle ages stay exact to 1 s whatever HZ it was built with.
 */
#define LB_FLOW_CACHE_VISIT_JIFFIES 100
#define LB_NO_BACKEND 0 /* backend index meaning "none" (slot 0 is reserved) */

/* Address families as stored in keys (not AF_* which differ between ABIs). */
#define LB_AF_INET 4
#define LB_AF_INET6 6

/* Encapsulation toward the backend (struct lb_vip_info.encap). */
enum lb_encap {
	LB_ENCAP_IPIP = 0, /* IP-in-IP by family: 4in4, 6in6, 4in6 */
	LB_ENCAP_GUE = 1, /* outer IP + UDP, GUE variant 1 (inner IP follows UDP directly) */
};

/* struct lb_vip_info.flags */
#define LB_VIP_F_HASH_ADDRS (1U << 0) /* hash and track on addresses only: fragments work */
#define LB_VIP_F_ICMP (1U << 1) /* entry exists only to answer ICMP for this address */
#define LB_VIP_F_FAIL_OPEN (1U << 2) /* all backends DOWN: still use them (operator's choice) */
/* GUE only: a Maglev pick names the slot's previous backend (docs/SECOND_CHANCE.md). */
#define LB_VIP_F_SECOND_CHANCE (1U << 3)

/* struct lb_backend.flags */
#define LB_BE_F_DOWN (1U << 0) /* health checks failed: never used, its flows re-picked */
#define LB_BE_F_DRAIN (1U << 1) /* keeps tracked flows, gets no new ones */
/*
 * Its next hop's MAC is not known yet (just added, or the agent restarted
 * before the neighbour answered): gets no new flows, and a tracked flow's
 * packets are dropped (LB_DROP_NO_BACKEND) with its entry kept, so the flow
 * goes on with this backend once the MAC is in, not with a fresh pick.
 */
#define LB_BE_F_NO_NEXTHOP (1U << 2)
/*
 * Health checks failed, and the VIP keeps the flows tracked to a backend its
 * checks take down (down_flows: keep): no new flows, as DRAIN, but kept
 * apart from the operator's drain.
 */
#define LB_BE_F_DOWN_KEPT (1U << 3)

/* struct lb_conn.flags */
#define LB_CONN_F_SYNCED (1U << 0) /* learned from a peer, not created here */

/* struct lb_flow_event.reason */
enum lb_event_reason {
	LB_EVENT_ESTABLISHED = 1, /* reached settings.sync_first_packets */
	LB_EVENT_REFRESH = 2, /* every settings.sync_refresh_packets after that */
};

/*
 * Drop reasons: index into lb_drops. Stable numbers, never renumbered or
 * reused; a new reason is a new last row with the next free number. One row
 * per reason: X(ENUM suffix, number, name, what it means). The name is the
 * `reason` label of xdplb_dropped_*_total and the key in `lbctl stats`; the
 * enum here and the agent's name table are built from this one list.
 */
#define LB_DROP_REASONS(X)                                                                         \
	X(ETH_TRUNCATED, 1, "eth_truncated", "frame shorter than Ethernet (+VLAN) header")         \
	X(IP4_MALFORMED, 2, "ip4_malformed", "truncated, IHL < 5, tot_len beyond frame or < IHL")  \
	X(IP6_MALFORMED, 3, "ip6_malformed", "truncated header or payload_len beyond frame")       \
	X(IP6_EXT_CHAIN, 4, "ip6_ext_chain",                                                       \
	  "extension chain truncated or longer than LB_IP6_EXT_MAX")                               \
	X(L4_MALFORMED, 5, "l4_malformed", "TCP/UDP header truncated or TCP doff < 5")             \
	X(ICMP_MALFORMED, 6, "icmp_malformed", "ICMP header or quoted packet truncated")           \
	X(FRAGMENT, 7, "fragment", "fragment to a VIP that hashes on ports")                       \
	X(NO_BACKEND, 8, "no_backend", "no usable backend (table empty, all probes DOWN/DRAIN)")   \
	X(NO_TABLE, 9, "no_table", "VIP has no Maglev table installed")                            \
	X(FAMILY_MISMATCH, 10, "family_mismatch",                                                  \
	  "retired: IPv6 VIPs reach IPv4 backends by 6in4")                                        \
	X(TOO_BIG, 11, "too_big", "too big after encap and not allowed to tell the sender")        \
	X(ADJUST_FAILED, 12, "adjust_failed", "bpf_xdp_adjust_head/tail refused")                  \
	X(ICMP_UNMATCHED, 13, "icmp_unmatched", "ICMP error to a VIP quoting no VIP flow")         \
	X(BAD_BACKEND, 14, "bad_backend", "table names an empty or out-of-range backend slot")     \
	X(DECAP_MALFORMED, 15, "decap_malformed",                                                  \
	  "decap: tunnel packet to us with a broken inner packet")

#define LB_DROP_ENUM(id, nr, name, help) LB_DROP_##id = nr,
enum lb_drop_reason {
	LB_DROP_NONE = 0,
	LB_DROP_REASONS(LB_DROP_ENUM) LB_DROP_MAX,
};
#undef LB_DROP_ENUM

/*
 * Non-drop event counters: index into lb_stats. Same stability rule. One row
 * per counter: X(ENUM suffix, number, key in `lbctl stats` (NULL: not shown
 * there), metric family, its HELP text).
 */
#define LB_STATS(X)                                                                                \
	X(PASS, 0, "passed", "xdplb_passed_packets_total",                                         \
	  "Packets not for a VIP, handed to the kernel.")                                          \
	X(FORWARDED, 1, "forwarded", "xdplb_forwarded_packets_total",                              \
	  "Packets encapsulated and sent to a backend.")                                           \
	X(ICMP_ECHO_REPLIED, 2, "icmp_echo_replied", "xdplb_icmp_echo_replies_total",              \
	  "ICMP echo requests to a VIP answered by XDP.")                                          \
	X(ICMP_TOO_BIG_SENT, 3, "icmp_too_big_sent", "xdplb_icmp_too_big_sent_total",              \
	  "ICMP fragmentation-needed / packet-too-big sent.")                                      \
	X(ICMP_ERR_FORWARDED, 4, "icmp_errors_forwarded", "xdplb_icmp_errors_forwarded_total",     \
	  "ICMP errors routed to the quoted flow's backend.")                                      \
	X(EVENTS_SENT, 5, "events_sent", "xdplb_flow_events_sent_total",                           \
	  "Flow events written to the sync ring buffer.")                                          \
	X(EVENTS_LOST, 6, "events_lost", "xdplb_flow_events_lost_total",                           \
	  "Flow events lost: the sync ring buffer was full.")                                      \
	X(CT_INSERT_FAILED, 7, "ct_insert_failed", "xdplb_conntrack_insert_failures_total",        \
	  "Conntrack inserts refused (the packet was forwarded).")                                 \
	X(DECAP, 8, NULL, "xdplb_decapsulated_packets_total",                                      \
	  "Tunnel packets stripped and passed up (backend role).")

#define LB_STAT_ENUM(id, nr, key, metric, help) LB_STAT_##id = nr,
enum lb_stat_index {
	LB_STATS(LB_STAT_ENUM) LB_STAT_MAX,
};
#undef LB_STAT_ENUM

/*
 * Tunnels the decap program strips, by kind: index into decap_stats (each
 * also counted in LB_STAT_DECAP). Same stability rule. One row per kind:
 * X(ENUM suffix, number, name, what it is). The name is the `kind` label of
 * xdplb_decapsulated_packets_total and the key in `lbctl stats` on a backend.
 */
#define LB_DECAP_KINDS(X)                                                                          \
	X(IPIP, 0, "ipip", "IPv4 in IPv4 (protocol 4)")                                            \
	X(IP6_IN_IP4, 1, "6in4", "IPv6 in IPv4 (protocol 41)")                                     \
	X(IP4_IN_IP6, 2, "4in6", "IPv4 in IPv6 (next header 4)")                                   \
	X(IP6IP6, 3, "ip6ip6", "IPv6 in IPv6 (next header 41)")                                    \
	X(GUE, 4, "gue", "GUE: UDP to the GUE port, over IPv4 or IPv6")

#define LB_DECAP_ENUM(id, nr, name, help) LB_DECAP_##id = nr,
enum lb_decap_kind {
	LB_DECAP_KINDS(LB_DECAP_ENUM) LB_DECAP_MAX,
};
#undef LB_DECAP_ENUM

/*
 * Second chance outcomes: index into lb_sc_stats (its own map: lb_stats
 * keeps its pinned size). Same stability rule. One row per outcome:
 * X(ENUM suffix, number, name, what it means). The name is the `outcome`
 * label of xdplb_second_chance_packets_total and the key in `lbctl stats`.
 */
#define LB_SC_OUTCOMES(X)                                                                          \
	X(NAMED, 0, "named", "balancer: sent naming the slot's previous backend")                   \
	X(NO_ROOM, 1, "no_room", "balancer: not named, the header would pass node.mtu")             \
	X(FORWARDED, 2, "forwarded", "backend: no local socket: sent on to the second backend")     \
	X(LOCAL, 3, "local", "backend: a local socket owns the flow: decapsulated here")            \
	X(SYN, 4, "syn", "backend: a SYN, never forwarded: decapsulated here")                      \
	X(SELF, 5, "self", "backend: the second backend is this host: decapsulated here")           \
	X(NO_ROUTE, 6, "no_route", "backend: no route or neighbour to the second backend")          \
	X(UNOWNED, 7, "unowned", "backend: forwarded once already and no socket owns it: dropped")  \
	X(NOT_TCP, 8, "not_tcp", "backend: inner packet not plain TCP: decapsulated here")

#define LB_SC_ENUM(id, nr, name, help) LB_SC_##id = nr,
enum lb_sc_outcome {
	LB_SC_OUTCOMES(LB_SC_ENUM) LB_SC_MAX,
};
#undef LB_SC_ENUM

/*
 * Second chance's GUE header (docs/SECOND_CHANCE.md): GUE variant 0 after
 * the outer UDP header, its private data naming the flow's second backend;
 * the inner IP packet follows. Without a second backend the balancer sends
 * variant 1 (no header) as before.
 */
#define LB_GUE_SC_HLEN 5 /* private data words after the 4 bytes of GUE header */
#define LB_GUE_SC_KIND 0x58 /* first private byte: 'X', xdplb's second chance */
#define LB_GUE_SC_F_HOPPED 0x01 /* sent on by a backend: never forwarded again */
struct lb_gue_sc {
	__u8 ver_hlen; /* GUE version 0, C 0, hlen LB_GUE_SC_HLEN: 0x05 */
	__u8 proto; /* inner packet: IPPROTO_IPIP or IPPROTO_IPV6 */
	__u16 gue_flags; /* none: 0 */
	__u8 kind; /* LB_GUE_SC_KIND */
	__u8 flags; /* LB_GUE_SC_F_* */
	__u8 family; /* LB_AF_* of addr */
	__u8 pad;
	__u32 addr[4]; /* the second backend's tunnel address */
};

/* lb_vips key: what a packet is addressed to. */
struct lb_vip_key {
	__u32 addr[4]; /* VIP address */
	__u16 port; /* destination port; 0 = any port (wildcard entry) */
	__u8 proto; /* IPPROTO_TCP, IPPROTO_UDP; IPPROTO_ICMP(V6) for LB_VIP_F_ICMP */
	__u8 family; /* LB_AF_INET or LB_AF_INET6 */
};

/* lb_vips value. */
struct lb_vip_info {
	__u32 vip_index; /* index into lb_maglev and lb_vip_stats, < LB_MAX_VIPS */
	__u32 flags; /* LB_VIP_F_* */
	__u32 maglev_size; /* slots in this VIP's table (prime) */
	__u8 encap; /* enum lb_encap */
	__u8 pad0;
	__u16 gue_dport; /* GUE destination port, network order */
};

/*
 * lb_backends value, indexed by a node-local backend index (1..LB_MAX_BACKENDS-1).
 * A slot is one (VIP, backend) pair: a backend address serving two VIPs has
 * two slots, with their own state (DOWN for one VIP, up for the other),
 * drain, counters and place in each VIP's Maglev table.
 */
struct lb_backend {
	__u32 addr[4]; /* backend (tunnel endpoint) address */
	__u8 family; /* LB_AF_*; 0 = empty slot */
	__u8 flags; /* LB_BE_F_* */
	__u8 dmac[6]; /* next hop MAC toward the backend, resolved by the agent */
	__u8 smac[6]; /* our MAC on ifindex; unused when ifindex == 0 */
	__u16 vip_index; /* the pair's VIP (struct lb_vip_info.vip_index) */
	__u32 ifindex; /* 0 = XDP_TX out of the receiving interface; else XDP_REDIRECT */
};

/* lb_backend_ids key: find a (VIP, backend) pair's local index by the backend's address. */
struct lb_backend_key {
	__u32 addr[4];
	__u8 family;
	__u8 pad;
	__u16 vip_index; /* the pair's VIP; 0 in lb_weight_key, which names VIPs by key */
};

/*
 * lb_weight_overrides key: a weight set by `lbctl backend weight` for a
 * backend in one VIP, or in every VIP (any_vip set, vip zero).
 */
struct lb_weight_key {
	struct lb_backend_key backend;
	struct lb_vip_key vip;
	__u8 any_vip;
	__u8 pad[3];
};

/* lb_conntrack key: the 5-tuple as the client sent it. */
struct lb_flow_key {
	__u32 src[4]; /* client address */
	__u32 dst[4]; /* VIP address */
	__u16 sport; /* client port; 0 for LB_VIP_F_HASH_ADDRS VIPs */
	__u16 dport; /* VIP port; 0 for LB_VIP_F_HASH_ADDRS VIPs */
	__u8 proto;
	__u8 family;
	__u8 pad[2];
};

/*
 * lb_conntrack value. Names the backend by address: nodes agree on it. The
 * flow's VIP (from its key) and that address name the pair here.
 */
struct lb_conn {
	__u32 backend_addr[4];
	__u32 backend_index; /* local hint; checked against lb_backends[i].addr and vip_index */
	__u8 backend_family;
	__u8 flags; /* LB_CONN_F_* */
	__u16 synced_s; /* coarse clock seconds (mod 2^16) of its last sync event here */
	__u64 packets; /* packets seen on this node (atomic add) */
	__u64 created_ns; /* bpf_ktime_get_coarse_ns() at creation (or at sync insert) */
	__u64 last_seen_ns; /* bpf_ktime_get_coarse_ns(), refreshed at most once a second */
};

/*
 * lb_ct_new value: a flow seen once (docs/DATAPLANE.md, "Admission"), in the
 * slot its flow hash names, over whichever flow had it. One cache line: a
 * first packet writes it without reading anything else of the table.
 */
struct lb_ct_seen {
	struct lb_flow_key key;
	__u32 backend_addr[4];
	/*
	 * Low 16 bits of the pair's index: a hint as in lb_conn (a pair above
	 * 65535 misses it and is found in lb_backend_ids), so the slot stays one line.
	 */
	__u16 backend_index;
	__u8 backend_family; /* 0: empty slot */
	__u8 check; /* lb_ct_seen_digest() of key and backend, as written */
	__u32 seen_us; /* bpf_ktime_get_coarse_ns() >> 10 of the first packet */
};
_Static_assert(sizeof(struct lb_ct_seen) == 64, "one cache line");

/* ct_chunk.bpf.c's record: one lb_conntrack entry, a slot of its mmapable chunk. */
struct lb_ct_entry {
	struct lb_flow_key key;
	struct lb_conn conn;
};
_Static_assert(sizeof(struct lb_ct_entry) == 88, "no padding between records");

/* ct_chunk.bpf.c's context: which entries to copy; what it saw and copied. */
struct lb_ct_walk_args {
	__u64 start;  /* in: entries to pass over first (the chunks before) */
	__u64 max;    /* in: slots of the chunk */
	__u64 seen;   /* out: entries walked */
	__u64 copied; /* out: entries in the chunk; fewer than max at the end */
};

/* ct_count.bpf.c's context (BPF_PROG_TEST_RUN ctx_in/ctx_out): lb_conntrack's element count. */
struct lb_ct_count_args {
	__s64 entries; /* out */
};

/* lb_events record: a flow worth syncing to peers. */
struct lb_flow_event {
	struct lb_flow_key flow;
	__u32 backend_addr[4];
	__u8 backend_family;
	__u8 reason; /* enum lb_event_reason */
	__u16 pad0;
	__u32 vip_index;
	__u64 packets;
};

/* lb_settings value (single entry, key 0): node-wide knobs written by the agent. */
struct lb_settings {
	__u32 hash_seed; /* same on every node of a cluster, so they pick alike */
	__u32 tun_src4; /* outer IPv4 source base */
	__u32 tun_src6[4]; /* outer IPv6 source base */
	__u8 tun_src4_bits; /* low bits of tun_src4 varied per flow (0..16) */
	__u8 tun_src6_bits; /* low bits of tun_src6 varied per flow (0..16) */
	__u16 mtu; /* largest outer L3 packet the backend side carries; 0 = no check */
	__u16 gue_sport_min; /* GUE source port range, host order; per-flow pick */
	__u16 gue_sport_max;
	__u32 sync_first_packets; /* event at this packet count of a flow; 0 = never */
	__u32 sync_refresh_packets; /* and every this many packets after; 0 = never */
	__u8 outer_ttl; /* TTL / hop limit of the outer header; 0 = 64 */
	__u8 pad0;
	__u16 sync_refresh_s; /* and on a packet this many seconds after the last; 0 = never */
};

/* lb_vip_stats value (per CPU), indexed by vip_index. */
struct lb_vip_stats {
	__u64 packets;
	__u64 bytes; /* as received, before encapsulation */
	__u64 new_flows;
	__u64 ct_hits;
	__u64 ct_misses;
};

/* lb_backend_stats value (per CPU), indexed by backend index. */
struct lb_backend_stats {
	__u64 packets;
	__u64 bytes; /* as received, before encapsulation */
	__u64 new_flows;
};

/* lb_drops and lb_stats value (per CPU). */
struct lb_counter {
	__u64 packets;
	__u64 bytes;
};

/* GUE variant 1 (draft-ietf-intarea-gue): the UDP payload is the inner IP packet. */
#define LB_GUE_DEFAULT_PORT 6080

/* Encapsulation overheads, used by the MTU check and by the agent. */
#define LB_IP4_HDR_LEN 20
#define LB_IP6_HDR_LEN 40
#define LB_UDP_HDR_LEN 8

#endif /* XDPLB_LB_COMMON_H */
