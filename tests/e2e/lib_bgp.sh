# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Three LB nodes in two zones announcing by BGP (BIRD 2 with BFD) to a router
# that runs BIRD too and spreads the VIPs by ECMP, for the cluster tests
# (t_cluster_*.sh). Source it after lib.sh and lib_cluster.sh (the streams).
#
#   client (cli) -- router (rtr, BIRD AS 64500, ECMP, L4 hash, both families)
#   203.0.113.2     --la1-- a1 rtr0 198.51.100.2/29   2001:db8:10:1::2  zone a  \
#   2001:db8:c1::2  --la2-- a2 rtr0 198.51.100.10/29  2001:db8:10:2::2  zone a   > BIRD AS 64512
#                   --lb1-- b1 rtr0 198.51.100.66/29  2001:db8:10:3::2  zone b  /
#                   -- be1, be2, be3 as in lib.sh, IPv4 only (IPv6 replies by link-local)
#   a1, a2, b1 sync0 203.0.113.65..67/29 on a bridge in its own namespace (sw)
#
# VIPs: stream4 (VIP4:7000 on be1, be2), stream6 (VIP6:7000 on be1, be2 in
# 6in4), web4b and web6b (VIP4B:80, VIP6B:80 on be3, TCP health checks of its
# IPv4 address), all primary zone a,
# secondary zone b. Each agent puts the VIP routes it decides to announce in
# table 100; its BIRD learns and exports them, IPv4 routes over the IPv4 BGP
# session and IPv6 ones over the IPv6 session, each with BFD 100 ms x 3.
#
# BGP_UNDERLAY=6: an IPv6-only underlay. No IPv4 address on any link (client,
# router, nodes, sync, backends); the sync channel is IPv6 multicast
# (2001:db8:5::1..3 on sync0, group ff02::1:88), BGP and BFD run over the IPv6
# sessions only (uplink disabled), the backends have IPv6 addresses only
# (6in6), and the VIPs are IPv6: stream6 (be1, be2) and web6b (be3).

BGP_NODES="a1 a2 b1"
declare -A BGP_ZONE=([a1]=a [a2]=a [b1]=b)
declare -A BGP_ID=([a1]=1 [a2]=2 [b1]=3)
declare -A BGP_LB4=([a1]=198.51.100.2 [a2]=198.51.100.10 [b1]=198.51.100.66)
declare -A BGP_RTR4=([a1]=198.51.100.1 [a2]=198.51.100.9 [b1]=198.51.100.65)
declare -A BGP_LB6=([a1]=2001:db8:10:1::2 [a2]=2001:db8:10:2::2 [b1]=2001:db8:10:3::2)
declare -A BGP_RTR6=([a1]=2001:db8:10:1::1 [a2]=2001:db8:10:2::1 [b1]=2001:db8:10:3::1)
declare -A BGP_RTR_IF=([a1]=la1 [a2]=la2 [b1]=lb1)
declare -A BGP_SYNC4=([a1]=203.0.113.65 [a2]=203.0.113.66 [b1]=203.0.113.67)
declare -A BGP_SYNC6=([a1]=2001:db8:5::1 [a2]=2001:db8:5::2 [b1]=2001:db8:5::3)
BGP_UNDERLAY=${BGP_UNDERLAY:-46}
declare -A BGP_TUN=([a1]=198.51.100.240/28 [a2]=198.51.100.224/28 [b1]=198.51.100.208/28)
declare -A BIRD_PID=()
BGP_GROUP=239.255.88.2
BGP_TABLE=100
BGP_HOLD_DOWN=${BGP_HOLD_DOWN:-3000}
BGP_MODE=${BGP_MODE:-standby}
BIRD_CONF_DIR=$REPO_DIR/configs/bird
PROBE_PY=
PROBE_PIDS=()
# More VIPs for every node's config (YAML list items, two-space indent; the demo's).
BGP_VIPS_EXTRA=${BGP_VIPS_EXTRA:-}
# The backends have IPv4 addresses only: stream6 reaches them in 6in4 (IPv6
# only on an IPv6-only underlay: 6in6).
BE_FAMILIES=4
[ "$BGP_UNDERLAY" = 6 ] && BE_FAMILIES=6
# True unless the underlay is IPv6 only.
bgp_has_v4() { [ "$BGP_UNDERLAY" != 6 ]; }

# --- topology ---------------------------------------------------------------

