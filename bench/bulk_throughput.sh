#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Bulk throughput end to end through the balancer against the direct path, in the same run (#21).
#
#   bench/bulk_throughput.sh [-n ROUNDS] [-d SECONDS] [-m "MODE..."]
#   BENCH_FULL=1 bench/bulk_throughput.sh     # 5 rounds of 15 s, every mode
#                                             # (default: 3 rounds of 4 s, defaults same q)
#
#   client (cli) -- router (rtr) lan0 198.51.100.1 --+
#   203.0.113.2     VIPs 192.0.2.0/24 via the LB     |  bridge br0 in namespace sw,
#                   192.0.2.30 via the hop           |  every port MTU 1600
#                   LB (lb) rtr0 198.51.100.2 -------+
#                   hop rtr0 198.51.100.3 -----------+
#                   be1 198.51.100.18 (nginx, iperf3) +
#                   be2 198.51.100.34, be3 198.51.100.50 (nginx)
#
# The balancer and the backends share one L2 segment, as in a rack: the LB sends the
# encapsulated packet (IPIP) straight to the backend's MAC with XDP_TX; the backend strips it
# (decap) and answers the client through the router (DSR). Three paths end at the same server
# process on be1: direct (be1's own address), hop (a node that only bounces the packet to
# be1's MAC by XDP_TX: the LB's extra veth pass without the LB), and the LB (VIP 192.0.2.20,
# be1 alone). Every round runs, in each mode, wrk (keep-alive GETs: requests/s, p99) and
# iperf3 (client to server, 1 and 4 streams: throughput, retransmits), each test on the three
# paths one after the other; 192.0.2.10:80 spreads over all three backends (wrk, round 1, a
# row of its own, not a goal).
#
# Modes: "defaults" as the kernel makes the links (the LB's and the hop's ports complete
# checksums, as a wire does: an XDP program forwards bytes as they are); "same": GSO, TSO and
# GRO off on every link, so every path carries MSS-sized segments end to end (XDP on the LB's
# veth already takes GSO away from its path); "q": "same" plus a queue per CPU on both ends of
# every veth with an XDP program (LB, hop, backends); "gro": "same" plus GRO on the ports
# receiving XDP_TX; "redirect": "same" with the hop bouncing by bpf_redirect() (a devmap's
# path) instead of XDP_TX; "qdisc": "same" plus a pfifo on the bridge ports sending into the
# XDP veths (veth's backpressure for skbs).
#
# Counted per run: the frames the LB's or the hop's veth sent back by XDP, those the peer's
# ring of 256 had no room for (xdp_tx_errors, xdp_xmit_errors), the port's rx_dropped, and
# the bridge's drops into be1's veth and into the LB's or the hop's (their rings full). A run
# fails the bench unless XDP sent nothing on a direct run and, on the others, at least a frame
# per request or per 1600 bytes received; so does any wrk or iperf3 error. Root only; leaves
# nothing behind.
# Not -e: the e2e library's cleanup is written for plain shells (a failed kill ends it under -e).
set -uo pipefail

MODES="defaults same q"
if [ "${BENCH_FULL:-0}" = 1 ]; then
	ROUNDS=5 SECONDS_EACH=15 MODES="$MODES gro redirect qdisc"
else
	ROUNDS=3 SECONDS_EACH=4
fi
while getopts n:d:m: opt; do
	case $opt in
	n) ROUNDS=$OPTARG ;;
	d) SECONDS_EACH=$OPTARG ;;
	m) MODES=$OPTARG ;;
	*) exit 2 ;;
	esac
done
for tool in iperf3 wrk nginx ethtool; do
	command -v $tool >/dev/null ||
		{ echo "bulk_throughput: $tool is missing (make deps)" >&2; exit 1; }
