#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The agent at an internet edge's size (issue 21): VIPS VIPs of BACKENDS backends each,
# drawn from POOL shared hosts (bench/gen_config.py), against a 1-VIP config in the same run.
#
#   bench/scale_config.sh [BIN_DIR]        (default .output; root only)
#
# Default 200 x 100 (20,000 pairs), a few minutes on 2 busy CPUs; BENCH_FULL=1 for
# 1000 x 100 (100,000 pairs). VIPS, BACKENDS, POOL, ROUNDS override. Measures:
# - `lbagent --check-config` time, median of ROUNDS, the two configs alternating;
# - start until `lbctl status` says attached with no next hop pending, and VmRSS/VmHWM;
# - a metrics scrape (curl): time and bytes, also with node.metrics.per_backend off;
# - `lbagent --reload` until its verdict, one VIP's weights changed, then every VIP's;
#   each also by the agent's own "tables rebuilt and swapped in" line. Meanwhile
#   bench/scale_send.py sends new UDP flows to SENT_VIPS VIPs the one-VIP reload
#   leaves alone; every datagram must be counted forwarded on its VIP (0 lost);
# - host 0, in every VIP, failing its TCP check: the agent's time from the verdicts
#   to every table rebuilt and swapped, and from the socket's close to that line.
# In namespaces PREFIX-PID and PREFIX-PID-be (PREFIX default xlb-scale), documentation
# addresses, generic XDP. Prints markdown tables; exits non-zero if a check fails.
# Leaves nothing behind, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=$(realpath "${1:-.output}")
if [ "${BENCH_FULL:-0}" = 1 ]; then VIPS=${VIPS:-1000}; else VIPS=${VIPS:-200}; fi
BACKENDS=${BACKENDS:-100}
POOL=${POOL:-200}
ROUNDS=${ROUNDS:-3}
SENT_VIPS=${SENT_VIPS:-20}
HC_PORT=9000
MX_PORT=9742
[ "$(id -u)" -eq 0 ] || { echo "scale_config: needs root" >&2; exit 1; }

NS=${PREFIX:-xlb-scale}-$$
RUN=$(mktemp -d "/tmp/${PREFIX:-xlb-scale}.XXXX")
AGENT_PID='' LISTEN_PID='' SEND_PID=''
fail=0

# shellcheck source=bench/lib_agent_ns.sh
. bench/lib_agent_ns.sh
cleanup() { # shellcheck disable=SC2317 # the EXIT trap runs it
	local p rc=$?
	set +e # all of it, whatever fails: a stopped process's wait is not 0
	if [ "$rc" -ne 0 ] && [ -e "$RUN/agent.log" ]; then
		echo "scale_config: failed; the agent's log ends:" >&2
		tail -n 20 "$RUN/agent.log" >&2
	fi
	for p in $SEND_PID $LISTEN_PID $AGENT_PID; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	agent_ns_down "$NS" "$RUN"
}
trap cleanup EXIT
trap "exit 1" INT TERM

