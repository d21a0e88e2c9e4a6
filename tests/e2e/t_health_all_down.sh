#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Every backend of a VIP DOWN: new connections are dropped and counted
# (no_backend), the client gets no answer but no hang either; with
# fail_open: true the same VIP sends them to its backends anyway.
source "$(dirname "$0")/lib.sh"
e2e_setup

# health_set VIP=MAPPING...: lb.yaml's health: section of each named VIP (replacing one
# written before), then a reload. MAPPING may add VIP keys after a newline.
health_set() {
	$PYTHON - "$LB_CONF" "$@" <<-'EOF'
	import sys
	path, pairs = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
	out, skip = [], False
	for line in open(path):
	    s = line.strip()
	    if skip and (s.startswith("health:") or s.startswith("fail_open:")):
	        continue
	    out.append(line)
	    if s.startswith("- name: "):
	        skip = s[8:] in pairs
	        if skip:
	            out.append("    health: %s\n" % pairs[s[8:]])
	open(path, "w").write("".join(out))
	EOF
	out=$(lbctl lb reload 2>&1) || fail "reload with health checks refused: $out"
}

no_backend_drops() {
	lbctl_json lb stats | json_get "d['drops'].get('no_backend', {}).get('packets', 0)"
}

# Every (web4, backend) pair DOWN; the same hosts' pairs in other VIPs are not checked.
all_down() {
	[ "$(lbctl_json lb backend list web4 | json_get "sorted(set(b['state'] for b in d['backends']))")" = '["down"]' ]
}

# A check on a port nothing listens on: every backend's service runs, every check fails.
health_set "web4={type: tcp, port: 8081, interval: 200ms, timeout: 100ms, rise: 2, fall: 2}"
wait_for 5 "every IPv4 backend DOWN" all_down ||
	fail "backends not all DOWN: $(lbctl lb backend list 2>&1 | tr '\n' ' ')"
log "every backend of web4 DOWN: $(lbctl_json lb backend list | json_get "[b['health']['last_result'] for b in d['backends'] if b['address'] == '${BE4[be1]}'][0]")"

drops0=$(no_backend_drops)
t0=$SECONDS
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 27000 --count 10 --timeout 0.3 --budget 30)
took=$((SECONDS - t0))
log "10 requests with every backend DOWN: $(http_summary <<<"$out"), ${took}s"
[ "$(json_get 'd["errors"]' <<<"$out")" = 10 ] || fail "requests answered with every backend DOWN"
[ "$took" -le 15 ] || fail "the client hung for ${took}s"
drops1=$(no_backend_drops)
log "no_backend drops: $drops0 -> $drops1"
[ "$drops1" -ge $((drops0 + 10)) ] || fail "SYNs to a VIP without a live backend not counted as no_backend"

# Another VIP on the same hosts keeps working: DOWN is per (VIP, backend) pair,
# and udp4's pairs follow no check of web4's.
out=$(client udp --vip $VIP4 --port $UDP_PORT --first-port 27500 --count 5 --timeout 0.3)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] ||
	fail "udp4 lost datagrams while only web4's pairs were DOWN ($(http_summary <<<"$out"))"

health_set "web4={type: tcp, port: 8081, interval: 200ms, timeout: 100ms, rise: 2, fall: 2}
    fail_open: true"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 28000 --count 60 --timeout 1)
log "60 requests with every backend DOWN, fail_open: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "fail_open VIP dropped requests"
all_down || fail "fail_open changed the backends' state"
