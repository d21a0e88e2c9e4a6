/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The VIP address filter: which bit of lb_vip_filter an address sets, shared by bpf/ and agent/. */
#ifndef XDPLB_LB_FILTER_H
#define XDPLB_LB_FILTER_H

#include "lb_common.h"

/*
 * lb_vip_filter is an ARRAY of LB_VIP_FILTER_WORDS __u64 words, one bit per
 * hashed address: a packet whose destination's bit is clear is no VIP's and
 * passes after one array read, without the two lb_vips lookups. A set bit
 * proves nothing (addresses share bits); the lookups decide. Bit 0 of word
 * 0 is reserved: set, it switches the filter on, so a filter nobody fills
 * (an older agent, the tests) leaves every packet to the lookups.
 *
 * Agent: set an address's bit before its first lb_vips entry, clear it only
 * after its last entry is gone and no other address maps to it; set the
 * on-bit once the bits of every VIP address are in.
 */
#ifndef LB_FILTER_INLINE
#define LB_FILTER_INLINE static inline __attribute__((always_inline))
#endif

#define LB_VIP_FILTER_LOG2   18 /* bits in the filter: 2^18 = 32 KiB */
#define LB_VIP_FILTER_WORDS  ((1U << LB_VIP_FILTER_LOG2) / 64)
#define LB_VIP_FILTER_ON_BIT 0

/* Bit index of an address whose four words (network order, as in every key) xor to fold. */
LB_FILTER_INLINE __u32 lb_vip_filter_bit_folded(__u32 fold, __u8 family)
{
	__u32 h = fold ^ family;

	h *= 0x9e3779b1U;
	h ^= h >> 15;
	h *= 0x85ebca77U;
	return h >> (32 - LB_VIP_FILTER_LOG2);
}

/* Bit index of an address (words in network order, as in every key). */
LB_FILTER_INLINE __u32 lb_vip_filter_bit(const __u32 *addr, __u8 family)
{
	return lb_vip_filter_bit_folded(addr[0] ^ addr[1] ^ addr[2] ^ addr[3], family);
}

#endif /* XDPLB_LB_FILTER_H */