bgp_topo_create() {
	local n
	for n in cli rtr sw $BGP_NODES $BACKENDS; do
		ip netns add "$(ns "$n")" || fail "netns $(ns "$n")"
		ip -n "$(ns "$n")" link set lo up
		nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	nsx rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv6.fib_multipath_hash_policy=1

	veth_pair cli rtr0 rtr cli0 1500
	addr_add cli rtr0 $CLI6/64
	addr_add rtr cli0 2001:db8:c1::1/64
	ip -n "$(ns cli)" -6 route add default via 2001:db8:c1::1
	if bgp_has_v4; then
		addr_add cli rtr0 $CLI4/24
		addr_add rtr cli0 203.0.113.1/24
		ip -n "$(ns cli)" route add default via 203.0.113.1
	fi
	nsx cli ethtool -K rtr0 tx off >/dev/null || fail "ethtool tx off on the client"

	ip -n "$(ns sw)" link add br0 type bridge || fail "bridge in sw"
	ip -n "$(ns sw)" link set br0 up
	for n in $BGP_NODES; do
		veth_pair "$n" rtr0 rtr "${BGP_RTR_IF[$n]}" $INNER_MTU
		if bgp_has_v4; then
			addr_add "$n" rtr0 "${BGP_LB4[$n]}/29"
			addr_add rtr "${BGP_RTR_IF[$n]}" "${BGP_RTR4[$n]}/29"
			ip -n "$(ns "$n")" route add default via "${BGP_RTR4[$n]}"
		fi
		addr_add "$n" rtr0 "${BGP_LB6[$n]}/64"
		addr_add rtr "${BGP_RTR_IF[$n]}" "${BGP_RTR6[$n]}/64"
		ip -n "$(ns "$n")" -6 route add default via "${BGP_RTR6[$n]}"
		ip -n "$(ns rtr)" link set dev "${BGP_RTR_IF[$n]}" xdp obj "$(xdp_pass_obj)" sec xdp ||
			fail "cannot attach XDP_PASS on the router's ${BGP_RTR_IF[$n]}"
		nsx rtr ethtool -K "${BGP_RTR_IF[$n]}" tx off >/dev/null ||
			fail "ethtool tx off on ${BGP_RTR_IF[$n]}"
		veth_pair "$n" sync0 sw "s$n" 1500
		ip -n "$(ns sw)" link set "s$n" master br0
		if bgp_has_v4; then
			addr_add "$n" sync0 "${BGP_SYNC4[$n]}/29"
		else
			addr_add "$n" sync0 "${BGP_SYNC6[$n]}/64"
		fi
	done
	backends_link ipv6
	for n in $BGP_NODES; do
		bgp_has_v4 && nsx "$n" ping -c1 -W1 -q "${BGP_RTR4[$n]}" >/dev/null 2>&1
		nsx "$n" ping -6 -c1 -W1 -q "${BGP_RTR6[$n]}" >/dev/null 2>&1
	done
	return 0
}

# A tc program that drops everything: a node "loses power" without a FIN or an
# ICMP error leaving it, so only BFD can tell the router (no gact module here).
tc_drop_obj() {
	local obj=$XLB_RUNDIR/tc_drop.bpf.o
	[ -s "$obj" ] && echo "$obj" && return 0
	printf '%s\n' '#include <linux/bpf.h>' '#define SEC(n) __attribute__((section(n), used))' \
		'SEC("tc") int drop(struct __sk_buff *skb) { return 2; /* TC_ACT_SHOT */ }' \
		'char _license[] SEC("license") = "GPL";' >"$XLB_RUNDIR/tc_drop.bpf.c"
	clang -O2 -target bpf -I"/usr/include/$(gcc -print-multiarch)" \
		-c "$XLB_RUNDIR/tc_drop.bpf.c" -o "$obj" || fail "clang tc_drop.bpf.c"
	echo "$obj"
}

# --- configs ------------------------------------------------------------------

bgp_config_write() {
	local node=$1
	cat >"$XLB_RUNDIR/$node.yaml" <<-YAML
	# Generated by tests/e2e/lib_bgp.sh.
	node:
	  id: ${BGP_ID[$node]}
	  zone: ${BGP_ZONE[$node]}
	  role: balancer
	  interface: rtr0
	  addresses: [$(bgp_has_v4 && echo "${BGP_LB4[$node]}, ")"${BGP_LB6[$node]}"]
	  $(bgp_has_v4 && echo "tunnel_source: {ipv4: ${BGP_TUN[$node]}}")
	  mtu: $INNER_MTU
	  hash_seed: 0x5eed
	  conntrack_size: 65536
	  control: {socket: $XLB_RUNDIR/run/$node.sock}
	  bpffs: $XLB_RUNDIR/bpffs/$node
	sync:
	  enabled: true
	  group: $(bgp_has_v4 && echo $BGP_GROUP || echo ff02::1:88)
	  interface: sync0
	  key_file: $XLB_RUNDIR/sync.key
	  heartbeat_interval: 100
	  peer_timeout: 300
	  dump_timeout: 3000
	cluster:
	  enabled: true
	  announce_table: $BGP_TABLE
	  secondary_mode: $BGP_MODE
	  hold_down: $BGP_HOLD_DOWN
	  interval: 50
	vips:
	$(bgp_vips)
	${BGP_VIPS_EXTRA:-}
	YAML
}