done
XLB_PREFIX=${XLB_PREFIX:-xlb-bulk-$$-}
# shellcheck disable=SC2034 # read by tests/e2e/lib.sh: the backends get IPv4 addresses only
BE_FAMILIES=4
source "$(dirname "$0")/../tests/e2e/lib.sh"
source "$(dirname "$0")/lib_wrk.sh"
XLB_LIFETIME=$((ROUNDS * $(wc -w <<<"$MODES") * 10 * (SECONDS_EACH + 5) + 300))
VIP1=$VIP4B # be1 alone
IPERF_PORT=5201
NODES="cli rtr sw lb hop $BACKENDS"
# The hop: a node on the bridge like the LB that bounces VIP_HOP to be1 with XDP_TX and does
# nothing else (bench/tools/xdp_bounce.bpf.c); be1 holds VIP_HOP on lo.
HOP4=198.51.100.3
VIP_HOP=192.0.2.30

# bridge_port NODE IF: NODE's interface IF on the bridge, as port p-NODE.
bridge_port() {
	veth_pair "$1" "$2" sw "p-$1" $INNER_MTU
	ip -n "$(ns sw)" link set dev "p-$1" master br0 || fail "p-$1 on br0"
}

bulk_topo_create() {
	local n be
	for n in $NODES; do
		ip netns add "$(ns "$n")" || fail "netns $(ns "$n")"
		ip -n "$(ns "$n")" link set lo up
		nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	nsx rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	veth_pair cli rtr0 rtr cli0 1500
	addr_add cli rtr0 $CLI4/24
	addr_add rtr cli0 203.0.113.1/24
	ip -n "$(ns cli)" route add default via 203.0.113.1

	ip -n "$(ns sw)" link add br0 mtu $INNER_MTU type bridge || fail "bridge in sw"
	ip -n "$(ns sw)" link set br0 up
	bridge_port rtr lan0
	addr_add rtr lan0 $RTR_LB4/24
	bridge_port lb rtr0
	addr_add lb rtr0 $LB4/24
	addr_add lb rtr0 $LB6/64
	ip -n "$(ns lb)" route add default via $RTR_LB4
	ip -n "$(ns rtr)" route add 192.0.2.0/24 via $LB4
	# XDP_TX into a veth needs an XDP program on its peer; and the LB forwards bytes as
	# they are, so the port toward it completes checksums as a wire would.
	ip -n "$(ns sw)" link set dev p-lb xdp obj "$(xdp_pass_obj)" sec xdp ||
		fail "cannot attach XDP_PASS on p-lb"
	nsx sw ethtool -K p-lb tx off >/dev/null || fail "ethtool tx off on p-lb"
	bridge_port hop rtr0
	addr_add hop rtr0 $HOP4/24
	ip -n "$(ns rtr)" route add $VIP_HOP/32 via $HOP4
	ip -n "$(ns sw)" link set dev p-hop xdp obj "$(xdp_pass_obj)" sec xdp ||
		fail "cannot attach XDP_PASS on p-hop"
	nsx sw ethtool -K p-hop tx off >/dev/null || fail "ethtool tx off on p-hop"
	for be in $BACKENDS; do
		bridge_port "$be" rtr0
		addr_add "$be" rtr0 "${BE4[$be]}/24"
		ip -n "$(ns "$be")" route add default via $RTR_LB4
	done
	addr_add be1 lo $VIP_HOP/32
	bounce_attach
	for n in lb hop $BACKENDS; do nsx "$n" ping -c1 -W1 -q $RTR_LB4 >/dev/null 2>&1; done
	for be in $BACKENDS; do nsx lb ping -c1 -W1 -q "${BE4[$be]}" >/dev/null 2>&1; done
	return 0
}

