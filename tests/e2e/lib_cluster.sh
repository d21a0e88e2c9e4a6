# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Two LB nodes behind an ECMP router, sharing connection state over a sync
# link, for the tests of connection sync (t_sync_*.sh). Source it after lib.sh.
#
#   client (cli) ---- router (rtr) --l1--- lb1 rtr0 198.51.100.2/29  sync0 203.0.113.65/29
#   203.0.113.2       multipath    --l2--- lb2 rtr0 198.51.100.10/29 sync0 203.0.113.66/29
#                     192.0.2.0/24          (lb1 sync0 <-> lb2 sync0: multicast 239.255.88.1)
#                     rtr -- be1, be2, be3 as in lib.sh
#
# The router hashes flows on the 5-tuple (fib_multipath_hash_policy=1) over both
# nodes; taking a router link down moves all of that node's flows to the other.
# IPv6 the same way: client 2001:db8:c1::2, lb1/lb2 2001:db8:10:1::2, :2::2, the
# router's multipath route to 2001:db8:ffff::/48, and stream6 (VIP6:7000) on
# the IPv4-only backends (6in4) beside stream4.

CL_NODES="lb1 lb2"
declare -A CL_LB4=([lb1]=198.51.100.2 [lb2]=198.51.100.10)
declare -A CL_RTR4=([lb1]=198.51.100.1 [lb2]=198.51.100.9)
declare -A CL_RTR_IF=([lb1]=l1 [lb2]=l2)
declare -A CL_SYNC4=([lb1]=203.0.113.65 [lb2]=203.0.113.66)
declare -A CL_LB6=([lb1]=2001:db8:10:1::2 [lb2]=2001:db8:10:2::2)
declare -A CL_RTR6=([lb1]=2001:db8:10:1::1 [lb2]=2001:db8:10:2::1)
declare -A CL_TUN=([lb1]=198.51.100.240/28 [lb2]=198.51.100.224/28)
CL_GROUP=239.255.88.1
CL_STREAMS_PY=
CL_SYNC=true
CL_SYNC_EXTRA= # more sync: keys, each line indented two spaces
CL_VIP_EXTRA= # more keys of the stream VIP, each line indented four spaces
CL_CONNTRACK_SIZE=65536

# Builds client, router, backends and both LB nodes with their links.
cluster_topo_create() {
	local n
	for n in cli rtr $CL_NODES $BACKENDS; do
		ip netns add "$(ns "$n")" || fail "netns $(ns "$n")"
		ip -n "$(ns "$n")" link set lo up
	done
	nsx rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv6.fib_multipath_hash_policy=1 \
		net.ipv6.conf.default.keep_addr_on_down=1
	for n in cli rtr $CL_NODES $BACKENDS; do
		nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done

	cluster_client_link
	addr_add cli rtr0 $CLI6/64
	addr_add rtr cli0 2001:db8:c1::1/64
	ip -n "$(ns cli)" -6 route add default via 2001:db8:c1::1
	for n in $CL_NODES; do
		cluster_node_link "$n"
		addr_add "$n" rtr0 "${CL_LB6[$n]}/64"
		addr_add rtr "${CL_RTR_IF[$n]}" "${CL_RTR6[$n]}/64"
		ip -n "$(ns "$n")" -6 route add default via "${CL_RTR6[$n]}"
	done
	ip -n "$(ns rtr)" route add 192.0.2.0/24 \
		nexthop via "${CL_LB4[lb1]}" dev l1 nexthop via "${CL_LB4[lb2]}" dev l2 ||
		fail "multipath route to the VIPs"
	ip -n "$(ns rtr)" -6 route add 2001:db8:ffff::/48 \
		nexthop via "${CL_LB6[lb1]}" dev l1 nexthop via "${CL_LB6[lb2]}" dev l2 ||
		fail "multipath route to the IPv6 VIPs"
	cluster_sync_link

	backends_link ipv6
	for n in $CL_NODES; do
		nsx "$n" ping -c1 -W1 -q "${CL_RTR4[$n]}" >/dev/null 2>&1
		nsx "$n" ping -6 -c1 -W1 -q "${CL_RTR6[$n]}" >/dev/null 2>&1
	done
	return 0
}

