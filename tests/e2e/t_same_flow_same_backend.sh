#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The same flow (same client port, so the same 5-tuple) lands on the same
# backend every time, while different flows use every backend.
source "$(dirname "$0")/lib.sh"
e2e_setup

out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 21000 --count 40 --repeat 4)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] ||
	fail "requests failed: $(json_get 'd["error_samples"]' <<<"$out")"
moved=$(json_get '[p for p, names in d["flows"].items() if len(set(names)) != 1 or len(names) != 4]' <<<"$out")
[ "$moved" = "[]" ] || fail "flows answered by more than one backend (client ports): $moved"
used=$(json_get 'len(d["counts"])' <<<"$out")
[ "$used" = 3 ] || fail "40 flows used $used backends, expected 3 ($(http_summary <<<"$out"))"

# The TCP path and curl agree: the same local port, the same backend.
first=$(nsx cli curl -sS -m 2 --local-port 21500 "http://$VIP4/") || fail "curl failed"
for i in 1 2 3; do
	again=$(nsx cli curl -sS -m 2 --local-port 21500 "http://$VIP4/") || fail "curl $i failed"
	[ "$again" = "$first" ] || fail "curl from port 21500 went to $first, then $again"
done
