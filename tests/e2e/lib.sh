# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Shared by the e2e tests and the demo: the namespace topology, the real
# servers and clients, the agents and their configs, and a cleanup that removes
# everything a run made, also when it fails. Source it; do not run it.
#
#   client (cli)            router (rtr)               LB node (lb)
#   203.0.113.2  ---------- 203.0.113.1                 lbagent, lb XDP on rtr0
#   2001:db8:c1::2          198.51.100.1  ------------- 198.51.100.2
#                           2001:db8:1b::1              2001:db8:1b::2
#                           198.51.100.17 -- be1 198.51.100.18, 2001:db8:b1::2
#                           198.51.100.33 -- be2 198.51.100.34, 2001:db8:b2::2
#                           198.51.100.49 -- be3 198.51.100.50, 2001:db8:b3::2
#
# The router sends the VIPs (192.0.2.0/24, 2001:db8:ffff::/48) to the LB node;
# the LB encapsulates toward a backend and sends the packet back to the router
# (XDP_TX); the backend strips the tunnel (lbagent --backend), answers from the
# VIP held on its lo, and the reply goes to the client through the router (DSR).
#
# Every name a run creates starts with $XLB_PREFIX (default xlb-<pid>-), so runs
# in parallel never collide; nothing is added to the root namespace.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$E2E_DIR/../.." && pwd)
TOOLS_DIR=$E2E_DIR/tools
PYTHON=${PYTHON:-/usr/bin/python3}

