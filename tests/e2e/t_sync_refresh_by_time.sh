#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# sync.refresh_seconds re-sends long-lived flows by time: with packet-count
# refreshes off, established connections are not re-sent at all; once a reload
# sets refresh_seconds: 1, each of them is re-sent about once a second, and the
# peer's copy of a flow it never carries stays as fresh as the flow.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_cluster.sh"
N=6
WINDOW=5
CL_SYNC_EXTRA="  refresh_packets: 0"
cluster_setup

# Records both nodes received: every event either node sent reaches the other.
received() { echo $(($(cluster_sync lb1 'd["received"]["records"]') + $(cluster_sync lb2 'd["received"]["records"]'))); }

streams_start $N 43000
sleep 2 # every flow past its 3rd packet: its one "established" record is out
r0=$(received)
sleep $WINDOW
r1=$(received)
quiet=$((r1 - r0))
log "refresh_seconds off: $quiet records in ${WINDOW}s for $N connections"
[ "$quiet" -lt "$N" ] || fail "$quiet records in ${WINDOW}s with every refresh off"

CL_SYNC_EXTRA=$'  refresh_packets: 0\n  refresh_seconds: 1'
cluster_reload_all be1 be2
sleep 2
r2=$(received)
sleep $WINDOW
r3=$(received)
busy=$((r3 - r2))
log "refresh_seconds 1: $busy records in ${WINDOW}s for $N connections"
# About one per connection a second (the flow cache visits conntrack at least once a second).
[ "$busy" -ge $((N * (WINDOW - 2))) ] ||
	fail "$busy records in ${WINDOW}s for $N connections refreshed every second"
[ "$busy" -le $((N * (WINDOW + 2))) ] ||
	fail "$busy records in ${WINDOW}s: more than one a second per connection"

# The peer holds every flow, and its copies are as fresh as the flows (idle at most ~2 s).
for n in lb1 lb2; do
	out=$(lbctl_json "$n" conntrack list) || fail "lbctl conntrack list on $n: $out"
	stale=$(json_get "sum(1 for e in d['entries'] if e.get('idle_s', e.get('idle', 0)) > 3)" <<<"$out")
	log "$n: $(json_get "len(d['entries'])" <<<"$out") entries, $stale idle more than 3 s"
	[ "$stale" = 0 ] || fail "$n holds $stale flows idle more than 3 s: refreshes did not reach it"
done
streams_stop
streams_count_is done $N || fail "connections did not end cleanly: $(streams_summary)"
