#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The balancer agent under valgrind through a short life: start, HTTP traffic through the VIP,
# status and backend list, a good reload (SIGHUP), a refused one (lbctl reload of a broken
# file), a drain, SIGTERM. valgrind must report no memory error and no definite or indirect
# leak (its exit code says so), and the agent must exit 0.
source "$(dirname "$0")/lib.sh"

command -v valgrind >/dev/null || fail "valgrind not installed (scripts/deps.sh)"
VG_REAL=$LBAGENT
VG_WRAP=$(mktemp /tmp/xlb-vg-wrap.XXXX)
VG_LOG=$(mktemp /tmp/xlb-vg-log.XXXX)
VG_SUPP=$(dirname "$0")/valgrind.supp
export VG_REAL VG_LOG VG_SUPP
# Only the balancer runs under valgrind: the backend agents would just slow the setup down.
cat >"$VG_WRAP" <<'SH'
#!/bin/sh
case " $* " in *" --backend "*) exec "$VG_REAL" "$@" ;; esac
exec valgrind --leak-check=full --show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect --error-exitcode=97 \
	--suppressions="$VG_SUPP" --log-file="$VG_LOG" "$VG_REAL" "$@"
SH
chmod +x "$VG_WRAP"
LBAGENT=$VG_WRAP
vg_cleanup() {
	rm -f "$VG_WRAP"
	# Kept next to the test's logs when it fails (run.sh keeps $XLB_RUNDIR).
	[ -n "${XLB_RUNDIR:-}" ] && cp "$VG_LOG" "$XLB_RUNDIR/valgrind.log" 2>/dev/null
	rm -f "$VG_LOG"
}
trap vg_cleanup EXIT

e2e_setup
# e2e_setup installed its own EXIT trap: chain ours in front, keeping the exit status it reads.
trap 'rc=$?; vg_cleanup; (exit $rc); e2e_cleanup' EXIT
pid=${AGENT_PID[lb]}
grep -q "Memcheck" "$VG_LOG" || fail "the LB agent is not running under valgrind"

out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 21000 --count 50)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "HTTP through $VIP4: $(http_summary <<<"$out")"
lbctl lb status >/dev/null || fail "lbctl status"
lbctl lb backend list >/dev/null || fail "lbctl backend list"

kill -HUP "$pid"
wait_for 10 "the SIGHUP reload counted" \
	eval '[ "$(lbctl_json lb status | json_get "d[\"reloads_ok\"]")" -ge 1 ]' ||
	fail "SIGHUP reload not seen: $(lbctl_json lb status)"
cp "$LB_CONF" "$XLB_RUNDIR/lb.good.yaml"
echo "vips: [" >>"$LB_CONF"
lbctl lb reload >/dev/null 2>&1 && fail "a broken config was accepted"
cp "$XLB_RUNDIR/lb.good.yaml" "$LB_CONF"
lbctl lb backend drain "${BE4[be1]}" >/dev/null || fail "drain"
out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 21100 --count 20)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] || fail "HTTP after drain: $(http_summary <<<"$out")"

kill -TERM "$pid"
for _ in $(seq 600); do
	pid_alive "$pid" || break
	sleep 0.1
done
pid_alive "$pid" && fail "the agent under valgrind did not exit within 60 s of SIGTERM"
wait "$pid"
rc=$?
log "valgrind: $(grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|All heap blocks' "$VG_LOG" | sed 's/^==[0-9]*== *//' | tr '\n' ' ')"
[ "$rc" = 0 ] || fail "lbagent under valgrind exited $rc (97: valgrind found errors or leaks): $(grep -A12 -m1 -E 'Invalid|uninitialised|definitely lost in|indirectly lost in' "$VG_LOG" | tr '\n' ' ')"
grep -q "ERROR SUMMARY: 0 errors" "$VG_LOG" || fail "valgrind errors: $(grep 'ERROR SUMMARY' "$VG_LOG")"
