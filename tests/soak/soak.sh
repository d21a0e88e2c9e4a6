#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Bounded soak (make soak, not part of make test): the e2e topology (tests/e2e/lib.sh) for
# SOAK_SECONDS (default 150, at most 170: the stream clients live 180 s) of mixed traffic:
# four long-lived TCP streams (IPv4 and IPv6) the whole time, and in every cycle a batch of
# HTTP connections and UDP datagrams on both families. Each cycle also does one of: drain a
# backend, undrain it, a good reload (weights changed), a refused reload (broken file), a
# weight change over lbctl, and once an agent restart (SIGTERM, a new agent adopts the pins).
# At the end: every stream intact (every byte echoed, never moved), no HTTP or UDP exchange
# lost, no packet dropped, the counters grew by at least what the clients sent and survived
# the restart, and the agent's RSS flat over the cycles after the restart.
source "$(dirname "$0")/../e2e/lib.sh"

SOAK_SECONDS=${SOAK_SECONDS:-150}
[ "$SOAK_SECONDS" -le 170 ] || fail "SOAK_SECONDS=$SOAK_SECONDS: at most 170 (stream clients live 180 s)"
RSS_SLACK_KB=${RSS_SLACK_KB:-2048}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/${AGENT_PID[lb]}/status"; }
stats() { lbctl_json lb stats; }

e2e_setup
start=$(stats)
fwd0=$(json_get 'd["forwarded"]' <<<"$start")
log "soak: ${SOAK_SECONDS}s; forwarded before: $fwd0"

streams=()
stream_start $VIP4 40000 && streams+=("$STREAM")
stream_start $VIP4 40100 && streams+=("$STREAM")
stream_start $VIP6 40200 && streams+=("$STREAM")
stream_start $VIP6 40300 && streams+=("$STREAM")

lb_good=$XLB_RUNDIR/lb.good.yaml
cp "$LB_CONF" "$lb_good"
weights_specs=${VIPS_BASE//"be1=100 be2=100 be3=100"/"be1=150 be2=100 be3=50"}

cycle=0
port=20000
http_sent=0
udp_sent=0
rss=()
end=$((SECONDS + SOAK_SECONDS))
while [ $SECONDS -lt $end ]; do
	cycle=$((cycle + 1))
	case $((cycle % 7)) in
	1) action="drain be2"; lbctl lb backend drain "${BE4[be2]}" >/dev/null ;;
	2) action="undrain be2"; lbctl lb backend undrain "${BE4[be2]}" >/dev/null ;;
	3)
		action="good reload"
		lb_config_write "$LB_CONF" "$weights_specs"
		lbctl lb reload >/dev/null
		;;
	4)
		action="refused reload"
		echo "vips: [" >>"$LB_CONF"
		lbctl lb reload >/dev/null 2>&1 && fail "cycle $cycle: a broken config was accepted"
		cp "$lb_good" "$LB_CONF"
		;;
	5) action="reload back"; lbctl lb reload >/dev/null ;;
	6) action="weight be3 over lbctl"; lbctl lb backend weight "${BE4[be3]}" 300 >/dev/null ;;
	0)
		if [ -z "${restarted:-}" ]; then
			action="agent restart"
			stop_pid "${AGENT_PID[lb]}"
			agent_start lb
			restarted=$cycle
			rss=()
		else
			action="status"
			lbctl lb status >/dev/null
		fi
		;;
	esac
	[ $? = 0 ] || fail "cycle $cycle: $action failed"
	out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port $port --count 40)
	errs=$(json_get 'd["errors"]' <<<"$out")
	out6=$(client http --vip $VIP6 --port $HTTP_PORT --first-port $((port + 40)) --count 20)
	errs=$((errs + $(json_get 'd["errors"]' <<<"$out6")))
	udp=$(client udp --vip $VIP4 --port $UDP_PORT --first-port $((port + 60)) --count 20)
	errs=$((errs + $(json_get 'd["errors"]' <<<"$udp")))
	udp6=$(client udp --vip $VIP6 --port $UDP_PORT --first-port $((port + 80)) --count 20)
	errs=$((errs + $(json_get 'd["errors"]' <<<"$udp6")))
	[ "$errs" = 0 ] || fail "cycle $cycle ($action): $errs of 100 exchanges failed" \
		"($(http_summary <<<"$out"); $(json_get 'd["error_samples"]' <<<"$udp"))"
	http_sent=$((http_sent + 60))
	udp_sent=$((udp_sent + 40))
	port=$((port + 100))
	[ $port -lt 39000 ] || port=20000
	for s in "${streams[@]}"; do
		stream_is running "$s" || fail "cycle $cycle ($action): stream $s broke: $(stream_status "$s")"
	done
	rss+=("$(rss_kb)")
	log "cycle $cycle: $action; 100 exchanges ok; streams $(for s in "${streams[@]}"; do printf '%s ' "$(stream_field "$s" bytes)"; done)bytes; rss ${rss[-1]} kB"
done
[ -n "${restarted:-}" ] || fail "the soak ended before the agent restart (SOAK_SECONDS too short)"

for s in "${streams[@]}"; do
	backend=$(stream_field "$s" backend)
	stream_stop "$s"
	log "stream $s: intact on $backend, $(stream_field "$s" bytes) bytes"
done

fin=$(stats)
fwd1=$(json_get 'd["forwarded"]' <<<"$fin")
drops=$(json_get 'sum(v["packets"] for v in d["drops"].values())' <<<"$fin")
lost=$(json_get 'd["events_lost"] + d["ct_insert_failed"]' <<<"$fin")
log "counters: forwarded $fwd0 -> $fwd1, drops $drops, events lost + ct refused $lost"
[ "$drops" = 0 ] || fail "packets dropped during the soak: $(json_get 'd["drops"]' <<<"$fin")"
[ "$lost" = 0 ] || fail "events lost or conntrack writes refused: $fin"
# Every HTTP exchange is at least 3 client packets (SYN, request, ACK or FIN), UDP one.
want=$((fwd0 + 3 * http_sent + udp_sent))
[ "$fwd1" -ge "$want" ] ||
	fail "forwarded $fwd1 < $want: counters lost across the restart or not counted"
first=${rss[1]:-${rss[0]}}
last=${rss[-1]}
max=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
log "rss after the restart: first $first, max $max, last $last kB over ${#rss[@]} cycles"
[ "${#rss[@]}" -ge 3 ] || fail "too few cycles after the restart to judge the RSS (${#rss[@]})"
[ "$last" -le $((first + RSS_SLACK_KB)) ] ||
	fail "agent RSS grew from $first to $last kB over $((${#rss[@]} - 1)) cycles"
log "soak passed: $cycle cycles, $http_sent HTTP + $udp_sent UDP exchanges, 4 streams intact"
