// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The benchmarks' floor: an XDP program that only passes. What it costs is the test-run frame. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_floor(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
