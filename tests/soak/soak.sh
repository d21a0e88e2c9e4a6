#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Bounded soak (tests/soak/run.sh runs it: `make test-soak` in `make test`, `make soak` for
# longer): two LB nodes with connection sync behind an ECMP router (tests/soak/lib_soak.sh)
# for SOAK_SECONDS (default 150, at most 170: the stream clients live 180 s) of mixed
# traffic: eight long-lived TCP streams the whole time (IPv4 and IPv6, two of each family on
# each node), and in every cycle a batch of HTTP connections and UDP datagrams on both
# families. Each cycle also does one thing: drain or undrain a backend, a good reload
# (weights changed), a refused reload (broken file), a weight change over lbctl, an agent
# restart of lb2 (SIGTERM, a new agent adopts the pins), the failover (lb1 dies as in a
# power cut, between two batches; its streams go on through lb2 from the synced state,
# even those whose backend was drained just before: only that state keeps them there) and
# lb1's return (from nothing, in sync from lb2's dump; its streams come back to it).
# No exchange may fail, not even around the failover: the kill and the return fall between
# two batches, and the next batch starts only once the router has dropped lb1 (or routes to
# it again, attached, resolved and in sync) and every stream of lb1 has moved data since.
# At the end: every stream intact (every byte echoed, never moved to another backend), no
# HTTP or UDP exchange lost, no packet dropped, no sync record rejected, the counters grew
# by at least what the clients sent (lb1's share read just before it died) and lb2's
# survived its restart, and lb2's agent RSS flat over the cycles after its restart.
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/../e2e/lib_cluster.sh"
source "$(dirname "$0")/lib_soak.sh"

SOAK_SECONDS=${SOAK_SECONDS:-150}
[ "$SOAK_SECONDS" -le 170 ] ||
	fail "SOAK_SECONDS=$SOAK_SECONDS: at most 170 (stream clients live 180 s)"
RSS_SLACK_KB=${RSS_SLACK_KB:-2048}
# Seconds for every stream that went through a node to move again after it died or came back.
FAILOVER_MAX=${FAILOVER_MAX:-10}
# The scripted part, one action a cycle; then the flaps again until the time is up.
PLAN=(drain undrain "good reload" "refused reload" "restart lb2" "kill lb1" "undrain pinned"
	weight "reload back" "revive lb1")
FLAPS=(drain undrain "good reload" "refused reload" "reload back" weight status)

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/${AGENT_PID[$1]}/status"; }
alive_nodes() { [ -n "${lb1_dead:-}" ] && echo lb2 || echo $SOAK_NODES; }

# stream_ports VIP BASE: four source ports from BASE up, two the router sends to each node.
stream_ports() {
	local vip=$1 port=$2 node
	declare -A taken=([lb1]=0 [lb2]=0)
	while [ $((taken[lb1] + taken[lb2])) -lt 4 ] && [ "$port" -lt $(($2 + 100)) ]; do
		node=$(soak_node_of "$vip" $port $STREAM_PORT tcp)
		if [ "${taken[$node]:-2}" -lt 2 ]; then
			taken[$node]=$((taken[$node] + 1))
			echo "$port $node"
		fi
		port=$((port + 1))
	done
}

# streams_moved NODE: every stream through NODE moved data since the snapshot in moved_from.
declare -A moved_from=()
snapshot_streams() {
	local s
	for s in "${streams[@]}"; do moved_from[$s]=$(stream_field "$s" bytes); done
}
streams_moved() {
	local s
	for s in "${streams[@]}"; do
		[ "${stream_node[$s]}" = "$1" ] || continue
		stream_is running "$s" || return 1
		[ "$(stream_field "$s" bytes)" -gt "${moved_from[$s]}" ] || return 1
	done
}
# wait_streams_moved NODE WHAT: fails the soak unless they all move within FAILOVER_MAX.
wait_streams_moved() {
	wait_for "$FAILOVER_MAX" "streams of $1 moving $2" streams_moved "$1" ||
		fail "streams that went through $1 stalled $2: $(streams_states)"
}
streams_states() {
	local s
	for s in "${streams[@]}"; do
		printf '%s(%s): %s; ' "$s" "${stream_node[$s]}" "$(stream_status "$s")"
	done
}