# The client's IPv4 link to the router (the soak adds IPv6 on it).
cluster_client_link() {
	veth_pair cli rtr0 rtr cli0 1500
	addr_add cli rtr0 $CLI4/24
	addr_add rtr cli0 203.0.113.1/24
	ip -n "$(ns cli)" route add default via 203.0.113.1
	# Complete checksums from the client: XDP forwards packets as they are.
	nsx cli ethtool -K rtr0 tx off >/dev/null || fail "ethtool tx off on the client"
}

# cluster_node_link NODE: NODE's IPv4 link to the router (the soak adds IPv6 on it).
cluster_node_link() {
	local n=$1
	veth_pair "$n" rtr0 rtr "${CL_RTR_IF[$n]}" $INNER_MTU
	addr_add "$n" rtr0 "${CL_LB4[$n]}/29"
	addr_add rtr "${CL_RTR_IF[$n]}" "${CL_RTR4[$n]}/29"
	ip -n "$(ns "$n")" route add default via "${CL_RTR4[$n]}"
	# The LB answers with XDP_TX into this veth: the router's end needs an XDP program.
	ip -n "$(ns rtr)" link set dev "${CL_RTR_IF[$n]}" xdp obj "$(xdp_pass_obj)" sec xdp ||
		fail "cannot attach XDP_PASS on the router's ${CL_RTR_IF[$n]}"
	nsx rtr ethtool -K "${CL_RTR_IF[$n]}" tx off >/dev/null ||
		fail "ethtool tx off on ${CL_RTR_IF[$n]}"
}

# The sync link between the two nodes.
cluster_sync_link() {
	veth_pair lb1 sync0 lb2 sync0 1500
	addr_add lb1 sync0 "${CL_SYNC4[lb1]}/29"
	addr_add lb2 sync0 "${CL_SYNC4[lb2]}/29"
}

