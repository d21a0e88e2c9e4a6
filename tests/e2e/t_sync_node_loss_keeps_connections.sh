#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Connection sync keeps every connection when a node goes: 50 long-lived TCP
# connections spread by ECMP over two LB nodes; a backend is added (Maglev
# tables change, so a node without the flow's state would pick anew); then the
# router loses one node and all its flows move to the other: every connection
# keeps flowing, every byte checked. A long-lived IPv6 connection (stream6, on
# the IPv4-only backends in 6in4) is held by both nodes and kept the same way.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_cluster.sh"
N=50
cluster_setup

streams_start $N 41000
stream_start "$VIP6" 43000
# Both nodes carry flows (ECMP), and each knows the other's.
# (Conditions in functions: wait_for re-runs a command, not a $(...) expanded once.)
sends_records() { [ "$(cluster_sync "$1" 'd["sent"]["records"]')" -gt 0 ]; }
ct_entries() { lbctl_json "$1" status | json_get 'd["conntrack_entries"]'; }
holds_flows() { [ "$(ct_entries "$1")" -ge $N ]; }
for n in $CL_NODES; do
	wait_for 10 "$n sends records" sends_records $n ||
		fail "$n synced nothing: is ECMP spreading? $(lbctl $n sync)"
	wait_for 10 "$n holds every flow" holds_flows $n ||
		fail "$n holds $(ct_entries $n) of $N flows"
	wait_for 10 "$n holds the IPv6 flow" cluster_holds_flow $n stream6 43000 ||
		fail "$n never held the IPv6 flow: $(lbctl $n conntrack list stream6)"
done

cluster_reload_all be1 be2 be3
log "backend be3 added on both nodes"
sleep 1
cluster_kill lb1
# Past TCP's retransmission of what the dead link swallowed, every connection moves data.
sleep 3
before=$(streams_bytes)
wait_for 15 "every connection moving after the failover" streams_all_moved "$before" ||
	fail "not every connection survived lb1's loss: $(streams_summary)"
streams_count_is running $N || fail "connections broke: $(streams_summary)"
stream_flows "$STREAM" 10 "over IPv6 after lb1's loss"
applied=$(cluster_sync lb2 'd["applied"]')
rejected=$(cluster_sync lb2 'sum(d["rejected"].values())')
log "lb2: $applied records applied, $rejected rejected; $(streams_summary)"
[ "$rejected" = 0 ] || fail "lb2 rejected sync records: $(lbctl lb2 sync)"

streams_stop
stream_stop "$STREAM"
streams_count_is done $N || fail "connections did not end cleanly: $(streams_summary)"
