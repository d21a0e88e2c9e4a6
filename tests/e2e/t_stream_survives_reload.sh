#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A long-lived TCP stream keeps flowing, every byte intact, across a reload that
# adds one VIP, removes another and changes the weights of a third.
source "$(dirname "$0")/lib.sh"
e2e_setup

stream_start $VIP4
stream_flows $STREAM 10 "before the reload"

# The new VIP is not served yet.
http_probe $VIP4B && fail "$VIP4B answered before it was configured"

new_specs="$VIPS_BASE
web4b $VIP4B $HTTP_PORT tcp be2=100 be3=100"
new_specs=${new_specs/"udp6 $VIP6 $UDP_PORT udp be1=100 be2=100 be3=100"/}
new_specs=${new_specs/"web6 $VIP6 $HTTP_PORT tcp be1=100 be2=100 be3=100"/"web6 $VIP6 $HTTP_PORT tcp be1=300 be2=100 be3=100"}
lb_config_write "$LB_CONF" "$new_specs"
out=$(lbctl lb reload 2>&1) || fail "lbctl reload of a valid config failed: $out"
log "reload: $out"

stream_flows $STREAM 10 "after the reload"
wait_for 5 "new VIP $VIP4B served" http_probe $VIP4B || fail "added VIP $VIP4B does not answer"
out=$(client http --vip $VIP4B --port $HTTP_PORT --first-port 24000 --count 30)
[ "$(json_get 'd["counts"].get("be1", 0)' <<<"$out")" = 0 ] ||
	fail "$VIP4B has no be1 but be1 answered ($(http_summary <<<"$out"))"
out=$(client udp --vip $VIP6 --port $UDP_PORT --first-port 24100 --count 3 --timeout 0.3)
[ "$(json_get 'd["errors"]' <<<"$out")" = 3 ] || fail "removed VIP udp6 still answers: $out"
n=$(lbctl_json lb status | json_get 'd["reloads_ok"]')
[ "$n" = 1 ] || fail "status says reloads_ok=$n after one reload"

stream_flows $STREAM 5 "a while after the reload"
stream_stop $STREAM
