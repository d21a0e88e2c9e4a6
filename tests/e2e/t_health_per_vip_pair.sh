#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A (VIP, backend) pair is the unit of health and drain. Every backend host
# serves two VIPs (web4 on :80, stream4 on :7000), each checked on a service of
# its own. The web service of the host carrying a long-lived stream4 stream
# stops: (web4, host) goes DOWN, (stream4, host) stays up and the stream goes
# on byte for byte; web4's new requests avoid the host. A drain of one pair
# leaves the host's other pair untouched. Then down_flows: keep: stream4's own
# check fails on that host, the pair goes DOWN, and its stream still goes on.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_health.sh"
e2e_setup

WEB_SVC=8080    # stands for web4's service on each host: its health check's port
STREAM_SVC=8081 # and stream4's

# A TCP listener per host and port, started by us (the xlb servers stay up).
LISTEN='
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(64)
while True:
    s.accept()[0].close()
'
declare -A SVC_PID=()
svc_start() { # svc_start BE PORT
	bg "$1" "$XLB_RUNDIR/$1-svc$2.log" "$PYTHON" -c "$LISTEN" "${BE4[$1]}" "$2"
	SVC_PID[$1:$2]=$BG_PID
}
for be in $BACKENDS; do
	svc_start "$be" $WEB_SVC
	svc_start "$be" $STREAM_SVC
done

# pair_field VIP ADDR FIELD: one field of the pair's backend list item (health.* for health).
pair_field() {
	lbctl_json lb backend list |
		json_get "[(b['health'] or {}).get('${3#health.}') if '$3'.startswith('health.') else b['$3'] for b in d['backends'] if b['vip'] == '$1' and b['address'] == '$2'][0]"
}

wait_pair() { # wait_pair VIP ADDR STATE: the data plane's state of the pair, 5 s at most
	for _ in $(seq 50); do
		[ "$(pair_field "$1" "$2" state)" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

health_add \
	"web4={type: tcp, port: $WEB_SVC, interval: 200ms, timeout: 150ms, rise: 2, fall: 2}" \
	"stream4={type: tcp, port: $STREAM_SVC, interval: 200ms, timeout: 150ms, rise: 2, fall: 2}"
wait_for 5 "every backend checked and up" all_checked_up ||
	fail "checks did not bring every pair up: $(lbctl lb backend list 2>&1 | tr '\n' ' ')"

stream_start $VIP4
stream_flows $STREAM 10 "before anything"
be=$(stream_field $STREAM backend)
addr=${BE4[$be]:-}
[ -n "$addr" ] || fail "stream reports backend '$be'"
log "stream on stream4 lands on $be ($addr)"

# web4's service on that host stops: only the (web4, host) pair goes down.
stop_pid "${SVC_PID[$be:$WEB_SVC]}"
wait_pair web4 "$addr" down || fail "(web4, $be) is not DOWN: $(pair_field web4 "$addr" state)"
log "(web4, $be) DOWN: $(pair_field web4 "$addr" health.last_result)"
sleep 1
[ "$(pair_field stream4 "$addr" state)" = up ] ||
	fail "(stream4, $be) went $(pair_field stream4 "$addr" state) with web4's service gone"
[ "$(pair_field stream4 "$addr" health.state)" = up ] || fail "(stream4, $be)'s check is not up"
stream_flows $STREAM 5 "with (web4, $be) DOWN"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 28000 --count 100 --timeout 1)
log "100 requests to web4 with (web4, $be) DOWN: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "web4 requests failed"
[ "$(json_get "d['counts'].get('$be', 0)" <<<"$out")" = 0 ] ||
	fail "web4 sent new connections to $be whose web service is down"
grep -q "backend $addr is down (.*) in VIP web4, by its [a-z]* check of port [0-9]*.*$" "$XLB_RUNDIR"/lb-agent.log.* ||
	fail "the agent did not log (web4, $be) going down: $(grep -h "backend $addr is" "$XLB_RUNDIR"/lb-agent.log.*)"

# Drain one pair of another host: its other pair keeps taking new flows.
other=be1
[ "$other" = "$be" ] && other=be2
out=$(lbctl lb backend drain "${BE4[$other]}" web4 2>&1) || fail "lbctl backend drain ... web4: $out"
log "$out"
[ "$(pair_field web4 "${BE4[$other]}" state)" = drain ] || fail "(web4, $other) not drained"
[ "$(pair_field stream4 "${BE4[$other]}" state)" = up ] ||
	fail "draining (web4, $other) touched (stream4, $other)"
[ "$(pair_field udp4 "${BE4[$other]}" state)" = up ] || fail "draining web4 touched udp4"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 28200 --count 100 --timeout 1)
[ "$(json_get "d['counts'].get('$other', 0)" <<<"$out")" = 0 ] ||
	fail "web4 sent new connections to drained $other"
lbctl lb backend undrain "${BE4[$other]}" web4 >/dev/null || fail "undrain"
stream_flows $STREAM 5 "after the drain of (web4, $other)"

# down_flows: keep: stream4's own check fails on the stream's host; the stream stays.
sed -i "/^  - name: stream4$/a\\    down_flows: keep" "$LB_CONF"
out=$(lbctl lb reload 2>&1) || fail "reload with down_flows: keep refused: $out"
stop_pid "${SVC_PID[$be:$STREAM_SVC]}"
wait_pair stream4 "$addr" down || fail "(stream4, $be) is not DOWN after its service stopped"
log "(stream4, $be) DOWN with down_flows: keep: $(lbctl lb explain 203.0.113.2:40000 $VIP4:$STREAM_PORT 2>&1 | tr '\n' ' ')"
stream_flows $STREAM 5 "with (stream4, $be) DOWN and its flows kept"
stream_stop $STREAM
