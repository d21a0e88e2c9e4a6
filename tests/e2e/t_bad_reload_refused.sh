#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A reload with a broken config is refused: `lbctl reload` exits non-zero and
# names file:line:column; the old config keeps running and a long-lived stream
# does not notice.
source "$(dirname "$0")/lib.sh"
e2e_setup

stream_start $VIP4
stream_flows $STREAM 10 "before the reload"

cp "$LB_CONF" "$XLB_RUNDIR/lb.good.yaml"
# Break one backend address; its line and column are what the error must name.
line=$(grep -n "address: \"${BE4[be2]}\"\$" "$LB_CONF" | head -1 | cut -d: -f1)
[ -n "$line" ] || fail "no be2 backend line in the generated config"
sed -i "${line}s/${BE4[be2]}/198.51.100.300/" "$LB_CONF"
# The column of the value (its opening quote): where the YAML scalar starts.
col=$(sed -n "${line}p" "$LB_CONF" | awk '{print index($0, "address: ") + 9}')

if out=$(lbctl lb reload 2>&1); then
	fail "lbctl reload accepted a bad config: $out"
fi
log "refused as expected: $out"
grep -q "lb.yaml:$line:$col" <<<"$out" ||
	fail "reload error does not name lb.yaml:$line:$col: $out"

st=$(lbctl_json lb status)
[ "$(json_get 'd["reloads_failed"]' <<<"$st")" = 1 ] || fail "status reloads_failed: $st"
json_get 'd["last_reload_error"]' <<<"$st" | grep -q "lb.yaml:$line:$col" ||
	fail "status last_reload_error does not name the error: $st"

stream_flows $STREAM 10 "after the refused reload"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 25000 --count 60)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] && [ "$(json_get 'len(d["counts"])' <<<"$out")" = 3 ] ||
	fail "old config not serving after the refused reload ($(http_summary <<<"$out"))"

# Fixing the file makes the next reload go through.
cp "$XLB_RUNDIR/lb.good.yaml" "$LB_CONF"
out=$(lbctl lb reload 2>&1) || fail "reload of the repaired config failed: $out"
stream_flows $STREAM 5 "after the repaired reload"
stream_stop $STREAM
