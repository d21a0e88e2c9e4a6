#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The xdplb demo: the whole cluster in namespaces (xlb-demo-*). `demo.sh up`
# builds a router running BIRD (ECMP, BFD), two LB nodes in zone a and one in
# zone b (lbagent with sync and cluster, each with its own BIRD), three
# backends running real servers and a client; sends real traffic and shows what
# lbctl and the router see. `demo.sh kill NODE...` cuts nodes' power (a1 a2: the
# whole zone a), `demo.sh revive NODE...` brings them back, `demo.sh down`
# removes everything, also after a partial setup. The topology and helpers are
# the cluster tests' (tests/e2e/lib_bgp.sh); docs/DEMO.md has the picture.
# Binaries come from $XDPLB_BIN (default .output, built by `make demo`).
set -u

XLB_PREFIX=xlb-demo-
XLB_RUNDIR=/run/xlb-demo
XLB_LIFETIME=0 # the servers run until `demo.sh down`
# shellcheck source=../tests/e2e/lib.sh
source "$(dirname "$0")/../tests/e2e/lib.sh"
# shellcheck source=../tests/e2e/lib_bgp.sh
source "$(dirname "$0")/../tests/e2e/lib_bgp.sh"

# Beside the tests' VIPs (stream4, web4b): HTTP and UDP on VIP4 over every backend.
BGP_VIPS_EXTRA="  - name: web4
    address: $VIP4
    port: $HTTP_PORT
    protocol: tcp
    zones: {primary: a, secondary: b}
    health: {type: tcp, interval: 1s, timeout: 500ms, rise: 2, fall: 2}
    backends:
      - address: \"${BE4[be1]}\"
      - address: \"${BE4[be2]}\"
      - address: \"${BE4[be3]}\"
  - name: udp4
    address: $VIP4
    port: $UDP_PORT
    protocol: udp
    zones: {primary: a, secondary: b}
    backends:
      - address: \"${BE4[be1]}\"
      - address: \"${BE4[be2]}\"
      - address: \"${BE4[be3]}\""
# shellcheck source=demo_l7.sh
source "$(dirname "$0")/demo_l7.sh"

# Stops what the demo started (pids it recorded, checked to live in a demo
# namespace), then the namespaces and the demo's bpffs.
demo_down() {
	local pid n
	if [ -f "$XLB_RUNDIR/pids" ]; then
		while read -r pid; do
			kill -0 "$pid" 2>/dev/null || continue
			case $(ip netns identify "$pid" 2>/dev/null) in
			"$XLB_PREFIX"*) stop_pid "$pid" ;;
			esac
		done <"$XLB_RUNDIR/pids"
	fi
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$XLB_PREFIX"); do
		for pid in $(ip netns pids "$n" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$n"
	done
	if mountpoint -q "$XLB_RUNDIR/bpffs"; then
		# maps.debug and progs.debug belong to the kernel: only our pins go.
		rm -rf "${XLB_RUNDIR:?}/bpffs/"* 2>/dev/null
		umount "$XLB_RUNDIR/bpffs"
	fi
	rm -rf "$XLB_RUNDIR"
}

