#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A balancer's namespaces for the agent benches (sourced): NS holds lb0 (198.51.100.2/24)
# and lo, NS-be the far end rtr0 where the backends' addresses live (their next hops
# resolve there); RUN/bpffs a bpffs of the bench's own.

# agent_ns_up NS RUN ADDRESS/PREFIX...: the namespaces, the addresses on rtr0, the bpffs.
agent_ns_up() {
	local ns=$1 run=$2 a
	shift 2
	ip netns add "$ns"
	ip netns add "$ns-be"
	ip -n "$ns" link add lb0 type veth peer name rtr0 netns "$ns-be"
	ip -n "$ns" addr add 198.51.100.2/24 dev lb0
	ip -n "$ns" link set lb0 up
	ip -n "$ns" link set lo up
	for a in "$@"; do ip -n "$ns-be" addr add "$a" dev rtr0; done
	ip -n "$ns-be" link set rtr0 up
	mkdir -p "$run/bpffs"
	mount -t bpf bpf "$run/bpffs"
}

# agent_ns_down NS RUN: all of it gone, RUN too; quiet about what was never made.
agent_ns_down() {
	local ns=$1 run=$2
	ip netns del "$ns" 2>/dev/null || true
	ip netns del "$ns-be" 2>/dev/null || true
	if mountpoint -q "$run/bpffs"; then
		rm -rf "${run:?}/bpffs/"* 2>/dev/null
		umount "$run/bpffs"
	fi
	rm -rf "$run"
}
