#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# UDP and exec health checks: a backend whose UDP health echo stops answering
# is DOWN and UDP datagrams through the VIP avoid it; an exec check follows its
# command's exit status (the command learns the backend from XDPLB_BACKEND).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_health.sh"
e2e_setup

ECHO_PORT=9100

# A UDP echo per backend on its own address (the service's sockets sit on the VIPs).
ECHO='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
while True:
    data, peer = s.recvfrom(2048)
    s.sendto(data, peer)
'
declare -A ECHO_PID=()
for be in $BACKENDS; do
	bg "$be" "$XLB_RUNDIR/$be-echo.log" "$PYTHON" -c "$ECHO" "${BE4[$be]}" $ECHO_PORT
	ECHO_PID[$be]=$BG_PID
done

SICK=$XLB_RUNDIR/run/sick
mkdir -p "$SICK"
health_add \
	"udp4={type: udp, port: $ECHO_PORT, payload: ping, expect: ping, interval: 200ms, timeout: 100ms, rise: 2, fall: 2}" \
	"web4={type: exec, command: [/bin/sh, -c, 'test ! -e $SICK/\$XDPLB_BACKEND'], interval: 200ms, timeout: 150ms, rise: 2, fall: 2}"
wait_for 5 "every backend checked and up" all_checked_up ||
	fail "health checks did not bring every backend up: $(lbctl_json lb backend list 2>&1 | tr '\n' ' ')"
log "UDP and exec checks up on every backend"

# UDP: be3's health echo dies.
stop_pid "${ECHO_PID[be3]}"
wait_down be3 "port unreachable" "no reply after 100 ms"
out=$(client udp --vip $VIP4 --port $UDP_PORT --first-port 25000 --count 100 --timeout 0.5)
log "100 datagrams with be3 DOWN: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "datagrams lost with be3 DOWN"
[ "$(json_get "d['counts'].get('be3', 0)" <<<"$out")" = 0 ] || fail "DOWN be3 still got datagrams"

# exec: the command fails for be2 while its flag file exists.
touch "$SICK/${BE4[be2]}"
wait_down be2 "exit 1"
grep -q "backend ${BE4[be2]} is down (exit 1)" "$XLB_RUNDIR"/lb-agent.log.* ||
	fail "the agent log does not say be2 went down for exit 1"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 26000 --count 100 --timeout 1)
log "100 requests with be2 and be3 DOWN: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "requests failed with be2 and be3 DOWN"
[ "$(json_get "d['counts'].get('be1', 0)" <<<"$out")" = 100 ] || fail "requests went past be1"
rm -f "$SICK/${BE4[be2]}"
wait_state "${BE4[be2]}" up || fail "be2 whose exec check passes again is not UP"
log "be2 UP again: $(health_of "${BE4[be2]}" last_result)"
