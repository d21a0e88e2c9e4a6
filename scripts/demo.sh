#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The xdplb demo: `demo.sh up` builds the e2e topology under fixed names
# (xlb-demo-*), starts three backends and one LB node, sends real traffic and
# shows what lbctl sees; `demo.sh down` removes all of it. docs/DEMO.md has the
# picture. Binaries come from $XDPLB_BIN (default .output, built by `make demo`).
set -u

XLB_PREFIX=xlb-demo-
XLB_RUNDIR=/run/xlb-demo
XLB_LIFETIME=0 # the servers run until `demo.sh down`
# shellcheck source=../tests/e2e/lib.sh
source "$(dirname "$0")/../tests/e2e/lib.sh"

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

# A failed `up` leaves nothing behind.
demo_abort() {
	local rc=$?
	trap - EXIT
	if [ "$rc" -ne 0 ]; then
		echo "demo: setup failed; logs were in $XLB_RUNDIR, tearing down" >&2
		tail -n 5 "$XLB_RUNDIR"/*.log* 2>/dev/null >&2
		demo_down
	fi
	exit "$rc"
}

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Shows an lbctl command as the reader would type it in the LB namespace, then runs it.
show_lbctl() {
	printf '$ lbctl %s\n' "$*"
	lbctl lb "$@"
}

demo_up() {
	local be i body
	[ "$(id -u)" -eq 0 ] || { echo "demo: needs root" >&2; exit 1; }
	[ -x "$LBAGENT" ] && [ -x "$LBCTL" ] || { echo "demo: build first (make all)" >&2; exit 1; }
	demo_down
	mkdir -p "$XLB_RUNDIR/bpffs" "$XLB_RUNDIR/run"
	trap demo_abort EXIT
	mount -t bpf bpf "$XLB_RUNDIR/bpffs" || exit 1

	section "topology: client, router, LB node, three backends (namespaces xlb-demo-*)"
	topo_create
	for be in $BACKENDS; do
		be_config_write "$be" "$XLB_RUNDIR/$be.yaml"
		agent_start "$be"
		echo "backend $be: lbagent --backend (decap XDP, VIPs on lo)"
	done
	servers_start
	echo "servers on every backend: HTTP :$HTTP_PORT, UDP echo :$UDP_PORT, TCP stream :$STREAM_PORT"
	LB_CONF=$XLB_RUNDIR/lb.yaml
	LB_SOCK=$XLB_RUNDIR/run/lb.sock
	lb_config_write "$LB_CONF" "$VIPS_BASE"
	agent_start lb
	echo "LB node: lbagent with the XDP balancer on rtr0, config $LB_CONF"
	wait_for 10 "HTTP through $VIP4" http_probe $VIP4 || exit 1

	section "traffic: curl from the client namespace to VIP $VIP4 and [$VIP6]"
	for i in $(seq 6); do
		body=$(nsx cli curl -s -m 2 --local-port $((30000 + i)) "http://$VIP4/")
		printf '$ curl --local-port %d http://%s/   -> %s\n' $((30000 + i)) "$VIP4" "$body"
	done
	body=$(nsx cli curl -s -m 2 -g "http://[$VIP6]/")
	printf '$ curl -g http://[%s]/   -> %s\n' "$VIP6" "$body"
	echo "300 connections from distinct client ports:"
	client http --vip $VIP4 --port $HTTP_PORT --first-port 31000 --count 300 | http_summary
	echo "UDP: 60 datagrams to $VIP4:$UDP_PORT, each answered by a backend from the VIP:"
	client udp --vip $VIP4 --port $UDP_PORT --first-port 32000 --count 60 | http_summary
	printf '$ echo hello | socat - UDP:%s:%s   -> ' "$VIP4" "$UDP_PORT"
	echo hello | nsx cli timeout 3 socat -t 1 - "UDP:$VIP4:$UDP_PORT"

	# Background traffic so the counters keep moving while you look around:
	# one request a second for ten minutes at most.
	bg cli "$XLB_RUNDIR/traffic.log" timeout 600 bash -c \
		"for i in \$(seq 600); do curl -s -m 1 http://$VIP4/; sleep 1; done"

	section "what the LB node sees (ip netns exec ${XLB_PREFIX}lb lbctl -s $LB_SOCK ...)"
	show_lbctl status
	echo
	show_lbctl vip list
	echo
	show_lbctl backend list
	echo
	show_lbctl stats

	trap - EXIT
	section "look around"
	cat <<-EOF
	  ip netns exec ${XLB_PREFIX}lb $LBCTL -s $LB_SOCK status
	  ip netns exec ${XLB_PREFIX}lb $LBCTL -s $LB_SOCK conntrack list
	  ip netns exec ${XLB_PREFIX}lb $LBCTL -s $LB_SOCK backend drain ${BE4[be2]}
	  ip netns exec ${XLB_PREFIX}cli curl http://$VIP4/
	  ip netns exec ${XLB_PREFIX}cli curl -g 'http://[$VIP6]/'
	  ip netns exec ${XLB_PREFIX}lb ip link show rtr0        # the attached XDP program
	  ip netns exec ${XLB_PREFIX}be1 tcpdump -ni rtr0        # IPIP arriving at a backend
	  config: $LB_CONF (edit, then: lbctl -s $LB_SOCK reload)
	  logs:   $XLB_RUNDIR/*.log*

	tear down: make demo-down
	EOF
}

case ${1:-} in
up) demo_up ;;
down)
	demo_down
	echo "demo: down"
	;;
*)
	echo "usage: $0 up|down" >&2
	exit 2
	;;
esac
