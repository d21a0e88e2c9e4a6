#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A restarted agent keeps a dead backend DOWN: its checks go on from down (the
# adopted data plane's verdict), not from the configured initial state, so no
# new connection reaches the dead backend while the checks would need fall
# failures to find it again. Checks are slow here (1 s, fall 3) so that an
# agent starting from "up" would hand be1 new connections for seconds.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_health.sh"
e2e_setup

health_add "web4={type: http, path: /, interval: 1000ms, timeout: 200ms, rise: 2, fall: 3, jitter: 20ms}"
wait_for 10 "every backend checked and up" all_checked_up ||
	fail "health checks did not bring every backend up: $(lbctl lb backend list 2>&1 | tr '\n' ' ')"

pids=$(server_pids be1)
[ -n "$pids" ] || fail "no server process found in be1"
# shellcheck disable=SC2086
kill -KILL $pids
be1_down() { [ "$(health_state "${BE4[be1]}")" = down ]; }
wait_for 10 "be1 DOWN" be1_down ||
	fail "be1 not DOWN 10 s after its servers died"
log "be1 DOWN by its checks"

stop_pid "${AGENT_PID[lb]}"
agent_start lb
state=$(health_state "${BE4[be1]}")
log "be1 right after the restart: $state"
[ "$state" = down ] || fail "the restarted agent says be1 is '$state': it forgot the verdict"

# Within the first check interval and well before fall x interval: none may reach be1.
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 24000 --count 60 --timeout 1)
log "60 requests right after the restart: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] ||
	fail "requests failed after the restart: $(json_get 'd["error_samples"]' <<<"$out")"
[ "$(json_get "d['counts'].get('be1', 0)" <<<"$out")" = 0 ] || fail "dead be1 answered?"
[ "$(health_state "${BE4[be1]}")" = down ] || fail "be1 came up with its servers dead"
