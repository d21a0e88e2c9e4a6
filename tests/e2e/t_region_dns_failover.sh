#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Region failover through DNS: two regions (one balancer and one backend each), Knot as the
# authoritative server, a client resolving the name through it. Both regions up: the name
# answers both VIPs. Region 1 gone: only region 2's VIP, within detection + a round + TTL,
# and curl by name keeps working. Region 1 back: its VIP returns after the hold-down. The
# observers cut from each other: the rule of docs/REGIONS.md. A forged update is refused.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_cluster.sh"
. "$(dirname "$0")/lib_region.sh"

region_setup

BOTH="$VIP4 $VIP4B"
name_is() { [ "$(dig_name $RG_NAME)" = "$1" ]; }

wait_for 15 "both VIPs in DNS" name_is "$BOTH" ||
	fail "both regions up: the name answers '$(dig_name $RG_NAME)', not '$BOTH'"
log "both regions up: $RG_NAME -> $(dig_name $RG_NAME)"

# Curl by name, each run a new process resolving through the server: all must succeed.
curl_by_name() {
	local i ok=0
	for i in 1 2 3 4 5; do
		nsx cli curl -s -o /dev/null --max-time 3 "http://$RG_NAME/" && ok=$((ok + 1))
	done
	[ $ok = 5 ] || fail "curl by name: $ok of 5 succeeded ($1)"
}
curl_by_name "both regions up"
now_s() { date +%s.%N; }
since() { echo "$(now_s) - $1" | bc; }

# --- region 1 dies: its only node killed and its link gone -------------------------------
t0=$(now_s)
kill -KILL "${AGENT_PID[lb1]}"
ip -n "$(ns lb1)" link set rtr0 down
wait_for 15 "lb2 sees r1 down" region_seen_is lb2 r1 down ||
	fail "region 2 never saw region 1 down"
detect=$(since "$t0")
wait_for 15 "only r2's VIP in DNS" name_is "$VIP4B" ||
	fail "region 1 dead: the name answers '$(dig_name $RG_NAME)', not '$VIP4B'"
