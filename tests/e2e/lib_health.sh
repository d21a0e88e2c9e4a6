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

# health_state ADDR: the health verdict backend list shows for ADDR ("none" if unchecked).
health_state() {
	lbctl_json lb backend list |
		json_get "[(b.get('health') or {}).get('state', 'none') for b in d['backends'] if b['address'] == '$1'][0]"
}

# health_of ADDR FIELD: one field of the health verdict backend list shows for ADDR.
health_of() {
	lbctl_json lb backend list |
		json_get "[b['health']['$2'] for b in d['backends'] if b['address'] == '$1'][0]"
}

# wait_state ADDR STATE: polls for at most 5 s.
wait_state() {
	for _ in $(seq 50); do
		[ "$(health_of "$1" state)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_down BE CAUSE...: BE's IPv4 address DOWN within 5 s, its last result one of CAUSEs.
wait_down() {
	local be=$1 cause c
	shift
	wait_state "${BE4[$be]}" down ||
		fail "$be is not DOWN (last result: $(health_of "${BE4[$be]}" last_result))"
	cause=$(health_of "${BE4[$be]}" last_result)
	log "$be DOWN, last result: $cause"
	for c in "$@"; do
		[ "$cause" = "$c" ] && return 0
	done
	fail "$be's last result is '$cause', expected: $*"
}

# The servers of one backend, found among the processes of its namespace (we started them).
server_pids() {
	local pid
	for pid in $(ip netns pids "$(ns "$1")"); do
		grep -qa xlb_server.py "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
	done
}

# Every backend up by a check that ran (the initial state is up before any check).
all_checked_up() {
	[ "$(lbctl_json lb backend list | json_get "sorted(set(b['health'] and b['health']['state'] + ':' + str(b['health']['last_result']) for b in d['backends'] if b['address'].count('.') == 3))")" = '["up:ok"]' ]
}
