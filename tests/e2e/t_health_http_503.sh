#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# An HTTP health endpoint answering 503 takes its backend DOWN (cause "HTTP 503",
# logged and counted) while its service still runs; 200 again brings it back.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_health.sh"
e2e_setup

HEALTH_PORT=8080

# A health endpoint per backend on HEALTH_PORT: 503 while run/BE.sick exists, else 200.
ENDPOINT='
import http.server, os, sys
flag = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        sick = os.path.exists(flag)
        body = b"sick\n" if sick else b"ok\n"
        self.send_response(503 if sick else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("0.0.0.0", int(sys.argv[1])), H).serve_forever()
'
for be in $BACKENDS; do
	bg "$be" "$XLB_RUNDIR/$be-health.log" timeout "$XLB_LIFETIME" "$PYTHON" -c "$ENDPOINT" \
		$HEALTH_PORT "$XLB_RUNDIR/run/$be.sick"
done

health_add "web4={type: http, port: $HEALTH_PORT, path: /health, expect_status: 200, interval: 200ms, timeout: 100ms, rise: 2, fall: 2}"
wait_for 5 "every backend checked and up" all_checked_up ||
	fail "health checks did not bring every backend up: $(lbctl lb backend list 2>&1 | tr '\n' ' ')"
log "HTTP checks on :$HEALTH_PORT up on every backend"

# Checks may have flapped while the servers came up: count from here.
changes_before=$(health_of web4 "${BE4[be2]}" changes)
touch "$XLB_RUNDIR/run/be2.sick"
for _ in $(seq 50); do [ "$(health_of web4 "${BE4[be2]}" state)" = down ] && break; sleep 0.1; done
[ "$(health_of web4 "${BE4[be2]}" state)" = down ] || fail "be2 answering 503 is not DOWN"
cause=$(health_of web4 "${BE4[be2]}" last_result)
log "be2 DOWN, last result: $cause"
[ "$cause" = "HTTP 503" ] || fail "be2's last result is '$cause', expected 'HTTP 503'"
grep -q "backend ${BE4[be2]} is down (HTTP 503)" "$XLB_RUNDIR"/lb-agent.log.* ||
	fail "the agent log does not say be2 went down for HTTP 503"
[ "$(health_of web4 "${BE4[be2]}" changes)" = $((changes_before + 1)) ] ||
	fail "be2's state change is not counted ($changes_before before, $(health_of web4 "${BE4[be2]}" changes) after)"
lbctl lb backend list

out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 24000 --count 150 --timeout 1)
log "150 requests with be2 DOWN: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "requests failed with be2 DOWN"
[ "$(json_get "d['counts'].get('be2', 0)" <<<"$out")" = 0 ] || fail "be2 answering 503 still got new connections"

rm -f "$XLB_RUNDIR/run/be2.sick"
for _ in $(seq 50); do [ "$(health_of web4 "${BE4[be2]}" state)" = up ] && break; sleep 0.1; done
[ "$(health_of web4 "${BE4[be2]}" state)" = up ] || fail "be2 answering 200 again is not UP"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 24500 --count 150 --timeout 1)
log "150 requests with be2 back: $(http_summary <<<"$out")"
[ "$(json_get "d['counts'].get('be2', 0)" <<<"$out")" -gt 0 ] || fail "be2 back UP gets no new connections"
