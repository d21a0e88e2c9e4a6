#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The whole primary zone fails: a1 and a2 go silent and die at once (a power
# cut: only BFD tells the router). b1 (standby) sees zone a's heartbeats stop,
# announces, and the router moves the VIP to it: the first new connection
# answered after the kill comes within 3 s (measured by probes, a new TCP
# connection every 20 ms), and every long-lived connection keeps flowing (b1
# has their state from sync). Zone a comes back: the traffic returns only
# after the hold-down, without a gap, and the connections still flow; then
# b1 withdraws. The IPv6 VIP (stream6, over its own BGP session, served in
# 6in4) does the same in the same run: its route, its probes, a long-lived
# IPv6 connection synced to b1. Three rounds; the times go to
# cluster-times.txt (medians in docs/BENCHMARKS.md). BGP_MODE=backup runs the same with b1 always announcing
# a worse path (t_cluster_backup_mode.sh): the router must never pick it while
# zone a serves.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_cluster.sh"
source "$(dirname "$0")/lib_bgp.sh"
N=30
ROUNDS=${CLUSTER_ROUNDS:-3}
TIMES=$XLB_RUNDIR/cluster-times.txt
# What b1 says while zone a serves: nothing (standby), or a worse path (backup).
B1_IDLE=withdrawn
[ "$BGP_MODE" = backup ] && B1_IDLE=secondary
b1_verdict_is() {
	[ "$(lbctl_json b1 cluster | json_get 'd["vips"][0]["verdict"]')" = "$1" ]
}
# Idle because zone a serves ("standby: ..." / "backup for zone a ..."), not the
# initial withdrawn of every VIP before b1's first decision.
B1_IDLE_WHY=standby:
[ "$BGP_MODE" = backup ] && B1_IDLE_WHY=backup
b1_idle() {
	[ "$(lbctl_json b1 cluster |
		json_get 'd["vips"][0]["verdict"] + " " + d["vips"][0]["why"].split(" ")[0]')" = \
		"$B1_IDLE $B1_IDLE_WHY" ]
}
holds_flow6() { cluster_holds_flow "$1" stream6 42000; }
bgp_setup
wait_for 10 "b1 idle ($BGP_MODE)" b1_idle || fail "b1: $(lbctl b1 cluster)"
streams_start $N 41000
stream_start "$VIP6" 42000
wait_for 10 "b1 holds the IPv6 flow (sync)" holds_flow6 b1 ||
	fail "the IPv6 flow never reached b1: $(lbctl b1 conntrack list stream6)"
probe_start
probe_start "$VIP6"
: >"$TIMES"

