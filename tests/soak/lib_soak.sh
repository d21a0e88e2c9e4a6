# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The soak's topology: lib.sh's (IPv4 and IPv6 VIPs, three backends) with two LB
# nodes behind an ECMP router sharing connection state over a sync link, as in
# lib_cluster.sh. Source it after lib.sh and lib_cluster.sh; do not run it.
#
#   client (cli) ---- router (rtr) --l1--- lb1 rtr0 198.51.100.2/29, 2001:db8:1b::2/64
#   203.0.113.2       multipath    --l2--- lb2 rtr0 198.51.100.10/29, 2001:db8:1c::2/64
#   2001:db8:c1::2    (L4 hash)            lb1 sync0 203.0.113.65 <-> lb2 sync0 203.0.113.66
#                     rtr -- be1, be2, be3 as in lib.sh
#
# A node fails as a power cut does: its agent dies (SIGKILL), its data plane with
# it (pins removed, so the XDP link goes), and SOAK_DETECT later the router's
# routes to the VIPs lose its next hop. The routes stand for what BGP with BFD
# announces (tests/e2e/lib_bgp.sh runs the real thing, too heavy for the soak's
# budget): a next hop leaves when BFD fires, and comes back only when the node,
# started again from nothing, is attached, has resolved its own next hop and has
# its peer's dump (in sync), which is when its BIRD would announce again.

SOAK_NODES="lb1 lb2"
declare -A SK_LB4=([lb1]=198.51.100.2 [lb2]=198.51.100.10)
declare -A SK_LB6=([lb1]=2001:db8:1b::2 [lb2]=2001:db8:1c::2)
declare -A SK_RTR4=([lb1]=198.51.100.1 [lb2]=198.51.100.9)
declare -A SK_RTR6=([lb1]=2001:db8:1b::1 [lb2]=2001:db8:1c::1)
declare -A SK_RTR_IF=([lb1]=l1 [lb2]=l2)
declare -A SK_SYNC4=([lb1]=203.0.113.65 [lb2]=203.0.113.66)
declare -A SK_TUN4=([lb1]=198.51.100.240/28 [lb2]=198.51.100.224/28)
declare -A SK_TUN6=([lb1]=2001:db8:1b::f0/124 [lb2]=2001:db8:1c::f0/124)
# Between a node's death and the router dropping it: BFD's 100 ms x 3.
SOAK_DETECT=${SOAK_DETECT:-0.3}