# cluster_node_yaml NODE ADDRESSES TUNNEL_SOURCE: the node: and sync: sections of NODE's
# config, ADDRESSES and TUNNEL_SOURCE as YAML flow values.
cluster_node_yaml() {
	cat <<-YAML
	node:
	  id: ${1#lb}
	  zone: a
	  role: balancer
	  interface: rtr0
	  addresses: $2
	  tunnel_source: $3
	  mtu: $INNER_MTU
	  hash_seed: 0x5eed
	  conntrack_size: $CL_CONNTRACK_SIZE
	  control: {socket: $(agent_sock "$1")}
	  bpffs: $XLB_RUNDIR/bpffs/$1
	sync:
	  enabled: $CL_SYNC
	  group: $CL_GROUP
	  interface: sync0
	  key_file: $XLB_RUNDIR/sync.key
	  heartbeat_interval: 200
	  dump_timeout: 5000
	YAML
}

# cluster_config_write NODE BACKENDS...: the node's config, the stream VIP on those backends.
cluster_config_write() {
	local node=$1 be vip
	shift
	{
		echo "# Generated by tests/e2e/lib_cluster.sh."
		cluster_node_yaml "$node" "[${CL_LB4[$node]}, \"${CL_LB6[$node]}\"]" \
			"{ipv4: ${CL_TUN[$node]}}"
		cat <<-YAML
		${CL_SYNC_EXTRA:-}
		vips:
		YAML
		for vip in "stream4 $VIP4" "stream6 $VIP6"; do
			printf '  - name: %s\n    address: "%s"\n    port: %s\n    protocol: tcp\n' \
				${vip} $STREAM_PORT
			# CL_VIP_EXTRA (second chance's GUE settings) is the IPv4 VIP's alone.
			[ "${vip%% *}" != stream4 ] || [ -z "$CL_VIP_EXTRA" ] || echo "$CL_VIP_EXTRA"
			printf '    backends:\n'
			for be in "$@"; do
				printf '      - address: "%s"\n' "${BE4[$be]}"
			done
		done
	} >"$XLB_RUNDIR/$node.yaml"
}

# cluster_agent_start NODE: lbagent in NODE's namespace, waits until attached.
cluster_agent_start() {
	local node=$1
	bg "$node" "$XLB_RUNDIR/$node-agent.log.$(date +%s%N)" "$LBAGENT" -c "$XLB_RUNDIR/$node.yaml"
	AGENT_PID[$node]=$BG_PID
	agent_wait_attached "$node"
	log "lbagent on $node up (pid $BG_PID)"
}

cluster_agent_stop() {
	stop_pid "${AGENT_PID[$1]}"
}

cluster_in_sync() {
	[ "$(lbctl_json "$1" status | json_get 'd["in_sync"]')" = true ]
}

# cluster_setup: topology, backends (be1..be3 running), both nodes on be1 and be2.
cluster_setup() {
	local n
	# IPv4-only backends: stream6 reaches them in 6in4, their replies leave by link-local.
	BE_FAMILIES=4
	e2e_init
	cluster_topo_create
	log "cluster topology up (sync: $CL_SYNC)"
	backends_up_with_sync_key
	for n in $CL_NODES; do
		cluster_config_write "$n" be1 be2
		cluster_agent_start "$n"
	done
	if [ "$CL_SYNC" = true ]; then
		for n in $CL_NODES; do
			wait_for 10 "$n in sync" cluster_in_sync "$n" || fail "$n never got in sync"
		done
	fi
	log "cluster up"
}

# cluster_reload_all BACKENDS...: every node's VIP on those backends now (Maglev tables change).
cluster_reload_all() {
	local n out
	for n in $CL_NODES; do
		cluster_config_write "$n" "$@"
		out=$(lbctl "$n" reload 2>&1) || fail "reload of $n failed: $out"
	done
}

# cluster_kill NODE: the router loses the link to NODE (all its flows move) and its agent stops.
cluster_kill() {
	ip -n "$(ns rtr)" link set dev "${CL_RTR_IF[$1]}" down
	log "$1: router link down"
}

# cluster_holds_flow NODE VIP CLIENT_PORT: NODE's conntrack holds the flow of VIP (its
# name) from that client port: from sync or a dump where NODE did not see it itself.
cluster_holds_flow() {
	[ "$(lbctl_json "$1" conntrack list "$2" --limit 10000 |
		json_get "any(e[\"client_port\"] == $3 for e in d[\"entries\"])")" = true ]
}

# Sync counters of a node: cluster_sync NODE EXPR, e.g. 'd["applied"]'.
cluster_sync() {
	lbctl_json "$1" sync | json_get "$2"
}

# --- many long-lived TCP connections, each checking every byte ---------------------

cluster_streams_py() {
	[ -n "$CL_STREAMS_PY" ] && return 0
	CL_STREAMS_PY=$XLB_RUNDIR/xlb_streams.py
	cat >"$CL_STREAMS_PY" <<-'PY'
	# N TCP connections to VIP:PORT from consecutive source ports; each reads the
	# backend's name, then sends a position-dependent chunk every interval and
	# checks the echo byte for byte. A status file (JSON) is rewritten 5 times a
	# second; a stop file ends every connection (half-close, expect EOF).
	import json, os, socket, sys, threading, time
	vip, port, first, n, status, stop = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
	    int(sys.argv[4]), sys.argv[5], sys.argv[6]
	CHUNK, INTERVAL, TIMEOUT, LIMIT = 512, 0.1, 5.0, 600.0
	conns = [{"port": first + i, "state": "connecting", "backend": "?", "bytes": 0}
	         for i in range(n)]
	def pattern(off, ln):
	    return bytes((off + i) * 7 % 251 for i in range(ln))
	def run(c):
	    try:
	        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	        s.bind(("0.0.0.0", c["port"]))
	        s.settimeout(TIMEOUT)
	        s.connect((vip, port))
	        f = s.makefile("rb")
	        c["backend"] = f.readline(64).decode().strip()
	        c["state"] = "running"
	        end = time.monotonic() + LIMIT
	        while not os.path.exists(stop) and time.monotonic() < end:
	            chunk = pattern(c["bytes"], CHUNK)
	            s.sendall(chunk)
	            echo = f.read(CHUNK)
	            if echo != chunk:
	                raise OSError("echo mismatch at byte %d" % c["bytes"])
	            c["bytes"] += CHUNK
	            time.sleep(INTERVAL)
	        s.shutdown(socket.SHUT_WR)
	        if f.read(1):
	            raise OSError("data after the last echo")
	        s.close()
	        c["state"] = "done"
	    except Exception as e:
	        c["state"] = "failed"
	        c["reason"] = str(e) or type(e).__name__
	threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in conns]
	for t in threads:
	    t.start()
	    time.sleep(0.01)
	while True:
	    alive = any(t.is_alive() for t in threads)
	    tmp = status + ".tmp"
	    with open(tmp, "w") as out:
	        json.dump({"conns": conns, "alive": alive}, out)
	    os.replace(tmp, status)
	    if not alive:
	        break
	    time.sleep(0.2)
	PY
}

