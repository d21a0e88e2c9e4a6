#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The agent's start and reload times, for one build or two side by side.
#
#   bench/agent_lifecycle.sh [-n ROUNDS] [-r RELOADS] NEW_BIN_DIR [OLD_BIN_DIR]
#
# In a network namespace of its own (one veth pair, documentation addresses,
# generic XDP), a balancer with VIPS VIPs of BACKENDS backends each (default
# 50 x 20: 1000 pairs, 50 Maglev tables of 65537 slots, next hops resolved
# on a veth peer) is started until `lbctl status` says attached with no next
# hop pending, reloaded RELOADS times with every VIP's weights changed (each
# reload rebuilds every table), and stopped. With two builds
# the rounds alternate (new, old, new, old ...), so both see the same machine;
# the result is each build's median and the ratio new/old of the medians.
# Root only. Leaves nothing behind, also on failure.
set -euo pipefail

ROUNDS=5
RELOADS=5
VIPS=${VIPS:-50}
BACKENDS=${BACKENDS:-20}
while getopts n:r: opt; do
	case $opt in
	n) ROUNDS=$OPTARG ;;
	r) RELOADS=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-n ROUNDS] [-r RELOADS] NEW_BIN_DIR [OLD_BIN_DIR]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "agent_lifecycle: needs root" >&2; exit 1; }
BUILDS=("$@")

NS=xlb-bench-$$
RUN=$(mktemp -d /tmp/xlb-bench-lifecycle.XXXX)
AGENT_PID=

# shellcheck source=bench/lib_agent_ns.sh
. "$(dirname "$0")/lib_agent_ns.sh"
cleanup() {
	[ -n "$AGENT_PID" ] && kill -TERM "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	agent_ns_down "$NS" "$RUN"
}
trap cleanup EXIT INT TERM

# The backends' addresses live on the far end (namespace $NS-be), so their
# next hops resolve and every VIP's table holds them.
# shellcheck disable=SC2046 # a list of addresses
agent_ns_up "$NS" "$RUN" $(for b in $(seq 1 "$BACKENDS"); do echo "198.51.100.$((b + 10))/24"; done)

# config WEIGHT: the node and VIPS VIPs; every backend of the file has WEIGHT.
config() {
	local w=$1 v b
	printf 'node:\n  id: 1\n  zone: a\n  role: balancer\n  interface: lb0\n  xdp_mode: generic\n'
	printf '  addresses: [198.51.100.2]\n  control: {socket: %s/lb.sock}\n  bpffs: %s/bpffs/lb\n' \
		"$RUN" "$RUN"
	printf 'vips:\n'
	for v in $(seq 1 "$VIPS"); do
		printf '  - {address: 192.0.2.%d, port: 80, backends: [' "$v"
		for b in $(seq 1 "$BACKENDS"); do
			printf '{address: 198.51.100.%d, weight: %d}%s' $((b + 10)) $((w + b)) \
				"$([ "$b" -lt "$BACKENDS" ] && echo ', ')"
		done
		printf ']}\n'
	done
}

now_ns() { date +%s%N; }

# one_round BIN_DIR: prints "START_MS RELOAD_MS" (reload: the median of RELOADS).
one_round() {
	local bin=$1 t0 t1 i r times=()
	config 100 >"$RUN/lb.yaml"
	t0=$(now_ns)
	ip netns exec "$NS" "$bin/lbagent" -c "$RUN/lb.yaml" >>"$RUN/agent.log" 2>&1 &
	AGENT_PID=$!
	for _ in $(seq 3000); do
		ip netns exec "$NS" "$bin/lbctl" -s "$RUN/lb.sock" --json status 2>/dev/null |
			grep -c '"attached": true\|"next_hops_pending": 0' | grep -q 2 && break
		sleep 0.01
	done
	t1=$(now_ns)
	for i in $(seq 1 "$RELOADS"); do
		config $((100 + i)) >"$RUN/lb.yaml"
		r=$(now_ns)
		ip netns exec "$NS" "$bin/lbctl" -s "$RUN/lb.sock" reload >/dev/null
		times+=($((($(now_ns) - r) / 1000)))
	done
	kill -TERM "$AGENT_PID"
	wait "$AGENT_PID" 2>/dev/null || true
	AGENT_PID=
	# The next start must not adopt this one's pins: the first start is measured each time.
	ip netns exec "$NS" ip link set lb0 xdpgeneric off 2>/dev/null || true
	rm -rf "${RUN:?}/bpffs/lb"
	printf '%d %s\n' $(((t1 - t0) / 1000)) \
		"$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RELOADS + 1) / 2))p")"
}

for i in $(seq 1 "$ROUNDS"); do
	for b in "${BUILDS[@]}"; do
		echo "$b $(one_round "$b")" >>"$RUN/results"
	done
done

python3 - "$RUN/results" "${BUILDS[@]}" "$VIPS" "$BACKENDS" "$RELOADS" <<'EOF'
import statistics, sys
path, builds = sys.argv[1], sys.argv[2:-3]
vips, backends, reloads = sys.argv[-3:]
rows = [l.split() for l in open(path)]
med = {}
print(f"{vips} VIPs x {backends} backends, {len(rows) // len(builds)} rounds, {reloads} reloads a round")
print("| build | start to attached, ms (median) | one reload, ms (median) |")
print("|---|---:|---:|")
for b in builds:
    s = [int(r[1]) / 1000 for r in rows if r[0] == b]
    r = [int(r[2]) / 1000 for r in rows if r[0] == b]
    med[b] = (statistics.median(s), statistics.median(r))
    print(f"| {b} | {med[b][0]:.1f} | {med[b][1]:.1f} |")
if len(builds) == 2:
    n, o = med[builds[0]], med[builds[1]]
    print(f"| new / old | {n[0] / o[0]:.2f} | {n[1] / o[1]:.2f} |")
EOF
