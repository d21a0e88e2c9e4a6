#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# 300 HTTP connections from 300 client ports through a TCP VIP with weights
# 2:1:1: every request answered, each backend within 15% of its weight share.
source "$(dirname "$0")/lib.sh"

SPECS=${VIPS_BASE/"web4 $VIP4 $HTTP_PORT tcp be1=100 be2=100 be3=100"/"web4 $VIP4 $HTTP_PORT tcp be1=200 be2=100 be3=100"}
e2e_setup "$SPECS"

out=$(client http --vip $VIP4 --port $HTTP_PORT --first-port 20000 --count 300)
log "300 requests: $(http_summary <<<"$out")"
[ "$(json_get 'd["errors"]' <<<"$out")" = 0 ] ||
	fail "requests failed: $(json_get 'd["error_samples"]' <<<"$out")"
declare -A share=([be1]=150 [be2]=75 [be3]=75)
for be in $BACKENDS; do
	got=$(json_get "d['counts'].get('$be', 0)" <<<"$out")
	want=${share[$be]}
	# |got - want| <= 15% of want, in integers.
	diff=$((got > want ? got - want : want - got))
	[ $((diff * 100)) -le $((want * 15)) ] ||
		fail "$be answered $got of 300, expected $want +-15% ($(http_summary <<<"$out"))"
done
