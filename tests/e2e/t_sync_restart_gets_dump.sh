#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A node that restarts from nothing (data plane unloaded, conntrack gone) gets
# its peer's dump before it reports in sync, and that dump alone is enough: once
# it is back, its peer is lost and every connection keeps flowing through it.
# A long-lived IPv6 connection (stream6, 6in4) comes with the dump too.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_cluster.sh"
N=50
cluster_setup

streams_start $N 42000
stream_start "$VIP6" 43000
# (Conditions in functions: wait_for re-runs a command, not a $(...) expanded once.)
ct_entries() { lbctl_json "$1" status | json_get 'd["conntrack_entries"]'; }
holds_flows() { [ "$(ct_entries "$1")" -ge $N ]; }
wait_for 10 "lb1 holds every flow" holds_flows lb1 || fail "lb1 holds $(ct_entries lb1) of $N flows"

# lb2 leaves the ECMP group and restarts from scratch.
ip -n "$(ns rtr)" link set dev l2 down
out=$(lbctl lb2 shutdown --unload 2>&1) || fail "shutdown --unload of lb2: $out"
# pid_alive, not kill -0: the exited agent stays a zombie of this shell until waited.
agent_gone() { ! pid_alive "${AGENT_PID[$1]}"; }
wait_for 10 "lb2's agent to exit" agent_gone lb2 || fail "lb2's agent did not exit after shutdown"
cluster_agent_start lb2
wait_for 10 "lb2 in sync" cluster_in_sync lb2 || fail "lb2 never got in sync: $(lbctl lb2 sync)"
ct=$(lbctl_json lb2 status | json_get 'd["conntrack_entries"]')
dumped=$(cluster_sync lb2 'd["received"]["dump_records"]')
log "lb2 restarted: in sync with $ct conntrack entries, $dumped records from lb1's dump"
[ "$dumped" -ge $N ] || fail "lb2 got $dumped dump records, lb1 holds $N flows"
[ "$ct" -ge $N ] || fail "lb2 is in sync with $ct of $N flows"
cluster_holds_flow lb2 stream6 43000 ||
	fail "lb2's dump lacked the IPv6 flow: $(lbctl lb2 conntrack list stream6)"
logf=$(ls -t "$XLB_RUNDIR"/lb2-agent.log.* | head -1)
dump_line=$(grep -n "dump from node 1 is in" "$logf" | head -1 | cut -d: -f1)
sync_line=$(grep -n "sync: in sync" "$logf" | head -1 | cut -d: -f1)
[ -n "$dump_line" ] && [ -n "$sync_line" ] && [ "$dump_line" -lt "$sync_line" ] ||
	fail "lb2 said in sync before the dump was in: $(grep 'sync:' "$logf" | tr '\n' ' ')"
grep -q "in sync by timeout" "$logf" && fail "lb2 got in sync by timeout, not by the dump"
out=$(lbctl lb2 peers) || fail "lbctl peers: $out"
log "lbctl peers on lb2:"$'\n'"$out"
grep -Eq "^ *1 +a +${CL_SYNC4[lb1]//./\\.} .* yes +done" <<<"$out" ||
	fail "lbctl peers on lb2 does not show lb1 in sync with its dump done: $out"
log "lbctl sync on lb2:"$'\n'"$(lbctl lb2 sync)"

# Back in the group, then lb1 goes: lb2 carries every flow on what the dump taught it.
ip -n "$(ns rtr)" link set dev l2 up
sleep 1
cluster_kill lb1
sleep 3
before=$(streams_bytes)
wait_for 15 "every connection moving through lb2" streams_all_moved "$before" ||
	fail "not every connection survived on the restarted lb2: $(streams_summary)"
streams_count_is running $N || fail "connections broke: $(streams_summary)"
stream_flows "$STREAM" 10 "over IPv6 through the restarted lb2"
streams_stop
stream_stop "$STREAM"
streams_count_is done $N || fail "connections did not end cleanly: $(streams_summary)"
