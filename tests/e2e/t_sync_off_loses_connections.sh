#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The control for t_sync_node_loss_keeps_connections: the same scenario with
# sync off breaks connections (flows moved to the other node are picked anew
# from the changed Maglev table, and the new backend resets them). Proves the
# scenario can fail, so its pass means something.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_cluster.sh"
N=50
CL_SYNC=false
cluster_setup

streams_start $N 41000
cluster_reload_all be1 be2 be3
log "backend be3 added on both nodes"
sleep 1
cluster_kill lb1
sleep 8
failed=$(streams_get 'sum(x["state"] == "failed" for x in c)')
log "without sync: $(streams_summary)"
[ "$failed" -gt 0 ] || fail "every connection survived without sync: the scenario proves nothing"
[ "$failed" -lt $N ] || fail "every connection broke, also lb2's own: $(streams_summary)"
streams_stop