server=$(since "$t0")
log "region 1 down: detected in ${detect}s, DNS answers only $VIP4B after ${server}s, a client sees it within $(echo "$server + $RG_TTL" | bc)s (TTL $RG_TTL s)"
echo "figure: detection_s=$detect server_s=$server client_bound_s=$(echo "$server + $RG_TTL" | bc)"
curl_by_name "region 1 gone"
mx=$(nsx lb2 curl -s --max-time 3 http://127.0.0.1:9742/metrics)
echo "$mx" | grep -q '^xdplb_region_up{region="r1"} 0$' ||
	fail "metrics: r1 not down: $(echo "$mx" | grep region)"
echo "$mx" | grep -q '^xdplb_region_seen_up{region="r1"} 0$' ||
	fail "metrics: lb2 does not publish r1 down: $(echo "$mx" | grep region)"
[ "$(echo "$mx" | sed -n 's/^xdplb_dns_updates_total{result="sent"} //p')" -gt 0 ] ||
	fail "metrics: no update counted as sent"
[ "$(lbctl_json lb2 dns | json_get 'd["names"][0]["records"]')" = "[\"$VIP4B\"]" ] ||
	fail "lbctl dns on lb2 does not show the server's records: $(lbctl lb2 dns)"

# --- region 1 back: its VIP returns after the hold-down ----------------------------------
ip -n "$(ns lb1)" link set rtr0 up
# The link going down took the default route with it.
ip -n "$(ns lb1)" route replace default via "${CL_RTR4[lb1]}"
nsx lb1 ping -c1 -W1 -q "${CL_RTR4[lb1]}" >/dev/null 2>&1
t0=$(now_s)
region_agent_start lb1
wait_for 20 "both VIPs back in DNS" name_is "$BOTH" ||
	fail "region 1 back: the name answers '$(dig_name $RG_NAME)', not '$BOTH'"
back=$(since "$t0")
hold=${RG_HOLD_DOWN%s}
[ "$(echo "$back >= $hold" | bc)" = 1 ] ||
	fail "region 1 came back after ${back}s, before the ${hold}s hold-down"
log "region 1 back in DNS after ${back}s (hold-down ${hold}s)"

# --- observers cut from one another, not from the client ---------------------------------
# Region 2 alone cannot reach region 1: with two regions, region 2 is the whole majority of
# region 1's observers, so region 1 leaves the answer although the client still reaches it.
# The router drops what region 2 sends to region 1's VIP: region 2's probes time out.
ip -n "$(ns rtr)" rule add from "${CL_LB4[lb2]}" to "$VIP4" blackhole
wait_for 15 "r1 out on r2's word" name_is "$VIP4B" ||
	fail "r2 cut from r1: the name answers '$(dig_name $RG_NAME)', not '$VIP4B'"
log "r2 cut from r1: r1 leaves the answer (r2 is all of r1's observers)"
# Both cut from each other: each is down by the other's vote, nobody would be left, so
# every record stays (a name never loses its last record).
ip -n "$(ns rtr)" rule add from "${CL_LB4[lb1]}" to "$VIP4B" blackhole
wait_for 15 "fail open: both VIPs" name_is "$BOTH" ||
	fail "both cut: the name answers '$(dig_name $RG_NAME)', not '$BOTH' (fail open)"
[ "$(lbctl_json lb1 dns | json_get 'd["names"][0]["fail_open"]')" = true ] ||
	fail "lbctl dns does not say fail open: $(lbctl lb1 dns)"
log "both cut: fail open, both VIPs stay"
curl_by_name "observers split"
ip -n "$(ns rtr)" rule del from "${CL_LB4[lb2]}" to "$VIP4" blackhole
ip -n "$(ns rtr)" rule del from "${CL_LB4[lb1]}" to "$VIP4B" blackhole

# --- a forged update: wrong TSIG key, refused, nothing changes ---------------------------
before=$(dig_name $RG_NAME)
wrong=$(head -c 32 /dev/urandom | base64)
if printf 'server %s\nzone %s\nupdate delete %s A\nupdate add %s 5 A 203.0.113.99\nsend\n' \
	$RG_DNS4 $RG_ZONE $RG_NAME $RG_NAME | nsx cli nsupdate -t 3 -y "hmac-sha256:xdplb:$wrong" \
	>"$XLB_RUNDIR/forged.log" 2>&1; then
	fail "a forged update was accepted: $(cat "$XLB_RUNDIR/forged.log")"
fi
grep -qiE 'NOTAUTH|BADSIG|tsig' "$XLB_RUNDIR/forged.log" ||
	fail "forged update: unexpected refusal: $(cat "$XLB_RUNDIR/forged.log")"
sleep 1
[ "$(dig_name $RG_NAME)" = "$before" ] ||
	fail "a forged update changed the answer: '$before' -> '$(dig_name $RG_NAME)'"
log "forged update refused: $(tr '\n' ' ' <"$XLB_RUNDIR/forged.log" | cut -c1-120)"

# --- the DNS server down: counted and logged, the agents keep running --------------------
failed=$(lbctl_json lb2 dns | json_get 'd["stats"]["updates_failed"]')
stop_pid "$RG_KNOT_PID"
sleep 2
pid_alive "${AGENT_PID[lb2]}" || fail "lb2's agent died with the DNS server"
out=$(lbctl_json lb2 dns)
[ "$(echo "$out" | json_get 'd["read"]["ok"]')" = false ] || fail "dns read ok with knotd stopped"
[ "$(echo "$out" | json_get 'd["stats"]["updates_failed"]')" -gt "$failed" ] ||
	fail "failed updates not counted: $(echo "$out" | json_get 'd["stats"]')"
grep -q "region: DNS server:" "$(ls -t "$XLB_RUNDIR"/lb2-agent.log.* | head -1)" ||
	fail "the DNS server's failure is not logged"
log "DNS server down: counted ($(echo "$out" | json_get 'd["stats"]["updates_failed"]') failed updates), logged, agents alive"
