#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# An IPv6 VIP served by backends that have IPv4 addresses only: TCP in 6in4
# (protocol 41), UDP in GUE carrying IPv6 over IPv4; decap strips both and the
# backends answer over IPv6 straight to the client (DSR). node.mtu 1400 under
# the client's 1500: a full-size IPv6 segment gets "packet too big" (MTU 1380)
# from the balancer, the client's path MTU drops and its stream goes on.
BE_FAMILIES=4
LB_MTU=1400
source "$(dirname "$0")/lib.sh"
e2e_setup "web4 $VIP4 $HTTP_PORT tcp be1=100 be2=100 be3=100
web6 $VIP6 $HTTP_PORT tcp be1=100 be2=100 be3=100
stream6 $VIP6 $STREAM_PORT tcp be1=100 be2=100 be3=100
udp6 $VIP6 $UDP_PORT udp encap=gue be1=100 be2=100 be3=100"

for be in $BACKENDS; do
	[ -z "$(ip -n "$(ns "$be")" -6 addr show dev rtr0 scope global)" ] ||
		fail "$be has a global IPv6 address on its link: $(ip -n "$(ns "$be")" -6 -br addr show dev rtr0)"
done

body=$(nsx cli curl -6 -s -m 3 -g "http://[$VIP6]/") || fail "curl -6 http://[$VIP6]/ failed"
case $body in be1 | be2 | be3) ;; *) fail "curl -6 through 6in4 got '$body'" ;; esac

all_backends_answer http $VIP6 $HTTP_PORT 22000 60 "IPv6 requests over 6in4"
all_backends_answer udp $VIP6 $UDP_PORT 23000 60 "IPv6 datagrams over GUE/IPv4"

# lbctl explain names the tunnel; the backends counted what they stripped, by kind.
tun=$(lbctl_json lb explain "[$CLI6]:22000" "[$VIP6]:$HTTP_PORT" | json_get 'd["tunnel"]')
[ "$tun" = 6in4 ] || fail "explain of an IPv6 flow to IPv4 backends says tunnel '$tun'"
tun=$(lbctl_json lb explain "[$CLI6]:23000" "[$VIP6]:$UDP_PORT" udp | json_get 'd["tunnel"]')
[ "$tun" = gue:6in4 ] || fail "explain of an IPv6 UDP flow over GUE says tunnel '$tun'"
sixin4=0 gue=0
for be in $BACKENDS; do
	st=$(lbctl_json "$be" stats)
	sixin4=$((sixin4 + $(json_get 'd["decap"]["6in4"]["packets"]' <<<"$st")))
	gue=$((gue + $(json_get 'd["decap"]["gue"]["packets"]' <<<"$st")))
done
log "backends stripped $sixin4 6in4 and $gue GUE packets"
[ "$sixin4" -ge 60 ] || fail "backends stripped $sixin4 6in4 packets for 61 connections"
[ "$gue" -ge 60 ] || fail "backends stripped $gue GUE packets for 60 datagrams"

# Full-size segments (1500 bytes from the client) do not fit 1400 - 20: too big.
before=$(lbctl_json lb stats | json_get 'd["icmp_too_big_sent"]')
stream_start "$VIP6" 24000
stream_flows "$STREAM" 10 "through a path that answers packet too big"
stream_stop "$STREAM"
after=$(lbctl_json lb stats | json_get 'd["icmp_too_big_sent"]')
pmtu=$(nsx cli ip -6 route get "$VIP6" | grep -o 'mtu [0-9]*')
log "packet too big sent: $before -> $after; the client's route to $VIP6: ${pmtu:-no mtu}"
[ "$after" -gt "$before" ] || fail "no packet too big sent for full-size IPv6 segments"
[ "$pmtu" = "mtu 1380" ] || fail "the client's path MTU to $VIP6 is '${pmtu:-unset}', not 1380"
