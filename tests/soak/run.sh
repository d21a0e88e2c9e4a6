#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The soak tier: runs tests/soak/soak.sh once, bounded by SOAK_SECONDS plus SOAK_SLACK for
# setup, the failover and the final checks. Prints the soak's log without the routine
# per-cycle lines (what is left holds the figures: failover time, counters, RSS; a failed
# run shows its last 40 lines), then "PASS soak (Ns)" or "FAIL soak: reason", and ends
# with "N passed, N failed" as the e2e runner does. Binaries come from $XDPLB_BIN.
# XLB_KEEP=1 keeps the run directory of a passing run too.
set -u

SOAK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOAK_SECONDS=${SOAK_SECONDS:-150}
SOAK_SLACK=${SOAK_SLACK:-90}
export SOAK_SECONDS

if [ "$(id -u)" -ne 0 ]; then
	echo "soak: needs root (network namespaces, BPF)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

rundir=$(mktemp -d /tmp/xlb-soak-$$.XXXX)
prefix=xlb-soak-$$-

# What the soak left behind despite its own trap (killed by the timeout): swept here.
sweep() {
	local n pid
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$prefix"); do
		for pid in $(ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$n" 2>/dev/null
	done
	if mountpoint -q "$rundir/bpffs"; then
		rm -rf "${rundir:?}/bpffs/"* 2>/dev/null
		umount "$rundir/bpffs"
	fi
}

t0=$(date +%s)
XLB_PREFIX=$prefix XLB_RUNDIR=$rundir timeout -k 10 $((SOAK_SECONDS + SOAK_SLACK)) \
	bash "$SOAK_DIR/soak.sh" >"$rundir/output.log" 2>&1 &
tpid=$!
trap 'kill -TERM $tpid 2>/dev/null; wait $tpid; sweep; echo "interrupted"; exit 130' INT TERM
wait $tpid
rc=$?
trap - INT TERM
sweep
secs=$(($(date +%s) - t0))

if [ $rc -eq 0 ]; then
	grep -v '^\[[0-9:]*\] cycle [0-9]*: ' "$rundir/output.log" | sed 's/^/  | /'

	echo "PASS soak (${secs}s)"
	[ "${XLB_KEEP:-0}" = 1 ] && echo "logs: $rundir" || rm -rf "$rundir"
	echo "1 passed, 0 failed"
	exit 0
fi
reason=$(sed -n 's/^reason: //p' "$rundir/output.log" | tail -1)
[ $rc -eq 124 ] && reason="timed out after $((SOAK_SECONDS + SOAK_SLACK))s${reason:+ ($reason)}"
tail -40 "$rundir/output.log" | sed 's/^/  | /'
echo "FAIL soak: ${reason:-exit status $rc}"
echo "logs: $rundir"
echo "0 passed, 1 failed"
exit 1