# bgp_vip NAME ADDRESS PORT HEALTH BACKEND...: one VIP of zones a/b as a YAML list
# item at the indent of vips:; HEALTH "tcp" for TCP checks, "-" for none.
bgp_vip() {
	local name=$1 addr=$2 port=$3 health=$4 be
	shift 4
	printf '  - name: %s\n    address: "%s"\n    port: %s\n    protocol: tcp\n' \
		"$name" "$addr" "$port"
	printf '    zones: {primary: a, secondary: b}\n'
	[ "$health" = tcp ] &&
		printf '    health: {type: tcp, interval: 200ms, timeout: 150ms, rise: 1, fall: 2}\n'
	printf '    backends:\n'
	for be in "$@"; do
		printf '      - address: "%s"\n' "$be"
	done
}

# The VIPs of bgp_config_write: on an IPv6-only underlay only the IPv6 ones, on
# IPv6 backends; otherwise both families on the IPv4 backends.
bgp_vips() {
	local -n bea=BE4
	bgp_has_v4 || local -n bea=BE6
	bgp_has_v4 && bgp_vip stream4 $VIP4 $STREAM_PORT - "${bea[be1]}" "${bea[be2]}"
	bgp_vip stream6 "$VIP6" $STREAM_PORT - "${bea[be1]}" "${bea[be2]}"
	bgp_has_v4 && bgp_vip web4b $VIP4B $HTTP_PORT tcp "${bea[be3]}"
	bgp_vip web6b "$VIP6B" $HTTP_PORT tcp "${bea[be3]}"
}

# BIRD configs from configs/bird/: the shipped files with their defines set.
bird_config_write() {
	local n
	for n in $BGP_NODES; do
		sed -e "s/^define NODE_ID = .*/define NODE_ID = ${BGP_LB4[$n]};/" \
			-e "s/^define ROUTER_ADDR = .*/define ROUTER_ADDR = ${BGP_RTR4[$n]};/" \
			-e "s/^define ROUTER_ADDR6 = .*/define ROUTER_ADDR6 = ${BGP_RTR6[$n]};/" \
			-e "s/^define ANNOUNCE_TABLE = .*/define ANNOUNCE_TABLE = $BGP_TABLE;/" \
			"$BIRD_CONF_DIR/node.conf" >"$XLB_RUNDIR/bird-$n.conf"
		# The IPv4 session has no address to run over: left out as node.conf says.
		bgp_has_v4 || sed -i 's/^protocol bgp uplink {$/&\n\tdisabled;/' "$XLB_RUNDIR/bird-$n.conf"
	done
	{
		sed -e "s/^define ROUTER_ID = .*/define ROUTER_ID = 203.0.113.1;/" \
			"$BIRD_CONF_DIR/router.conf"
		for n in $BGP_NODES; do
			bgp_has_v4 &&
				echo "protocol bgp node_$n from xdplb_node { neighbor ${BGP_LB4[$n]} as NODE_AS; }"
			echo "protocol bgp node_${n}_v6 from xdplb_node { neighbor ${BGP_LB6[$n]} as NODE_AS; }"
		done
	} >"$XLB_RUNDIR/bird-rtr.conf"
}

# --- processes ----------------------------------------------------------------

# bird_start NS: BIRD in the foreground (-f) with its own control socket and pid file.
bird_start() {
	local n=$1
	bird -p -c "$XLB_RUNDIR/bird-$n.conf" || fail "bird config of $n does not parse"
	bg "$n" "$XLB_RUNDIR/bird-$n.log.$(date +%s%N)" bird -f -c "$XLB_RUNDIR/bird-$n.conf" \
		-s "$XLB_RUNDIR/run/bird-$n.ctl" -P "$XLB_RUNDIR/run/bird-$n.pid"
	BIRD_PID[$n]=$BG_PID
}

birdc_ns() {
	local n=$1
	shift
	nsx "$n" birdc -s "$XLB_RUNDIR/run/bird-$n.ctl" "$@"
}

bgp_agent_start() {
	local n=$1
	bg "$n" "$XLB_RUNDIR/$n-agent.log.$(date +%s%N)" "$LBAGENT" -c "$XLB_RUNDIR/$n.yaml"
	AGENT_PID[$n]=$BG_PID
	bgp_agent_wait "$n"
}

