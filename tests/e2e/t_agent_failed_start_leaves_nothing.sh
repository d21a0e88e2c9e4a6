#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A start that fails leaves nothing it made, and --check-config sees what would stop it:
# - node.control.group naming no group: --check-config exits 1 with file:line:column, and
#   the start refuses before attaching anything;
# - a control socket that cannot be created (its directory is a file): the start fails after
#   attaching, and takes down the XDP program and the pins it made;
# - an attach that fails (another program holds the interface) leaves no pins;
# - the same failure on top of a data plane adopted from an earlier agent's pins keeps it;
# - a backend needs no node.interface: decap attaches to the interface that holds
#   node.addresses.
# One namespace with a veth pair; no traffic.
source "$(dirname "$0")/lib.sh"
e2e_init

ip netns add "$(ns lb)" || fail "netns $(ns lb)"
ip -n "$(ns lb)" link set lo up
veth_pair lb a0 lb a1 1500
addr_add lb a0 198.51.100.2/29
PINS=$XLB_RUNDIR/bpffs/lb
SOCK=$XLB_RUNDIR/run/lb.sock
: >"$XLB_RUNDIR/not-a-dir"

# conf FILE SOCKET [EXTRA NODE LINE]
conf() {
	cat >"$1" <<-YAML
	node:
	  id: 1
	  zone: a
	  interface: a0
	  xdp_mode: generic
	  addresses: [198.51.100.2]
	  bpffs: $PINS
	  control: {socket: $2${3:+, $3}}
	  metrics: {listen: off}
	vips:
	  - {name: web, address: 192.0.2.10, port: 80, backends: [{address: 198.51.100.3}]}
	YAML
}

pins() { find "$PINS" -mindepth 1 2>/dev/null | wc -l; }
xdp_on_a0() { ip -n "$(ns lb)" -d link show a0 | grep -q 'xdp'; }

# run_agent CONF: the agent in the foreground, bounded; its exit code in RC, its log in OUT.
run_agent() {
	RC=0
	OUT=$(nsx lb timeout 60 "$LBAGENT" -c "$1" 2>&1) || RC=$?
}

# 1. A group the host does not have.
conf "$XLB_RUNDIR/group.yaml" "$SOCK" "group: no-such-group-xdplb"
out=$("$LBAGENT" --check-config "$XLB_RUNDIR/group.yaml" 2>&1) && fail "--check-config passed: $out"
grep -qx "$XLB_RUNDIR/group.yaml:8:[0-9]*: node.control.group: no-such-group-xdplb: no such group .*" <<<"$out" ||
	fail "--check-config does not say which group: $out"
run_agent "$XLB_RUNDIR/group.yaml"
[ "$RC" = 1 ] || fail "start with a missing group exited $RC: $OUT"
[ "$(pins)" = 0 ] && ! xdp_on_a0 || fail "a start refused for its group left $(pins) pins or XDP"
log "missing group: refused by --check-config and before attaching"

# 2. A socket the agent cannot create, found only after the data plane is up.
conf "$XLB_RUNDIR/bad-socket.yaml" "$XLB_RUNDIR/not-a-dir/lb.sock"
"$LBAGENT" --check-config "$XLB_RUNDIR/bad-socket.yaml" >/dev/null ||
	fail "the bad-socket config should pass --check-config (only the start finds it)"
run_agent "$XLB_RUNDIR/bad-socket.yaml"
[ "$RC" = 1 ] || fail "start with an impossible socket exited $RC: $OUT"
grep -q "attached is taken down" <<<"$OUT" || fail "the failed start does not say it cleans up: $OUT"
[ "$(pins)" = 0 ] || fail "a failed start left $(pins) pins: $(find "$PINS" -mindepth 1)"
xdp_on_a0 && fail "a failed start left XDP on a0"
log "failed start after attaching: no pins, no XDP left"

