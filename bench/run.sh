#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# What `make bench` runs: every benchmark, each printing a markdown table, with the
# machine, the commit and the exact commands above them (docs/BENCHMARKS.md keeps a copy).
# bench_maglev and bench_xdp first, then every other bench/*.c with its defaults, then
# bench/scale_config.sh and bench/bulk_throughput.sh (both as root).
# BENCH_CPU picks the CPU bench_maglev and bench_xdp pin to (default: the last one);
# BENCH_ARGS is passed to bench_xdp (e.g. "-n 50000"). BENCH_FULL=1 runs the scale benches at
# issue 21's full size (bench_xdp_loop 101 rounds, bench_health 100,000 backends, bench_sync's
# dump and bench_conntrack 10M flows, not 1M). Exits non-zero if any bench failed.
set -uo pipefail
full=0
[ "${BENCH_FULL:-0}" = 1 ] && full=1
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

echo "### XDP in a driver's loop (ns over the XDP_TX floor)"
echo
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench_xdp_loop needs root (a network namespace, XDP on a veth pair)"
else
	# BENCH_FULL=1: 101 rounds a case instead of 31 (about 40 s instead of 15)
	cmd=("$out/bench/bench_xdp_loop" -c "$cpu")
	[ "$full" = 1 ] && cmd+=(-n 101)
	echo "\`${cmd[*]}\`"
	echo
	"${cmd[@]}" || failed+=(bench_xdp_loop)
fi
echo

for src in bench/*.c; do
	name=$(basename "$src" .c)
	case "$name" in
	*.bpf | bench_maglev | bench_xdp | bench_xdp_loop) continue ;;
	esac
	echo "### $name"
	echo
	# bench_sync: 1M records, zero-loss checks at 100k and 200k records/s (issue 5's targets).
	args=()
	[ "$name" = bench_sync ] && args=(-n 1000000 -r 100000 -r 200000 -t 5)
	# bench_health: 20,000 backends for 5 s by default; BENCH_FULL=1: issue 21's 100,000 for 10 s.
	[ "$name" = bench_health ] && [ "$full" = 1 ] && args=(-n 100000 -s 10)
	# Issue 21 (scale): a 1M catch-up dump and 1M tracked flows by default, a few minutes
	# here; BENCH_FULL=1 adds the 10M dump and 10M flows (about 5 GiB of maps, longer).
	if [ "$name" = bench_sync ]; then
		args+=(-r 1000000 -d 1000000)
		[ "$full" = 1 ] && args+=(-d 10000000)
	fi
	[ "$name" = bench_conntrack ] && args=(-n "$([ "$full" = 1 ] && echo 10000000 || echo 1000000)")
	echo "\`$out/bench/$name ${args[*]}\`"
	echo
	"$out/bench/$name" "${args[@]}" || failed+=("$name")
	echo
done

# The agent at an edge's size (issue 21): 200 VIPs x 100 backends; BENCH_FULL=1 for 1000 x 100.
echo "### Scale: config, reload, metrics (bench/scale_config.sh)"
echo
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: scale_config needs root (namespaces, XDP)"
else
	echo "\`$([ "$full" = 1 ] && echo "BENCH_FULL=1 ")bench/scale_config.sh $out\`"
	echo
	bash bench/scale_config.sh "$out" || failed+=(scale_config)
fi
echo

echo "### Bulk throughput through the VIP against the direct path (#21)"
echo
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: bench/bulk_throughput.sh needs root (namespaces)"
else
	# The goal's comparison only (same offloads on both paths), 3 rounds of 4 s: about 3 min.
	# BENCH_FULL=1: the script's own full run, 5 rounds of 15 s in every mode.
	args=(-m same -n 3 -d 4)
	[ "$full" = 1 ] && args=()
	echo "\`XDPLB_BIN=$out bench/bulk_throughput.sh ${args[*]}\`"
	echo
	XDPLB_BIN=$out bash bench/bulk_throughput.sh "${args[@]}" 2>"$out/bench/bulk_throughput.log" ||
		failed+=("bulk_throughput (stderr in $out/bench/bulk_throughput.log)")
fi
echo

echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED: ${failed[*]}" >&2
	exit 1
fi