# Builds client, router, backends and both LB nodes; the VIPs go to both by ECMP.
soak_topo_create() {
	local n be
	for n in cli rtr $SOAK_NODES $BACKENDS; do
		ip netns add "$(ns "$n")" || fail "netns $(ns "$n")"
		ip -n "$(ns "$n")" link set lo up
		nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	# keep_addr_on_down: a node's link comes back with its addresses and its next hops.
	nsx rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1 \
		net.ipv6.conf.all.keep_addr_on_down=1 net.ipv6.conf.default.keep_addr_on_down=1

	veth_pair cli rtr0 rtr cli0 1500
	addr_add cli rtr0 $CLI4/24
	addr_add cli rtr0 $CLI6/64
	addr_add rtr cli0 203.0.113.1/24
	addr_add rtr cli0 2001:db8:c1::1/64
	ip -n "$(ns cli)" route add default via 203.0.113.1
	ip -n "$(ns cli)" -6 route add default via 2001:db8:c1::1
	# Complete checksums from the client: XDP forwards packets as they are.
	nsx cli ethtool -K rtr0 tx off >/dev/null || fail "ethtool tx off on the client"
	# The router's ECMP hashes the 5-tuple, not the client socket's hash (tc_hash_clear.bpf.c).
	nsx rtr tc qdisc add dev cli0 clsact || fail "clsact on the router's cli0"
	nsx rtr tc filter add dev cli0 ingress bpf da obj "$(soak_hash_clear_obj)" sec tc ||
		fail "cannot attach tc_hash_clear on the router's cli0"

	for n in $SOAK_NODES; do
		veth_pair "$n" rtr0 rtr "${SK_RTR_IF[$n]}" $INNER_MTU
		addr_add "$n" rtr0 "${SK_LB4[$n]}/29"
		addr_add "$n" rtr0 "${SK_LB6[$n]}/64"
		addr_add rtr "${SK_RTR_IF[$n]}" "${SK_RTR4[$n]}/29"
		addr_add rtr "${SK_RTR_IF[$n]}" "${SK_RTR6[$n]}/64"
		ip -n "$(ns "$n")" route add default via "${SK_RTR4[$n]}"
		ip -n "$(ns "$n")" -6 route add default via "${SK_RTR6[$n]}"
		# The LB answers with XDP_TX into this veth: the router's end needs an XDP program.
		ip -n "$(ns rtr)" link set dev "${SK_RTR_IF[$n]}" xdp obj "$(xdp_pass_obj)" sec xdp ||
			fail "cannot attach XDP_PASS on the router's ${SK_RTR_IF[$n]}"
		nsx rtr ethtool -K "${SK_RTR_IF[$n]}" tx off >/dev/null ||
			fail "ethtool tx off on ${SK_RTR_IF[$n]}"
	done
	soak_routes $SOAK_NODES
	veth_pair lb1 sync0 lb2 sync0 1500
	addr_add lb1 sync0 "${SK_SYNC4[lb1]}/29"
	addr_add lb2 sync0 "${SK_SYNC4[lb2]}/29"

	for be in $BACKENDS; do
		veth_pair "$be" rtr0 rtr "$be" $INNER_MTU
		addr_add "$be" rtr0 "${BE4[$be]}/28"
		addr_add "$be" rtr0 "${BE6[$be]}/64"
		addr_add rtr "$be" "${BE_RTR4[$be]}/28"
		addr_add rtr "$be" "${BE_RTR6[$be]}/64"
		ip -n "$(ns "$be")" route add default via "${BE_RTR4[$be]}"
		ip -n "$(ns "$be")" -6 route add default via "${BE_RTR6[$be]}"
		nsx rtr ping -c1 -W1 -q "${BE4[$be]}" >/dev/null 2>&1
		nsx rtr ping -6 -c1 -W1 -q "${BE6[$be]}" >/dev/null 2>&1
	done
	for n in $SOAK_NODES; do
		soak_node_warm "$n"
	done
	return 0
}

soak_hash_clear_obj() { bpf_obj_build "$REPO_DIR/tests/soak/tc_hash_clear.bpf.c"; }

# Neighbours known both ways on a node's router link: the LB resolves its next hop from them.
soak_node_warm() {
	nsx "$1" ping -c1 -W1 -q "${SK_RTR4[$1]}" >/dev/null 2>&1
	nsx "$1" ping -6 -c1 -W1 -q "${SK_RTR6[$1]}" >/dev/null 2>&1
}

# soak_config_write NODE SPECS: the node's config; the VIP list is lib.sh's (lb_config_write).
soak_config_write() {
	local node=$1 specs=$2 vips=$XLB_RUNDIR/$1.vips.yaml
	lb_config_write "$vips" "$specs"
	{
		cat <<-YAML
		# Generated by tests/soak/lib_soak.sh (docs/CONFIG.md has every key).
		node:
		  id: ${node#lb}
		  zone: a
		  role: balancer
		  interface: rtr0
		  addresses: [${SK_LB4[$node]}, "${SK_LB6[$node]}"]
		  tunnel_source: {ipv4: ${SK_TUN4[$node]}, ipv6: "${SK_TUN6[$node]}"}
		  mtu: $INNER_MTU
		  hash_seed: 0x5eed
		  conntrack_size: 65536
		  control: {socket: $(agent_sock "$node")}
		  bpffs: $XLB_RUNDIR/bpffs/$node
		sync:
		  enabled: true
		  group: $CL_GROUP
		  interface: sync0
		  key_file: $XLB_RUNDIR/sync.key
		  heartbeat_interval: 200
		  dump_timeout: 5000
		YAML
		sed -n '/^vips:/,$p' "$vips"
	} >"$XLB_RUNDIR/$node.yaml"
}

# soak_reload NODE: the node's agent takes its config file again; fails the soak if refused.
soak_reload() {
	local out
	out=$(lbctl "$1" reload 2>&1) || fail "reload of $1 refused: $out"
}

# soak_setup: topology, backends, both LB nodes in sync, HTTP answered on both families.
soak_setup() {
	local n
	e2e_init
	soak_topo_create
	log "soak topology up"
	backends_up_with_sync_key
	for n in $SOAK_NODES; do
		soak_config_write "$n" "$VIPS_BASE"
		cluster_agent_start "$n"
	done
	for n in $SOAK_NODES; do
		wait_for 10 "$n in sync" cluster_in_sync "$n" || fail "$n never got in sync"
	done
	# First traffic through a fresh path can lose a packet to neighbour resolution.
	wait_for 10 "HTTP through $VIP4" http_probe $VIP4 || fail "no HTTP answer on $VIP4"
	wait_for 10 "HTTP through $VIP6" http_probe $VIP6 || fail "no HTTP answer on $VIP6"
	log "soak setup done: both nodes in sync, HTTP answered on both families"
}

# soak_node_of ADDR SPORT PORT PROTO: the LB node the router sends that flow to.
soak_node_of() {
	local dev fam=-4
	case $1 in *:*) fam=-6 ;; esac
	dev=$(ip -n "$(ns rtr)" $fam route get "$1" from "$([ $fam = -6 ] && echo $CLI6 || echo $CLI4)" \
		iif cli0 ipproto "$4" sport "$2" dport "$3" | grep -o 'dev [a-z0-9]*' | awk '{print $2}')
	case $dev in l1) echo lb1 ;; l2) echo lb2 ;; *) echo "?" ;; esac
}

