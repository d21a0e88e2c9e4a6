#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs one test tier: tier.sh NAME COMMAND... Tiers that need root and BPF say
# SKIP loudly when they cannot run; under CI=true a skip is a failure.
set -u
tier=$1
shift

skip() {
	echo "SKIP: $tier tier: $*"
	if [ "${CI:-}" = "true" ]; then
		echo "FAIL: $tier tier skipped under CI=true"
		exit 1
	fi
	exit 0
}

# The unit and package tiers need neither root nor BPF.
if [ "$tier" != unit ] && [ "$tier" != package ]; then
	[ "$(id -u)" -eq 0 ] || skip "needs root (BPF programs, network namespaces)"
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null ||
		skip "bpffs not mounted and cannot be mounted"
	bpftool prog show >/dev/null 2>&1 || skip "kernel refuses BPF (bpftool prog show failed)"
fi

echo "=== $tier tier ==="
"$@"
