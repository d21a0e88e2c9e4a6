// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Drops IPv4 TCP segments to port 7000 that are not SYNs, passes the rest. On the
 * router's side of the client's veth it holds back the client's handshake ACKs
 * (t_second_chance: handshakes in flight), since this kernel has no tc classifier
 * modules. No maps, so `ip link set ... xdp obj` loads it whatever its libbpf.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>

#define HOLD_PORT 7000

__attribute__((section("xdp"), used)) int xdp_hold_acks(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);

	if ((void *)(tcp + 1) > data_end || eth->h_proto != __builtin_bswap16(ETH_P_IP) ||
	    ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return XDP_PASS;
	if (tcp->dest != __builtin_bswap16(HOLD_PORT) || tcp->syn)
		return XDP_PASS;
	return XDP_DROP;
}

char _license[] __attribute__((section("license"), used)) = "Dual BSD/GPL";
