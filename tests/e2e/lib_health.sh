#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Health-check helpers for the e2e tests that need them (source after lib.sh).

# health_add VIP=MAPPING...: a health: section under each named VIP of lb.yaml, then a reload.
health_add() {
	$PYTHON - "$LB_CONF" "$@" <<-'EOF'
	import sys
	path, pairs = sys.argv[1], dict(a.split("=", 1) for a in sys.argv[2:])
	out = []
	for line in open(path):
	    out.append(line)
	    s = line.strip()
	    if s.startswith("- name: ") and s[8:] in pairs:
	        out.append("    health: %s\n" % pairs[s[8:]])
	open(path, "w").write("".join(out))
	EOF
	out=$(lbctl lb reload 2>&1) || fail "reload with health checks refused: $out"
}

# health_state ADDR [VIP]: the health verdict backend list shows for ADDR's pair
# in VIP (default: its first VIP), "none" if unchecked.
health_state() {
	lbctl_json lb backend list |
		json_get "[(b.get('health') or {}).get('state', 'none') for b in d['backends'] if b['address'] == '$1' and '${2:-}' in ('', b['vip'])][0]"
}

# health_of VIP ADDR FIELD: one field of the health verdict of the (VIP, ADDR) pair.
health_of() {
	lbctl_json lb backend list "$1" |
		json_get "[b['health']['$3'] for b in d['backends'] if b['address'] == '$2'][0]"
}

# wait_state VIP ADDR STATE: polls for at most 5 s.
wait_state() {
	for _ in $(seq 50); do
		[ "$(health_of "$1" "$2" state)" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_down VIP BE CAUSE...: (VIP, BE's IPv4 address) DOWN within 5 s, its last result one of CAUSEs.
wait_down() {
	local vip=$1 be=$2 cause c
	shift 2
	wait_state "$vip" "${BE4[$be]}" down ||
		fail "($vip, $be) is not DOWN (last result: $(health_of "$vip" "${BE4[$be]}" last_result))"
	cause=$(health_of "$vip" "${BE4[$be]}" last_result)
	log "($vip, $be) DOWN, last result: $cause"
	for c in "$@"; do
		[ "$cause" = "$c" ] && return 0
	done
	fail "($vip, $be)'s last result is '$cause', expected: $*"
}

# The servers of one backend, found among the processes of its namespace (we started them).
server_pids() {
	local pid
	for pid in $(ip netns pids "$(ns "$1")"); do
		grep -qa xlb_server.py "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
	done
}

# Every checked IPv4 (VIP, backend) pair up by a check that ran (the initial
# state is up before any check); pairs of VIPs without checks do not count.
all_checked_up() {
	[ "$(lbctl_json lb backend list | json_get "sorted(set(b['health']['state'] + ':' + str(b['health']['last_result']) for b in d['backends'] if b['health'] and b['address'].count('.') == 3))")" = '["up:ok"]' ]
}