# Attached, asked again until it says so: one status can miss while the agent serves a dump.
bgp_agent_wait() {
	wait_for 30 "lbagent on $1 attached" agent_attached "$1" ||
		fail "lbagent on $1 not attached: $(agent_log_tail "$1")"
}

# bgp_node_start NODE: agent and BIRD (a node coming up, or back after a kill).
bgp_node_start() {
	bgp_agent_start "$1"
	bird_start "$1"
	log "$1 up: lbagent pid ${AGENT_PID[$1]}, bird pid ${BIRD_PID[$1]}"
}

# bgp_kill NODE...: a hard failure, as a power cut: the nodes go silent at once
# (tc drops everything in and out, so no FIN and no ICMP tell the router), their
# processes die, their XDP programs go (pins removed) and their kernels forget
# their routes. Only BFD can tell the router. BGP_DEAD_AT: when the last XDP
# program was gone (after it, no answer can come from these nodes).
bgp_kill() {
	local n dev
	for n in "$@"; do
		for dev in rtr0 sync0; do
			nsx "$n" tc qdisc add dev $dev clsact
			nsx "$n" tc filter add dev $dev egress bpf da obj "$(tc_drop_obj)" sec tc
			nsx "$n" tc filter add dev $dev ingress bpf da obj "$(tc_drop_obj)" sec tc
		done
	done
	for n in "$@"; do
		kill -KILL "${AGENT_PID[$n]}" "${BIRD_PID[$n]}" 2>/dev/null
	done
	for n in "$@"; do
		wait "${AGENT_PID[$n]}" "${BIRD_PID[$n]}" 2>/dev/null
		rm -rf "${XLB_RUNDIR:?}/bpffs/$n"
	done
	BGP_DEAD_AT=$(now_s)
	for n in "$@"; do
		ip -n "$(ns "$n")" route flush table $BGP_TABLE 2>/dev/null
		rm -f "$XLB_RUNDIR/run/$n.sock" "$XLB_RUNDIR/run/bird-$n.ctl"
	done
}

# bgp_revive NODE...: power back: links answer again, agents start together, then BIRD.
bgp_revive() {
	local n dev
	for n in "$@"; do
		for dev in rtr0 sync0; do
			nsx "$n" tc qdisc del dev $dev clsact 2>/dev/null
		done
		bgp_has_v4 && nsx "$n" ping -c1 -W1 -q "${BGP_RTR4[$n]}" >/dev/null 2>&1
		nsx "$n" ping -6 -c1 -W1 -q "${BGP_RTR6[$n]}" >/dev/null 2>&1
	done
	for n in "$@"; do
		bg "$n" "$XLB_RUNDIR/$n-agent.log.$(date +%s%N)" "$LBAGENT" -c "$XLB_RUNDIR/$n.yaml"
		AGENT_PID[$n]=$BG_PID
	done
	for n in "$@"; do
		bgp_agent_wait "$n"
		bird_start "$n"
		log "$n back: lbagent pid ${AGENT_PID[$n]}, bird pid ${BIRD_PID[$n]}"
	done
}

# --- what the router does ------------------------------------------------------

# rtr_nexthops ADDR: the router's next-hop devices for ADDR (IPv4 or IPv6), sorted
# ("la1 la2", "lb1", "").
rtr_nexthops() {
	local fam=-4
	case $1 in *:*) fam=-6 ;; esac
	ip -n "$(ns rtr)" $fam route show "$1" 2>/dev/null | grep -o 'dev [a-z0-9]*' |
		awk '{print $2}' | sort | tr '\n' ' ' | sed 's/ $//'
}
rtr_nexthops_are() { [ "$(rtr_nexthops "$1")" = "$2" ]; }

# bgp_standby NODE: every VIP of NODE withdrawn because zone a serves, not merely
# "withdrawn" as every VIP starts before the node's first decision (which may be to
# stand in until zone a's hold-down).
bgp_standby() {
	[ "$(lbctl_json "$1" cluster |
		json_get 'all(v["verdict"] + ":" + v["why"].split(" ")[0] == "withdrawn:standby:" for v in d["vips"])')" = true ]
}

# bgp_forwarded NODE: packets the node's XDP program forwarded so far.
bgp_forwarded() {
	lbctl_json "$1" stats | json_get 'd["forwarded"]'
}

# --- setup ----------------------------------------------------------------------

