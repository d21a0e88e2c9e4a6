#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# With health checks on: a drained backend keeps its long-lived stream and
# gets no new flows, and stays drained across a reload; a reload that changes
# the checks' settings keeps every backend's health state, a DOWN one included
# (no flap). One backend's own health: override takes it DOWN alone.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_health.sh"
e2e_setup

# health_set VIP[/BACKEND]=MAPPING...: lb.yaml's health: section of each named VIP, or of
# one of its backends (replacing one written before), then a reload.
health_set() {
	$PYTHON - "$LB_CONF" "$@" <<-'EOF'
	import sys
	path, pairs = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
	out, skip, vip = [], False, None
	for line in open(path):
	    s = line.strip()
	    if skip and s.startswith("health:"):
	        continue
	    out.append(line)
	    skip = False
	    if s.startswith("- name: "):
	        vip = s[8:]
	        key = vip
	    elif s.startswith("- address: ") and vip:
	        key = "%s/%s" % (vip, s[11:].strip('"'))
	    else:
	        continue
	    if key in pairs:
	        skip = True
	        out.append(" " * (line.index("-") + 2) + "health: %s\n" % pairs[key])
	open(path, "w").write("".join(out))
	EOF
	out=$(lbctl lb reload 2>&1) || fail "reload with health checks refused: $out"
}

# "ADDR:STATE:HEALTH:CHANGES ..." of every IPv4 backend.
backend_states() {
	lbctl_json lb backend list | json_get "' '.join('%s:%s:%s:%s' % (b['address'], b['state'], b['health'] and b['health']['state'], b['health'] and b['health']['changes']) for b in d['backends'] if b['address'].count('.') == 3)"
}

health_set "stream4={type: tcp, interval: 200ms, timeout: 100ms, rise: 2, fall: 2}" \
	"web4={type: http, interval: 200ms, timeout: 100ms, rise: 2, fall: 2}"
wait_for 5 "every backend checked and up" all_checked_up ||
	fail "health checks did not bring every backend up: $(backend_states)"

stream_start $VIP4
stream_flows $STREAM 10 "before the drain"
be=$(stream_field $STREAM backend)
addr=${BE4[$be]:-}
[ -n "$addr" ] || fail "stream reports backend '$be'"
out=$(lbctl lb backend drain "$addr" 2>&1) || fail "lbctl backend drain $addr: $out"
log "drained $be ($addr), which carries the stream"
stream_flows $STREAM 10 "after draining its backend $be"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 29000 --count 100 --timeout 1)
log "100 requests with $be drained: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "requests failed with $be drained"
[ "$(json_get "d['counts'].get('$be', 0)" <<<"$out")" = 0 ] || fail "drained $be got new connections"

# One more backend DOWN, by its own check on a port nothing listens on.
other=be1
[ "$be" = be1 ] && other=be2
health_set "web4/${BE4[$other]}={port: 8081}"
for _ in $(seq 50); do
	case " $(backend_states) " in *" ${BE4[$other]}:down:down:1 "*) break ;; esac
	sleep 0.1
done
before=$(backend_states)
log "before the reload: $before"
case " $before " in *" ${BE4[$other]}:down:down:1 "*) ;; *) fail "$other not DOWN by its own check" ;; esac
log_lines=$(cat "$XLB_RUNDIR"/lb-agent.log.* | wc -l)
# Other timing, rise and fall for the same checks, initial state up: every state stays.
health_set "stream4={type: tcp, interval: 300ms, timeout: 150ms, rise: 3, fall: 3}" \
	"web4={type: http, path: /, interval: 300ms, timeout: 150ms, rise: 3, fall: 3, initial: up}" \
	"web4/${BE4[$other]}={port: 8081, fall: 4}"
sleep 1.5
after=$(backend_states)
log "1.5 s after the reload: $after"
[ "$before" = "$after" ] || fail "a reload changed backend states: '$before' -> '$after'"
cat "$XLB_RUNDIR"/lb-agent.log.* | tail -n +$((log_lines + 1)) | grep -E "backend .* is (up|down)" &&
	fail "a reload flapped a backend (log above)"
stream_flows $STREAM 10 "after the reload, its backend still drained"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 29500 --count 100 --timeout 1)
[ "$(json_get "d['counts'].get('$be', 0)" <<<"$out")" = 0 ] || fail "drained $be got new connections after the reload"

out=$(lbctl lb backend undrain "$addr" 2>&1) || fail "lbctl backend undrain $addr: $out"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 30000 --count 100 --timeout 1)
[ "$(json_get "d['counts'].get('$be', 0)" <<<"$out")" -gt 0 ] || fail "undrained $be gets no new connections"
stream_stop $STREAM