# streams_launch N FIRST_PORT: N connections to the stream VIP, not waiting for them.
streams_launch() {
	cluster_streams_py
	rm -f "$XLB_RUNDIR/run/streams".{json,stop}
	bg cli "$XLB_RUNDIR/streams.log" timeout 900 $PYTHON "$CL_STREAMS_PY" $VIP4 $STREAM_PORT \
		"$2" "$1" "$XLB_RUNDIR/run/streams.json" "$XLB_RUNDIR/run/streams.stop"
	STREAMS_PID=$BG_PID
}

# streams_start N FIRST_PORT: the same, and waits until all run.
streams_start() {
	streams_launch "$@"
	wait_for 20 "$1 streams running" streams_count_is running "$1" ||
		fail "streams did not all start: $(streams_summary)"
}

# streams_get EXPR: EXPR over the status (c = list of connections).
streams_get() {
	$PYTHON -c 'import json,sys; d=json.load(open(sys.argv[1])); c=d["conns"]; print(eval(sys.argv[2]))' \
		"$XLB_RUNDIR/run/streams.json" "$1"
}
streams_count_is() { [ "$(streams_get "sum(x[\"state\"] == \"$1\" for x in c)")" = "$2" ]; }
streams_summary() {
	streams_get '" ".join("%s=%d" % (s, sum(x["state"] == s for x in c)) for s in ("connecting", "running", "done", "failed")) + " " + "; ".join("%d: %s" % (x["port"], x.get("reason", "")) for x in c if x["state"] == "failed")[:300]'
}
streams_bytes() { streams_get 'json.dumps({str(x["port"]): x["bytes"] for x in c})'; }

# streams_all_moved BEFORE_JSON: every connection moved data since that snapshot.
streams_all_moved() {
	$PYTHON -c 'import json,sys; a=json.loads(sys.argv[1]); d=json.load(open(sys.argv[2]));
sys.exit(0 if all(x["bytes"] > a[str(x["port"])] for x in d["conns"]) else 1)' \
		"$1" "$XLB_RUNDIR/run/streams.json"
}

streams_stop() {
	touch "$XLB_RUNDIR/run/streams.stop"
	wait_for 20 "streams to finish" streams_finished
	wait "$STREAMS_PID" 2>/dev/null
}
streams_finished() { [ "$(streams_get 'd["alive"]')" = False ]; }
