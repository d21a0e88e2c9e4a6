#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The Prometheus endpoint of a live LB under traffic: counters per VIP and backend
# move, promtool accepts every scrape, reloads are counted, other paths are 404.
source "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || fail "promtool missing (Debian package prometheus: make deps)"
command -v curl >/dev/null || fail "curl missing (make deps)"
e2e_setup

# The default endpoint: loopback of the LB node's namespace, port 9742.
URL=http://127.0.0.1:9742/metrics

scrape() {
	nsx lb curl -sS --max-time 5 -o "$1" -w '%{http_code} %{content_type}' "$URL"
}

# metric FILE 'name{labels}': the sample's value, or "none".
metric() {
	awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? "none" : v) }' "$1"
}

backend_sum() {
	awk '/^xdplb_backend_packets_total\{/ { s += $2 } END { print s + 0 }' "$1"
}

m0=$XLB_RUNDIR/m0.txt
m1=$XLB_RUNDIR/m1.txt
m2=$XLB_RUNDIR/m2.txt
head=$(scrape "$m0") || fail "scrape failed: $(agent_log_tail lb)"
[ "${head%% *}" = 200 ] || fail "scrape answered $head"
case $head in *"text/plain; version=0.0.4"*) ;; *) fail "content type: $head" ;; esac
promtool check metrics <"$m0" >"$XLB_RUNDIR/promtool0.txt" 2>&1 ||
	fail "promtool refused the first scrape: $(head -5 "$XLB_RUNDIR/promtool0.txt")"
[ "$(metric "$m0" xdplb_dataplane_attached)" = 1 ] || fail "not attached in the metrics"
[ "$(metric "$m0" 'xdplb_vip_backends_up{vip="web4"}')" = 3 ] ||
	fail "web4 backends up: $(metric "$m0" 'xdplb_vip_backends_up{vip="web4"}')"

out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 29000 --count 50)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "requests failed: $out"

head=$(scrape "$m1") || fail "second scrape failed"
promtool check metrics <"$m1" >"$XLB_RUNDIR/promtool1.txt" 2>&1 ||
	fail "promtool refused the scrape under traffic: $(head -5 "$XLB_RUNDIR/promtool1.txt")"
fwd0=$(metric "$m0" xdplb_forwarded_packets_total)
fwd1=$(metric "$m1" xdplb_forwarded_packets_total)
nf0=$(metric "$m0" 'xdplb_vip_new_flows_total{vip="web4"}')
nf1=$(metric "$m1" 'xdplb_vip_new_flows_total{vip="web4"}')
vb0=$(metric "$m0" 'xdplb_vip_bytes_total{vip="web4"}')
vb1=$(metric "$m1" 'xdplb_vip_bytes_total{vip="web4"}')
be0=$(backend_sum "$m0")
be1=$(backend_sum "$m1")
log "forwarded $fwd0 -> $fwd1, web4 new flows $nf0 -> $nf1, bytes $vb0 -> $vb1," \
	"backend packets $be0 -> $be1"
# 50 connections are at least SYN, request and the ACK of FIN: 150 packets.
[ $((fwd1 - fwd0)) -ge 150 ] || fail "xdplb_forwarded_packets_total moved by $((fwd1 - fwd0))"
[ $((nf1 - nf0)) -ge 50 ] || fail "web4 new flows moved by $((nf1 - nf0)) for 50 connections"
[ $((vb1 - vb0)) -gt 0 ] || fail "web4 bytes did not move"
[ $((be1 - be0)) -ge 150 ] || fail "backend packets moved by $((be1 - be0))"
[ "$(metric "$m1" xdplb_conntrack_entries)" -ge 50 ] ||
	fail "conntrack entries $(metric "$m1" xdplb_conntrack_entries) after 50 connections"
