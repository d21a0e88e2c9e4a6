#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# lbagent as systemd's Type=notify sees it: READY=1 arrives on $NOTIFY_SOCKET only
# once the agent answers attached, STOPPING=1 when it leaves; the restart in between
# (stop, start again) never stops a stream through the VIP.
source "$(dirname "$0")/lib.sh"
e2e_setup

NOTIFY=$XLB_RUNDIR/run/notify
NOTES=$XLB_RUNDIR/notify.log
# A stand-in for systemd's notify socket: every datagram on its own line, '|' for newlines.
bg lb "$XLB_RUNDIR/notify-listener.log" "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode().replace("\n", "|") + "\n")
' "$NOTIFY" "$NOTES"
listener=$BG_PID
wait_for 5 "notify socket bound" test -S "$NOTIFY" || fail "notify listener did not start"
: >"$NOTES"

stream_start $VIP4 42000
stream_flows "$STREAM" 10 "before the restart"
stop_pid "${AGENT_PID[lb]}"
log "lbagent stopped (SIGTERM)"
stream_flows "$STREAM" 10 "with no agent"

bg lb "$XLB_RUNDIR/lb-agent.log.notify" env NOTIFY_SOCKET="$NOTIFY" "$LBAGENT" -c "$LB_CONF"
AGENT_PID[lb]=$BG_PID
wait_for 30 "READY=1" grep -q '^READY=1' "$NOTES" ||
	fail "no READY=1 within 30 s: $(cat "$NOTES") $(tail -3 "$XLB_RUNDIR/lb-agent.log.notify")"
# Ready means serving: the control socket answers and the program is attached.
[ "$(lbctl_json lb status | json_get 'd["attached"]')" = true ] ||
	fail "READY=1 sent but status is not attached"
grep -q 'STATUS=' "$NOTES" || fail "no STATUS= with READY=1: $(cat "$NOTES")"
stream_flows "$STREAM" 10 "after the restart"

stop_pid "${AGENT_PID[lb]}"
wait_for 5 "STOPPING=1" grep -q '^STOPPING=1' "$NOTES" || fail "no STOPPING=1: $(cat "$NOTES")"
log "notifications: $(tr '\n' ' ' <"$NOTES")"
[ "$(grep -c . "$NOTES")" = 2 ] || fail "expected READY then STOPPING only: $(cat "$NOTES")"
stream_flows "$STREAM" 10 "after the agent left"
stream_stop "$STREAM"
stop_pid "$listener"
