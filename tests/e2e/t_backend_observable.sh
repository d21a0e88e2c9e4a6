#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A backend node is observable: lbctl status says where its decap program runs and which
# VIPs lo holds (a VIP taken off lo by hand shows as missing), lbctl stats counts the
# tunnels it stripped by kind, and both counts rise with traffic through the LB.
source "$(dirname "$0")/lib.sh"
e2e_setup

# decap KIND: packets of that tunnel kind be1 stripped, from lbctl -j stats.
decap() {
	lbctl_json be1 stats | json_get "d['decap']['$1']['packets']"
}

st=$(lbctl_json be1 status) || fail "lbctl status on be1 failed"
[ "$(json_get 'd["role"]' <<<"$st")" = backend ] || fail "be1's role: $st"
[ "$(json_get 'd["decap"]["attached"]' <<<"$st")" = true ] || fail "decap not attached: $st"
[ "$(json_get 'd["decap"]["interface"]' <<<"$st")" = rtr0 ] || fail "decap not on rtr0: $st"
[ "$(json_get 'd["decap"]["program_id"] > 0' <<<"$st")" = true ] || fail "no program id: $st"
[ "$(json_get 'sorted(d["vips_on_lo"])' <<<"$st")" = "[\"$VIP4\", \"$VIP4B\", \"$VIP6\", \"$VIP6B\"]" ] ||
	fail "VIPs on lo: $(json_get 'd["vips_on_lo"]' <<<"$st")"
[ "$(json_get 'd["vips_missing_from_lo"]' <<<"$st")" = "[]" ] || fail "VIPs missing: $st"

ipip0=$(decap ipip) || fail "lbctl stats on be1 failed: $(lbctl be1 stats 2>&1)"
six0=$(decap ip6ip6)
total0=$(lbctl_json be1 stats | json_get 'd["decapsulated"]')
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 31000 --count 30)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "IPv4 requests failed: $out"
out=$(client http --vip $VIP6 --port $HTTP_PORT --first-port 32000 --count 30)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "IPv6 requests failed: $out"
ipip1=$(decap ipip)
six1=$(decap ip6ip6)
total1=$(lbctl_json be1 stats | json_get 'd["decapsulated"]')
log "be1 decapsulated: ipip $ipip0 -> $ipip1, ip6ip6 $six0 -> $six1, all $total0 -> $total1"
# Maglev spreads 30 connections over three backends: be1 takes some of each family.
[ "$ipip1" -gt "$ipip0" ] || fail "be1's ipip count did not rise: $ipip0 -> $ipip1"
[ "$six1" -gt "$six0" ] || fail "be1's ip6ip6 count did not rise: $six0 -> $six1"
[ $((total1 - total0)) -ge $((ipip1 - ipip0 + six1 - six0)) ] ||
	fail "the total ($total0 -> $total1) is short of the kinds"

# What people read.
human=$(lbctl be1 stats) || fail "lbctl stats (human) failed"
grep -q "^decapsulated  *[0-9]" <<<"$human" || fail "lbctl stats: $human"
grep -q "^ipip  *$ipip1 " <<<"$human" || fail "lbctl stats has no ipip row of $ipip1: $human"
human=$(lbctl be1 status) || fail "lbctl status (human) failed"
grep -q "^decap  *on rtr0, xdp " <<<"$human" || fail "lbctl status: $human"
grep -q "^vips  *8; on lo: " <<<"$human" || fail "lbctl status: $human"

# A VIP that lo lost is named; a reload puts it back.
nsx be1 ip addr del "$VIP4B/32" dev lo || fail "could not remove $VIP4B from be1's lo"
st=$(lbctl_json be1 status)
[ "$(json_get 'd["vips_missing_from_lo"]' <<<"$st")" = "[\"$VIP4B\"]" ] ||
	fail "missing VIP not reported: $(json_get 'd["vips_missing_from_lo"]' <<<"$st")"
lbctl be1 status | grep -q "MISSING from lo: $VIP4B" || fail "lbctl status hides the missing VIP"
lbctl be1 reload >/dev/null || fail "reload of be1 failed"
[ "$(lbctl_json be1 status | json_get 'd["vips_missing_from_lo"]')" = "[]" ] ||
	fail "the reload did not put $VIP4B back on lo"
true