for round in $(seq "$ROUNDS"); do
	t0=$(now_s)
	bgp_kill a1 a2
	wait_for 5 "the router's route via b1 only" rtr_nexthops_are $VIP4 lb1 ||
		fail "route to $VIP4 after zone a's loss: '$(rtr_nexthops $VIP4)'; $(lbctl b1 cluster)"
	troute=$(echo "$(now_s) - $t0" | bc)
	wait_for 5 "the router's IPv6 route via b1 only" rtr_nexthops_are $VIP6 lb1 ||
		fail "route to $VIP6 after zone a's loss: '$(rtr_nexthops $VIP6)'; $(lbctl b1 cluster)"
	# Probes started once zone a's data planes were gone can only be answered through b1.
	wait_for 5 "a probe answered through b1" probe_ok_since "$BGP_DEAD_AT" ||
		fail "no answer through b1"
	wait_for 5 "an IPv6 probe answered through b1" probe_ok_since "$BGP_DEAD_AT" probe6 ||
		fail "no IPv6 answer through b1"
	failover=$(echo "$(probe_first_ok_after "$BGP_DEAD_AT") + $BGP_DEAD_AT - $t0" | bc)
	failover6=$(echo "$(probe_first_ok_after "$BGP_DEAD_AT" probe6) + $BGP_DEAD_AT - $t0" | bc)
	log "round $round: zone a killed: route via b1 after ${troute} s, first answer after" \
		"${failover} s (IPv6 ${failover6} s)"
	[ "$(echo "$failover < 3" | bc)" = 1 ] || fail "failover took ${failover} s (limit 3 s)"
	[ "$(echo "$failover6 < 3" | bc)" = 1 ] || fail "IPv6 failover took ${failover6} s (limit 3 s)"
	b1_verdict_is secondary || fail "b1 does not announce: $(lbctl b1 cluster)"
	sleep 1
	before=$(streams_bytes)
	wait_for 15 "every connection moving through b1" streams_all_moved "$before" ||
		fail "connections lost in the failover: $(streams_summary)"
	streams_count_is running $N || fail "connections broke: $(streams_summary)"
	stream_flows "$STREAM" 10 "over IPv6 after the failover (synced to b1)"

	t1=$(now_s)
	bgp_revive a1 a2
	[ "$(rtr_nexthops $VIP4)" = lb1 ] || fail "traffic went back before the hold-down: '$(rtr_nexthops $VIP4)'"
	[ "$(rtr_nexthops $VIP6)" = lb1 ] || fail "IPv6 went back before the hold-down: '$(rtr_nexthops $VIP6)'"
	wait_for 20 "the route back on zone a" rtr_nexthops_are $VIP4 "la1 la2" ||
		fail "zone a did not get the VIP back: '$(rtr_nexthops $VIP4)'; $(lbctl a1 cluster)"
	wait_for 5 "the IPv6 route back on zone a" rtr_nexthops_are $VIP6 "la1 la2" ||
		fail "zone a did not get $VIP6 back: '$(rtr_nexthops $VIP6)'; $(lbctl a1 cluster)"
	tback=$(now_s)
	failback=$(echo "$tback - $t1" | bc)
	log "round $round: zone a back: route returned ${failback} s after the restart began" \
		"(hold-down ${BGP_HOLD_DOWN} ms)"
	[ "$(echo "$failback * 1000 >= $BGP_HOLD_DOWN - 300" | bc)" = 1 ] ||
		fail "failback after ${failback} s, before the hold-down"
	lost=$(probe_failed_between "$t1" "$(now_s)")
	[ "$lost" -le 1 ] || fail "$lost probes unanswered during the failback"
	lost6=$(probe_failed_between "$t1" "$(now_s)" probe6)
	[ "$lost6" -le 1 ] || fail "$lost6 IPv6 probes unanswered during the failback"
	wait_for 10 "b1 idle again" b1_verdict_is $B1_IDLE || fail "b1 still serves: $(lbctl b1 cluster)"
	before=$(streams_bytes)
	wait_for 15 "every connection moving on zone a" streams_all_moved "$before" ||
		fail "connections lost in the failback: $(streams_summary)"
	streams_count_is running $N || fail "connections broke: $(streams_summary)"
	stream_flows "$STREAM" 10 "over IPv6 after the failback"
	for n in a1 a2; do
		holds_flow6 $n || fail "$n came back without the IPv6 flow (dump)"
	done
	echo "mode $BGP_MODE failover_first_answer_s $failover route_s $troute failback_after_restart_s $failback probes_lost_in_failback $lost failover6_first_answer_s $failover6 probes6_lost_in_failback $lost6" >>"$TIMES"
done

probe_stop
streams_stop
streams_count_is done $N || fail "connections did not end cleanly: $(streams_summary)"
stream_stop "$STREAM"
log "failover (kill -> first answer through b1), median of $ROUNDS: $(median $(awk '{print $4}' "$TIMES")) s"
log "IPv6 failover (kill -> first answer through b1), median of $ROUNDS: $(median $(awk '{print $12}' "$TIMES")) s"
log "failback (zone a restarted -> route back), median of $ROUNDS: $(median $(awk '{print $8}' "$TIMES")) s"
cat "$TIMES" >&2
lbctl b1 cluster