XLB_PREFIX=${XLB_PREFIX:-xlb-$$-}
BIN_DIR=${XDPLB_BIN:-.output}
case $BIN_DIR in /*) ;; *) BIN_DIR=$REPO_DIR/$BIN_DIR ;; esac
LBAGENT=$BIN_DIR/lbagent
LBCTL=$BIN_DIR/lbctl

# Addresses of the topology (documentation ranges only).
CLI4=203.0.113.2
CLI6=2001:db8:c1::2
LB4=198.51.100.2
LB6=2001:db8:1b::2
RTR_LB4=198.51.100.1
RTR_LB6=2001:db8:1b::1
BACKENDS="be1 be2 be3"
declare -A BE4=([be1]=198.51.100.18 [be2]=198.51.100.34 [be3]=198.51.100.50)
declare -A BE6=([be1]=2001:db8:b1::2 [be2]=2001:db8:b2::2 [be3]=2001:db8:b3::2)
declare -A BE_RTR4=([be1]=198.51.100.17 [be2]=198.51.100.33 [be3]=198.51.100.49)
declare -A BE_RTR6=([be1]=2001:db8:b1::1 [be2]=2001:db8:b2::1 [be3]=2001:db8:b3::1)
VIP4=192.0.2.10 # HTTP :80, stream :7000, UDP :9000
VIP4B=192.0.2.20 # a second VIP that reloads add, change and remove
VIP6=2001:db8:ffff::10
VIP6B=2001:db8:ffff::20 # the cluster tests' second IPv6 VIP, health-checked like VIP4B
VIP_ADDRS="$VIP4 $VIP4B $VIP6"
HTTP_PORT=80
STREAM_PORT=7000
UDP_PORT=9000
# Inner links carry encapsulated full-size frames: 1500 + 40 (ip6ip6) fits.
INNER_MTU=1600
# node.mtu of the LB node; a test of "packet too big" sets it below the client's path.
LB_MTU=${LB_MTU:-$INNER_MTU}
# 4: the backends get IPv4 addresses only (IPv6 VIPs reach them by 6in4 and send
# their IPv6 replies through a link-local route); 6: IPv6 only (an IPv6-only
# underlay); anything else: both families.
BE_FAMILIES=${BE_FAMILIES:-46}
# Servers stop by themselves after this many seconds even if nobody cleans up
# (0: never, for the demo).
XLB_LIFETIME=${XLB_LIFETIME:-900}

PIDS=()
STREAM_N=0

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# Ends the test: the runner prints the last "reason:" line after FAIL.
fail() {
	echo "reason: $*"
	exit 1
}

ns() { echo "${XLB_PREFIX}$1"; }
nsx() {
	local n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}

# --- run directory, bpffs, cleanup -----------------------------------------

# A run keeps its configs, logs, sockets and pins in XLB_RUNDIR; its pins live
# on a bpffs mounted there, not under /sys/fs/bpf, because `ip netns exec`
# mounts a fresh /sys that hides /sys/fs/bpf.
e2e_init() {
	[ "$(id -u)" -eq 0 ] || fail "needs root"
	[ -x "$LBAGENT" ] || fail "$LBAGENT missing (make all, or set XDPLB_BIN)"
	[ -x "$LBCTL" ] || fail "$LBCTL missing (make all, or set XDPLB_BIN)"
	if [ -z "${XLB_RUNDIR:-}" ]; then
		XLB_RUNDIR=$(mktemp -d "/tmp/${XLB_PREFIX}XXXX")
		E2E_OWN_RUNDIR=1
	fi
	mkdir -p "$XLB_RUNDIR/bpffs" "$XLB_RUNDIR/run"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
	mount -t bpf bpf "$XLB_RUNDIR/bpffs" || fail "cannot mount bpffs on $XLB_RUNDIR/bpffs"
}

# Starts a background process in a namespace and remembers its pid for cleanup.
# bg NS LOG CMD...; the pid is left in BG_PID.
bg() {
	local n=$1 logf=$2
	shift 2
	# setsid: the demo's processes outlive the shell that started them (and its terminal).
	setsid ip netns exec "$(ns "$n")" "$@" >"$logf" 2>&1 </dev/null &
	BG_PID=$!
	PIDS+=("$BG_PID")
	echo "$BG_PID" >>"$XLB_RUNDIR/pids"
}

# Stops one process we started: TERM, then KILL after at most 3 s.
stop_pid() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 30); do
		pid_alive "$pid" || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# A zombie is gone too: the demo's processes outlive their parent shell and
# wait for someone else to reap them.
pid_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# The state of every namespace of the run, for the logs of a failed test.
e2e_diag() {
	local n
	for n in cli rtr lb $BACKENDS; do
		[ -e "/run/netns/$(ns "$n")" ] || continue
		echo "=== $n"
		ip -n "$(ns "$n")" -br addr
		ip -n "$(ns "$n")" route
		ip -n "$(ns "$n")" -6 route
		ip -n "$(ns "$n")" neigh
		ip -n "$(ns "$n")" -d link show | grep -E '^[0-9]|xdp'
		nsx "$n" nstat -a 2>/dev/null | grep -v ' 0 ' | tail -n +2
	done
	[ -n "$LB_SOCK" ] && lbctl lb stats
	[ -n "$LB_SOCK" ] && lbctl lb backend list
} >"$XLB_RUNDIR/diag.txt" 2>&1

e2e_cleanup() {
	local rc=$? pid n
	# Past any failure, also for a caller under set -e (the benches): a kill of a process
	# that is already gone must not leave namespaces and servers behind.
	set +e
	trap - EXIT INT TERM
	[ "$rc" -ne 0 ] && e2e_diag
	for pid in "${PIDS[@]}"; do
		stop_pid "$pid"
	done
	for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${XLB_PREFIX}"); do
		for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid"; done
		ip netns del "$n" 2>/dev/null
	done
	if [ -n "${XLB_RUNDIR:-}" ] && mountpoint -q "$XLB_RUNDIR/bpffs"; then
		rm -rf "${XLB_RUNDIR:?}/bpffs/"* 2>/dev/null
		umount "$XLB_RUNDIR/bpffs"
	fi
	if [ "${E2E_OWN_RUNDIR:-0}" = 1 ] && [ "$rc" -eq 0 ] && [ "${XLB_KEEP:-0}" != 1 ]; then
		rm -rf "$XLB_RUNDIR"
	elif [ "${E2E_OWN_RUNDIR:-0}" = 1 ]; then
		log "logs kept in $XLB_RUNDIR"
	fi
	exit "$rc"
}

# --- topology ----------------------------------------------------------------

# veth_pair NS_A IF_A NS_B IF_B MTU: both ends created directly inside their namespaces.
veth_pair() {
	ip -n "$(ns "$1")" link add name "$2" mtu "$5" type veth peer name "$4" mtu "$5" \
		netns "$(ns "$3")" || fail "veth $1/$2 - $3/$4"
	ip -n "$(ns "$1")" link set dev "$2" up
	ip -n "$(ns "$3")" link set dev "$4" up
}

addr_add() {
	ip -n "$(ns "$1")" addr add "$3" dev "$2" nodad 2>/dev/null ||
		ip -n "$(ns "$1")" addr add "$3" dev "$2" || fail "address $3 on $1/$2"
}

# Builds the namespaces and links of the picture at the top of this file.
topo_create() {
	local n
	for n in cli rtr lb $BACKENDS; do
		ip netns add "$(ns "$n")" || fail "netns $(ns "$n")"
		ip -n "$(ns "$n")" link set lo up
		nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	nsx rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

	veth_pair cli rtr0 rtr cli0 1500
	addr_add cli rtr0 $CLI4/24
	addr_add cli rtr0 $CLI6/64
	addr_add rtr cli0 203.0.113.1/24
	addr_add rtr cli0 2001:db8:c1::1/64
	ip -n "$(ns cli)" route add default via 203.0.113.1
	ip -n "$(ns cli)" -6 route add default via 2001:db8:c1::1

	veth_pair lb rtr0 rtr lb0 $INNER_MTU
	addr_add lb rtr0 $LB4/29
	addr_add lb rtr0 $LB6/64
	addr_add rtr lb0 $RTR_LB4/29
	addr_add rtr lb0 $RTR_LB6/64
	ip -n "$(ns lb)" route add default via $RTR_LB4
	ip -n "$(ns lb)" -6 route add default via $RTR_LB6
	ip -n "$(ns rtr)" route add 192.0.2.0/24 via $LB4
	ip -n "$(ns rtr)" -6 route add 2001:db8:ffff::/48 via $LB6
	# The LB answers with XDP_TX into this veth: the router's end needs an XDP program.
	ip -n "$(ns rtr)" link set dev lb0 xdp obj "$(xdp_pass_obj)" sec xdp ||
		fail "cannot attach XDP_PASS on the router's lb0"
	# Complete checksums toward the LB, as on a real wire (tools/tx_csum_off.py says why).
	nsx rtr "$PYTHON" "$TOOLS_DIR/tx_csum_off.py" lb0 || fail "cannot turn off tx offload on lb0"

	backends_link ipv6
	# Neighbours known before the agents start: the LB resolves its next hop from them.
	nsx lb ping -c1 -W1 -q $RTR_LB4 >/dev/null 2>&1
	nsx lb ping -6 -c1 -W1 -q $RTR_LB6 >/dev/null 2>&1
	return 0
}

# backends_link [ipv6]: each backend on its own link to the router, default route back
# through it, the router's neighbour entry warmed; IPv4 only (the cluster topologies)
# unless asked for IPv6 too (then only a link-local IPv6 route with BE_FAMILIES=4,
# and no IPv4 with BE_FAMILIES=6).
backends_link() {
	local be
	for be in $BACKENDS; do
		veth_pair "$be" rtr0 rtr "$be" $INNER_MTU
		if [ "$BE_FAMILIES" != 6 ]; then
			addr_add "$be" rtr0 "${BE4[$be]}/28"
			addr_add rtr "$be" "${BE_RTR4[$be]}/28"
			ip -n "$(ns "$be")" route add default via "${BE_RTR4[$be]}"
			nsx rtr ping -c1 -W1 -q "${BE4[$be]}" >/dev/null 2>&1
		fi
		[ "${1:-}" = ipv6 ] || continue
		if [ "$BE_FAMILIES" = 4 ]; then
			# No IPv6 address but the VIP on lo: replies leave by a link-local route,
			# to the router's own link-local address (made from its MAC, so the
			# same again after a test takes the link down and up).
			wait_for 3 "the router's link-local address on $be" rtr_link_local "$be" ||
				fail "no link-local address on the router's $be"
			ip -n "$(ns "$be")" -6 route add default via "$(rtr_link_local "$be")" dev rtr0 ||
				fail "IPv6 default route of $be"
			continue
		fi
		addr_add "$be" rtr0 "${BE6[$be]}/64"
		addr_add rtr "$be" "${BE_RTR6[$be]}/64"
		ip -n "$(ns "$be")" -6 route add default via "${BE_RTR6[$be]}"
		nsx rtr ping -6 -c1 -W1 -q "${BE6[$be]}" >/dev/null 2>&1
	done
}

# rtr_link_local DEV: the router's link-local IPv6 address on DEV; fails if none yet.
rtr_link_local() {
	ip -n "$(ns rtr)" -6 -o addr show dev "$1" scope link | awk '{sub("/.*", "", $4); print $4; exit}' | grep .
}

# A small map-less BPF object for the test network, built once into the run directory.
bpf_obj_build() {
	local src=$1 obj
	obj=$XLB_RUNDIR/$(basename "${src%.c}").o
	[ -s "$obj" ] && echo "$obj" && return 0
	clang -O2 -g -target bpf -I"/usr/include/$(gcc -print-multiarch)" \
		-c "$src" -o "$obj" || fail "clang $(basename "$src")"
	echo "$obj"
}

# XDP_PASS on a peer veth: XDP_TX into it needs NAPI on this side.
xdp_pass_obj() { bpf_obj_build "$TOOLS_DIR/xdp_pass.bpf.c"; }

# The backends' agents first (they put the VIPs on lo, where the UDP servers bind), then
# the real servers.
backends_up() {
	local be
	for be in $BACKENDS; do
		be_config_write "$be" "$XLB_RUNDIR/$be.yaml"
		agent_start "$be"
	done
	servers_start
}

# The cluster libraries' start: the nodes' shared sync key, then the backends.
backends_up_with_sync_key() {
	head -c 32 /dev/urandom >"$XLB_RUNDIR/sync.key"
	chmod 600 "$XLB_RUNDIR/sync.key"
	backends_up
}

# --- real servers ----------------------------------------------------------

servers_start() {
	local be binds="" a
	for a in $VIP_ADDRS; do binds="$binds --udp-bind $a"; done
	for be in $BACKENDS; do
		rm -f "$XLB_RUNDIR/run/$be.ready"
		# shellcheck disable=SC2086
		bg "$be" "$XLB_RUNDIR/$be-servers.log" timeout "$XLB_LIFETIME" \
			"$PYTHON" "$TOOLS_DIR/xlb_server.py" \
			--name "$be" --http-port $HTTP_PORT --stream-port $STREAM_PORT \
			--udp-port $UDP_PORT $binds --ready "$XLB_RUNDIR/run/$be.ready"
	done
	for be in $BACKENDS; do
		wait_for 10 "servers of $be listening" test -e "$XLB_RUNDIR/run/$be.ready" ||
			fail "servers of $be did not start: $(tail -3 "$XLB_RUNDIR/$be-servers.log")"
	done
}

# wait_for SECONDS WHAT CMD...: runs CMD every 0.1 s until it succeeds, for at most SECONDS.
wait_for() {
	local secs=$1 what=$2 deadline
	shift 2
	deadline=$((SECONDS + secs))
	while [ $SECONDS -lt $deadline ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	log "timed out after ${secs}s waiting for: $what"
	return 1
}

# --- clients -----------------------------------------------------------------

# client MODE ARGS...: tools/xlb_client.py in the client namespace (JSON on stdout).
client() {
	nsx cli timeout 120 "$PYTHON" "$TOOLS_DIR/xlb_client.py" "$@"
}

# json_get EXPR < JSON: a value out of JSON with python (d is the document).
json_get() {
	$PYTHON -c 'import json,sys; d=json.load(sys.stdin); v=eval(sys.argv[1]); print(json.dumps(v) if isinstance(v,(dict,list,bool)) or v is None else v)' "$1"
}

# A long-lived stream: stream_start VIP [FIRST_PORT] sets STREAM (its id).
stream_start() {
	local vip=$1 sport=${2:-40000}
	STREAM_N=$((STREAM_N + 1))
	STREAM=$STREAM_N
	rm -f "$XLB_RUNDIR/run/stream$STREAM".{status,stop}
	bg cli "$XLB_RUNDIR/stream$STREAM.log" timeout 200 "$PYTHON" "$TOOLS_DIR/xlb_client.py" \
		stream --vip "$vip" --port $STREAM_PORT --first-port "$sport" --duration 180 \
		--status "$XLB_RUNDIR/run/stream$STREAM.status" \
		--stop-file "$XLB_RUNDIR/run/stream$STREAM.stop"
	eval "STREAM_PID_$STREAM=$BG_PID"
	wait_for 10 "stream $STREAM running" stream_is running "$STREAM" ||
		fail "stream $STREAM did not start: $(stream_status "$STREAM")"
}

stream_status() { cat "$XLB_RUNDIR/run/stream$1.status" 2>/dev/null || echo "state=none"; }
stream_field() { stream_status "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
stream_is() { [ "$(stream_field "$2" state)" = "$1" ]; }

# stream_flows ID SECONDS WHAT: fails the test unless the stream moves at least
# 64 KiB more within SECONDS and stays healthy.
stream_flows() {
	local id=$1 secs=$2 what=$3 start now deadline
	start=$(stream_field "$id" bytes)
	now=$start
	deadline=$((SECONDS + secs))
	while [ $SECONDS -lt $deadline ]; do
		stream_is running "$id" || fail "stream $id broke $what: $(stream_status "$id")"
		now=$(stream_field "$id" bytes)
		[ "$now" -ge $((start + 65536)) ] && return 0
		sleep 0.1
	done
	fail "stream $id stalled $what ($start -> $now bytes in ${secs}s)"
}

# stream_stop ID: ends the stream and fails the test unless every byte came back.
stream_stop() {
	local id=$1 pid
	eval "pid=\$STREAM_PID_$id"
	touch "$XLB_RUNDIR/run/stream$id.stop"
	wait_for 10 "stream $id to finish" stream_not_running "$id"
	wait "$pid" 2>/dev/null
	stream_is "done" "$id" || fail "stream $id did not end cleanly: $(stream_status "$id")"
}
stream_not_running() { ! stream_is running "$1"; }

# --- configs -------------------------------------------------------------------

# The VIP set every test starts from; a spec line is
# "NAME ADDRESS PORT PROTO [encap=gue] [be_family=6] be1=W be2=W ..." (backends take
# the VIP's family, IPv4 when BE_FAMILIES=4, IPv6 with be_family=6).
VIPS_BASE="web4 $VIP4 $HTTP_PORT tcp be1=100 be2=100 be3=100
stream4 $VIP4 $STREAM_PORT tcp be1=100 be2=100 be3=100
udp4 $VIP4 $UDP_PORT udp be1=100 be2=100 be3=100
web6 $VIP6 $HTTP_PORT tcp be1=100 be2=100 be3=100
stream6 $VIP6 $STREAM_PORT tcp be1=100 be2=100 be3=100
udp6 $VIP6 $UDP_PORT udp be1=100 be2=100 be3=100"

LB_CONF=
LB_SOCK=
declare -A AGENT_PID=()
# node.conntrack_size of the LB node; a test that floods the table sets it smaller.
LB_CONNTRACK_SIZE=${LB_CONNTRACK_SIZE:-65536}

# lb_config_write FILE SPECS: the LB node's config; one VIP per line of SPECS.
lb_config_write() {
	local file=$1 specs=$2 name addr port proto be w fam
	{
		cat <<-YAML
		# Generated by tests/e2e/lib.sh (docs/CONFIG.md has every key).
		node:
		  id: 1
		  zone: a
		  role: balancer
		  interface: rtr0
		  addresses: [$LB4, $LB6]
		  # Outer source per flow: the low 4 bits vary (entropy on the backend side).
		  tunnel_source: {ipv4: 198.51.100.240/28, ipv6: "2001:db8:1b::f0/124"}
		  mtu: $LB_MTU
		  hash_seed: 0x5eed
		  conntrack_size: $LB_CONNTRACK_SIZE
		  control: {socket: $LB_SOCK}
		  bpffs: $XLB_RUNDIR/bpffs/lb
		vips:
		YAML
		while read -r name addr port proto rest; do
			[ -n "$name" ] || continue
			fam=4
			case $addr in *:*) fam=6 ;; esac
			printf '  - name: %s\n    address: "%s"\n    port: %s\n    protocol: %s\n' \
				"$name" "$addr" "$port" "$proto"
			case " $rest " in *" encap=gue "*) printf '    encapsulation: gue\n' ;; esac
			[ "$BE_FAMILIES" = 4 ] && fam=4
			case " $rest " in *" be_family=6 "*) fam=6 ;; esac
			rest=${rest/be_family=6/}
			printf '    backends:\n'
			for be in ${rest/encap=gue/}; do
				w=${be#*=}
				be=${be%%=*}
				if [ $fam = 6 ]; then addr=${BE6[$be]}; else addr=${BE4[$be]}; fi
				printf '      - address: "%s"\n        weight: %s\n' "$addr" "$w"
			done
		done <<<"$specs"
	} >"$file"
}

# be_addresses BE: BE's tunnel addresses as a YAML flow list's items, per BE_FAMILIES.
be_addresses() {
	case $BE_FAMILIES in
	4) echo "${BE4[$1]}" ;;
	6) echo "\"${BE6[$1]}\"" ;;
	*) echo "${BE4[$1]}, \"${BE6[$1]}\"" ;;
	esac
}

# be_config_write BE FILE: a backend node's config: decap on rtr0 for its tunnel
# addresses, and the VIPs it serves, which the agent puts on lo. udp6 says GUE so
# that decap takes GUE too (port 6080), whether the LB sends udp6 in GUE or not.
be_config_write() {
	local be=$1 file=$2
	cat >"$file" <<-YAML
	# Generated by tests/e2e/lib.sh (docs/CONFIG.md has every key).
	node:
	  id: $((10 + ${be#be}))
	  zone: a
	  role: backend
	  interface: rtr0
	  addresses: [$(be_addresses "$be")]
	  control: {socket: $XLB_RUNDIR/run/$be.sock}
	  bpffs: $XLB_RUNDIR/bpffs/$be
	vips:
	  - {name: web4, address: $VIP4, port: $HTTP_PORT, protocol: tcp}
	  - {name: stream4, address: $VIP4, port: $STREAM_PORT, protocol: tcp}
	  - {name: udp4, address: $VIP4, port: $UDP_PORT, protocol: udp}
	  - {name: web4b, address: $VIP4B, port: $HTTP_PORT, protocol: tcp}
	  - {name: web6, address: "$VIP6", port: $HTTP_PORT, protocol: tcp}
	  - {name: stream6, address: "$VIP6", port: $STREAM_PORT, protocol: tcp}
	  - {name: udp6, address: "$VIP6", port: $UDP_PORT, protocol: udp, encapsulation: gue}
	  - {name: web6b, address: "$VIP6B", port: $HTTP_PORT, protocol: tcp}
	YAML
}

# --- agents and lbctl --------------------------------------------------------------

# agent_start NODE [EXTRA ARGS]: starts lbagent in NODE's namespace with NODE's config.
agent_start() {
	local node=$1 conf mode=()
	shift
	if [ "$node" = lb ]; then
		conf=$LB_CONF
	else
		conf=$XLB_RUNDIR/$node.yaml
		mode=(--backend)
	fi
	bg "$node" "$XLB_RUNDIR/$node-agent.log.$(date +%s%N)" "$LBAGENT" "${mode[@]}" -c "$conf" "$@"
	AGENT_PID[$node]=$BG_PID
	agent_wait_attached "$node"
	log "lbagent on $node up (pid $BG_PID)"
}

# agent_wait_attached NODE: polls until NODE's agent says attached; fails the
# test if it exits or stays silent 30 s. One status can miss (the agent busy
# serving a dump, or the socket not yet there), so a miss is asked again.
agent_wait_attached() {
	wait_for 30 "lbagent on $1 attached" agent_up "$1" ||
		fail "lbagent on $1 did not come up: $(agent_log_tail "$1")"
	pid_alive "${AGENT_PID[$1]}" || fail "lbagent on $1 exited: $(agent_log_tail "$1")"
	wait_for 5 "lbagent on $1 attached (asked again)" agent_attached "$1" ||
		fail "lbagent on $1 does not answer: $(agent_log_tail "$1")"
}

# Attached, or dead (then waiting longer is pointless).
agent_up() {
	agent_attached "$1" || ! pid_alive "${AGENT_PID[$1]}"
}

agent_log_tail() {
	tail -q -n 5 "$(ls -t "$XLB_RUNDIR/$1-agent.log."* | head -1)" 2>/dev/null | tr '\n' ' '
}

agent_sock() {
	if [ "$1" = lb ]; then echo "$LB_SOCK"; else echo "$XLB_RUNDIR/run/$1.sock"; fi
}

agent_attached() {
	[ "$(lbctl_json "$1" status 2>/dev/null | json_get 'd["attached"]' 2>/dev/null)" = true ]
}

# lbctl NODE ARGS...: lbctl against NODE's agent, human output.
lbctl() {
	local node=$1
	shift
	nsx "$node" "$LBCTL" -s "$(agent_sock "$node")" "$@"
}

# lbctl_json NODE ARGS...: the same, JSON result on stdout.
lbctl_json() {
	local node=$1
	shift
	nsx "$node" "$LBCTL" -s "$(agent_sock "$node")" --json "$@"
}

# e2e_setup [SPECS]: the whole topology with servers, backends and the LB running.
e2e_setup() {
	e2e_init
	topo_create
	log "topology up"
	backends_up
	log "servers up"
	LB_CONF=$XLB_RUNDIR/lb.yaml
	LB_SOCK=$XLB_RUNDIR/run/lb.sock
	lb_config_write "$LB_CONF" "${1:-$VIPS_BASE}"
	agent_start lb
	wait_for 10 "every backend up on the LB" backends_all_up ||
		fail "backends not up on the LB: $(lbctl lb backend list 2>&1 | awk 'NR > 1 && $2 != "up" {print $1, $2, $5}' | tr '\n' ' ')"
	# First traffic through a fresh path can lose a packet to neighbour resolution.
	wait_for 10 "HTTP through $VIP4" http_probe $VIP4 ||
		fail "no HTTP answer through the LB on $VIP4:$HTTP_PORT"
	log "setup done: HTTP answered through $VIP4"
}

backends_all_up() {
	[ "$(lbctl_json lb backend list | json_get '[b["address"] for b in d["backends"] if b["state"] != "up"]')" = "[]" ]
}

# http_probe VIP: one HTTP request answered, from a port no test uses.
http_probe() {
	[ "$(client http --vip "$1" --port $HTTP_PORT --first-port 19000 --timeout 0.5 |
		json_get 'd["errors"]')" = 0 ]
}

# all_backends_answer MODE VIP PORT FIRST_PORT COUNT WHAT: COUNT requests (http) or
# datagrams (udp) from distinct ports; fails the test unless every one is answered
# and all three backends answered some.
all_backends_answer() {
	local out
	out=$(client "$1" --vip "$2" --port "$3" --first-port "$4" --count "$5")
	log "$5 $6: $(http_summary <<<"$out")"
	[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] ||
		fail "$6 failed: $(json_get 'd["error_samples"]' <<<"$out")"
	[ "$(json_get 'len(d["counts"])' <<<"$out")" = 3 ] ||
		fail "$6 did not reach all three backends ($(http_summary <<<"$out"))"
}

# http_counts JSON: "be1=N be2=N be3=N errors=N" from a client run.
http_summary() {
	json_get '" ".join("%s=%d" % (b, d["counts"].get(b, 0)) for b in ("be1","be2","be3")) + " errors=%d" % d["errors"]'
}
