#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The e2e tier: runs every tests/e2e/t_*.sh (or those named on the command line,
# e.g. `run.sh udp_vip`), each in a topology of its own, one after the other.
# Prints "PASS name (Ns)" or "FAIL name: reason" per test and ends with
# "N passed, N failed". Binaries come from $XDPLB_BIN (default .output).
# XLB_KEEP=1 keeps the logs of passing tests too; XLB_TEST_TIMEOUT bounds one test.
set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEST_TIMEOUT=${XLB_TEST_TIMEOUT:-150}

if [ "$(id -u)" -ne 0 ]; then
	echo "e2e: needs root (network namespaces, BPF)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

tests=()
if [ $# -gt 0 ]; then
	for name in "$@"; do
		tests+=("$E2E_DIR/t_${name#t_}")
		case $name in *.sh) ;; *) tests[-1]=${tests[-1]}.sh ;; esac
	done
else
	tests=("$E2E_DIR"/t_*.sh)
fi

logdir=$(mktemp -d /tmp/xlb-e2e-$$.XXXX)
passed=0
failed=0
started=$(date +%s)

# What a test left behind despite its own trap (killed by the timeout): swept here.
sweep() {
	local prefix=$1 rundir=$2 n pid
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

i=0
for t in "${tests[@]}"; do
	i=$((i + 1))
	name=$(basename "$t" .sh)
	name=${name#t_}
	rundir=$logdir/$name
	prefix=xlb-$$-$i-
	mkdir -p "$rundir"
	if [ ! -f "$t" ]; then
		echo "FAIL $name: no such test $t"
		failed=$((failed + 1))
		continue
	fi
	t0=$(date +%s)
	XLB_PREFIX=$prefix XLB_RUNDIR=$rundir timeout -k 10 "$TEST_TIMEOUT" bash "$t" \
		>"$rundir/output.log" 2>&1 &
	tpid=$!
	# Ctrl-C stops the running test too (timeout runs it in a process group of its own).
	trap 'kill -TERM $tpid 2>/dev/null; wait $tpid; sweep "$prefix" "$rundir"; echo "interrupted"; exit 130' INT TERM
	wait $tpid
	rc=$?
	trap - INT TERM
	sweep "$prefix" "$rundir"
	secs=$(($(date +%s) - t0))
	if [ $rc -eq 0 ]; then
		echo "PASS $name (${secs}s)"
		passed=$((passed + 1))
		continue
	fi
	reason=$(sed -n 's/^reason: //p' "$rundir/output.log" | tail -1)
	[ $rc -eq 124 ] && reason="timed out after ${TEST_TIMEOUT}s${reason:+ ($reason)}"
	echo "FAIL $name: ${reason:-exit status $rc}"
	echo "  --- last lines of $rundir/output.log (${secs}s):"
	tail -15 "$rundir/output.log" | sed 's/^/  | /'
	failed=$((failed + 1))
done

echo "e2e tier took $(($(date +%s) - started))s"
if [ $failed -eq 0 ] && [ "${XLB_KEEP:-0}" != 1 ]; then
	rm -rf "$logdir"
else
	echo "logs: $logdir"
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
