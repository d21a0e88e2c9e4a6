#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# What a node announces follows what it can serve: a VIP whose only backend
# fails its health checks is withdrawn by every node (the router loses the
# route; the other VIP of the nodes stays), and comes back when the backend
# recovers. A SIGTERM withdraws the node's routes before the agent exits
# (XDP keeps forwarding what is in flight); a SIGKILL leaves them (XDP keeps
# forwarding: hitless), and the restarted agent keeps announcing. A reload
# changes nothing that is announced. The IPv6 VIP on be3 (web6b, 6in4, its
# own BGP session) is withdrawn and comes back with web4b.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_cluster.sh"
source "$(dirname "$0")/lib_bgp.sh"
bgp_setup
for v in $VIP4B $VIP6B; do
	wait_for 10 "$v routed to zone a" rtr_nexthops_are $v "la1 la2" ||
		fail "route to $v: '$(rtr_nexthops $v)'"
done

# be3 unreachable: its TCP checks fail on every node.
t0=$(now_s)
ip -n "$(ns rtr)" link set dev be3 down
wait_for 10 "$VIP4B withdrawn" rtr_nexthops_are $VIP4B "" ||
	fail "route to $VIP4B with its backend down: '$(rtr_nexthops $VIP4B)'; $(lbctl a1 cluster)"
log "be3 down: $VIP4B withdrawn after $(echo "$(now_s) - $t0" | bc) s"
wait_for 5 "$VIP6B withdrawn" rtr_nexthops_are $VIP6B "" ||
	fail "route to $VIP6B with its backend down: '$(rtr_nexthops $VIP6B)'; $(lbctl a1 cluster)"
[ "$(rtr_nexthops $VIP4)" = "la1 la2" ] || fail "$VIP4 lost its route too: '$(rtr_nexthops $VIP4)'"
[ "$(rtr_nexthops $VIP6)" = "la1 la2" ] || fail "$VIP6 lost its route too: '$(rtr_nexthops $VIP6)'"
for n in $BGP_NODES; do
	for v in web4b web6b; do
		why=$(lbctl_json $n cluster | json_get "[v[\"why\"] for v in d[\"vips\"] if v[\"vip\"] == \"$v\"][0]")
		[ "$why" = "no healthy backend" ] || fail "$n: $v: '$why'"
	done
done
t0=$(now_s)
ip -n "$(ns rtr)" link set dev be3 up
wait_for 15 "$VIP4B back" rtr_nexthops_are $VIP4B "la1 la2" ||
	fail "route to $VIP4B after be3 recovered: '$(rtr_nexthops $VIP4B)'; $(lbctl a1 cluster)"
log "be3 up: $VIP4B announced again after $(echo "$(now_s) - $t0" | bc) s"
wait_for 5 "$VIP6B back" rtr_nexthops_are $VIP6B "la1 la2" ||
	fail "route to $VIP6B after be3 recovered: '$(rtr_nexthops $VIP6B)'; $(lbctl a1 cluster)"
wait_for 10 "HTTP through $VIP4B" http_probe $VIP4B || fail "no HTTP answer through $VIP4B"
wait_for 10 "HTTP through $VIP6B" http_probe $VIP6B || fail "no HTTP answer through $VIP6B"

# Routes removed behind the agent's back come back (it reads its table again every second).
ip -n "$(ns a1)" route flush table $BGP_TABLE
table_holds_routes() { [ -n "$(ip -n "$(ns "$1")" route show table $BGP_TABLE)" ]; }
wait_for 5 "a1's routes back in table $BGP_TABLE" table_holds_routes a1 ||
	fail "a1 did not put its flushed routes back"
wait_for 5 "a1 back in the ECMP route" rtr_nexthops_are $VIP4 "la1 la2" ||
	fail "route to $VIP4 after a1's table was flushed: '$(rtr_nexthops $VIP4)'"

# A reload of an unchanged file decides nothing anew: no transition, the route stays.
before=$(lbctl_json a1 cluster | json_get 'd["transitions_total"]')
lbctl a1 reload >/dev/null || fail "reload of a1 failed"
sleep 0.5
[ "$(lbctl_json a1 cluster | json_get 'd["transitions_total"]')" = "$before" ] ||
	fail "a reload changed a1's verdicts: $(lbctl a1 cluster)"
[ "$(rtr_nexthops $VIP4)" = "la1 la2" ] || fail "route to $VIP4 after a reload: '$(rtr_nexthops $VIP4)'"

# SIGTERM: a2's routes go first, its XDP program stays.
stop_pid "${AGENT_PID[a2]}"
wait_for 5 "a2 withdrawn after SIGTERM" rtr_nexthops_are $VIP4 la1 ||
	fail "route to $VIP4 after a2's SIGTERM: '$(rtr_nexthops $VIP4)'"
ip -n "$(ns a2)" link show dev rtr0 | grep -q xdp || fail "a2's XDP program went with the agent"
[ -z "$(ip -n "$(ns a2)" route show table $BGP_TABLE)" ] || fail "a2 left routes in table $BGP_TABLE"
bgp_agent_start a2
wait_for 10 "a2 announcing again" rtr_nexthops_are $VIP4 "la1 la2" ||
	fail "a2 did not come back: '$(rtr_nexthops $VIP4)'; $(lbctl a2 cluster)"

# SIGKILL: the routes stay with the still-forwarding XDP program.
kill -KILL "${AGENT_PID[a2]}"
wait "${AGENT_PID[a2]}" 2>/dev/null
sleep 2
[ "$(rtr_nexthops $VIP4)" = "la1 la2" ] || fail "a2's routes went with a SIGKILL: '$(rtr_nexthops $VIP4)'"
# 20 flows from different ports: ECMP sends about half of them to a2, whose XDP answers alone.
errors=$(client http --vip $VIP4B --port $HTTP_PORT --first-port 19100 --count 20 --timeout 1 |
	json_get 'd["errors"]')
[ "$errors" = 0 ] || fail "$errors of 20 requests unanswered with a2's agent dead"
bgp_agent_start a2
sleep 1
[ "$(rtr_nexthops $VIP4)" = "la1 la2" ] || fail "a2 withdrew on its restart: '$(rtr_nexthops $VIP4)'"
[ "$(lbctl_json a2 cluster | json_get 'd["vips"][0]["verdict"]')" = primary ] ||
	fail "a2 after the restart: $(lbctl a2 cluster)"
lbctl a2 cluster
