#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Layer 7 through the XDP tier: host and path rules reach their group; the
# origin sees the client's address in X-Forwarded-For (and in the PROXY
# protocol v2 where its group asks for it); a drain and a weight go
# through HAProxy's runtime API with no reload; a rule added while a 4 MB
# download runs reloads HAProxy seamlessly and the download completes byte for
# byte; a bad listener is refused with file:line:column and the old config keeps
# serving; an origin killed mid-traffic is marked down and then costs no request;
# a HAProxy master killed is restarted by the agent, logged and counted; `lbctl
# listener list` shows the servers and their states, `lbctl listener drain` keeps
# new requests off a server (across a reload) until undrained; the agents' latency
# histogram counts every request; a WebSocket stays open past the request timeout.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_l7.sh"
l7_setup

# --- rules ------------------------------------------------------------------------
expect_origin() { # HOST PATH ORIGIN-PATTERN
	local body
	body=$(l7_get "$2" -H "Host: $1") || fail "GET $1$2 failed"
	[[ $body == origin=$3\ * ]] || fail "GET $1$2 reached '$body', expected origin $3"
}
expect_origin www.example.com / 'app[12]'
expect_origin api.example.com /anything api1
expect_origin API.Example.com:80 /x api1
expect_origin eu.api.example.com /v1/users api1
expect_origin eu.api.example.com /v2/users 'app[12]'
expect_origin api.example.org / 'app[12]'
expect_origin pp.example.com / pp1
log "host (exact, wildcard) and path rules reach their groups"
grep -q "pp=$CLI4\$" "$XLB_RUNDIR/origin-pp1/access.log" ||
	fail "the PROXY protocol does not carry $CLI4 to pp1: $(tail -1 "$XLB_RUNDIR/origin-pp1/access.log")"
log "the PROXY protocol v2 carries the client's address $CLI4 to pp1"

grep -q "xff=\"$CLI4\" proto=\"http\"" "$XLB_RUNDIR"/origin-app*/access.log ||
	fail "no origin log line with X-Forwarded-For $CLI4: $(tail -2 "$XLB_RUNDIR"/origin-app1/access.log)"
log "X-Forwarded-For carries the client's address $CLI4"

# HAProxy's own exporter on the proxy's loopback: requests per listener, servers per group
# (its process scope has a counter promtool lints, haproxy_process_failed_resolutions).
nsx be1 curl -sf --max-time 3 "http://127.0.0.1:8405/metrics?scope=frontend&scope=backend&scope=server" \
	>"$XLB_RUNDIR/haproxy-metrics.txt" ||
	fail "no metrics from HAProxy's exporter on be1"
n=$(awk '$1 ~ /^haproxy_frontend_http_requests_total\{proxy="l_www"\}$/ {print $2}' "$XLB_RUNDIR/haproxy-metrics.txt")
[ "${n:-0}" -gt 0 ] || fail "haproxy_frontend_http_requests_total of l_www is '${n:-}'"
grep -q '^haproxy_server_status{proxy="g_api",server="api1",state="UP"} 1$' "$XLB_RUNDIR/haproxy-metrics.txt" ||
	fail "no UP status of g_api/api1 in the exporter"
promtool check metrics <"$XLB_RUNDIR/haproxy-metrics.txt" >"$XLB_RUNDIR/promtool.txt" 2>&1 ||
	fail "promtool refuses HAProxy's exposition: $(head -3 "$XLB_RUNDIR/promtool.txt")"
log "HAProxy's exporter: l_www served $n requests on be1; promtool accepts it"

