#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Zone a (a1, a2) and zone b (b1) announce the VIPs by BGP through BIRD; the
# router's BIRD merges zone a's routes into one ECMP route, and the flows
# spread over both zone-a nodes (b1, standby, announces nothing). A hard
# failure of a1 (silent, then gone; only BFD tells the router) is not a
# failover: a2 carries everything, b1 stays out, every long-lived connection
# keeps flowing (sync). a1 coming back rejoins the ECMP route at once: its
# zone never left. The IPv6 VIP (stream6, its own BGP session) is asserted
# beside the IPv4 one: its ECMP route, new IPv6 connections spread over a1
# and a2 per flow, and the same route changes.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_cluster.sh"
source "$(dirname "$0")/lib_bgp.sh"
N=40
bgp_setup

[ "$(rtr_nexthops $VIP4)" = "la1 la2" ] || fail "route to $VIP4: $(rtr_nexthops $VIP4)"
[ "$(rtr_nexthops $VIP6)" = "la1 la2" ] || fail "route to $VIP6: $(rtr_nexthops $VIP6)"
# b1 came up last, so it stood in (worse path) until zone a had been ready for the hold-down.
wait_for 10 "b1 (standby) withdrawn" bgp_standby b1 || fail "b1 (standby) announces: $(lbctl b1 cluster)"
# Asked anew on every try of wait_for.
forwards() { [ "$(bgp_forwarded "$1")" -gt 0 ]; }
holds_flows() { [ "$(lbctl_json "$1" status | json_get 'd["conntrack_entries"]')" -ge $N ]; }
streams_start $N 41000
for n in a1 a2; do
	wait_for 10 "$n forwards" forwards $n || fail "$n forwarded nothing: ECMP does not spread"
	wait_for 10 "$n holds every flow" holds_flows $n || fail "$n holds $(lbctl_json $n status | json_get 'd["conntrack_entries"]') of $N flows"
done
log "forwarded: a1 $(bgp_forwarded a1), a2 $(bgp_forwarded a2), b1 $(bgp_forwarded b1)"
[ "$(bgp_forwarded b1)" = 0 ] || fail "b1 forwarded traffic while zone a serves"
probe_start
# New IPv6 connections every 20 ms from changing ports: the router spreads them per flow.
probe_start "$VIP6"
vip_packets() {
	lbctl_json "$1" vip list | json_get "[v[\"packets\"] for v in d[\"vips\"] if v[\"name\"] == \"$2\"][0]"
}
forwards6() { [ "$(vip_packets "$1" stream6)" -gt 0 ]; }
for n in a1 a2; do
	wait_for 10 "$n forwards IPv6 flows" forwards6 $n ||
		fail "$n forwarded no IPv6 packet: the router's ECMP does not spread IPv6 flows"
done
log "stream6 packets: a1 $(vip_packets a1 stream6), a2 $(vip_packets a2 stream6)"

t0=$(now_s)
bgp_kill a1
wait_for 5 "the router drops a1 (BFD)" rtr_nexthops_are $VIP4 la2 ||
	fail "route to $VIP4 after a1's loss: '$(rtr_nexthops $VIP4)'"
t1=$(now_s)
log "a1 killed: route via a2 only after $(echo "$t1 - $t0" | bc) s"
wait_for 5 "the router drops a1's IPv6 route (BFD)" rtr_nexthops_are $VIP6 la2 ||
	fail "route to $VIP6 after a1's loss: '$(rtr_nexthops $VIP6)'"
log "a1 killed: IPv6 route via a2 only after $(echo "$(now_s) - $t0" | bc) s"
sleep 2
[ "$(rtr_nexthops $VIP4)" = la2 ] || fail "route to $VIP4: '$(rtr_nexthops $VIP4)' (b1 took over?)"
[ "$(rtr_nexthops $VIP6)" = la2 ] || fail "route to $VIP6: '$(rtr_nexthops $VIP6)' (b1 took over?)"
[ "$(lbctl_json b1 cluster | json_get 'd["vips"][0]["verdict"]')" = withdrawn ] ||
	fail "b1 announced after one zone-a node failed: $(lbctl b1 cluster)"
before=$(streams_bytes)
wait_for 15 "every connection moving on a2" streams_all_moved "$before" ||
	fail "connections lost with a1: $(streams_summary)"
streams_count_is running $N || fail "connections broke: $(streams_summary)"
log "after a1's loss: $(streams_summary); probes lost: $(probe_failed_between "$t0" "$(now_s)")," \
	"IPv6 $(probe_failed_between "$t0" "$(now_s)" probe6)"
wait_for 5 "IPv6 probes answered through a2" probe_ok_since "$t1" probe6 ||
	fail "no IPv6 probe answered after a1's loss"

bgp_revive a1
wait_for 20 "a1 back in the ECMP route" rtr_nexthops_are $VIP4 "la1 la2" ||
	fail "a1 did not come back: '$(rtr_nexthops $VIP4)'; $(lbctl a1 cluster)"
wait_for 5 "a1 back in the IPv6 ECMP route" rtr_nexthops_are $VIP6 "la1 la2" ||
	fail "a1 did not come back for $VIP6: '$(rtr_nexthops $VIP6)'; $(lbctl a1 cluster)"
log "a1 back after $(echo "$(now_s) - $t1" | bc) s of the restart"
before=$(streams_bytes)
wait_for 15 "every connection moving" streams_all_moved "$before" ||
	fail "connections lost when a1 came back: $(streams_summary)"
probe_stop
streams_stop
streams_count_is done $N || fail "connections did not end cleanly: $(streams_summary)"
lbctl a2 cluster
