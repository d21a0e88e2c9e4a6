// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The balancer's hop without the balancer: IPv4 packets for one address leave again by
 * XDP_TX toward one MAC, unchanged otherwise (no lookup, no encapsulation); everything else
 * passes. bench/bulk_throughput.sh sends a path through it beside the VIP path, so that the
 * cost of the extra veth hop and of XDP_TX on veth is measured apart from lb.bpf.c's work.
 * Built by that script with the address and the MAC as -D values, attached by `ip link`;
 * with -DBOUNCE_REDIRECT=IFINDEX (the interface's own) it leaves by bpf_redirect() instead,
 * the devmap's path (bulk queue, ndo_xdp_xmit), to compare the two on the same veth.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

#ifndef BOUNCE_DADDR
#define BOUNCE_DADDR 0 /* network order */
#endif
#ifdef BOUNCE_REDIRECT
static long (*bpf_redirect)(__u32 ifindex, __u64 flags) = (void *)BPF_FUNC_redirect;
#endif
#ifndef BOUNCE_MAC
#define BOUNCE_MAC 0 /* six bytes, comma-separated */
#endif

__attribute__((section("xdp"), used)) int xdp_bounce(struct xdp_md *ctx)
{
	unsigned char mac[ETH_ALEN] = {BOUNCE_MAC};
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != __builtin_bswap16(ETH_P_IP) ||
	    ip->daddr != BOUNCE_DADDR)
		return XDP_PASS;
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
#ifdef BOUNCE_REDIRECT
	return bpf_redirect(BOUNCE_REDIRECT, 0);
#else
	return XDP_TX;
#endif
}

char _license[] __attribute__((section("license"), used)) = "Dual BSD/GPL";