# soak_routes NODES...: the router's ECMP routes to the IPv4 and IPv6 VIPs, over those nodes.
soak_routes() {
	local n hops4=() hops6=()
	for n in "$@"; do
		hops4+=(nexthop via "${SK_LB4[$n]}" dev "${SK_RTR_IF[$n]}")
		hops6+=(nexthop via "${SK_LB6[$n]}" dev "${SK_RTR_IF[$n]}")
	done
	ip -n "$(ns rtr)" route replace 192.0.2.0/24 "${hops4[@]}" ||
		fail "route to the IPv4 VIPs via $*"
	ip -n "$(ns rtr)" -6 route replace 2001:db8:ffff::/48 "${hops6[@]}" ||
		fail "route to the IPv6 VIPs via $*"
}

# soak_router_via: the router's next-hop devices for the IPv4 and IPv6 VIPs ("l1 l2 / l1 l2").
soak_router_via() {
	echo "$(ip -n "$(ns rtr)" route show 192.0.2.0/24 | grep -o 'dev l[0-9]' | awk '{print $2}' |
		sort | xargs) / $(ip -n "$(ns rtr)" -6 route show 2001:db8:ffff::/48 |
		grep -o 'dev l[0-9]' | awk '{print $2}' | sort | xargs)"
}

# soak_node_kill NODE: the power cut of the picture above. SOAK_KILLED_AT: when it died.
soak_node_kill() {
	local n=$1 live=() m
	kill -KILL "${AGENT_PID[$n]}" || fail "$n's agent (pid ${AGENT_PID[$n]}) was not running"
	wait "${AGENT_PID[$n]}" 2>/dev/null
	rm -rf "${XLB_RUNDIR:?}/bpffs/$n" "$(agent_sock "$n")"
	SOAK_KILLED_AT=$(date +%s.%N)
	ip -n "$(ns "$n")" -d link show dev rtr0 | grep -q 'prog/xdp' &&
		fail "$n's XDP program outlived its pins"
	sleep "$SOAK_DETECT"
	for m in $SOAK_NODES; do
		[ "$m" = "$n" ] || live+=("$m")
	done
	soak_routes "${live[@]}"
}

# soak_node_revive NODE: a fresh agent (no pins), its next hop resolved and in sync from
# its peer's dump; then the router routes to it again.
soak_node_revive() {
	local n=$1
	cluster_agent_start "$n"
	wait_for 10 "$n in sync" cluster_in_sync "$n" || fail "$n never got in sync: $(lbctl "$n" sync)"
	wait_for 5 "$n's next hops resolved" soak_next_hops_resolved "$n" ||
		fail "$n has next hops pending: $(lbctl "$n" status)"
	soak_routes $SOAK_NODES
}

soak_next_hops_resolved() {
	[ "$(lbctl_json "$1" status | json_get 'd["next_hops_pending"]')" = 0 ]
}

# soak_stats NODE EXPR: EXPR over the node's lbctl stats (d).
soak_stats() { lbctl_json "$1" stats | json_get "$2"; }
