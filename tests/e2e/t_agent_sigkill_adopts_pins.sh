#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# SIGKILL of the LB agent: the pinned data plane keeps forwarding (an IPv4 and
# an IPv6 stream, and new connections), and a restarted agent adopts the pins:
# the same program attached, conntrack kept, the streams never break.
source "$(dirname "$0")/lib.sh"
e2e_setup

stream_start $VIP4
s4=$STREAM
stream_start $VIP6
s6=$STREAM
stream_flows $s4 10 "before the kill"
stream_flows $s6 10 "before the kill"
prog_before=$(ip -n "$(ns lb)" -j link show dev rtr0 | json_get 'd[0]["xdp"]["prog"]["id"]')

kill -KILL "${AGENT_PID[lb]}"
wait "${AGENT_PID[lb]}" 2>/dev/null
log "lbagent (pid ${AGENT_PID[lb]}) killed"
stream_flows $s4 10 "with the agent dead"
stream_flows $s6 10 "with the agent dead"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 26000 --count 30)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] ||
	fail "new connections failed with the agent dead: $(json_get 'd["error_samples"]' <<<"$out")"

agent_start lb
prog_after=$(ip -n "$(ns lb)" -j link show dev rtr0 | json_get 'd[0]["xdp"]["prog"]["id"]')
log "XDP program id before $prog_before, after restart $prog_after"
[ "$prog_after" = "$prog_before" ] ||
	fail "restart replaced the XDP program ($prog_before -> $prog_after) instead of adopting it"
stream_flows $s4 10 "after the restart"
stream_flows $s6 10 "after the restart"
ct=$(lbctl_json lb status | json_get 'd["conntrack_entries"]')
[ "${ct:-0}" -ge 1 ] || fail "restarted agent sees no conntrack entries"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 26100 --count 30)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] ||
	fail "new connections failed after the restart: $(json_get 'd["error_samples"]' <<<"$out")"
stream_stop $s4
stream_stop $s6
