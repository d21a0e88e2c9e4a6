#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Zone and announcement state in the metrics of a real cluster (BIRD, BGP, ECMP):
# zone-a nodes say primary and see two nodes in zone a, standby b1 says withdrawn;
# when zone a dies, b1's metrics say secondary and count the transition; every
# scrape passes promtool.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_cluster.sh"
source "$(dirname "$0")/lib_bgp.sh"
command -v promtool >/dev/null || fail "promtool missing (Debian package prometheus: make deps)"
bgp_setup

# scrape NODE FILE: the node's /metrics into FILE, checked by promtool.
scrape() {
	nsx "$1" curl -sSf --max-time 5 -o "$2" http://127.0.0.1:9742/metrics ||
		fail "scrape of $1 failed"
	promtool check metrics <"$2" >"$2.promtool" 2>&1 ||
		fail "promtool refused $1's metrics: $(head -3 "$2.promtool")"
}

metric() {
	awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? "none" : v) }' "$1"
}

vip=$(lbctl_json b1 cluster | json_get 'd["vips"][0]["vip"]')
b1_says() {
	scrape b1 "$XLB_RUNDIR/b1.prom"
	[ "$(metric "$XLB_RUNDIR/b1.prom" "xdplb_cluster_vip_announcement{vip=\"$vip\",verdict=\"$1\"}")" = 1 ]
}
# Every VIP starts withdrawn, before b1's first decision (which may be to stand
# in until zone a's hold-down): wait for the decision "zone a serves", then read.
b1_standing_by() {
	[ "$(lbctl_json b1 cluster | json_get 'd["vips"][0]["why"].split(" ")[0]')" = standby: ]
}
wait_for 10 "b1 decided to stand by" b1_standing_by || fail "b1 stands in: $(lbctl b1 cluster)"
wait_for 10 "b1 standby in its metrics" b1_says withdrawn ||
	fail "b1 not withdrawn: $(grep "vip_announcement{vip=\"$vip\"" "$XLB_RUNDIR/b1.prom")"

scrape a1 "$XLB_RUNDIR/a1.prom"
a1=$XLB_RUNDIR/a1.prom
[ "$(metric "$a1" "xdplb_cluster_vip_announcement{vip=\"$vip\",verdict=\"primary\"}")" = 1 ] ||
	fail "a1 does not say primary for $vip: $(grep 'cluster_vip_announcement{' "$a1")"
[ "$(metric "$a1" 'xdplb_cluster_zone_nodes{zone="a"}')" = 2 ] ||
	fail "a1 sees $(metric "$a1" 'xdplb_cluster_zone_nodes{zone="a"}') nodes in zone a"
[ "$(metric "$a1" 'xdplb_cluster_zone_nodes{zone="b"}')" = 1 ] ||
	fail "a1 sees $(metric "$a1" 'xdplb_cluster_zone_nodes{zone="b"}') nodes in zone b"
[ "$(metric "$a1" xdplb_cluster_ready)" = 1 ] || fail "a1 not ready"
[ "$(metric "$a1" "xdplb_cluster_vip_served_by_zone{vip=\"$vip\",zone=\"a\"}")" = 1 ] ||
	fail "a1 does not see zone a serving $vip"
t0=$(metric "$XLB_RUNDIR/b1.prom" xdplb_cluster_transitions_total)

bgp_kill a1 a2
log "zone a killed"
wait_for 10 "b1 secondary in its metrics" b1_says secondary ||
	fail "b1 did not take over: $(grep "vip_announcement{vip=\"$vip\"" "$XLB_RUNDIR/b1.prom")"
b1=$XLB_RUNDIR/b1.prom
t1=$(metric "$b1" xdplb_cluster_transitions_total)
log "b1: transitions $t0 -> $t1, zone a nodes $(metric "$b1" 'xdplb_cluster_zone_nodes{zone="a"}')"
[ "$t1" -gt "$t0" ] || fail "b1's transitions_total did not move ($t0 -> $t1)"
[ "$(metric "$b1" 'xdplb_cluster_zone_nodes{zone="a"}')" = 0 ] ||
	[ "$(metric "$b1" 'xdplb_cluster_zone_nodes{zone="a"}')" = none ] ||
	fail "b1 still counts zone-a nodes: $(grep zone_nodes "$b1")"
[ "$(metric "$b1" "xdplb_cluster_vip_served_by_zone{vip=\"$vip\",zone=\"b\"}")" = 1 ] ||
	fail "b1 does not see zone b serving $vip: $(grep served_by "$b1")"
