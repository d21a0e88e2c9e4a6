#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The layer-4 side of layer 7: the proxies are the VIP's backends on the LB,
# which checks their health endpoint. A proxy drained in its YAML answers 503
# (no reload of HAProxy) and the LB moves new connections to the other one; a
# proxy node killed is taken out and no request fails after that.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_health.sh"
source "$(dirname "$0")/lib_l7.sh"
l7_setup

# requests_via BE: how many client requests (not checks) the origins have logged from proxy BE.
requests_via() {
	cat "$XLB_RUNDIR"/origin-*/access.log |
		awk -v a="${BE4[$1]}" -v x="xff=\"$CLI4\"" '$1 == a && $2 == x' | wc -l
}

out=$(l7_loop 40 /)
[[ $out == "ok=40 err=0 "* ]] || fail "40 requests through both proxies: $out"
[ "$(requests_via be1)" -gt 0 ] && [ "$(requests_via be2)" -gt 0 ] ||
	fail "not both proxies carried requests (be1 $(requests_via be1), be2 $(requests_via be2))"
log "both proxies carry requests: be1 $(requests_via be1), be2 $(requests_via be2)"

# --- a proxy drained: 503 on its health endpoint, the LB moves away -----------------------
reloads=$(proxy_field be2 reloads)
L7_DRAIN=true proxy_config_write be2 "$XLB_RUNDIR/be2.yaml"
out=$(lbctl be2 reload 2>&1) || fail "drain refused: $out"
code=$(nsx lb curl -s -o /dev/null -w '%{http_code}' "http://${BE4[be2]}:$L7_HEALTH_PORT/healthz")
[ "$code" = 503 ] || fail "a draining proxy's health endpoint answers $code"
[ "$(proxy_field be2 reloads)" = "$reloads" ] || fail "the drain reloaded HAProxy"
wait_state web4 "${BE4[be2]}" down || fail "the LB did not take the draining be2 out"
before=$(requests_via be2)
out=$(l7_loop 30 /)
[[ $out == "ok=30 err=0 "* ]] || fail "requests with be2 draining: $out"
[ "$(requests_via be2)" = "$before" ] || fail "be2 draining still got new connections"
log "be2 drained: health 503, out of the LB, 30 requests via be1 only"
proxy_config_write be2 "$XLB_RUNDIR/be2.yaml"
out=$(lbctl be2 reload 2>&1) || fail "undrain refused: $out"
wait_state web4 "${BE4[be2]}" up || fail "the LB did not take be2 back after its drain"

# --- a proxy node killed: every process in it, as a power cut would -------------------------------
for pid in $(ip netns pids "$(ns be1)"); do kill -KILL "$pid"; done
t0=$(date +%s%N)
wait_state web4 "${BE4[be1]}" down || fail "the LB did not take the dead be1 out"
log "be1 killed: out of the LB after $((($(date +%s%N) - t0) / 1000000)) ms"
before=$(requests_via be2)
out=$(l7_loop 50 /)
log "50 requests after the removal: $out"
[[ $out == "ok=50 err=0 "* ]] || fail "requests failed after be1 was taken out: $out"
[ "$(requests_via be2)" = $((before + 50)) ] || fail "not every new connection went to be2"
