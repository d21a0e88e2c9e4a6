#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Second chance (docs/SECOND_CHANCE.md) end to end, sync off, a GUE VIP, two
# balancer nodes behind ECMP. Each scenario runs with second_chance false (the
# control: it must break something) and true (it must break nothing):
#   (a) long-lived streams; a backend is added (slots move), then node lb1
#       dies: lb2 has no conntrack for lb1's streams and re-picks them;
#   (b) handshakes in flight: the client's ACKs held back (an XDP drop on the
#       router) while the backend is added and lb1 dies;
#   (c) conntrack evicted on purpose (a 1024-entry table, a flood of ACKs
#       for made-up flows) while the backend set changed: streams survive;
#   (d) no loops: ACKs no backend owns are handed on once and then dropped:
#       forwarded == dropped as unowned, each counted.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_cluster.sh"
N=40 # streams per round (each node carries about half)
H=40 # handshakes per round
CL_SYNC=false
CL_CONNTRACK_SIZE=1024

# The backends accept GUE on the stream VIP (lib.sh writes IPIP VIPs).
eval "$(declare -f be_config_write | sed 1s/be_config_write/be_config_write_ipip/)"
be_config_write() {
	be_config_write_ipip "$@"
	sed -i 's/{name: stream4, /{name: stream4, encapsulation: gue, /' "$2"
}

