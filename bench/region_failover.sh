#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Region failover times (docs/BENCHMARKS.md "Region failover"): runs the e2e test
# t_region_dns_failover N times (default 3) and prints its figure lines: detection (region 2's
# probes call region 1 down), server (the DNS server answers only region 2's VIP) and the
# client bound (server + the name's TTL, what a caching client may still hold). Needs root.
set -u
n=${1:-3}
dir=$(cd "$(dirname "$0")/.." && pwd)
for i in $(seq "$n"); do
	XLB_KEEP=1 bash "$dir/tests/e2e/run.sh" region_dns_failover >/tmp/region-bench-$$.log 2>&1
	logs=$(sed -n 's/^logs: //p' /tmp/region-bench-$$.log)
	grep -h "^figure:" "$logs/region_dns_failover/output.log" 2>/dev/null ||
		{ echo "run $i failed"; tail -5 /tmp/region-bench-$$.log; }
	rm -rf "$logs"
done
rm -f /tmp/region-bench-$$.log
