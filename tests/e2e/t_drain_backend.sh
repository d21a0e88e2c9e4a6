#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `lbctl backend drain`: the drained backend keeps its stream, new connections
# avoid it; undrain brings it back for new connections.
source "$(dirname "$0")/lib.sh"
e2e_setup

stream_start $VIP4
stream_flows $STREAM 10 "before the drain"
be=$(stream_field $STREAM backend)
addr=${BE4[$be]:-}
[ -n "$addr" ] || fail "stream reports backend '$be'"

out=$(lbctl lb backend drain "$addr" 2>&1) || fail "lbctl backend drain $addr: $out"
state=$(lbctl_json lb backend list | json_get "[b['state'] for b in d['backends'] if b['address'] == '$addr'][0]")
[ "$state" = drain ] || fail "backend list shows $addr as '$state' after drain"

stream_flows $STREAM 10 "after draining its backend $be"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 27000 --count 100)
log "100 requests with $be drained: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] ||
	fail "requests failed with $be drained: $(json_get 'd["error_samples"]' <<<"$out")"
[ "$(json_get "d['counts'].get('$be', 0)" <<<"$out")" = 0 ] ||
	fail "drained $be still got new connections ($(http_summary <<<"$out"))"

out=$(lbctl lb backend undrain "$addr" 2>&1) || fail "lbctl backend undrain $addr: $out"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 27200 --count 100)
[ "$(json_get "d['counts'].get('$be', 0)" <<<"$out")" -gt 0 ] ||
	fail "undrained $be gets no new connections ($(http_summary <<<"$out"))"
stream_flows $STREAM 5 "after the undrain"
stream_stop $STREAM