sc_vip() { CL_VIP_EXTRA="    encapsulation: gue
    second_chance: $1"; }

# sc_sum OUTCOME NODES...: second chance packets of that outcome summed over NODES.
sc_sum() {
	local outcome=$1 n sum=0 v
	shift
	for n in "$@"; do
		v=$(lbctl_json "$n" stats | json_get "d['second_chance']['$outcome']['packets']") ||
			fail "no second_chance counters on $n"
		sum=$((sum + v))
	done
	echo $sum
}

# round_reset SECOND_CHANCE: lb1 back on the router, the VIP on be1 and be2 again.
round_reset() {
	sc_vip "$1"
	ip -n "$(ns rtr)" link set dev l1 up
	cluster_reload_all be1 be2
	wait_for 10 "lb1 answering pings" nsx cli ping -c1 -W1 -q "${CL_LB4[lb1]}" ||
		fail "lb1 unreachable after its link came back"
}

# The slots move (be3 added on both nodes), then lb1 dies.
move_and_kill() {
	cluster_reload_all be1 be2 be3
	cluster_kill lb1
}

sc_vip false
cluster_setup
for be in $BACKENDS; do
	# The agent checks forwarding and says so; it never turns it on itself.
	fwd_off="forwarding off on rtr0 (net.ipv4.conf.rtr0.forwarding=0)"
	st=$(lbctl_json "$be" status | json_get 'd["second_chance"]')
	[ "$st" = "$fwd_off" ] || fail "$be status second_chance '$st', not '$fwd_off'"
	grep -q "net.ipv4.conf.rtr0.forwarding is 0" "$XLB_RUNDIR/$be-agent.log."* ||
		fail "$be agent did not warn that forwarding is off"
	# A backend hands packets on through the router with XDP_TX: the router's end
	# needs an XDP program; bpf_fib_lookup needs forwarding on the interface the
	# packets come in on (docs/SECOND_CHANCE.md) and the neighbour of the next hop.
	nsx "$be" sysctl -qw net.ipv4.conf.rtr0.forwarding=1 || fail "forwarding on $be"
	st=$(lbctl_json "$be" status | json_get 'd["second_chance"]')
	[ "$st" = ready ] || fail "$be status second_chance '$st' with forwarding on"
	ip -n "$(ns rtr)" link set dev "$be" xdp obj "$(xdp_pass_obj)" sec xdp ||
		fail "cannot attach XDP_PASS on the router's $be"
	nsx "$be" ping -c1 -W1 -q "${BE_RTR4[$be]}" >/dev/null || fail "$be cannot ping its router"
done

# (a) streams moved to a node without their conntrack entries.
declare -A BROKEN
port=41000
for sc in false true; do
	round_reset $sc
	streams_start $N $port
	move_and_kill
	sleep 3
	BROKEN[$sc]=$(streams_get 'sum(x["state"] == "failed" for x in c)')
	log "(a) second_chance $sc: ${BROKEN[$sc]} of $N streams broken: $(streams_summary)"
	streams_stop
	[ $sc = false ] || streams_count_is done $N || fail "(a) streams not intact: $(streams_summary)"
	port=$((port + 100))
done
[ "${BROKEN[false]}" -gt 0 ] || fail "(a) nothing broke without second chance: proves nothing"
named=$(sc_sum named lb2)
fwd=$(sc_sum forwarded $BACKENDS)
log "(a) lb2 named a previous backend $named times, backends forwarded $fwd"
[ "$fwd" -gt 0 ] || fail "(a) no backend forwarded a packet"

# (b) handshakes whose ACK reaches the other node, after the slots moved.
declare -A DONE
for sc in false true; do
	round_reset $sc
	ip -n "$(ns rtr)" link set dev cli0 xdp obj "$(bpf_obj_build "$TOOLS_DIR/xdp_hold_acks.bpf.c")" \
		sec xdp || fail "cannot hold back the client's ACKs on the router's cli0"
	streams_launch $H $port
	sleep 1 # every SYN answered, no ACK through
	move_and_kill
	ip -n "$(ns rtr)" link set dev cli0 xdp off
	# The backends send their SYN-ACK again after 1 s and 3 s; the client answers each.
	wait_for 8 "handshakes settled" streams_count_is connecting 0
	DONE[$sc]=$(streams_get 'sum(x["state"] == "running" for x in c)')
	log "(b) second_chance $sc: ${DONE[$sc]} of $H handshakes in flight completed: $(streams_summary)"
	streams_stop
	port=$((port + 100))
done
[ "${DONE[false]}" -lt $H ] || fail "(b) every handshake completed without second chance"
[ "${DONE[true]}" = $H ] || fail "(b) with second chance only ${DONE[true]} of $H completed"

# (c) conntrack evicted by a flood while the slots have moved; both nodes up.
round_reset true
streams_start $N $port
cluster_reload_all be1 be2 be3
# lbctl explain: a flow Maglev now gives be3 sits in a slot that moved off be1 or be2,
# and a packet of it with no conntrack entry names that backend.
for p in $(seq 60000 60099); do
	e=$(lbctl_json lb2 explain "$CLI4:$p" "$VIP4:$STREAM_PORT") || fail "(c) lbctl explain failed"
	[ "$(json_get 'd["backend"]' <<<"$e")" = "${BE4[be3]}" ] && break
done
named=$(json_get 'd["second_chance"]["backend"]' <<<"$e")
[ "$named" = "${BE4[be1]}" ] || [ "$named" = "${BE4[be2]}" ] ||
	fail "(c) lbctl explain of a flow moved to be3 names '$named', not be1 or be2: $e"
lbctl lb2 explain "$CLI4:$p" "$VIP4:$STREAM_PORT" | grep -q "names the previous backend $named " ||
	fail "(c) lbctl explain does not say the flow names $named"
log "(c) lbctl explain: $CLI4:$p goes to be3 and names $named"
ct_streams() {
	lbctl_json "$1" conntrack list --limit 10000 |
		json_get "sum($port <= e['client_port'] < $port + $N for e in d['entries'])"
}
before=$(($(ct_streams lb1) + $(ct_streams lb2)))
nsx cli timeout 60 $PYTHON "$TOOLS_DIR/tcp_ack_probe.py" $CLI4 $VIP4 $STREAM_PORT 2000 20000 2 \
	>/dev/null || fail "(c) flood failed"
after=$(($(ct_streams lb1) + $(ct_streams lb2)))
log "(c) conntrack entries of the $N streams: $before before the flood, $after after"
[ "$after" -lt "$before" ] || fail "(c) the flood evicted no stream's entry: proves nothing"
sleep 2
snap=$(streams_bytes)
wait_for 5 "every stream moving after the flood" streams_all_moved "$snap" ||
	fail "(c) streams stalled: $(streams_summary)"
streams_stop
streams_count_is done $N || fail "(c) streams not intact after eviction: $(streams_summary)"
log "(c) all $N streams intact after $((before - after)) conntrack entries evicted"

# (d) no loops: ACKs for tuples no host owns.
fwd0=$(sc_sum forwarded $BACKENDS)
drop0=$(sc_sum unowned $BACKENDS)
named0=$(sc_sum named $CL_NODES)
nsx cli $PYTHON "$TOOLS_DIR/tcp_ack_probe.py" $CLI4 $VIP4 $STREAM_PORT 30000 300 1 >/dev/null ||
	fail "(d) probe failed"
sleep 1
fwd=$(($(sc_sum forwarded $BACKENDS) - fwd0))
drop=$(($(sc_sum unowned $BACKENDS) - drop0))
named=$(($(sc_sum named $CL_NODES) - named0))
log "(d) 300 unowned ACKs: $named named a previous backend, $fwd forwarded, $drop dropped as loops"
[ "$fwd" -gt 0 ] || fail "(d) no unowned ACK was forwarded"
[ "$fwd" = "$drop" ] || fail "(d) forwarded $fwd but dropped $drop: a packet went on again"
[ "$fwd" -le "$named" ] || fail "(d) more forwarded ($fwd) than named ($named)"
log "summary: streams broken without/with second chance ${BROKEN[false]}/${BROKEN[true]} of $N;" \
	"handshakes completed ${DONE[false]}/${DONE[true]} of $H; loop packets dropped $drop"