bgp_setup() {
	local n
	command -v bird >/dev/null || fail "bird (Debian bird2) is not installed"
	e2e_init
	bgp_topo_create
	backends_up_with_sync_key
	bird_config_write
	bird_start rtr
	for n in $BGP_NODES; do
		bgp_config_write "$n"
		bgp_node_start "$n"
	done
	bgp_has_v4 && { wait_for 30 "the router's ECMP route to $VIP4 over both zone-a nodes" \
		rtr_nexthops_are $VIP4 "la1 la2" ||
		fail "router route to $VIP4: '$(rtr_nexthops $VIP4)'; $(birdc_ns rtr show protocols | tr '\n' ' ')"; }
	wait_for 30 "the router's ECMP route to $VIP6 over both zone-a nodes" \
		rtr_nexthops_are $VIP6 "la1 la2" ||
		fail "router route to $VIP6: '$(rtr_nexthops $VIP6)'; $(birdc_ns rtr show protocols | tr '\n' ' ')"
	log "cluster up:$(bgp_has_v4 && echo " $VIP4 via $(rtr_nexthops $VIP4),") $VIP6 via $(rtr_nexthops $VIP6)"
}

# --- probes: a new TCP connection every 20 ms, each logged -----------------------

probe_py() {
	[ -n "$PROBE_PY" ] && return 0
	PROBE_PY=$XLB_RUNDIR/xlb_probe.py
	cat >"$PROBE_PY" <<-'PY'
	# New TCP connections to VIP:PORT, one every INTERVAL, each reading the
	# backend's name line; one line per probe: start end ok (wall clock, s).
	# Stops at the stop file or after LIMIT seconds.
	import os, socket, sys, time
	vip, port, out, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
	INTERVAL, TIMEOUT, LIMIT, FIRST, SPAN = 0.02, 0.25, 300.0, 30000, 8000
	end = time.monotonic() + LIMIT
	i = 0
	with open(out, "w", buffering=1) as f:
	    while not os.path.exists(stop) and time.monotonic() < end:
	        t0 = time.time()
	        ok = 0
	        try:
	            v6 = ":" in vip
	            s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
	            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	            s.bind(("::" if v6 else "0.0.0.0", FIRST + i % SPAN))
	            s.settimeout(TIMEOUT)
	            s.connect((vip, port))
	            ok = 1 if s.makefile("rb").readline(64).strip() else 0
	            s.close()
	        except OSError:
	            s.close()
	        i += 1
	        f.write("%.4f %.4f %d\n" % (t0, time.time(), ok))
	        time.sleep(max(0.0, INTERVAL - (time.time() - t0)))
	PY
}

# probe_start [VIP]: probes to VIP:STREAM_PORT (VIP4 by default); their log is
# probe.log, probe6.log for an IPv6 VIP (the last argument of the probe_* readers).
probe_start() {
	local vip=${1:-$VIP4} name=probe
	case $vip in *:*) name=probe6 ;; esac
	probe_py
	rm -f "$XLB_RUNDIR/run/$name.log" "$XLB_RUNDIR/run/probe.stop"
	bg cli "$XLB_RUNDIR/$name.out" timeout 400 $PYTHON "$PROBE_PY" "$vip" $STREAM_PORT \
		"$XLB_RUNDIR/run/$name.log" "$XLB_RUNDIR/run/probe.stop"
	PROBE_PIDS+=("$BG_PID")
	wait_for 10 "probes to $vip answered" probe_ok_since 0 "$name" ||
		fail "no probe to $vip answered"
}

# probe_stop: ends every probe.
probe_stop() {
	touch "$XLB_RUNDIR/run/probe.stop"
	wait "${PROBE_PIDS[@]}" 2>/dev/null
	PROBE_PIDS=()
}

# probe_ok_since T [LOG]: a probe started at or after T (wall clock) was answered.
probe_ok_since() {
	awk -v t="$1" '$1 >= t && $3 == 1 {found = 1; exit} END {exit !found}' \
		"$XLB_RUNDIR/run/${2:-probe}.log"
}

# probe_first_ok_after T [LOG]: seconds from T to the end of the first answered probe started after T.
probe_first_ok_after() {
	awk -v t="$1" '$1 >= t && $3 == 1 {printf "%.3f\n", $2 - t; exit}' \
		"$XLB_RUNDIR/run/${2:-probe}.log"
}

# probe_failed_between T1 T2 [LOG]: probes started in [T1, T2) that got no answer.
probe_failed_between() {
	awk -v a="$1" -v b="$2" '$1 >= a && $1 < b && $3 == 0 {n++} END {print n + 0}' \
		"$XLB_RUNDIR/run/${3:-probe}.log"
}

now_s() { date +%s.%N; }

# median of the arguments
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