# bounce_obj [redirect]: the bounce toward be1's MAC, built for this run; by XDP_TX, or by
# bpf_redirect() to the hop's own interface.
bounce_obj() {
	local mac daddr obj=$XLB_RUNDIR/xdp_bounce${1:+_$1}.o def=()
	mac=$(ip -n "$(ns be1)" -j link show dev rtr0 | json_get 'd[0]["address"]')
	daddr=$(awk -F. '{printf "0x%02x%02x%02x%02x", $4, $3, $2, $1}' <<<"$VIP_HOP")
	[ "${1:-}" = redirect ] &&
		def=(-DBOUNCE_REDIRECT="$(ip -n "$(ns hop)" -j link show dev rtr0 | json_get 'd[0]["ifindex"]')")
	clang -O2 -g -target bpf -I"/usr/include/$(gcc -print-multiarch)" -DBOUNCE_DADDR="$daddr" \
		-DBOUNCE_MAC="0x${mac//:/,0x}" "${def[@]}" -c "$REPO_DIR/bench/tools/xdp_bounce.bpf.c" \
		-o "$obj" || fail "clang xdp_bounce.bpf.c"
	echo "$obj"
}

# bounce_attach [redirect]: that bounce on the hop, unless it is there already.
HOP_PROG=
bounce_attach() {
	[ "$HOP_PROG" = "${1:-tx}" ] && return 0
	ip -force -n "$(ns hop)" link set dev rtr0 xdp obj "$(bounce_obj "$@")" sec xdp ||
		fail "cannot attach the bounce on hop"
	HOP_PROG=${1:-tx}
}

# nginx answering a short body on :80 of every address (direct and VIPs), one worker.
nginx_start() {
	local be=$1 dir=$XLB_RUNDIR/nginx-$1
	mkdir -p "$dir/tmp"
	cat >"$dir/nginx.conf" <<-EOF
	daemon off;
	worker_processes 1;
	user root;
	pid $dir/nginx.pid;
	error_log $dir/error.log;
	events { worker_connections 512; }
	http {
	    access_log off;
	    client_body_temp_path $dir/tmp;
	    server { listen $HTTP_PORT; location / { return 200 "$be\n"; } }
	}
	EOF
	bg "$be" "$dir/stdout.log" timeout "$XLB_LIFETIME" nginx -c "$dir/nginx.conf" -e "$dir/error.log"
	wait_for 10 "nginx on $be" nsx "$be" curl -sf -o /dev/null "http://${BE4[$be]}/" ||
		fail "nginx on $be did not start: $(cat "$dir/error.log")"
}

bulk_up() {
	local be
	bulk_topo_create
	for be in $BACKENDS; do
		be_config_write "$be" "$XLB_RUNDIR/$be.yaml"
		agent_start "$be"
		nginx_start "$be"
	done
	bg be1 "$XLB_RUNDIR/iperf3.log" timeout "$XLB_LIFETIME" iperf3 -s -p $IPERF_PORT
	LB_CONF=$XLB_RUNDIR/lb.yaml
	# shellcheck disable=SC2034 # read by tests/e2e/lib.sh (agent_sock)
	LB_SOCK=$XLB_RUNDIR/run/lb.sock
	lb_config_write "$LB_CONF" "web1 $VIP1 $HTTP_PORT tcp be1=100
bulk1 $VIP1 $IPERF_PORT tcp be1=100
web3 $VIP4 $HTTP_PORT tcp be1=100 be2=100 be3=100"
	agent_start lb
	wait_for 10 "HTTP through $VIP1" nsx cli curl -sf --max-time 1 -o /dev/null "http://$VIP1/" ||
		fail "no HTTP answer through the LB on $VIP1"
	wait_for 10 "iperf3 on be1" nsx cli timeout 5 iperf3 -c "${BE4[be1]}" -p $IPERF_PORT -t 1 ||
		fail "iperf3 on be1 does not answer: $(tail -3 "$XLB_RUNDIR/iperf3.log")"
}

# --- offload modes ------------------------------------------------------------------------

