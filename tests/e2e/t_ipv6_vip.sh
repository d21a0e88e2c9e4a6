#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# An IPv6 VIP with IPv6 backends (ip6ip6 to the backends, DSR back): curl and
# 100 connections from distinct ports all answered, by every backend. And an
# IPv4 VIP on the same backends' IPv6 addresses (4in6): answered by every
# backend, named 4in6 by lbctl explain and counted 4in6 by decap.
source "$(dirname "$0")/lib.sh"
e2e_setup "$VIPS_BASE
web4b $VIP4B $HTTP_PORT tcp be_family=6 be1=100 be2=100 be3=100"

body=$(nsx cli curl -s -m 3 -g "http://[$VIP6]/") || fail "curl http://[$VIP6]/ failed"
case $body in be1 | be2 | be3) ;; *) fail "curl over IPv6 got '$body'" ;; esac

all_backends_answer http $VIP6 $HTTP_PORT 22000 100 "IPv6 requests"

# The packets crossed the LB as IPv6 (not some other path): the VIP counted them.
pk=$(lbctl_json lb vip list | json_get '[v["packets"] for v in d["vips"] if v["name"] == "web6"][0]')
[ "${pk:-0}" -ge 100 ] || fail "web6 counted ${pk:-no} packets for 101 connections"

all_backends_answer http $VIP4B $HTTP_PORT 24000 30 "IPv4 requests over 4in6"
tun=$(lbctl_json lb explain "$CLI4:24000" "$VIP4B:$HTTP_PORT" | json_get 'd["tunnel"]')
[ "$tun" = 4in6 ] || fail "explain of an IPv4 flow to IPv6 backends says tunnel '$tun'"
n=0
for be in $BACKENDS; do
	n=$((n + $(lbctl_json "$be" stats | json_get 'd["decap"]["4in6"]["packets"]')))
done
[ "$n" -ge 30 ] || fail "backends stripped $n 4in6 packets for 30 connections"
