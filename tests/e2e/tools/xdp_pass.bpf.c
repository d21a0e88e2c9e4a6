// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * XDP_PASS and nothing else. The e2e topology attaches it to the router's side of the
 * LB node's veth: a frame sent with XDP_TX into a veth is dropped unless the peer has an
 * XDP program. No maps, so `ip link set ... xdp obj` loads it whatever its libbpf.
 */
#include <linux/bpf.h>

__attribute__((section("xdp"), used)) int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] __attribute__((section("license"), used)) = "Dual BSD/GPL";