check() { # check WHAT... OK: OK is 1 or 0
	local ok=${!#}
	set -- "${@:1:$#-1}"
	if [ "$ok" = 1 ]; then echo "- check $*: ok"; else echo "- check $*: FAILED"; fail=1; fi
}
now_ns() { date +%s%N; }
ms_since() { echo $((($(now_ns) - $1) / 1000)) | awk '{printf "%.1f", $1 / 1000}'; }
in_ns() { ip netns exec "$NS" "$@"; }
lbctl() { in_ns "$BIN/lbctl" -s "$RUN/lb.sock" "$@"; }
pool_addrs() {
	python3 -c "import sys; sys.path.insert(0, 'bench'); from gen_config import pool_addr
print(' '.join(pool_addr(i) for i in range($POOL)))"
}

# The balancer's side (lb0, with lo for the metrics endpoint) and the far end (rtr0):
# the backend hosts' addresses, their health-check port, and the clients.
# shellcheck disable=SC2046 # a list of addresses
agent_ns_up "$NS" "$RUN" $(for a in $(pool_addrs); do echo "$a/32"; done) 198.51.100.3/24
ip -n "$NS" route add 203.0.113.0/24 dev lb0
ip -n "$NS-be" route add 192.0.2.0/24 via 198.51.100.2
# shellcheck disable=SC2046 # a list of addresses
ip netns exec "$NS-be" python3 bench/scale_listen.py --port $HC_PORT --ready "$RUN/listening" \
	$(pool_addrs) &
LISTEN_PID=$!
for _ in $(seq 100); do [ -e "$RUN/listening" ] && break; sleep 0.1; done

gen() { # gen NAME VIPS BACKENDS [more gen_config.py options]
	python3 bench/gen_config.py --run "$RUN" --vips "$2" --backends "$3" --pool "$POOL" \
		--health $HC_PORT --metrics "127.0.0.1:$MX_PORT" "${@:4}" >"$RUN/$1.yaml"
}
# The last VIP (one of those sent traffic) has every host and a table of BIG_TABLE slots.
BIG_TABLE=655373
gen one 1 1
gen big "$VIPS" "$BACKENDS" --big-table $BIG_TABLE
gen big-one "$VIPS" "$BACKENDS" --big-table $BIG_TABLE --weight-vips 1
gen big-all "$VIPS" "$BACKENDS" --big-table $BIG_TABLE --weight-vips "$VIPS"
gen big-vip-metrics "$VIPS" "$BACKENDS" --big-table $BIG_TABLE --no-per-backend
echo "$VIPS VIPs x $BACKENDS backends over $POOL hosts, the last VIP all $POOL in" \
	"$BIG_TABLE slots ($((VIPS * BACKENDS - BACKENDS + POOL)) pairs), config" \
	"$(($(stat -c %s "$RUN/big.yaml") / 1024)) KiB; floor: 1 VIP x 1 backend; $ROUNDS rounds"
echo

# --check-config, the two configs alternating.
for _ in $(seq "$ROUNDS"); do
	for c in one big; do
		t=$(now_ns)
		"$BIN/lbagent" --check-config "$RUN/$c.yaml" >/dev/null
		echo "$c $(ms_since "$t")" >>"$RUN/check"
	done
done

# start CONFIG: the agent on a copy of it, until attached with no next hop pending;
# START_MS says how long that took.
start() {
	local t
	cp "$RUN/$1.yaml" "$RUN/lb.yaml"
	t=$(now_ns)
	# Not through in_ns: $! must be the agent's own pid (ip netns exec execs it), for /proc.
	ip netns exec "$NS" "$BIN/lbagent" -c "$RUN/lb.yaml" >>"$RUN/agent.log" 2>&1 &
	AGENT_PID=$!
	for _ in $(seq 12000); do
		lbctl --json status 2>/dev/null |
			grep -c '"attached": true\|"next_hops_pending": 0' | grep -q 2 && break
		sleep 0.01
	done
	START_MS=$(ms_since "$t")
}
# Detached and unpinned: the next start must not adopt this one's pins, each is a first start.
stop() {
	lbctl shutdown --unload >/dev/null
	wait "$AGENT_PID" 2>/dev/null || true
	AGENT_PID=
}
mem() { # "RSS_MIB HWM_MIB" of the agent
	awk '/^VmRSS/ {r = $2} /^VmHWM/ {h = $2} END {printf "%d %d", r / 1024, h / 1024}' \
		"/proc/$AGENT_PID/status"
}
scrape() {
	in_ns curl -s -o /dev/null -w '%{time_total} %{size_download}' \
		"http://127.0.0.1:$MX_PORT/metrics"
}

# Start, memory, scrape: the two configs alternating; the last big agent stays up.
for r in $(seq "$ROUNDS"); do
	for c in one big; do
		start "$c"
		sleep 1.5 # a check interval and its timeout: the scrape sees every pair checked
		echo "$c $START_MS $(mem) $(scrape)" >>"$RUN/start"
		{ [ "$c" = big ] && [ "$r" = "$ROUNDS" ]; } || stop
	done
done

applied() { grep 'tables rebuilt and swapped' "$RUN/agent.log" || true; }

# reload NAME: its config in place, `lbagent --reload` to the verdict;
# "NAME ms tables apply_ms" (the last two from the agent's line).
reload() {
	local t n
	cp "$RUN/$1.yaml" "$RUN/lb.yaml"
	n=$(applied | wc -l)
	t=$(now_ns)
	in_ns "$BIN/lbagent" -c "$RUN/lb.yaml" -s "$RUN/lb.sock" --reload >/dev/null
	echo "$1 $(ms_since "$t") $(applied | sed -n "$((n + 1))p" | awk '{print $4, $(NF - 1)}')" \
		>>"$RUN/reload"
}

# vip_packets VIP:PORT...: forwarded packets summed over these UDP VIPs.
vip_packets() {
	local v sum=0
	for v in "$@"; do
		sum=$((sum + $(lbctl --json vip show "$v/udp" | python3 -c \
			'import json, sys; print(json.load(sys.stdin)["packets"])')))
	done
	echo "$sum"
}
drops() {
	lbctl --json stats | python3 -c \
		'import json, sys; print(sum(d["packets"] for d in json.load(sys.stdin)["drops"].values()))'
}

# Traffic to SENT_VIPS VIPs the one-VIP reload leaves alone (the last ones) through every
# reload: one VIP changed and back, every VIP changed and back, ROUNDS times.
sent_vips=$(python3 -c "
vips, n = $VIPS, min($SENT_VIPS, $VIPS - 1)
ports = [80, 443, 8080, 8443, 9080, 9443, 10080, 10443]
print(' '.join(f'192.0.2.{1 + v % 250}:{ports[v // 250]}' for v in range(vips - n, vips)))")
# shellcheck disable=SC2086 # a list of VIPs
before=$(vip_packets $sent_vips)
drops_before=$(drops)
# shellcheck disable=SC2086
ip netns exec "$NS-be" python3 bench/scale_send.py --seconds 600 --rate 1000 $sent_vips \
	>"$RUN/sent" &
SEND_PID=$!
sleep 1
for _ in $(seq "$ROUNDS"); do
	reload big-one
	reload big
	reload big-all
	reload big
done
sleep 0.5
kill -TERM "$SEND_PID"
wait "$SEND_PID" || true
SEND_PID=
sleep 0.5
# shellcheck disable=SC2086
forwarded=$(($(vip_packets $sent_vips) - before))
last_vip=${sent_vips##* }
big_size=$(lbctl --json vip show "$last_vip/udp" | python3 -c \
	'import json, sys; print(json.load(sys.stdin)["maglev_size"])')
big_sent=$(awk -v v="$last_vip" '$1 == v {print $2}' "$RUN/sent")
sent=$(awk '{s += $2} END {print s + 0}' "$RUN/sent")
dropped=$(($(drops) - drops_before))

# The same scrape with node.metrics.per_backend off (no table changes in these reloads).
reload big-vip-metrics
for _ in $(seq "$ROUNDS"); do echo "big-vip-metrics 0 0 0 $(scrape)" >>"$RUN/start"; done
reload big

# Host 0, in every VIP, fails its check: its pairs go DOWN and every table is rebuilt.
n=$(applied | wc -l)
t=$(now_ns)
kill -USR1 "$LISTEN_PID"
down_line=
# Polled ten times a second: a tighter loop's processes take the CPU the rebuild needs.
for _ in $(seq 600); do
	down_line=$(applied | sed -n "$((n + 1))p")
	[ -n "$down_line" ] && break
	sleep 0.1
done
down_total=$(ms_since "$t")
down_tables=$(echo "$down_line" | awk '{print $4}')
# Pairs not up, summed over the VIPs (a backend list at this size is more than lbctl takes).
down_pairs=$(lbctl --json vip list | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(v["backends"] - v["backends_up"] for v in (d["vips"] if isinstance(d, dict) else d)))')

python3 bench/scale_report.py "$RUN" "$VIPS"
echo
echo "| shared host down (198.51.100.10, in all $VIPS VIPs) | ms |"
echo "|---|---:|"
echo "| the verdicts to every table rebuilt and swapped (agent's line) |" \
	"$(echo "$down_line" | awk '{print $(NF - 1)}') |"
echo "| its socket closed to that line (a check interval, 1 s, included) | $down_total |"
echo
check "traffic to $(echo "$sent_vips" | wc -w) VIPs through $((4 * ROUNDS)) reloads: sent $sent," \
	"forwarded $forwarded, dropped $dropped" \
	"$([ "$sent" -gt 0 ] && [ "$forwarded" -eq "$sent" ] && [ "$dropped" -eq 0 ] && echo 1 || echo 0)"
check "$last_vip: maglev_size $big_size, $POOL backends, its $big_sent datagrams among those" \
	"$([ "$big_size" = "$BIG_TABLE" ] && [ "${big_sent:-0}" -gt 0 ] && echo 1 || echo 0)"
check "host down rebuilt ${down_tables:-no} tables of $VIPS" \
	"$([ "$down_tables" = "$VIPS" ] && echo 1 || echo 0)"
check "host down: $down_pairs pairs not up, $VIPS wanted" \
	"$([ "$down_pairs" = "$VIPS" ] && echo 1 || echo 0)"
check "every one-VIP reload rebuilt 1 table" \
	"$(awk '$1 == "big-one" && $3 != 1 {bad = 1} END {print bad ? 0 : 1}' "$RUN/reload")"
check "every all-VIP reload rebuilt $VIPS tables" \
	"$(awk -v v="$VIPS" '$1 == "big-all" && $3 != v {bad = 1} END {print bad ? 0 : 1}' "$RUN/reload")"
exit $fail