# ct_check NODE CHECK PORTS...: CHECK (a python expression over e, the node's conntrack
# entry of a stream) holds for the streams from those source ports; prints the failures.
ct_check() {
	local node=$1 check=$2
	shift 2
	lbctl_json "$node" conntrack list --limit 10000 | $PYTHON -c '
import json, sys
check, ports = sys.argv[1], set(int(p) for p in sys.argv[2:])
ents = {e["client_port"]: e for e in json.load(sys.stdin)["entries"]
        if e["vip_port"] == '$STREAM_PORT' and e["client_port"] in ports}
bad = [p for p in sorted(ports) if p not in ents or not eval(check, {"e": ents[p]})]
print(", ".join("%d %s" % (p, "no entry" if p not in ents else "synced=%s packets=%d" %
                            (ents[p]["synced"], ents[p]["packets"])) for p in bad))
sys.exit(1 if bad else 0)' "$check" "$@"
}
ports_on() {
	local s
	for s in "${streams[@]}"; do [ "${stream_node[$s]}" = "$1" ] && echo "${stream_port[$s]}"; done
}
# Each stream carried where the router's hash says (a local entry that counts packets),
# and known to the other node through sync: what lets it survive its node's death.
# Prints what is not so.
streams_placed() {
	local n peer why="" w
	for n in $SOAK_NODES; do
		peer=lb1
		[ $n = lb1 ] && peer=lb2
		w=$(ct_check $n 'not e["synced"] and e["packets"] > 0' $(ports_on $n)) ||
			why+="$n's streams not carried by $n: $w; "
		w=$(ct_check $n 'e["synced"]' $(ports_on $peer)) || why+="$peer's streams not synced to $n: $w; "
	done
	echo "$why"
	[ -z "$why" ]
}

# Counters of one node: forwarded, dropped packets, events lost + conntrack writes refused.
node_counters() {
	soak_stats "$1" '"%d %d %d" % (d["forwarded"], sum(v["packets"] for v in d["drops"].values()),
		d["events_lost"] + d["ct_insert_failed"])'
}