# A failed `up` leaves nothing behind. It replaces lib.sh's cleanup, which
# e2e_init (through bgp_setup) installs: a demo that came up must stay up.
e2e_cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ "$rc" -ne 0 ]; then
		echo "demo: setup failed, tearing down; last log lines:" >&2
		tail -n 3 "$XLB_RUNDIR"/*.log* 2>/dev/null >&2
		demo_down
	fi
	exit "$rc"
}

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# show NODE ARGS...: an lbctl command as the reader would type it, then its output.
show() {
	local node=$1
	shift
	printf '$ ip netns exec %s%s lbctl -s %s %s\n' "$XLB_PREFIX" "$node" "$(agent_sock "$node")" "$*"
	lbctl "$node" "$@"
	echo
}

# One line per LB node: its cluster verdict for VIP4 and the packets it forwarded.
nodes_summary() {
	local n
	for n in $BGP_NODES; do
		printf '  %s (zone %s): %-10s forwarded %s packets\n' "$n" "${BGP_ZONE[$n]}" \
			"$(lbctl_json "$n" cluster | json_get 'd["vips"][0]["verdict"]')" \
			"$(bgp_forwarded "$n")"
	done
}

b1_withdrawn() { [ "$(lbctl_json b1 cluster | json_get 'd["vips"][0]["verdict"]')" = withdrawn ]; }

demo_up() {
	local i body t0
	[ "$(id -u)" -eq 0 ] || { echo "demo: needs root" >&2; exit 1; }
	[ -x "$LBAGENT" ] && [ -x "$LBCTL" ] || { echo "demo: build first (make all)" >&2; exit 1; }
	command -v bird >/dev/null || { echo "demo: needs BIRD (apt-get install bird2)" >&2; exit 1; }
	demo_down
	t0=$SECONDS

	section "cluster: router (BIRD, ECMP), a1 a2 in zone a, b1 in zone b, be1..be3, client"
	bgp_setup
	wait_for 10 "HTTP through $VIP4" http_probe $VIP4 || fail "no HTTP answer through $VIP4"
	# b1 announces while zone a is within its hold-down, then stands by: show the steady state.
	wait_for 10 "b1 standing by" b1_withdrawn || fail "b1 still announces: $(lbctl b1 cluster)"
	echo "up in $((SECONDS - t0)) s; namespaces: $(ip netns list | awk '{print $1}' |
		grep "^$XLB_PREFIX" | sort | tr '\n' ' ')"
	echo "every node: lbagent (XDP on rtr0, sync on sync0, cluster) + bird; configs in $XLB_RUNDIR"

	section "the router's view: BGP routes from the nodes, merged into one ECMP route"
	echo "\$ ip netns exec ${XLB_PREFIX}rtr ip route show $VIP4"
	ip -n "$(ns rtr)" route show $VIP4
	echo "\$ ip netns exec ${XLB_PREFIX}rtr birdc -s $XLB_RUNDIR/run/bird-rtr.ctl show route"
	birdc_ns rtr show route

	section "traffic: curl and UDP from the client namespace to VIP $VIP4"
	for i in $(seq 6); do
		body=$(nsx cli curl -s -m 2 --local-port $((30000 + i)) "http://$VIP4/")
		printf '$ curl --local-port %d http://%s/   -> %s\n' $((30000 + i)) "$VIP4" "$body"
	done
	echo "300 connections from distinct client ports:"
	client http --vip $VIP4 --port $HTTP_PORT --first-port 31000 --count 300 | http_summary
	echo "UDP: 60 datagrams to $VIP4:$UDP_PORT, each answered by a backend from the VIP:"
	client udp --vip $VIP4 --port $UDP_PORT --first-port 32000 --count 60 | http_summary
	printf '$ echo hello | socat - UDP:%s:%s   -> ' "$VIP4" "$UDP_PORT"
	echo hello | nsx cli timeout 3 socat -t 1 - "UDP:$VIP4:$UDP_PORT"
	echo "the router spreads flows over zone a (b1 stands by):"
	nodes_summary

	# Background traffic so the counters keep moving while you look around:
	# one request a second for ten minutes at most.
	bg cli "$XLB_RUNDIR/traffic.log" timeout 600 bash -c \
		"for i in \$(seq 600); do curl -s -m 1 http://$VIP4/; sleep 1; done"

	section "layer 7: HTTPS on $VIP4:443, terminated by HAProxy on proxy node be3"
	demo_l7_up
	demo_l7_show

	section "what node a1 sees"
	show a1 status
	show a1 vip list
	show a1 backend list
	show a1 peers
	show a1 cluster
	show a1 stats
	section "what node b1 (zone b, standby) sees"
	show b1 cluster

	trap - EXIT INT TERM
	section "look around"
	cat <<-EOF
	  ip netns exec ${XLB_PREFIX}a1 $LBCTL -s $(agent_sock a1) conntrack list
	  ip netns exec ${XLB_PREFIX}a2 $LBCTL -s $(agent_sock a2) sync
	  ip netns exec ${XLB_PREFIX}a1 ip route show table $BGP_TABLE   # what a1 announces
	  ip netns exec ${XLB_PREFIX}rtr birdc -s $XLB_RUNDIR/run/bird-rtr.ctl show protocols
	  ip netns exec ${XLB_PREFIX}rtr birdc -s $XLB_RUNDIR/run/bird-rtr.ctl show bfd sessions
	  ip netns exec ${XLB_PREFIX}cli curl http://$VIP4/
	  ip netns exec ${XLB_PREFIX}be1 tcpdump -ni rtr0        # IPIP arriving at a backend
	  configs: $XLB_RUNDIR/{a1,a2,b1,be1,be2,be3}.yaml, $XLB_RUNDIR/bird-*.conf
	  logs:    $XLB_RUNDIR/*.log*

	try a failover (watch: watch -n 0.5 ip -n ${XLB_PREFIX}rtr route show $VIP4):
	  bash $0 kill a1          # one node: the router drops it (BFD), a2 carries on
	  bash $0 revive a1        # back after the hold-down (${BGP_HOLD_DOWN} ms)
	  bash $0 kill a1 a2       # the whole zone a: b1 announces, the route moves to lb1
	  bash $0 revive a1 a2
	  ip netns exec ${XLB_PREFIX}b1 $LBCTL -s $(agent_sock b1) cluster

	tear down: make demo-down
	EOF
}

# demo_node_pids NODE: fills AGENT_PID and BIRD_PID from what runs in NODE's namespace.
demo_node_pids() {
	local pid
	for pid in $(ip netns pids "$(ns "$1")" 2>/dev/null); do
		case $(cat "/proc/$pid/comm" 2>/dev/null) in
		lbagent) AGENT_PID[$1]=$pid ;;
		bird) BIRD_PID[$1]=$pid ;;
		esac
	done
}

# demo_kill NODE...: lib_bgp's power cut (tc drops every packet, agent and BIRD killed).
demo_kill() {
	local n
	for n in "$@"; do
		[ -n "${BGP_ZONE[$n]:-}" ] || fail "no node $n (nodes: $BGP_NODES)"
		[ -e "/run/netns/$(ns "$n")" ] || fail "the demo is not up"
		AGENT_PID[$n]=
		BIRD_PID[$n]=
		demo_node_pids "$n"
		[ -n "${AGENT_PID[$n]}" ] || fail "$n is not running (demo.sh revive $n)"
	done
	bgp_kill "$@"
	for n in "$@"; do
		wait_for 5 "$n's processes gone" demo_node_dead "$n"
	done
	echo "killed $*; the router now routes $VIP4: $(ip -n "$(ns rtr)" route show $VIP4 | tr -s ' \n' ' ')"
}
demo_node_dead() { ! pid_alive "${AGENT_PID[$1]}" && ! pid_alive "${BIRD_PID[$1]}"; }

demo_revive() {
	local n
	for n in "$@"; do
		[ -n "${BGP_ZONE[$n]:-}" ] || fail "no node $n (nodes: $BGP_NODES)"
		demo_node_pids "$n"
		[ -z "${AGENT_PID[$n]:-}" ] || fail "$n is running"
	done
	bgp_revive "$@"
	echo "revived $*; routes come back after the hold-down (${BGP_HOLD_DOWN} ms):"
	echo "  watch -n 0.5 ip -n ${XLB_PREFIX}rtr route show $VIP4"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
up) demo_up ;;
kill | revive)
	[ $# -gt 0 ] || { echo "usage: $0 $cmd NODE... (nodes: $BGP_NODES)" >&2; exit 2; }
	"demo_$cmd" "$@"
	;;
down)
	demo_down
	echo "demo: down"
	;;
*)
	echo "usage: $0 up|down|kill NODE...|revive NODE..." >&2
	exit 2
	;;
esac