# 2b. Someone else's XDP program on the interface: the attach itself fails, after the maps
#     were pinned.
ip -n "$(ns lb)" link set dev a0 xdpgeneric obj "$(xdp_pass_obj)" sec xdp ||
	fail "cannot attach another XDP program to a0"
conf "$XLB_RUNDIR/good.yaml" "$SOCK"
run_agent "$XLB_RUNDIR/good.yaml"
[ "$RC" = 1 ] || fail "start over another XDP program exited $RC: $OUT"
[ "$(pins)" = 0 ] || fail "a failed attach left $(pins) pins: $(find "$PINS" -mindepth 1)"
ip -n "$(ns lb)" link set dev a0 xdpgeneric off
log "failed attach: no pins left"

# 3. The same failure over an adopted data plane: the earlier agent's pins stay.
bg lb "$XLB_RUNDIR/lb-agent.log.good" "$LBAGENT" -c "$XLB_RUNDIR/good.yaml"
good=$BG_PID
wait_for 30 "agent attached" test -S "$SOCK" || fail "the good agent did not start"
stop_pid "$good"
before=$(pins)
[ "$before" -gt 0 ] && xdp_on_a0 || fail "the good agent left no pins or no XDP to adopt"
run_agent "$XLB_RUNDIR/bad-socket.yaml"
[ "$RC" = 1 ] || fail "start with an impossible socket exited $RC: $OUT"
[ "$(pins)" = "$before" ] && xdp_on_a0 ||
	fail "a failed start took down an adopted data plane ($(pins) pins of $before)"
log "failed start over adopted pins: $before pins and XDP kept"
bg lb "$XLB_RUNDIR/lb-agent.log.unload" "$LBAGENT" -c "$XLB_RUNDIR/good.yaml"
good=$BG_PID
wait_for 30 "agent answers" nsx lb "$LBCTL" -s "$SOCK" status || fail "the good agent did not restart"
nsx lb "$LBCTL" -s "$SOCK" shutdown --unload >/dev/null || fail "shutdown --unload failed"
wait_for 5 "agent gone" sh -c "! kill -0 $good 2>/dev/null" || stop_pid "$good"

# 4. A backend without node.interface: decap on the interface holding node.addresses.
cat >"$XLB_RUNDIR/backend.yaml" <<-YAML
node:
  id: 2
  zone: a
  role: backend
  xdp_mode: generic
  addresses: [198.51.100.2]
  bpffs: $PINS
  control: {socket: $SOCK}
  metrics: {listen: off}
vips:
  - {name: web, address: 192.0.2.10, port: 80}
YAML
"$LBAGENT" --check-config "$XLB_RUNDIR/backend.yaml" >/dev/null || fail "backend config refused"
bg lb "$XLB_RUNDIR/be-agent.log" "$LBAGENT" -c "$XLB_RUNDIR/backend.yaml"
be=$BG_PID
wait_for 30 "backend agent answers" nsx lb "$LBCTL" -s "$SOCK" status ||
	fail "backend without interface did not start: $(tail -3 "$XLB_RUNDIR/be-agent.log")"
grep -q "backend mode on a0: VIP addresses on lo, decap attached" "$XLB_RUNDIR/be-agent.log" ||
	fail "decap not attached to a0: $(cat "$XLB_RUNDIR/be-agent.log")"
xdp_on_a0 || fail "no XDP on a0 in backend mode"
# status names the interface decap runs on, not the empty node.interface.
st=$(nsx lb "$LBCTL" -j -s "$SOCK" status) || fail "backend status failed"
where=$(json_get 'd["interface"] + " " + d["xdp_mode"]' <<<"$st")
[ "$where" = "a0 generic" ] || fail "backend status says decap on \"$where\", not on a0 generic"
nsx lb "$LBCTL" -s "$SOCK" shutdown --unload >/dev/null || fail "backend shutdown --unload failed"
wait_for 5 "backend agent gone" sh -c "! kill -0 $be 2>/dev/null" || stop_pid "$be"
log "backend without node.interface: decap attached on a0"