# --- runtime changes: no reload -----------------------------------------------------
proxies_reload() { # every proxy reloads its file; fails the test when one refuses
	local be out
	for be in $PROXIES; do
		out=$(lbctl "$be" reload 2>&1) || fail "reload on $be refused: $out"
	done
}
pid1=$(proxy_field be1 pid)
reloads1=$(proxy_field be1 reloads)
changes1=$(proxy_field be1 runtime_changes)
L7_S_APP1=drain
for be in $PROXIES; do proxy_config_write "$be" "$XLB_RUNDIR/$be.yaml"; done
proxies_reload
out=$(l7_loop 20 /)
log "app1 drained: $out"
[[ $out == "ok=20 err=0 app2=20 " ]] || fail "with app1 drained, 20 requests gave: $out"
[ "$(proxy_field be1 reloads)" = "$reloads1" ] || fail "a drain reloaded HAProxy"
[ "$(proxy_field be1 pid)" = "$pid1" ] || fail "a drain restarted HAProxy"
[ "$(proxy_field be1 runtime_changes)" -gt "$changes1" ] || fail "the drain is not counted as a runtime change"
L7_S_APP1=ready L7_W_APP1=50
for be in $PROXIES; do proxy_config_write "$be" "$XLB_RUNDIR/$be.yaml"; done
proxies_reload
out=$(l7_loop 30 /)
log "app1 back with weight 50: $out"
[[ $out == *"app1="* && $out == "ok=30 err=0 "* ]] || fail "app1 back from drain gets nothing: $out"
haproxy_cmd be1 "@1 show servers state g_app" | awk '$4 == "app1" {print $8}' | grep -qx 50 ||
	fail "HAProxy's weight of app1 is not 50: $(haproxy_cmd be1 '@1 show servers state g_app')"
[ "$(proxy_field be1 reloads)" = "$reloads1" ] || fail "a weight change reloaded HAProxy"
log "drain and weight through the runtime API, no reload"

