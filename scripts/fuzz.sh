#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Runs libFuzzer targets: fuzz.sh OUTPUT SECONDS FUZZER...
# Each fuzzer first replays tests/fuzz/regressions/NAME/ (every crash ever found, which must
# stay fixed), then fuzzes for SECONDS from tests/fuzz/corpus/NAME/ plus what earlier runs
# found (kept in OUTPUT/fuzz/corpus/NAME/). A crash leaves its input in OUTPUT/fuzz/crashes/:
# fix the bug, then copy the input into tests/fuzz/regressions/NAME/.
set -u
shopt -s nullglob
out=$1
seconds=$2
shift 2

failed=0
n_pass=0 n_skip=0
for bin in "$@"; do
	fuzzer=$(basename "$bin")
	name=${fuzzer#fuzz_}
	work=$out/fuzz/corpus/$name
	crashes=$out/fuzz/crashes
	log=$out/fuzz/$fuzzer.log
	mkdir -p "$work" "$crashes"
	if [ "$name" = packet ] && [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: $fuzzer needs root (bpf_prog_test_run)"
		[ "${CI:-}" = true ] && failed=1
		n_skip=$((n_skip + 1))
		continue
	fi
	regressions=(tests/fuzz/regressions/"$name"/*)
	if [ ${#regressions[@]} -gt 0 ]; then
		if ! "$bin" -runs=1 "${regressions[@]}" >"$log" 2>&1; then
			echo "FAIL: $fuzzer: a regression input crashes again (see $log)"
			tail -n 30 "$log"
			failed=1
			continue
		fi
	fi
	if ! "$bin" -max_total_time="$seconds" -timeout=10 -max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$crashes/$fuzzer-" "$work" tests/fuzz/corpus/"$name" >"$log" 2>&1; then
		echo "FAIL: $fuzzer: crash; input in $crashes/, log $log"
		grep -A 25 -m 1 'ERROR\|fuzz_\w*:\|deadly signal' "$log"
		failed=1
		continue
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	echo "PASS: $fuzzer: ${runs:-?} inputs in ${seconds}s, corpus $(ls "$work" | wc -l)," \
		"${#regressions[@]} regression inputs replayed"
	n_pass=$((n_pass + 1))
done
summary="$n_pass passed, $(($# - n_pass - n_skip)) failed"
[ "$n_skip" -gt 0 ] && summary+=", $n_skip skipped"
echo "$summary"
exit $failed