do_action() {
	local n
	case $1 in
	drain | undrain)
		for n in $(alive_nodes); do lbctl $n backend "$1" "${BE4[be2]}" >/dev/null || return 1; done
		;;
	weight)
		for n in $(alive_nodes); do lbctl $n backend weight "${BE4[be3]}" 300 >/dev/null || return 1; done
		;;
	status)
		for n in $(alive_nodes); do lbctl $n status >/dev/null || return 1; done
		;;
	"good reload" | "reload back")
		# Every node's file, a dead one's too: it comes back with the current config.
		specs=$VIPS_BASE
		[ "$1" = "good reload" ] && specs=$weights_specs
		for n in $SOAK_NODES; do soak_config_write $n "$specs"; done
		for n in $(alive_nodes); do soak_reload $n; done
		;;
	"refused reload")
		for n in $(alive_nodes); do
			cp "$XLB_RUNDIR/$n.yaml" "$XLB_RUNDIR/$n.good.yaml"
			echo "vips: [" >>"$XLB_RUNDIR/$n.yaml"
			lbctl $n reload >/dev/null 2>&1 && fail "cycle $cycle: $n accepted a broken config"
			mv "$XLB_RUNDIR/$n.good.yaml" "$XLB_RUNDIR/$n.yaml"
		done
		;;
	"restart lb2")
		restart_fwd=$(soak_stats lb2 'd["forwarded"]')
		cluster_agent_stop lb2
		cluster_agent_start lb2
		wait_for 10 "lb2 in sync" cluster_in_sync lb2 || fail "lb2 not in sync after its restart"
		restarted=$cycle
		rss=()
		;;
	"kill lb1")
		# The Maglev tables changed since the streams began (good reload), and the backends
		# of lb1's first stream of each family are drained: lb2's tables would send those
		# flows elsewhere, so they keep their backend only through the state lb1 synced.
		pinned=()
		for fam in 4 6; do
			for s in "${streams[@]}"; do
				[ "${stream_node[$s]}" = lb1 ] && [ "${stream_fam[$s]}" = $fam ] || continue
				be=$(stream_field "$s" backend)
				[ $fam = 4 ] && pinned+=("${BE4[$be]}") || pinned+=("${BE6[$be]}")
				break
			done
		done
		for n in $SOAK_NODES; do
			for a in "${pinned[@]}"; do lbctl $n backend drain "$a" >/dev/null || return 1; done
		done
		# lb1's counters die with its pins: read them last thing before the power cut.
		read -r lb1_fwd lb1_drops lb1_lost <<<"$(node_counters lb1)"
		soak_node_kill lb1
		lb1_dead=$cycle
		# From here on every echo went through lb2: lb1's data plane and route are gone.
		snapshot_streams
		wait_streams_moved lb1 "after lb1's death"
		failover_s=$(printf '%.2f' "$(echo "$(date +%s.%N) - $SOAK_KILLED_AT" | bc)")
		log "lb1 killed (SIGKILL, pins gone) with ${pinned[*]} drained; router via" \
			"$(soak_router_via) after ${SOAK_DETECT}s; its ${stream_on[lb1]} streams moving" \
			"through lb2 ${failover_s}s after the kill"
		;;
	"undrain pinned")
		for n in $(alive_nodes); do
			for a in "${pinned[@]}"; do lbctl $n backend undrain "$a" >/dev/null || return 1; done
		done
		;;
	"revive lb1")
		soak_node_revive lb1
		lb1_dead=
		revived=$cycle
		dumped=$(cluster_sync lb1 'd["received"]["dump_records"]')
		[ "$dumped" -ge ${#streams[@]} ] ||
			fail "lb1 came back with $dumped dump records for ${#streams[@]} streams"
		snapshot_streams
		wait_streams_moved lb1 "back on lb1"
		# Through lb1 itself, on the entries its dump brought.
		wait_for 5 "lb1's streams counted on lb1" ct_check lb1 'e["packets"] > 0' $(ports_on lb1) ||
			fail "lb1's streams move, but not through lb1:" \
				"$(ct_check lb1 'e["packets"] > 0' $(ports_on lb1))"
		log "lb1 back: in sync with $dumped records of lb2's dump, router via $(soak_router_via);" \
			"its ${stream_on[lb1]} streams moving through it again"
		;;
	esac
}

soak_setup
declare -A start_fwd=()
for n in $SOAK_NODES; do start_fwd[$n]=$(soak_stats $n 'd["forwarded"]'); done
log "soak: ${SOAK_SECONDS}s; forwarded before: lb1 ${start_fwd[lb1]}, lb2 ${start_fwd[lb2]}"

streams=()
declare -A stream_node=() stream_fam=() stream_port=() stream_on=([lb1]=0 [lb2]=0)
for fam in 4 6; do
	vip=$VIP4
	[ $fam = 6 ] && vip=$VIP6
	while read -r sport node; do
		stream_start "$vip" "$sport"
		streams+=("$STREAM")
		stream_node[$STREAM]=$node
		stream_port[$STREAM]=$sport
		stream_fam[$STREAM]=$fam
		stream_on[$node]=$((stream_on[$node] + 1))
	done < <(stream_ports "$vip" $((39800 + 200 * fam)))
done
[ "${stream_on[lb1]}" = 4 ] && [ "${stream_on[lb2]}" = 4 ] ||
	fail "no 2 + 2 streams per family on each node: $(streams_states)"
wait_for 10 "every stream on its node and synced to the other" streams_placed ||
	fail "streams not where the router's hash says, or not synced: $(streams_placed)"
log "streams: $(for s in "${streams[@]}"; do printf '%s on %s, ' "$s" "${stream_node[$s]}"; done)"

weights_specs=${VIPS_BASE//"be1=100 be2=100 be3=100"/"be1=150 be2=100 be3=50"}
cycle=0
port=20000
http_sent=0
udp_sent=0
rss=()
rss1=()
end=$((SECONDS + SOAK_SECONDS))
while [ $SECONDS -lt $end ]; do
	if [ $cycle -lt ${#PLAN[@]} ]; then
		action=${PLAN[$cycle]}
	else
		action=${FLAPS[$(((cycle - ${#PLAN[@]}) % ${#FLAPS[@]}))]}
	fi
	cycle=$((cycle + 1))
	do_action "$action" || fail "cycle $cycle: $action failed"
	# The batch comes after the action: a kill or a return is never in the middle of one.
	out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port $port --count 40)
	errs=$(json_get 'd["errors"]' <<<"$out")
	out6=$(client http --vip $VIP6 --port $HTTP_PORT --first-port $((port + 40)) --count 20)
	errs=$((errs + $(json_get 'd["errors"]' <<<"$out6")))
	udp=$(client udp --vip $VIP4 --port $UDP_PORT --first-port $((port + 60)) --count 20)
	errs=$((errs + $(json_get 'd["errors"]' <<<"$udp")))
	udp6=$(client udp --vip $VIP6 --port $UDP_PORT --first-port $((port + 80)) --count 20)
	errs=$((errs + $(json_get 'd["errors"]' <<<"$udp6")))
	[ "$errs" = 0 ] || fail "cycle $cycle ($action): $errs of 100 exchanges failed" \
		"($(http_summary <<<"$out"); $(http_summary <<<"$out6");" \
		"$(json_get 'd["error_samples"]' <<<"$udp") $(json_get 'd["error_samples"]' <<<"$udp6"))"
	http_sent=$((http_sent + 60))
	udp_sent=$((udp_sent + 40))
	port=$((port + 100))
	[ $port -lt 39000 ] || port=20000
	for s in "${streams[@]}"; do
		stream_is running "$s" || fail "cycle $cycle ($action): stream $s broke: $(stream_status "$s")"
	done
	[ -n "${restarted:-}" ] && rss+=("$(rss_kb lb2)")
	[ -n "${revived:-}" ] && rss1+=("$(rss_kb lb1)")
	log "cycle $cycle: $action; 100 exchanges ok; router via $(soak_router_via);" \
		"streams $(for s in "${streams[@]}"; do printf '%s ' "$(stream_field "$s" bytes)"; done)bytes;" \
		"lb2 rss $(rss_kb lb2) kB"
done
[ $cycle -gt ${#PLAN[@]} ] ||
	fail "the soak ended after $cycle of the ${#PLAN[@]} planned cycles (SOAK_SECONDS too short)"

for s in "${streams[@]}"; do
	backend=$(stream_field "$s" backend)
	stream_stop "$s"
	log "stream $s (${stream_node[$s]}): intact on $backend, $(stream_field "$s" bytes) bytes"
done

# lb1 died with its counters (its pins went): what it forwarded before comes from the
# snapshot taken just before the kill, and the lb1 that came back counts from zero. A stream
# packet between that snapshot and the kill goes uncounted; the batches are never in flight.
read -r fwd1 drops1 lost1 <<<"$(node_counters lb1)"
read -r fwd2 drops2 lost2 <<<"$(node_counters lb2)"
forwarded=$((lb1_fwd - start_fwd[lb1] + fwd1 + fwd2 - start_fwd[lb2]))
drops=$((lb1_drops + drops1 + drops2))
lost=$((lb1_lost + lost1 + lost2))
log "counters: lb1 forwarded ${start_fwd[lb1]} -> $lb1_fwd at its death, then 0 -> $fwd1;" \
	"lb2 ${start_fwd[lb2]} -> $restart_fwd at its restart -> $fwd2; drops $drops," \
	"events lost + ct refused $lost"
[ "$drops" = 0 ] || fail "packets dropped: lb1 $lb1_drops before its death, $drops1 after;" \
	"lb2 $drops2: $(lbctl lb2 stats)"
[ "$lost" = 0 ] ||
	fail "events lost or conntrack writes refused: lb1 $lb1_lost + $lost1, lb2 $lost2"
[ "$fwd2" -ge "$restart_fwd" ] ||
	fail "lb2's counters went back across its restart ($restart_fwd -> $fwd2)"
[ "$fwd1" -gt 0 ] || fail "lb1 forwarded nothing after it came back"
# Every HTTP exchange is at least 3 client packets (SYN, request, ACK or FIN), UDP one.
want=$((3 * http_sent + udp_sent))
[ "$forwarded" -ge "$want" ] ||
	fail "forwarded $forwarded < $want: counters lost across the restart or not counted"
for n in $SOAK_NODES; do
	rejected=$(cluster_sync $n 'sum(d["rejected"].values())')
	[ "$rejected" = 0 ] || fail "$n rejected sync records: $(lbctl $n sync)"
done

# rss_flat NODE WHAT SAMPLES...: the agent's RSS, sampled once a cycle since WHAT, flat within
# RSS_SLACK_KB (the first sample is its warm-up). Leaves "first -> last kB" in RSS_SEEN.
rss_flat() {
	local node=$1 what=$2 first last max
	shift 2
	[ $# -ge 3 ] || fail "too few cycles after $what to judge $node's RSS ($#)"
	first=$2
	last=${!#}
	max=$(printf '%s\n' "$@" | sort -n | tail -1)
	log "$node rss after $what: first $first, max $max, last $last kB over $# cycles"
	[ "$last" -le $((first + RSS_SLACK_KB)) ] ||
		fail "$node's agent RSS grew from $first to $last kB over $(($# - 1)) cycles after $what"
	RSS_SEEN="$first -> $last kB"
}
# lb2 restarted and then carried everything while lb1 was dead, and served its dump; lb1 is
# a fresh agent since its return. The agent that died has no RSS to judge.
rss_flat lb2 "its restart" "${rss[@]}"
rss2=$RSS_SEEN
rss_flat lb1 "its return" "${rss1[@]}"
log "soak passed: $cycle cycles, $http_sent HTTP + $udp_sent UDP exchanges," \
	"${#streams[@]} streams intact (${stream_on[lb1]} through lb1's death and return)," \
	"failover ${failover_s}s; rss lb2 $rss2, lb1 $RSS_SEEN"