# --- lbctl listener: servers and states; a drain per group; the latency histogram ---------------
out=$(lbctl be1 listener list) || fail "lbctl listener list on be1: $out"
log "lbctl listener list on be1:"$'\n'"$out"
[[ $out == *"www "*"$VIP4:$HTTP_PORT"*" http "*" OPEN "* ]] || fail "listener www is not listed OPEN"
for srv in app:app1 app:app2 api:api1 pp:pp1; do
	[ "$(listener_server_state be1 "${srv%%:*}" "${srv##*:}")" = UP ] ||
		fail "lbctl listener list does not show ${srv/:/\/} UP"
done
lbctl_json be1 listener show www | json_get "d['groups'][0]['servers'][0]['check']" | grep -qx L7OK ||
	fail "lbctl -j listener show www has no L7OK check for the first server"
before=$(l7_hist_count api api1)
out=$(l7_loop 20 /hist -H "Host: api.example.com")
[[ $out == "ok=20 err=0 api1=20 " ]] || fail "20 requests to api: $out"
wait_for 5 "the histogram of api1 counted 20 more" l7_hist_count_is api api1 $((before + 20)) ||
	fail "xdplb_proxy_response_seconds_count of api1 went from $before to $(l7_hist_count api api1), not +20"
nsx be1 curl -sf --max-time 3 http://127.0.0.1:9742/metrics >"$XLB_RUNDIR/agent-metrics.txt" ||
	fail "no metrics from be1's agent"
promtool check metrics <"$XLB_RUNDIR/agent-metrics.txt" >"$XLB_RUNDIR/promtool-agent.txt" 2>&1 ||
	fail "promtool refuses the agent's exposition: $(head -3 "$XLB_RUNDIR/promtool-agent.txt")"
awk '/^xdplb_proxy_response_seconds_bucket\{listener="www",group="api",server="api1",/ {
	if (n++ && $2 < prev) bad = 1; prev = $2 }
	END { exit (n != 12 || bad) }' "$XLB_RUNDIR/agent-metrics.txt" ||
	fail "api1's histogram on be1 has not 12 monotonic buckets: $(grep -c 'server="api1",le' "$XLB_RUNDIR/agent-metrics.txt")"
grep -q '^xdplb_proxy_log_lines_total{result="malformed"} 0$' "$XLB_RUNDIR/agent-metrics.txt" ||
	fail "be1's agent found malformed HAProxy log lines: $(grep proxy_log_lines "$XLB_RUNDIR/agent-metrics.txt")"
log "the agents' histogram of api1 rose by exactly 20; buckets monotonic; no malformed log line; promtool accepts it"

for be in $PROXIES; do
	out=$(lbctl "$be" listener drain app1 app) || fail "lbctl listener drain on $be: $out"
done
log "drained: $out"
[ "$(listener_server_state be1 app app1)" = DRAIN ] || fail "lbctl listener list does not show app1 DRAIN"
out=$(l7_loop 20 /)
[[ $out == "ok=20 err=0 app2=20 " ]] || fail "with app1 drained by lbctl, 20 requests gave: $out"
proxies_reload
out=$(l7_loop 10 /)
[[ $out == "ok=10 err=0 app2=10 " ]] || fail "a reload undid lbctl's drain: $out"
for be in $PROXIES; do
	out=$(lbctl "$be" listener undrain app1) || fail "lbctl listener undrain on $be: $out"
done
[ "$(listener_server_state be1 app app1)" = UP ] || fail "app1 not UP after lbctl listener undrain"
out=$(l7_loop 30 /)
[[ $out == "ok=30 err=0 "* && $out == *"app1="* ]] || fail "app1 back from lbctl's drain gets nothing: $out"
log "lbctl listener drain kept new requests off app1 (across a reload), undrain brought it back: $out"

# --- a rule added during a 4 MB download: seamless reload ---------------------------------
bg cli "$XLB_RUNDIR/download.log" curl -sS --max-time 30 -o "$XLB_RUNDIR/download.bin" \
	-H "Host: www.example.com" "http://$VIP4/files/big.bin"
download=$BG_PID
sleep 1
L7_RULES='        - {path: /new/, group: api}'
for be in $PROXIES; do proxy_config_write "$be" "$XLB_RUNDIR/$be.yaml"; done
t0=$(date +%s%N)
proxies_reload
log "both proxies reloaded in $((($(date +%s%N) - t0) / 1000000)) ms"
pid_alive "$download" || fail "the download ended before the reload was over: $(cat "$XLB_RUNDIR/download.log")"
[ "$(proxy_field be1 reloads)" = $((reloads1 + 1)) ] || fail "the new rule did not reload HAProxy"
[ "$(proxy_field be1 pid)" = "$pid1" ] || fail "the reload restarted the master"
expect_origin www.example.com /new/x api1
wait "$download" || fail "the download failed across the reload: $(cat "$XLB_RUNDIR/download.log")"
cmp -s "$XLB_RUNDIR/download.bin" "$XLB_RUNDIR/big.bin" ||
	fail "the 4 MB download across the reload differs ($(stat -c %s "$XLB_RUNDIR/download.bin") bytes)"
log "rule added by a seamless reload; the 4 MB download in flight completed byte for byte"

# --- a bad listener is refused, the old config keeps serving -------------------------------
L7_LISTENERS='    - {name: bad, vip: nosuch, protocol: http, default_group: app}'
proxy_config_write be1 "$XLB_RUNDIR/be1.yaml"
line=$(grep -n 'vip: nosuch' "$XLB_RUNDIR/be1.yaml" | cut -d: -f1)
out=$(lbctl be1 reload 2>&1) && fail "a listener on an unknown VIP was accepted"
log "refused: $out"
[[ $out == *"be1.yaml:$line:"*"vip 'nosuch'"* ]] || fail "the refusal does not name be1.yaml:$line:column: $out"
[ "$(proxy_field be1 pid)" = "$pid1" ] || fail "a refused config restarted HAProxy"
[ "$(proxy_field be1 reloads)" = $((reloads1 + 1)) ] || fail "a refused config reloaded HAProxy"
out=$(l7_loop 10 /new/x)
[[ $out == "ok=10 err=0 api1=10 " ]] || fail "the old config does not serve after a refused one: $out"
# Valid YAML that HAProxy refuses (a certificate file that holds no certificate): the same.
head -c 600 /dev/urandom | base64 >"$XLB_RUNDIR/junk.pem"
chmod 600 "$XLB_RUNDIR/junk.pem"
L7_VIPS="  - {name: tls4, address: $VIP4, port: 443, protocol: tcp}"
L7_LISTENERS="    - {name: tls, vip: tls4, protocol: https, certificates: [$XLB_RUNDIR/junk.pem], default_group: app}"
proxy_config_write be1 "$XLB_RUNDIR/be1.yaml"
line=$(grep -n 'name: tls, vip: tls4' "$XLB_RUNDIR/be1.yaml" | cut -d: -f1)
out=$(lbctl be1 reload 2>&1) && fail "a listener with a junk certificate was accepted"
log "refused: $out"
[[ $out == *"be1.yaml:$line:"*"listener tls: haproxy -c: "*"certificate"* ]] ||
	fail "HAProxy's refusal does not name be1.yaml:$line:column and the listener: $out"
[ "$(proxy_field be1 pid)" = "$pid1" ] || fail "a config HAProxy refused restarted it"
[ "$(proxy_field be1 reloads)" = $((reloads1 + 1)) ] || fail "a config HAProxy refused reloaded it"
out=$(l7_loop 10 /new/x)
[[ $out == "ok=10 err=0 api1=10 " ]] || fail "the old config does not serve after HAProxy refused one: $out"
unset L7_LISTENERS L7_VIPS
proxy_config_write be1 "$XLB_RUNDIR/be1.yaml"
out=$(lbctl be1 reload 2>&1) || fail "the good config back refused: $out"
log "bad listeners refused with their position (ours and HAProxy's); the running config kept serving"

# --- an origin killed mid-traffic -------------------------------------------------------
stop_pid "${ORIGIN_PID[app2]}"
for be in $PROXIES; do
	wait_for 5 "app2 down on $be" server_is 0 "$be" app app2 ||
		fail "HAProxy on $be did not mark app2 down: $(haproxy_cmd "$be" '@1 show servers state g_app')"
done
out=$(l7_loop 50 /)
log "app2 killed and marked down: $out"
[[ $out == "ok=50 err=0 app1=50 " ]] || fail "after app2 was marked down: $out"

# --- the HAProxy master killed: restarted, logged, counted ---------------------------------------
kill -KILL "$pid1"
wait_for 10 "HAProxy restarted on be1" proxy_field_is be1 restarts 1 ||
	fail "be1's HAProxy was not restarted: $(agent_log_tail be1)"
wait_for 10 "HAProxy on be1 ready again" proxy_ready be1 || fail "be1's HAProxy not ready after its restart"
[ "$(proxy_field be1 pid)" != "$pid1" ] || fail "be1's HAProxy pid did not change"
grep -q "HAProxy master $pid1 killed by signal 9; restart #1" "$XLB_RUNDIR"/be1-agent.log.* ||
	fail "the agent log does not say the master died and restarts"
out=$(l7_loop 20 /new/x)
[[ $out == "ok=20 err=0 api1=20 " ]] || fail "through the restarted proxy: $out"
log "killed HAProxy master restarted by the agent, traffic served"

# --- WebSocket through VIP -> balancer -> HAProxy, open past the request and client timeouts -----
WS_PORT=8085
bg "$ORIGIN_NS" "$XLB_RUNDIR/ws-origin.log" timeout "$XLB_LIFETIME" \
	"$PYTHON" "$TOOLS_DIR/ws_echo.py" serve "${BE4[$ORIGIN_NS]}" "$WS_PORT"
wait_for 5 "WebSocket origin on :$WS_PORT" nsx "$ORIGIN_NS" bash -c "exec 3<>/dev/tcp/${BE4[$ORIGIN_NS]}/$WS_PORT" ||
	fail "the WebSocket origin did not start: $(cat "$XLB_RUNDIR/ws-origin.log")"
L7_RULES='        - {path: /new/, group: api}
        - {host: ws.example.com, group: ws}'
L7_WWW_EXTRA='      timeouts: {request: 1s, client: 1500ms}'
L7_GROUPS="    - name: ws
      servers:
        - {name: ws1, address: ${BE4[$ORIGIN_NS]}, port: $WS_PORT}"
for be in $PROXIES; do proxy_config_write "$be" "$XLB_RUNDIR/$be.yaml"; done
proxies_reload
out=$(nsx cli timeout 20 "$PYTHON" "$TOOLS_DIR/ws_echo.py" client "$VIP4" "$HTTP_PORT" ws.example.com 3) ||
	fail "WebSocket through $VIP4: $out"
log "WebSocket through $VIP4 (request timeout 1 s, client 1.5 s, idle 3 s): $out"
