#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `lbctl status`, `stats`, `vip list` and `backend list` counters move under traffic.
source "$(dirname "$0")/lib.sh"
e2e_setup

st=$(lbctl_json lb status)
[ "$(json_get 'd["attached"]' <<<"$st")" = true ] || fail "status: not attached: $st"
n=$(grep -c . <<<"$VIPS_BASE")
[ "$(json_get 'd["vips"]' <<<"$st")" = "$n" ] || fail "status: expected $n VIPs: $st"
fwd0=$(lbctl_json lb stats | json_get 'd["forwarded"]')
vip0=$(lbctl_json lb vip list | json_get '[v for v in d["vips"] if v["name"] == "web4"][0]')
be0=$(lbctl_json lb backend list | json_get 'sum(b["packets"] for b in d["backends"])')

out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 28000 --count 50)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "requests failed: $out"

fwd1=$(lbctl_json lb stats | json_get 'd["forwarded"]')
vip1=$(lbctl_json lb vip list | json_get '[v for v in d["vips"] if v["name"] == "web4"][0]')
be1=$(lbctl_json lb backend list | json_get 'sum(b["packets"] for b in d["backends"])')
log "forwarded $fwd0 -> $fwd1, backend packets $be0 -> $be1"
# 50 connections are at least SYN, request, ACK of FIN: 150 packets client -> VIP.
[ $((fwd1 - fwd0)) -ge 150 ] || fail "stats forwarded moved by $((fwd1 - fwd0)) for 50 connections"
[ $((be1 - be0)) -ge 150 ] || fail "backend packets moved by $((be1 - be0)) for 50 connections"
for c in packets bytes new_flows; do
	a=$(json_get "d['$c']" <<<"$vip0")
	b=$(json_get "d['$c']" <<<"$vip1")
	[ "$b" -gt "$a" ] || fail "vip list web4 $c did not move ($a -> $b)"
done
nf=$(($(json_get 'd["new_flows"]' <<<"$vip1") - $(json_get 'd["new_flows"]' <<<"$vip0")))
[ $nf -ge 50 ] || fail "web4 new_flows moved by $nf for 50 connections"

st1=$(lbctl_json lb status)
[ "$(json_get 'd["conntrack_entries"]' <<<"$st1")" -ge 50 ] ||
	fail "status conntrack_entries below 50 after 50 connections: $st1"
# The human form prints too.
lbctl lb status >/dev/null || fail "lbctl status (text) failed"
lbctl lb stats >/dev/null || fail "lbctl stats (text) failed"
