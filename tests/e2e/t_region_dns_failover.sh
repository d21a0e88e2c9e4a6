#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Region failover through DNS: two regions (one balancer and one backend each), Knot as the
# authoritative server, a client resolving the name through it. Both regions up: the name
# answers both VIPs. Region 1 gone: only region 2's VIP, within detection + a round + TTL,
# and curl by name keeps working. Region 1 back: its VIP returns after the hold-down. The
# observers cut from each other: the rule of docs/REGIONS.md. A forged update is refused.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_cluster.sh"
. "$(dirname "$0")/lib_region.sh"

region_setup

BOTH="$VIP4 $VIP4B"
name_is() { [ "$(dig_name $RG_NAME)" = "$1" ]; }

wait_for 15 "both VIPs in DNS" name_is "$BOTH" ||
	fail "both regions up: the name answers '$(dig_name $RG_NAME)', not '$BOTH'"
log "both regions up: $RG_NAME -> $(dig_name $RG_NAME)"
