#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `lbctl top` shows live rates: a stream moves its VIP's and backend's packets per
# second, new HTTP connections show as connections per second; -n bounds the frames.
source "$(dirname "$0")/lib.sh"
e2e_setup

stream_start $VIP4 41000
stream_flows "$STREAM" 10 "before top"
# New connections all through top's 1 s interval: more requests than it can see, stopped after.
bg cli "$XLB_RUNDIR/http.json" timeout 60 "$PYTHON" "$TOOLS_DIR/xlb_client.py" http \
	--vip $VIP4 --port $HTTP_PORT --first-port 30000 --count 5000
http_pid=$BG_PID
sleep 0.5
frame=$(lbctl_json lb top --once) || fail "lbctl top --once failed: $frame"
stop_pid $http_pid
log "top: $frame"
[ "$(json_get 'len(d["vips"])' <<<"$frame")" = 6 ] || fail "top shows $(json_get 'len(d["vips"])' <<<"$frame") VIPs, expected 6"
pps=$(json_get '[v["pps"] for v in d["vips"] if v["name"] == "stream4"][0]' <<<"$frame")
cps=$(json_get '[v["cps"] for v in d["vips"] if v["name"] == "web4"][0]' <<<"$frame")
bpps=$(json_get 'sum(b["pps"] for b in d["backends"])' <<<"$frame")
idle=$(json_get '[v["pps"] for v in d["vips"] if v["name"] == "udp6"][0]' <<<"$frame")
python3 -c "import sys; sys.exit(0 if $pps > 5 else 1)" || fail "stream4 at $pps packets/s under a stream"
python3 -c "import sys; sys.exit(0 if $cps >= 10 else 1)" || fail "web4 at $cps connections/s under a stream of requests"
python3 -c "import sys; sys.exit(0 if $bpps > 5 else 1)" || fail "backends at $bpps packets/s in all"
python3 -c "import sys; sys.exit(0 if $idle == 0 else 1)" || fail "idle udp6 at $idle packets/s"

# One VIP, two frames, human output.
out=$(lbctl lb top stream4 -n 2) || fail "lbctl top stream4 -n 2 failed: $out"
[ "$(grep -c '^rates over the last' <<<"$out")" = 2 ] || fail "expected 2 frames: $out"
grep -q '^stream4 ' <<<"$out" || fail "stream4 row missing: $out"
grep -q '^web4 ' <<<"$out" && fail "top stream4 shows web4: $out"
stream_stop "$STREAM"
