#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A UDP health check that asks a real DNS server: dnsmasq on each backend
# answers for example.test, the check sends a DNS query written in hex (NUL
# bytes all through it) and wants the answer's address back. A backend whose
# dnsmasq stops is DOWN and comes back UP when it restarts. The same kind of
# query written as a YAML string with "\0" escapes goes out whole.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_health.sh"

DNSMASQ=/usr/sbin/dnsmasq
[ -x $DNSMASQ ] || fail "$DNSMASQ missing (scripts/deps.sh installs dnsmasq-base)"
e2e_setup

DNS_PORT=5353
# id 1234, flags 0100 (recursion desired), 1 question, 0 other records;
# www.example.test as labels; type A (0001), class IN (0001).
QUERY_HEX="12340100 00010000 00000000 03777777 076578616d706c65 0474657374 00 0001 0001"
# The answer's RDLENGTH and address: 4 bytes, 192.0.2.99.
ANSWER_HEX="0004 c0000263"
# A question for nul.example.test the same way, in YAML escapes (\x.. is two digits in YAML).
QUERY_ESCAPED='"\x56\x78\x01\0\0\x01\0\0\0\0\0\0\x03nul\x07example\x04test\0\0\x01\0\x01"'

# dns_start BE: dnsmasq on BE's own address only, from its command line alone (no
# /etc/dnsmasq.conf, no upstream, no hosts file); every name under example.test is
# 192.0.2.99. Its pid is left in DNS_PID[BE].
declare -A DNS_PID=()
dns_start() {
	local be=$1
	bg "$be" "$XLB_RUNDIR/$be-dnsmasq.out" timeout "$XLB_LIFETIME" $DNSMASQ \
		--keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--bind-interfaces --listen-address="${BE4[$be]}" --port=$DNS_PORT \
		--address=/example.test/192.0.2.99 --log-queries \
		--log-facility="$XLB_RUNDIR/$be-dnsmasq.log" --pid-file="$XLB_RUNDIR/run/$be-dnsmasq.pid"
	DNS_PID[$be]=$BG_PID
}

# dns_asked NAME: every backend's dnsmasq logged a type A question for NAME.
dns_asked() {
	local be
	for be in $BACKENDS; do
		grep -q "query\[A\] $1 from" "$XLB_RUNDIR/$be-dnsmasq.log" 2>/dev/null || return 1
	done
}

for be in $BACKENDS; do
	dns_start "$be"
done

health_add "udp4={type: udp, port: $DNS_PORT, payload: \"hex:$QUERY_HEX\", expect: \"hex:$ANSWER_HEX\", interval: 200ms, timeout: 150ms, rise: 2, fall: 2}"
wait_for 5 "every backend checked and up" all_checked_up ||
	fail "DNS checks did not bring every backend up: $(lbctl_json lb backend list 2>&1 | tr '\n' ' ')"
dns_asked www.example.test || fail "a dnsmasq was never asked for www.example.test"
log "DNS checks up on every backend"

# be3's dnsmasq stops: its port is closed.
stop_pid "${DNS_PID[be3]}"
wait_down udp4 be3 "port unreachable" "no reply after 150 ms"
[ "$(health_of udp4 "${BE4[be2]}" state)" = up ] || fail "be2 went down with be3's dnsmasq"
dns_start be3
wait_state udp4 "${BE4[be3]}" up || fail "be3 whose dnsmasq runs again is not UP"
log "be3 UP again: $(health_of udp4 "${BE4[be3]}" last_result)"

# The escaped string in place of the hex: a question cut at its first NUL would be 3 bytes
# (no name at all), dnsmasq would not answer and every backend would go DOWN.
changes_before=$(health_of udp4 "${BE4[be1]}" changes)
$PYTHON - "$LB_CONF" "\"hex:$QUERY_HEX\"" "$QUERY_ESCAPED" <<-'EOF' || fail "no hex payload in lb.yaml"
	import sys
	path, old, new = sys.argv[1:]
	text = open(path).read()
	if old not in text:
	    sys.exit(1)
	open(path, "w").write(text.replace(old, new))
	EOF
out=$(lbctl lb reload 2>&1) || fail "reload with the escaped DNS query refused: $out"
wait_for 5 "every dnsmasq asked for nul.example.test" dns_asked nul.example.test ||
	fail "the escaped query did not reach every dnsmasq whole"
# Five more intervals: fall is 2, a check that failed would show.
sleep 1
all_checked_up || fail "escaped query: not every backend up: $(lbctl_json lb backend list | tr '\n' ' ')"
[ "$(health_of udp4 "${BE4[be1]}" changes)" = "$changes_before" ] ||
	fail "be1 changed state with the escaped query"
log "the escaped query went out whole: every dnsmasq answered it, every backend stayed up"
