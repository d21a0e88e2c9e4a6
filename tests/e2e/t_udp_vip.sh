#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# UDP VIPs (IPv4 and IPv6): datagrams from 90 client ports all echoed with the
# backend's name from the VIP address (DSR), every backend used, and a flow
# (same client port) answered by the same backend each time.
source "$(dirname "$0")/lib.sh"
e2e_setup

for vip in $VIP4 $VIP6; do
	out=$(client udp --vip "$vip" --port $UDP_PORT --first-port 23000 --count 90 --repeat 3)
	log "UDP $vip: $(http_summary <<<"$out")"
	[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] ||
		fail "UDP to $vip unanswered: $(json_get 'd["error_samples"]' <<<"$out")"
	[ "$(json_get 'len(d["counts"])' <<<"$out")" = 3 ] ||
		fail "UDP VIP $vip did not use all three backends ($(http_summary <<<"$out"))"
	moved=$(json_get '[p for p, n in d["flows"].items() if len(set(n)) != 1]' <<<"$out")
	[ "$moved" = "[]" ] || fail "UDP flows to $vip changed backend (client ports): $moved"
done
