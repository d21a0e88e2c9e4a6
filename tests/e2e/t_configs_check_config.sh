#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Every example in configs/ is a config lbagent --check-config accepts, once what it names
# exists as an operator would make it: the files under /etc/xdplb (a copy of the example
# points into a temporary directory holding them) and the control group (created here
# with groupadd --system when missing, and removed afterwards only then). configs/bad/
# holds examples it must refuse.
source "$(dirname "$0")/lib.sh"
e2e_init

CREATED_GROUPS=()
groups_cleanup() {
	local g
	for g in "${CREATED_GROUPS[@]}"; do
		groupdel "$g" || log "could not remove group $g"
	done
}
trap 'groups_cleanup; e2e_cleanup' EXIT

ETC=$XLB_RUNDIR/etc
mkdir -p "$ETC"
n=0
for example in "$REPO_DIR"/configs/*.yaml; do
	name=$(basename "$example")
	copy=$XLB_RUNDIR/$name
	sed "s|/etc/xdplb/|$ETC/|g" "$example" >"$copy"
	# The sync key: at least 32 bytes, mode 0600.
	for key in $(sed -n 's/^ *key_file: *\([^ #]*\).*/\1/p' "$copy"); do
		[ -e "$key" ] || { head -c 32 /dev/urandom >"$key" && chmod 600 "$key"; }
	done
	# A region's TSIG key: one line as dig -y takes it, mode 0600.
	for key in $(sed -n 's/^ *tsig_key_file: *\([^ #]*\).*/\1/p' "$copy"); do
		[ -e "$key" ] || { echo "hmac-sha256:xdplb:$(head -c 32 /dev/urandom | base64)" >"$key" &&
			chmod 600 "$key"; }
	done
	for group in $(sed -n 's/.*control:.*group: *\([a-z_][a-z0-9_-]*\).*/\1/p' "$copy"); do
		getent group "$group" >/dev/null && continue
		groupadd --system "$group" || fail "groupadd $group failed"
		CREATED_GROUPS+=("$group")
		log "created group $group for $name"
	done
	out=$("$LBAGENT" --check-config "$copy" 2>&1) || fail "$name refused: $out"
	[ "$out" = "$copy: ok" ] || fail "$name: $out"
	n=$((n + 1))
done
[ $n -ge 5 ] || fail "only $n examples in configs/"

for bad in "$REPO_DIR"/configs/bad/*.yaml; do
	out=$("$LBAGENT" --check-config "$bad" 2>&1) && fail "$(basename "$bad") accepted: $out"
	case $out in *"$(basename "$bad")":[0-9]*) ;; *) fail "$(basename "$bad"): $out" ;; esac
done
log "$n examples accepted, configs/bad refused"
true
