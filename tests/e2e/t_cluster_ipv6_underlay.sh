#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The cluster on an IPv6-only underlay (lib_bgp.sh with BGP_UNDERLAY=6): no
# IPv4 address on any link; BGP and BFD over IPv6 only, the router's next
# hops IPv6, the sync channel IPv6 multicast, the backends IPv6 (6in6). A
# long-lived IPv6 connection is synced to every node; a1 lost (BFD drops it,
# no failover: a2 carries on), then a2 too (failover to b1, zone b): the
# connection keeps flowing through both, new connections are answered
# through b1, and the health-checked VIP on be3 answers through b1 too.
BGP_UNDERLAY=6
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_cluster.sh"
source "$(dirname "$0")/lib_bgp.sh"
bgp_setup

for n in cli rtr sw $BGP_NODES $BACKENDS; do
	# (lo of a backend holds the IPv4 VIPs lib.sh gives every backend: no link.)
	v4=$(ip -n "$(ns "$n")" -4 -o addr show scope global | grep -v ': lo ')
	[ -z "$v4" ] || fail "$n has an IPv4 address on a link: $v4"
done
# Three IPv6 BGP sessions with BFD up on the router (b1's may still be starting).
bfd6_up() {
	[ "$(birdc_ns rtr show bfd sessions | awk '$1 ~ /^2001:db8:10:/ && $3 == "Up"' | wc -l)" = 3 ]
}
wait_for 10 "three BFD sessions over IPv6 up on the router" bfd6_up ||
	fail "router's BFD sessions: $(birdc_ns rtr show bfd sessions | tr '\n' ' ')"
via=$(ip -n "$(ns rtr)" -6 route show "$VIP6" | grep -o 'via 2001:db8:10:[0-9]::2' | sort | tr '\n' ' ')
[ "$via" = "via 2001:db8:10:1::2 via 2001:db8:10:2::2 " ] ||
	fail "router's next hops to $VIP6: '$via'"
wait_for 10 "$VIP6B routed to zone a" rtr_nexthops_are "$VIP6B" "la1 la2" ||
	fail "route to $VIP6B: '$(rtr_nexthops "$VIP6B")'"

# b1 came up last: it stands in until zone a has been ready for the hold-down.
wait_for 10 "b1 (standby) withdrawn" bgp_standby b1 || fail "b1 (standby) announces: $(lbctl b1 cluster)"
stream_start "$VIP6" 42000
for n in $BGP_NODES; do
	wait_for 10 "$n holds the connection (sync over IPv6)" cluster_holds_flow $n stream6 42000 ||
		fail "$n never got the IPv6 flow: $(lbctl $n sync)"
done
probe_start "$VIP6"

t0=$(now_s)
bgp_kill a1
wait_for 5 "the router drops a1 (BFD over IPv6)" rtr_nexthops_are "$VIP6" la2 ||
	fail "route to $VIP6 after a1's loss: '$(rtr_nexthops "$VIP6")'"
log "a1 killed: route via a2 only after $(echo "$(now_s) - $t0" | bc) s"
stream_flows "$STREAM" 10 "after a1's loss"
[ "$(lbctl_json b1 cluster | json_get 'd["vips"][0]["verdict"]')" = withdrawn ] ||
	fail "b1 announced after one zone-a node failed: $(lbctl b1 cluster)"

t0=$(now_s)
bgp_kill a2
wait_for 5 "the router's route via b1 only" rtr_nexthops_are "$VIP6" lb1 ||
	fail "route to $VIP6 after zone a's loss: '$(rtr_nexthops "$VIP6")'; $(lbctl b1 cluster)"
wait_for 5 "a probe answered through b1" probe_ok_since "$BGP_DEAD_AT" probe6 ||
	fail "no answer through b1"
failover=$(echo "$(probe_first_ok_after "$BGP_DEAD_AT" probe6) + $BGP_DEAD_AT - $t0" | bc)
log "zone a lost: first answer through b1 after $failover s"
[ "$(echo "$failover < 3" | bc)" = 1 ] || fail "failover took ${failover} s (limit 3 s)"
stream_flows "$STREAM" 10 "after the failover to b1"
wait_for 5 "HTTP through $VIP6B on b1" http_probe "$VIP6B" || fail "no HTTP answer through $VIP6B"
probe_stop
stream_stop "$STREAM"
lbctl b1 cluster
