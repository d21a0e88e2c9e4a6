#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# UDP and exec health checks: a backend whose UDP health echo stops answering
# is DOWN for the UDP VIP and its datagrams avoid it, while it still serves the
# HTTP VIP; an exec check follows its command's exit status (the command
# learns the backend from XDPLB_BACKEND).
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
wait_down udp4 be3 "port unreachable" "no reply after 100 ms"
out=$(client udp --vip $VIP4 --port $UDP_PORT --first-port 25000 --count 100 --timeout 0.5)
log "100 datagrams with be3 DOWN: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "datagrams lost with be3 DOWN"
[ "$(json_get "d['counts'].get('be3', 0)" <<<"$out")" = 0 ] || fail "DOWN be3 still got datagrams"

# exec: the command fails for be2 while its flag file exists.
touch "$SICK/${BE4[be2]}"
wait_down web4 be2 "exit 1"
grep -q "backend ${BE4[be2]} is down (exit 1)" "$XLB_RUNDIR"/lb-agent.log.* ||
	fail "the agent log does not say be2 went down for exit 1"
# Health is per (VIP, backend) pair: be3 is DOWN for udp4 only and still serves web4.
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 26000 --count 100 --timeout 1)
log "100 requests with (web4, be2) and (udp4, be3) DOWN: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "requests failed with be2 and be3 DOWN"
[ "$(json_get "d['counts'].get('be2', 0)" <<<"$out")" = 0 ] || fail "web4 requests reached DOWN be2"
[ "$(json_get "d['counts'].get('be3', 0)" <<<"$out")" -gt 0 ] ||
	fail "be3, DOWN for udp4 only, got no web4 requests ($(http_summary <<<"$out"))"
rm -f "$SICK/${BE4[be2]}"
wait_state web4 "${BE4[be2]}" up || fail "be2 whose exec check passes again is not UP"
log "be2 UP again: $(health_of web4 "${BE4[be2]}" last_result)"
