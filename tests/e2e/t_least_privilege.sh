#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The agent with no more privilege than scripts/lbagent.service gives it, and a control socket
# that keeps others out:
# - a non-root user cannot connect to the default root-only (0600) socket;
# - restarted with only the unit's CapabilityBoundingSet, the agent adopts the running data
#   plane, serves traffic and reloads;
# - with node.control.group, a member may read (status) but not change anything (drain is
#   refused and counted, the backend stays up); a user outside the group cannot connect;
# - a sync key file the group or others can read is refused at start (--check-config).
source "$(dirname "$0")/lib.sh"

UNIT=$REPO_DIR/scripts/lbagent.service
[ -f "$UNIT" ] || fail "no $UNIT"
# "CAP_BPF CAP_NET_ADMIN" -> "-all,+bpf,+net_admin" (setpriv's spelling).
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
[ -n "$CAPS" ] || fail "no CapabilityBoundingSet in $UNIT"
SETPRIV_CAPS=-all
for c in $CAPS; do
	c=${c#CAP_}
	SETPRIV_CAPS+=,+${c,,}
done

e2e_setup

# as_user GROUP CMD...: CMD in the LB namespace as nobody with GROUP as its only group.
as_user() {
	local grp=$1
	shift
	nsx lb setpriv --reuid=nobody --regid="$grp" --clear-groups "$@"
}

# restart_lb: the LB agent again, with only the unit's capabilities (it adopts the pins).
restart_lb() {
	local full=$LBAGENT
	stop_pid "${AGENT_PID[lb]}"
	LBAGENT=$CAP_WRAP
	agent_start lb
	LBAGENT=$full
}

CAP_WRAP=$XLB_RUNDIR/lbagent-caps
cat >"$CAP_WRAP" <<SH
#!/bin/sh
exec setpriv --bounding-set=$SETPRIV_CAPS --inh-caps=-all "$LBAGENT" "\$@"
SH
chmod +x "$CAP_WRAP"
# The run dir is private (0700): the socket moves to a directory anyone may enter, so that
# only its own mode and group decide who gets in.
CTL_DIR=$(mktemp -d /tmp/xlb-ctl.XXXX)
chmod 0755 "$CTL_DIR"
trap 'rc=$?; rm -rf "$CTL_DIR"; (exit $rc); e2e_cleanup' EXIT
sed -i "s|control: {socket: $LB_SOCK}|control: {socket: $CTL_DIR/lb.sock}|" "$LB_CONF"
LB_SOCK=$CTL_DIR/lb.sock
restart_lb
pid=${AGENT_PID[lb]}
capeff=$(awk '/^CapEff/ {print $2}' "/proc/$pid/status")
have=$(capsh --decode="$capeff" | sed 's/.*=//' | tr ',' '\n' | sort | tr '\n' ' ')
want=$(tr ' ' '\n' <<<"${CAPS,,}" | sort | tr '\n' ' ')
[ "$have" = "$want" ] || fail "agent runs with capabilities '$have', the unit allows '$want'"
log "agent restarted with only: $have"

out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 22000 --count 60)
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] && [ "$(json_get 'len(d["counts"])' <<<"$out")" = 3 ] ||
	fail "traffic with reduced capabilities: $(http_summary <<<"$out")"
lbctl lb reload >/dev/null 2>&1 || fail "reload with reduced capabilities: $(lbctl lb reload 2>&1)"

mode=$(nsx lb stat -c '%a' "$LB_SOCK")
[ "$mode" = 600 ] || fail "control socket without a group: mode $mode, want 600"
out=$(as_user nogroup "$LBCTL" -s "$LB_SOCK" status 2>&1) &&
	fail "nobody read status from a root-only socket: $out"
grep -qi "permission denied" <<<"$out" || fail "nobody on a 0600 socket: unexpected error: $out"
log "root-only socket: nobody refused"

sed -i "s|control: {socket: $LB_SOCK}|control: {socket: $LB_SOCK, group: nogroup}|" "$LB_CONF"
grep -q "group: nogroup" "$LB_CONF" || fail "could not add node.control.group to $LB_CONF"
restart_lb
mode=$(nsx lb stat -c '%a %G' "$LB_SOCK")
[ "$mode" = "660 nogroup" ] || fail "control socket with a group: mode/group '$mode', want '660 nogroup'"
out=$(as_user nogroup "$LBCTL" -s "$LB_SOCK" --json status 2>&1) ||
	fail "a member of the control group cannot read status: $out"
[ "$(json_get 'd["attached"]' <<<"$out")" = true ] || fail "status as group member: $out"
before=$(json_get 'd["control_rejected"]' <<<"$out")
out=$(as_user nogroup "$LBCTL" -s "$LB_SOCK" backend drain "${BE4[be1]}" 2>&1) &&
	fail "a non-root group member drained a backend: $out"
grep -qi "permission denied" <<<"$out" || fail "drain as group member: unexpected error: $out"
after=$(lbctl_json lb status | json_get 'd["control_rejected"]')
[ "$after" -gt "$before" ] || fail "refused drain not counted (control_rejected $before -> $after)"
state=$(lbctl_json lb backend list | json_get "[b['state'] for b in d['backends'] if b['address'] == '${BE4[be1]}'][0]")
[ "$state" = up ] || fail "backend ${BE4[be1]} is '$state' after a refused drain"
out=$(as_user daemon "$LBCTL" -s "$LB_SOCK" status 2>&1) &&
	fail "a user outside the control group read status: $out"
grep -qi "permission denied" <<<"$out" || fail "outside the group: unexpected error: $out"
log "group socket: member reads, member's drain refused and counted, others refused"

# Sync key file permissions, checked before anything starts.
key=$XLB_RUNDIR/sync.key
head -c 32 /dev/urandom >"$key"
sed "s|^vips:|sync: {enabled: true, group: 239.255.0.88, interface: rtr0, key_file: $key}\nvips:|" \
	"$LB_CONF" >"$XLB_RUNDIR/sync.yaml"
chmod 0640 "$key"
out=$("$LBAGENT" --check-config "$XLB_RUNDIR/sync.yaml" 2>&1) &&
	fail "a group-readable sync key was accepted: $out"
grep -q "chmod 600" <<<"$out" || fail "group-readable key: unexpected error: $out"
chmod 0604 "$key"
"$LBAGENT" --check-config "$XLB_RUNDIR/sync.yaml" >/dev/null 2>&1 &&
	fail "a world-readable sync key was accepted"
chmod 0600 "$key"
out=$("$LBAGENT" --check-config "$XLB_RUNDIR/sync.yaml" 2>&1) ||
	fail "a 0600 sync key was refused: $out"
log "sync key: 0640 and 0604 refused, 0600 accepted"
