#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The LB node itself answers ping to its VIPs (IPv4 and IPv6) from XDP: no
# namespace but the backends holds the VIPs, and echo requests never reach them.
source "$(dirname "$0")/lib.sh"
e2e_setup

n0=$(lbctl_json lb stats | json_get 'd["icmp_echo_replied"]')
out=$(nsx cli ping -c 3 -i 0.2 -W 1 $VIP4 2>&1) || fail "ping $VIP4 unanswered: $out"
out=$(nsx cli ping -6 -c 3 -i 0.2 -W 1 $VIP6 2>&1) || fail "ping $VIP6 unanswered: $out"
n1=$(lbctl_json lb stats | json_get 'd["icmp_echo_replied"]')
[ $((n1 - n0)) -ge 6 ] || fail "icmp_echo_replied moved by $((n1 - n0)) for 6 echo requests"
