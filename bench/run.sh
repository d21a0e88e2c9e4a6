#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# What `make bench` runs: every benchmark, each printing a markdown table, with the
# machine, the commit and the exact commands above them (docs/BENCHMARKS.md keeps a copy).
# bench_maglev and bench_xdp first, then every other bench/*.c with its defaults, then
# bench/bulk_throughput.sh (root; BENCH_FULL=1 for its longer run).
# BENCH_CPU picks the CPU bench_maglev and bench_xdp pin to (default: the last one);
# BENCH_ARGS is passed to bench_xdp (e.g. "-n 50000"). Exits non-zero if any bench failed.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUTPUT:-.output}
failed=()
cpu=${BENCH_CPU:-$(($(nproc) - 1))}

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
virt=$(lscpu 2>/dev/null | sed -n 's/^Hypervisor vendor:[[:space:]]*//p')
echo "## xdplb benchmarks"
echo
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
echo "- when: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit"
echo "- machine: ${model:-unknown CPU}, $(nproc) CPUs${virt:+ (guest of $virt)}, kernel $(uname -r)"
echo "- pinned to CPU $cpu; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

echo "### Maglev table build"
echo
echo "\`$out/bench/bench_maglev -c $cpu\`"
echo
"$out/bench/bench_maglev" -c "$cpu" || failed+=(bench_maglev)
echo

echo "### XDP per-packet cost (ns over the XDP_PASS floor)"
echo
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench_xdp needs root (BPF_PROG_TEST_RUN)"
else
	# shellcheck disable=SC2206 # BENCH_ARGS is a list of options
	cmd=("$out/bench/bench_xdp" -c "$cpu" ${BENCH_ARGS:-})
	echo "\`${cmd[*]}\`"
	echo
	"${cmd[@]}" || failed+=(bench_xdp)
fi
echo

for src in bench/*.c; do
	name=$(basename "$src" .c)
	case "$name" in
	*.bpf | bench_maglev | bench_xdp) continue ;;
	esac
	echo "### $name"
	echo
	# bench_sync: 1M records, zero-loss checks at 100k and 200k records/s (issue 5's targets).
	args=()
	[ "$name" = bench_sync ] && args=(-n 1000000 -r 100000 -r 200000 -t 5)
	echo "\`$out/bench/$name ${args[*]}\`"
	echo
	"$out/bench/$name" "${args[@]}" || failed+=("$name")
	echo
done

echo "### Bulk throughput through the VIP against the direct path (#21)"
echo
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench/bulk_throughput.sh needs root (namespaces)"
else
	# BENCH_FULL=1: 5 rounds of 15 s instead of 3 of 5 s.
	echo "\`XDPLB_BIN=$out bench/bulk_throughput.sh\`${BENCH_FULL:+ (BENCH_FULL=$BENCH_FULL)}"
	echo
	XDPLB_BIN=$out bash bench/bulk_throughput.sh 2>/dev/null || failed+=(bulk_throughput)
fi
echo

echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]}" >&2
	exit 1
fi