# Every veth of the run as "NS IF" lines.
bulk_links() {
	local n
	for n in $NODES; do
		ip -n "$(ns "$n")" -o link show type veth | awk -v n="$n" '{sub(/@.*/, "", $2); print n, $2}'
	done
}

# The kernel's defaults, read once after setup: "NS IF gso tso gro" lines.
OFFLOADS_DEFAULT=
offloads_snapshot() {
	local n ifc
	while read -r n ifc; do
		OFFLOADS_DEFAULT+="$n $ifc $(nsx "$n" ethtool -k "$ifc" | awk '
			/^generic-segmentation-offload:/ {g = $2} /^tcp-segmentation-offload:/ {t = $2}
			/^generic-receive-offload:/ {r = $2} END {print g, t, r}')
"
	done < <(bulk_links)
}

# offloads_set NS IF GSO TSO GRO: ethtool warns on a feature the device holds fixed (TSO
# without checksum offload on p-lb); what the device took is what `ethtool -k` shows.
offloads_set() {
	nsx "$1" ethtool -K "$2" gso "$3" tso "$4" gro "$5" >/dev/null 2>&1 || true
}

# channels_set N: N queues on both ends of the veths with an XDP program (LB, hop, backends).
# veth refuses a change that leaves an XDP side with fewer receive queues than its peer
# transmits on: receive queues up to the most first, then transmit queues, then receive
# queues down. A step that changes nothing is an error to ethtool; the end state is checked.
channels_set() {
	local n ifc max
	max=$(nproc)
	for n in lb hop $BACKENDS; do
		for ifc in "$n rtr0" "sw p-$n"; do nsx ${ifc% *} ethtool -L ${ifc#* } rx "$max" 2>/dev/null; done
		for ifc in "$n rtr0" "sw p-$n"; do nsx ${ifc% *} ethtool -L ${ifc#* } tx "$1" 2>/dev/null; done
		for ifc in "$n rtr0" "sw p-$n"; do
			nsx ${ifc% *} ethtool -L ${ifc#* } rx "$1" 2>/dev/null
			[ "$(nsx ${ifc% *} ethtool -l ${ifc#* } | awk '/^RX:/ {v = $2} END {print v}')" = "$1" ] ||
				fail "cannot set $1 queues on ${ifc#* } of ${ifc% *}"
		done
	done
}

# qdisc_set on|off: a pfifo on each bridge port that sends into a veth with XDP, or veth's
# default (noqueue). With a qdisc, a veth whose peer's ring is full can stop its queue and
# make the sender wait (kernels since 6.16) instead of dropping the packet.
qdisc_set() {
	local n
	for n in lb hop $BACKENDS; do
		if [ "$1" = on ]; then
			nsx sw tc qdisc replace dev "p-$n" root pfifo limit 1000 || fail "pfifo on p-$n"
		else
			nsx sw tc qdisc del dev "p-$n" root 2>/dev/null
		fi
	done
}

mode_apply() {
	local n ifc g t r
	while read -r n ifc g t r; do
		[ -n "$n" ] || continue
		if [ "$1" = defaults ]; then offloads_set "$n" "$ifc" "$g" "$t" "$r"
		else offloads_set "$n" "$ifc" off off off; fi
	done <<<"$OFFLOADS_DEFAULT"
	channels_set 1
	qdisc_set off
	bounce_attach
	case $1 in
	defaults | same) ;;
	q) channels_set "$(nproc)" ;;
	gro) offloads_set sw p-lb off off on && offloads_set sw p-hop off off on ;;
	redirect) bounce_attach redirect ;;
	qdisc) qdisc_set on ;;
	*) fail "unknown mode $1 (defaults, same, q, gro, redirect, qdisc)" ;;
	esac
}

# --- one run ------------------------------------------------------------------------------

