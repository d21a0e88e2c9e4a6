# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# shellcheck shell=bash
# What the benches that drive wrk share (l7_wrk.sh, bulk_throughput.sh). Source it after
# tests/e2e/lib.sh (nsx); do not run it.

# wrk_run URL CONNECTIONS SECONDS [WRK ARGS]: keep-alive GETs from the client namespace, one
# thread; prints "requests/s p99_ms errors" (errors "none", or wrk's error lines).
wrk_run() {
	local url=$1 conns=$2 secs=$3 out rps p99 errs
	shift 3
	out=$(nsx cli timeout $((secs + 20)) wrk -t1 -c"$conns" -d"${secs}s" --latency "$@" "$url")
	rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0;
		else if (v ~ /s$/) v = v * 1000; print v}' <<<"$out")
	errs=$(awk '/Non-2xx|Socket errors/ {e = e $0 "; "} END {print e == "" ? "none" : e}' <<<"$out")
	echo "$rps $p99 $errs"
}

# The median of numbers, one a line ("-" for none).
median() { sort -n | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : "-"}'; }
