#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# HTTP health checks: a backend whose servers are killed mid-traffic is DOWN
# within fall x interval + timeout, after which requests through the VIP see
# no error and never reach it; restarted, it is UP after rise checks and gets
# new connections again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_health.sh"
e2e_setup

INTERVAL_MS=200
TIMEOUT_MS=100
FALL=2
RISE=2

health_add "web4={type: http, path: /, interval: ${INTERVAL_MS}ms, timeout: ${TIMEOUT_MS}ms, rise: $RISE, fall: $FALL, jitter: 20ms}"
wait_for 5 "every backend checked and up" all_checked_up ||
	fail "health checks did not bring every backend up: $(lbctl lb backend list 2>&1 | tr '\n' ' ')"
log "HTTP checks up on every backend"

# Traffic in the background while be1 dies; requests caught on be1 at that moment may fail.
bg cli "$XLB_RUNDIR/during.json" timeout 60 "$PYTHON" "$TOOLS_DIR/xlb_client.py" http \
	--vip $VIP4 --port $HTTP_PORT --first-port 21000 --count 200 --interval 0.01 --timeout 0.5
during=$BG_PID
sleep 0.5
pids=$(server_pids be1)
[ -n "$pids" ] || fail "no server process found in be1"
t0=$(date +%s%N)
# shellcheck disable=SC2086
kill -KILL $pids
while [ "$(health_state "${BE4[be1]}")" != down ]; do
	[ $(($(date +%s%N) - t0)) -lt 5000000000 ] || fail "be1 still not DOWN 5 s after its servers died"
	sleep 0.05
done
took_ms=$((($(date +%s%N) - t0) / 1000000))
# fall x interval + timeout, plus the jitter of each interval and one poll of lbctl.
limit_ms=$((FALL * (INTERVAL_MS + 20) + TIMEOUT_MS + 300))
log "be1 DOWN ${took_ms} ms after its servers were killed (limit ${limit_ms} ms)"
[ "$took_ms" -le "$limit_ms" ] || fail "be1 took ${took_ms} ms to go DOWN, over ${limit_ms} ms"
state=$(lbctl_json lb backend list web4 | json_get "[b['state'] for b in d['backends'] if b['address'] == '${BE4[be1]}'][0]")
[ "$state" = down ] || fail "backend list state of be1 is '$state', health says down"
cause=$(health_of web4 "${BE4[be1]}" last_result)
log "be1's last check: $cause"
[ "$cause" = "connection refused" ] || fail "be1's last result is '$cause'"
# Once, as a warning, with its VIP, its check and its cause.
down_lines=$(grep -h "backend ${BE4[be1]} is down" "$XLB_RUNDIR"/lb-agent.log.*)
[ "$(grep -c . <<<"$down_lines")" = 1 ] || fail "be1 down not logged exactly once: $down_lines"
grep -q "^lbagent: warning: agent: backend ${BE4[be1]} is down (connection refused) in VIP web4, by its http check of port $HTTP_PORT (GET /)\$" <<<"$down_lines" ||
	fail "the down line does not name level, VIP, check and cause: $down_lines"

for _ in $(seq 200); do pid_alive "$during" || break; sleep 0.1; done
log "requests while be1 died: $(http_summary <"$XLB_RUNDIR/during.json" 2>/dev/null || echo none)"

out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 22000 --count 200 --timeout 1)
log "200 requests with be1 DOWN: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] ||
	fail "requests failed with be1 DOWN: $(json_get 'd["error_samples"]' <<<"$out")"
[ "$(json_get "d['counts'].get('be1', 0)" <<<"$out")" = 0 ] || fail "DOWN be1 still answered"

# Back: the same servers started again; rise checks later it takes new connections.
binds=""
for a in $VIP_ADDRS; do binds="$binds --udp-bind $a"; done
rm -f "$XLB_RUNDIR/run/be1.ready"
# shellcheck disable=SC2086
bg be1 "$XLB_RUNDIR/be1-servers-again.log" timeout "$XLB_LIFETIME" "$PYTHON" \
	"$TOOLS_DIR/xlb_server.py" --name be1 --http-port $HTTP_PORT --stream-port $STREAM_PORT \
	--udp-port $UDP_PORT $binds --ready "$XLB_RUNDIR/run/be1.ready"
wait_for 10 "be1's servers back" test -e "$XLB_RUNDIR/run/be1.ready" || fail "be1's servers did not restart"
t0=$(date +%s%N)
while [ "$(health_state "${BE4[be1]}")" != up ]; do
	[ $(($(date +%s%N) - t0)) -lt 5000000000 ] || fail "be1 not UP 5 s after its servers came back"
	sleep 0.05
done
log "be1 UP $((($(date +%s%N) - t0) / 1000000)) ms after its servers came back"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 23000 --count 200 --timeout 1)
log "200 requests with be1 back: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "requests failed after be1 came back"
[ "$(json_get "d['counts'].get('be1', 0)" <<<"$out")" -gt 0 ] || fail "be1 back UP gets no new connections"
changes=$(health_of web4 "${BE4[be1]}" changes)
[ "$changes" = 2 ] || fail "be1 counted $changes state changes, expected 2 (down, up)"
