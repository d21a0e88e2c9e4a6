#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# An IPv6 VIP with IPv6 backends (ip6ip6 to the backends, DSR back): curl and
# 100 connections from distinct ports all answered, by every backend.
source "$(dirname "$0")/lib.sh"
e2e_setup

body=$(nsx cli curl -s -m 3 -g "http://[$VIP6]/") || fail "curl http://[$VIP6]/ failed"
case $body in be1 | be2 | be3) ;; *) fail "curl over IPv6 got '$body'" ;; esac

all_backends_answer http $VIP6 $HTTP_PORT 22000 100 "IPv6 requests"

# The packets crossed the LB as IPv6 (not some other path): the VIP counted them.
pk=$(lbctl_json lb vip list | json_get '[v["packets"] for v in d["vips"] if v["name"] == "web6"][0]')
[ "${pk:-0}" -ge 100 ] || fail "web6 counted ${pk:-no} packets for 101 connections"
