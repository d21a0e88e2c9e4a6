/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Internet checksums: partial sums in memory byte order, folding, incremental updates. */
#ifndef XDPLB_LIB_CSUM_H
#define XDPLB_LIB_CSUM_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "parse.h"

/*
 * Partial sums are kept as __u64 of 16-bit words loaded in memory order, so a
 * folded result is stored into the packet as is; host values join a sum
 * through bpf_htons()/bpf_htonl().
 */
static __always_inline __u16 lb_csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Sum of n 16-bit words (n a constant). */
static __always_inline __u64 lb_csum_words(const void *p, int n)
{
	const __u16 *w = p;
	__u64 sum = 0;
	int i;

#pragma unroll
	for (i = 0; i < n; i++)
		sum += w[i];
	return sum;
}

#define LB_CSUM_CHUNK 256

/*
 * Folded sum of len bytes of the frame from off (region inside the frame,
 * both below LB_PKT_MAX_OFF; 0 otherwise). Big chunks go through
 * bpf_csum_diff, the rest by words. The region starts at an even distance
 * from the checksum's start, so an odd last byte is the first byte of a word
 * padded with zero (little-endian load).
 *
 * The one helper that is not inlined: a global function is verified once on
 * its own, where its loops inlined at every call site multiplied the
 * verifier's work past its limits.
 */
__attribute__((noinline)) int lb_csum_region(struct xdp_md *ctx, __u32 off, __u32 len)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	__u64 sum = 0;
	void *p;
	int i;

	if (off >= LB_PKT_MAX_OFF || len >= LB_PKT_MAX_OFF)
		return 0;
	for (i = 0; i < LB_PKT_MAX_OFF / LB_CSUM_CHUNK; i++) {
		if (len < LB_CSUM_CHUNK)
			break;
		p = data + (off & (LB_PKT_MAX_OFF - 1));
		if (p + LB_CSUM_CHUNK > data_end)
			return 0;
		sum += (__u32)bpf_csum_diff(NULL, 0, p, LB_CSUM_CHUNK, 0);
		off += LB_CSUM_CHUNK;
		len -= LB_CSUM_CHUNK;
	}
	for (i = 0; i < LB_CSUM_CHUNK / 4; i++) {
		if (len < 4)
			break;
		p = data + (off & (LB_PKT_MAX_OFF - 1));
		if (p + 4 > data_end)
			return 0;
		sum += *(__u32 *)p;
		off += 4;
		len -= 4;
	}
	p = data + (off & (LB_PKT_MAX_OFF - 1));
	if (len >= 2) {
		if (p + 2 > data_end)
			return 0;
		sum += *(__u16 *)p;
		p += 2;
		len -= 2;
	}
	if (len) {
		if (p + 1 > data_end)
			return 0;
		sum += *(__u8 *)p;
	}
	return lb_csum_fold(sum);
}

/* RFC 1624 incremental update of a checksum for one 16-bit word going from old to new. */
static __always_inline void lb_csum_replace16(__u16 *csum, __u16 old, __u16 new)
{
	__u64 sum = (__u16) ~*csum;

	sum += (__u16)~old;
	sum += new;
	*csum = ~lb_csum_fold(sum);
}

/* Header checksum of an IPv4 header without options (checksum field zero). */
static __always_inline __u16 lb4_csum_header(const struct iphdr *ip)
{
	return ~lb_csum_fold(lb_csum_words(ip, sizeof(*ip) / 2));
}

/* Partial sum of the L4 pseudo-header of the IP packet at ip (addresses read from it). */
static __always_inline __u64 lb_csum_pseudo(const void *ip, __u8 family, __u8 proto, __u32 l4_len)
{
	__u64 sum = bpf_htons(proto) + bpf_htons(l4_len);

	if (family == LB_AF_INET)
		return sum + lb_csum_words(&((const struct iphdr *)ip)->saddr, 4);
	return sum + lb_csum_words(&((const struct ipv6hdr *)ip)->saddr, 16);
}

#endif /* XDPLB_LIB_CSUM_H */