# A balancer never decapsulates: no decap counter that could only ever be 0.
grep -q '^xdplb_decapsulated_' "$m1" && fail "the balancer exports a decap counter: $(grep '^xdplb_decap' "$m1")"
grep -q 'reason="decap_malformed"' "$m1" && fail "the balancer exports decap's drop reason"
# The endpoint and lbctl read the same counters.
lf=$(lbctl_json lb stats | json_get 'd["forwarded"]')
[ "$lf" -ge "$fwd1" ] || fail "lbctl stats forwarded $lf below the scrape's $fwd1"

# A reload is counted, with its time.
r0=$(metric "$m1" 'xdplb_config_reloads_total{result="success"}')
lbctl lb reload >/dev/null || fail "reload failed"
scrape "$m2" >/dev/null || fail "third scrape failed"
r1=$(metric "$m2" 'xdplb_config_reloads_total{result="success"}')
[ $((r1 - r0)) -eq 1 ] || fail "reloads_total{success} moved $r0 -> $r1"
[ "$(metric "$m2" xdplb_config_last_reload_successful)" = 1 ] || fail "last reload not successful"

code=$(nsx lb curl -s --max-time 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:9742/)
[ "$code" = 404 ] || fail "GET / answered $code, expected 404"
code=$(nsx lb curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X POST "$URL")
[ "$code" = 405 ] || fail "POST /metrics answered $code, expected 405"
# Still serving after the odd requests.
scrape "$m2" >/dev/null || fail "scrape after the odd requests failed"

# A reload that moves the endpoint: the new port serves, the old one is closed.
sed -i "s|^  bpffs: .*|&\n  metrics: {listen: \"127.0.0.1:9743\"}|" "$LB_CONF"
lbctl lb reload >/dev/null || fail "reload with a new metrics.listen failed: $(agent_log_tail lb)"
nsx lb curl -sSf --max-time 5 -o "$m2" http://127.0.0.1:9743/metrics ||
	fail "nothing on the new port 9743 after the reload"
[ "$(metric "$m2" 'xdplb_config_reloads_total{result="success"}')" = $((r1 + 1)) ] ||
	fail "the reload that moved the endpoint is not counted"
nsx lb curl -s --max-time 5 -o /dev/null "$URL" && fail "the old port 9742 still answers"

# A backend node serves its own, smaller set: no data-plane families.
nsx be1 curl -sSf --max-time 5 -o "$XLB_RUNDIR/be1.prom" "$URL" || fail "scrape of be1 failed"
promtool check metrics <"$XLB_RUNDIR/be1.prom" >/dev/null 2>&1 || fail "promtool refused be1's metrics"
grep -q '^xdplb_node_info{node_id="11",zone="a",role="backend"} 1$' "$XLB_RUNDIR/be1.prom" ||
	fail "be1's node_info: $(grep node_info "$XLB_RUNDIR/be1.prom")"
grep -q '^xdplb_vip_' "$XLB_RUNDIR/be1.prom" && fail "a backend reports VIP traffic"
# ... but the decap program's: tunnels stripped by kind (the 50 IPv4 connections above went
# over IPIP, some to be1), passed packets, and only decap's own drop reasons.
dc=$(metric "$XLB_RUNDIR/be1.prom" 'xdplb_decapsulated_packets_total{kind="ipip"}')
[ "$dc" != none ] && [ "$dc" -gt 0 ] || fail "be1's ipip decap counter: $dc"
[ "$(metric "$XLB_RUNDIR/be1.prom" 'xdplb_dropped_packets_total{reason="decap_malformed"}')" = 0 ] ||
	fail "be1 has no decap_malformed drop counter at 0"
grep -q 'reason="no_backend"' "$XLB_RUNDIR/be1.prom" && fail "a backend exports a balancer's drop reason"
grep -q '^xdplb_passed_packets_total ' "$XLB_RUNDIR/be1.prom" || fail "be1 has no passed counter"
# The endpoint and lbctl read the same counters.
ls=$(lbctl_json be1 stats | json_get 'd["decap"]["ipip"]["packets"]')
[ "$ls" -ge "$dc" ] || fail "lbctl stats on be1: ipip $ls below the scrape's $dc"
true
