#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# lbagent as systemd's Type=notify sees it: READY=1 arrives on $NOTIFY_SOCKET only
# once the agent answers attached, RELOADING=1 (with MONOTONIC_USEC) then READY=1
# around every reload (SIGHUP or the control socket, refused or not), STOPPING=1
# when it leaves; the restart in between (stop, start again) never stops a stream
# through the VIP. The unit's ExecReload= waits for the verdict: it fails on a
# refused file and names its line. At -v the agent's own debug lines are there.
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

AGENT_LOG=$XLB_RUNDIR/lb-agent.log.notify
bg lb "$AGENT_LOG" env NOTIFY_SOCKET="$NOTIFY" "$LBAGENT" -v -c "$LB_CONF"
AGENT_PID[lb]=$BG_PID
wait_for 30 "READY=1" grep -q '^READY=1' "$NOTES" ||
	fail "no READY=1 within 30 s: $(cat "$NOTES") $(tail -3 "$XLB_RUNDIR/lb-agent.log.notify")"
# Ready means serving: the control socket answers and the program is attached.
[ "$(lbctl_json lb status | json_get 'd["attached"]')" = true ] ||
	fail "READY=1 sent but status is not attached"
grep -q 'STATUS=' "$NOTES" || fail "no STATUS= with READY=1: $(cat "$NOTES")"
stream_flows "$STREAM" 10 "after the restart"
grep -q "^lbagent: info: lbagent .* starting: config $LB_CONF\$" "$AGENT_LOG" ||
	fail "no version and config file at start: $(head -3 "$AGENT_LOG")"
grep -q "^lbagent: debug: control: status: ok\$" "$AGENT_LOG" ||
	fail "-v shows no debug line of the agent's own: $(grep -c debug "$AGENT_LOG") debug lines"

# expect_reload_notes WHAT: the last two notifications are RELOADING=1 (with the
# monotonic time systemd asks for) and READY=1, in that order.
# (A function for wait_for: a $(...) in its arguments would be counted once, before a
# SIGHUP's reload had time to send anything.)
readies_at_least() { [ "$(grep -c '^READY=1' "$NOTES")" -ge "$1" ]; }
expect_reload_notes() {
	wait_for 5 "READY=1 after $1" readies_at_least "$ready_seen" ||
		fail "no READY=1 after $1: $(cat "$NOTES")"
	tail -2 "$NOTES" | head -1 | grep -q '^RELOADING=1|MONOTONIC_USEC=[0-9][0-9]*$' ||
		fail "no RELOADING=1 with MONOTONIC_USEC before READY=1 on $1: $(cat "$NOTES")"
	tail -1 "$NOTES" | grep -q '^READY=1' || fail "READY=1 not last after $1: $(cat "$NOTES")"
	ready_seen=$((ready_seen + 1))
}
ready_seen=2
out=$(lbctl lb reload 2>&1) || fail "reload of the same file failed: $out"
expect_reload_notes "lbctl reload"
kill -HUP "${AGENT_PID[lb]}"
expect_reload_notes "SIGHUP"

# The unit's ExecReload= as `make install` writes it, with this test's binaries and file.
reload_cmd=$(sed -e "s|@SBINDIR@|$BIN_DIR|g" -e "s|@SYSCONFDIR@/xdplb/lb.yaml|$LB_CONF|g" \
	"$REPO_DIR/scripts/lbagent.service" | sed -n 's/^ExecReload=//p')
[ -n "$reload_cmd" ] || fail "no ExecReload= in scripts/lbagent.service"
log "ExecReload=$reload_cmd"
cp "$LB_CONF" "$XLB_RUNDIR/lb.good.yaml"
line=$(grep -n "weight: " "$LB_CONF" | head -1 | cut -d: -f1)
[ -n "$line" ] || fail "no backend weight in the generated config"
sed -i "${line}s/weight: .*/weight: 70000/" "$LB_CONF"
# shellcheck disable=SC2086
if out=$(nsx lb $reload_cmd 2>&1); then
	fail "ExecReload returned 0 on a refused file: $out"
fi
log "ExecReload refused as expected: $out"
grep -q "lb.yaml:$line:[0-9]*: backend.weight: 70000 is out of range 1..65535" <<<"$out" ||
	fail "ExecReload does not say why: $out"
[ "$(lbctl_json lb status | json_get 'd["reloads_failed"]')" = 1 ] ||
	fail "the running agent was not asked: reloads_failed is not 1"
expect_reload_notes "a refused reload"
cp "$XLB_RUNDIR/lb.good.yaml" "$LB_CONF"
# shellcheck disable=SC2086
out=$(nsx lb $reload_cmd 2>&1) || fail "ExecReload of the repaired file failed: $out"
expect_reload_notes "ExecReload"
stream_flows "$STREAM" 10 "after the reloads"

stop_pid "${AGENT_PID[lb]}"
wait_for 5 "STOPPING=1" grep -q '^STOPPING=1' "$NOTES" || fail "no STOPPING=1: $(cat "$NOTES")"
log "notifications: $(tr '\n' ' ' <"$NOTES")"
[ "$(grep -c . "$NOTES")" = 10 ] ||
	fail "expected READY, 4 x RELOADING and READY, then STOPPING: $(cat "$NOTES")"
stream_flows "$STREAM" 10 "after the agent left"
stream_stop "$STREAM"
stop_pid "$listener"
