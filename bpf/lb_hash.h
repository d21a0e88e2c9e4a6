/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The flow hash, shared by the XDP program, the agent (lbctl explain) and the tests. */
#ifndef XDPLB_LB_HASH_H
#define XDPLB_LB_HASH_H

#include "lb_common.h"

/*
 * Bob Jenkins' lookup3 (the kernel's jhash): an IPv6 flow hashes the ten
 * 32-bit words of struct lb_flow_key (jhash2), an IPv4 flow only the three
 * that are not zero, as the kernel's jhash_3words, with protocol and family
 * in the initial value: a third of the work on the per-packet path. Every
 * node of a cluster uses the same seed (and this same function: nodes of
 * different versions of it would pick differently), so the same flow gets
 * the same Maglev slot wherever ECMP sends it. Written out so the BPF
 * verifier sees straight-line code.
 */
#ifndef LB_HASH_INLINE
#define LB_HASH_INLINE static inline __attribute__((always_inline))
#endif

#define LB_JHASH_INITVAL 0xdeadbeefU

LB_HASH_INLINE __u32 lb_rol32(__u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

#define LB_JHASH_MIX(a, b, c)                                                                      \
	do {                                                                                       \
		a -= c; a ^= lb_rol32(c, 4); c += b;                                               \
		b -= a; b ^= lb_rol32(a, 6); a += c;                                               \
		c -= b; c ^= lb_rol32(b, 8); b += a;                                               \
		a -= c; a ^= lb_rol32(c, 16); c += b;                                              \
		b -= a; b ^= lb_rol32(a, 19); a += c;                                              \
		c -= b; c ^= lb_rol32(b, 4); b += a;                                               \
	} while (0)

#define LB_JHASH_FINAL(a, b, c)                                                                    \
	do {                                                                                       \
		c ^= b; c -= lb_rol32(b, 14);                                                      \
		a ^= c; a -= lb_rol32(c, 11);                                                      \
		b ^= a; b -= lb_rol32(a, 25);                                                      \
		c ^= b; c -= lb_rol32(b, 16);                                                      \
		a ^= c; a -= lb_rol32(c, 4);                                                       \
		b ^= a; b -= lb_rol32(a, 14);                                                      \
		c ^= b; c -= lb_rol32(b, 24);                                                      \
	} while (0)

_Static_assert(sizeof(struct lb_flow_key) == 40, "lb_hash_flow hashes exactly ten words");

/* Hash of a flow key (as stored in lb_conntrack) with the cluster's seed. */
LB_HASH_INLINE __u32 lb_hash_flow(const struct lb_flow_key *key, __u32 seed)
{
	const __u32 *k = (const __u32 *)key;
	__u32 a, b, c;

	if (key->family == LB_AF_INET) {
		a = b = c = LB_JHASH_INITVAL + (3U << 2) + seed +
			    ((__u32)key->proto << 8 | key->family);
		a += key->src[0];
		b += key->dst[0];
		c += k[8]; /* the two ports */
		LB_JHASH_FINAL(a, b, c);
		return c;
	}
	a = b = c = LB_JHASH_INITVAL + (10U << 2) + seed;
	a += k[0]; b += k[1]; c += k[2];
	LB_JHASH_MIX(a, b, c);
	a += k[3]; b += k[4]; c += k[5];
	LB_JHASH_MIX(a, b, c);
	a += k[6]; b += k[7]; c += k[8];
	LB_JHASH_MIX(a, b, c);
	a += k[9];
	LB_JHASH_FINAL(a, b, c);
	return c;
}

/* Second, independent value from the same flow hash: picks the outer source. */
LB_HASH_INLINE __u32 lb_hash_outer(__u32 flow_hash)
{
	__u32 a = flow_hash, b = 0x9e3779b9U, c = LB_JHASH_INITVAL;

	LB_JHASH_FINAL(a, b, c);
	return c;
}

#endif /* XDPLB_LB_HASH_H */