# xdp_counters NODE: "sent errors rx_dropped tx_dropped": the frames NODE's veth (lb or hop)
# sent back by XDP_TX or bpf_redirect(), those its peer's ring had no room for (xdp_tx_errors,
# or xdp_xmit_errors for a redirect), summed over its queues; what its bridge port dropped on
# receive, and on the way in (NODE's own ring full).
xdp_counters() {
	echo "$(nsx "$1" ethtool -S rtr0 | awk '
		$1 ~ /^rx_queue_[0-9]+_xdp_(tx|redirect):$/ {t += $2}
		$1 ~ /^(rx_queue_[0-9]+_xdp_tx|tx_queue_[0-9]+_xdp_xmit)_errors:$/ {e += $2}
		END {print t + 0, e + 0}') $(nsx sw cat "/sys/class/net/p-$1/statistics/rx_dropped")" \
		"$(nsx sw cat "/sys/class/net/p-$1/statistics/tx_dropped")"
}

# What the bridge could not hand to be1 (its veth's ring full): the direct path's drops too.
be1_drops() { nsx sw cat /sys/class/net/p-be1/statistics/tx_dropped; }

# run_one MODE TEST PATH: one measurement; prints
# "MODE TEST PATH value p99_ms|- retransmits|- xdp_tx xdp_tx_errors rx_dropped".
run_one() {
	local mode=$1 test=$2 path=$3 dst before after out v p99=- retr=- frames i off=0 other=4
	dst=${BE4[be1]}
	case $path in vip) dst=$VIP1 ;; vip3) dst=$VIP4 ;; hop) dst=$VIP_HOP off=4 other=0 ;; esac
	read -ra before <<<"$(xdp_counters lb) $(xdp_counters hop) $(be1_drops)"
	case $test in
	wrk)
		read -r v p99 out <<<"$(wrk_run "http://$dst/" 16 "$SECONDS_EACH")"
		[ "$out" = none ] || fail "$mode $test $path: wrk errors: $out"
		# A request is at least one frame from the client.
		frames=$(awk -v r="$v" -v s="$SECONDS_EACH" 'BEGIN {printf "%d", r * s * 0.9}')
		;;
	p1 | p4)
		out=$(nsx cli timeout $((SECONDS_EACH + 20)) iperf3 -c "$dst" -p $IPERF_PORT \
			-t "$SECONDS_EACH" -P "${test#p}" -J) ||
			fail "$mode $test $path: iperf3 failed: $(json_get 'd.get("error")' <<<"$out")"
		v=$(json_get '"%.0f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6)' <<<"$out")
		retr=$(json_get 'd["end"]["sum_sent"]["retransmits"]' <<<"$out")
		# XDP sees every segment on its own (no GSO into it): a frame per 1600 bytes at least.
		frames=$(json_get 'int(d["end"]["sum_received"]["bytes"] / 1600)' <<<"$out")
		;;
	esac
	read -ra after <<<"$(xdp_counters lb) $(xdp_counters hop) $(be1_drops)"
	for i in 0 1 2 3 4 5 6 7 8; do after[i]=$((after[i] - before[i])); done
	if [ "$path" = direct ]; then
		[ "${after[0]}" -eq 0 ] && [ "${after[4]}" -eq 0 ] ||
			fail "$mode $test direct: the LB and the hop transmitted ${after[0]} and ${after[4]} frames"
	else
		[ "${after[off]}" -ge "$frames" ] && [ "${after[other]}" -eq 0 ] ||
			fail "$mode $test $path: ${after[off]} frames by XDP (expected $frames at least)," \
				"${after[other]} by the other node"
	fi
	echo "$mode $test $path $v $p99 $retr ${after[off]} ${after[off + 1]} ${after[off + 2]}" \
		"${after[8]} ${after[off + 3]}"
}

# --- report -------------------------------------------------------------------------------


# col MODE TEST PATH FIELD: one field (4 = value, 5 = p99, 6 = retransmits, 7..9 counters) of
# every run of that kind, one a line.
col() { printf '%s\n' "${RESULTS[@]}" | awk -v m="$1" -v t="$2" -v p="$3" -v f="$4" \
	'$1 == m && $2 == t && $3 == p {print $f}'; }

