/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* ICMPv4 message types and codes the data plane reads or writes (RFC 792, RFC 1191). */
#ifndef XDPLB_LIB_ICMP_TYPES_H
#define XDPLB_LIB_ICMP_TYPES_H

/*
 * Defined here rather than taken from <linux/icmp.h>: that header includes
 * <linux/if.h>, which includes glibc's <sys/socket.h>, and glibc's headers
 * under -target bpf ask for the 32-bit stubs (gnu/stubs-32.h) that a plain
 * Debian install does not have. The values are fixed by the RFCs.
 */
#define ICMP_ECHOREPLY	   0
#define ICMP_DEST_UNREACH  3
#define ICMP_ECHO	   8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

/* Code of ICMP_DEST_UNREACH: fragmentation needed and DF set (the IPv4 "too big"). */
#define ICMP_FRAG_NEEDED 4

#endif /* XDPLB_LIB_ICMP_TYPES_H */
