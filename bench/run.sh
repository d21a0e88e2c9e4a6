#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# What `make bench` runs: every benchmark, each printing a markdown table, with the
# machine, the commit and the exact commands above them (docs/BENCHMARKS.md keeps a copy).
# BENCH_CPU picks the CPU the benchmarks pin to (default: the last one);
# BENCH_ARGS is passed to bench_xdp (e.g. "-n 50000").
set -euo pipefail
out=${OUTPUT:-.output}
cpu=${BENCH_CPU:-$(($(nproc) - 1))}

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
virt=$(lscpu 2>/dev/null | sed -n 's/^Hypervisor vendor:[[:space:]]*//p')
echo "## xdplb benchmarks"
echo
echo "- when: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git describe --always --dirty 2>/dev/null || echo unknown)"
echo "- machine: ${model:-unknown CPU}, $(nproc) CPUs${virt:+ (guest of $virt)}, kernel $(uname -r)"
echo "- pinned to CPU $cpu; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

echo "### Maglev table build"
echo
echo "\`$out/bench/bench_maglev -c $cpu\`"
echo
"$out/bench/bench_maglev" -c "$cpu"
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
	"${cmd[@]}"
fi
echo
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