# ratios MODE TEST PATH OVER: PATH's value over OVER's, round by round.
ratios() { paste <(col "$1" "$2" "$3" 4) <(col "$1" "$2" "$4" 4) |
	awk '$1 > 0 && $2 > 0 {printf "%.2f\n", $1 / $2}'; }

# cell MODE TEST PATH FIELD: the median of that field over the rounds.
cell() { col "$@" | median; }

# each MODE TEST PATH FIELD: that field of every round, in order (counts that happen in some
# runs only would vanish in a median).
each() { col "$@" | tr '\n' ' ' | sed 's/ $//'; }

# rcell MODE TEST PATH OVER: the median of PATH/OVER round by round, then each round's.
rcell() { echo "$(ratios "$@" | median) ($(ratios "$@" | tr '\n' ' ' | sed 's/ $//'))"; }

report() {
	local m t goal unit f
	echo
	echo "| mode | test | direct | hop (bounce) | LB (VIP) | hop/direct | LB/direct | goal |" \
		"LB/hop |" \
		"p99 ms or retransmits: direct, hop, LB | XDP errors, each run: hop; LB |" \
		"drops into be1's veth, each run: direct; hop; LB | drops into the hop's; the LB's veth |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|"
	for m in $MODES; do
		for t in wrk p1 p4; do
			case $t in wrk) goal=">= 0.95" unit=" req/s" f=5 ;; *) goal=">= 0.90" unit=" Mbit/s" f=6 ;; esac
			echo "| $m | $t | $(cell "$m" $t direct 4)$unit | $(cell "$m" $t hop 4)$unit |" \
				"$(cell "$m" $t vip 4)$unit | $(rcell "$m" $t hop direct) |" \
				"$(rcell "$m" $t vip direct) | $goal | $(rcell "$m" $t vip hop) |" \
				"$(cell "$m" $t direct $f), $(cell "$m" $t hop $f), $(cell "$m" $t vip $f) |" \
				"$(each "$m" $t hop 8); $(each "$m" $t vip 8) |" \
				"$(each "$m" $t direct 10); $(each "$m" $t hop 10); $(each "$m" $t vip 10) |" \
				"$(each "$m" $t hop 11); $(each "$m" $t vip 11) |"
		done
		[ -n "$(col "$m" wrk vip3 4)" ] || continue
		echo "| $m | wrk, VIP over 3 backends | $(col "$m" wrk direct 4 | head -1) req/s (round 1) | |" \
			"$(col "$m" wrk vip3 4) req/s | | $(ratios "$m" wrk vip3 direct) | | | | | | |"
	done
}

e2e_init
bulk_up 2>"$XLB_RUNDIR/setup.log"
offloads_snapshot
echo "# $(date -u +%FT%TZ) commit $(git -C "$REPO_DIR" describe --always --dirty 2>/dev/null)," \
	"$(nproc) CPUs, $ROUNDS rounds of ${SECONDS_EACH}s, modes: $MODES"
echo "# mode test path value(req/s|Mbit/s) p99_ms retransmits xdp_sent xdp_errors" \
	"port_rx_dropped be1_port_tx_dropped port_tx_dropped"
RESULTS=()
# record MODE TEST PATH: one run into RESULTS and on stdout; its failure ends the bench.
record() {
	local line
	line=$(run_one "$@") || { echo "$line"; exit 1; }
	RESULTS+=("$line")
	echo "$line"
}
for r in $(seq "$ROUNDS"); do
	for m in $MODES; do
		mode_apply "$m"
		for t in wrk p1 p4; do
			for p in direct hop vip; do
				record "$m" "$t" "$p"
			done
		done
		if [ "$r" = 1 ]; then record "$m" wrk vip3; fi
	done
done
report
