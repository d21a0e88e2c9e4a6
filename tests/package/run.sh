#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# `make test-package`: runs every tests/package/t_*.sh against the built tree
# (binaries in $XDPLB_BIN, default .output). Each test prints "reason: ..." when
# it fails. Prints "PASS name" or "FAIL name: reason" and "N passed, N failed".
# The package itself is installed by tests/package/ci.sh, in fresh roots.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

passed=0
failed=0
for t in tests/package/t_*.sh; do
	name=$(basename "$t" .sh)
	name=${name#t_}
	log=$(mktemp /tmp/xlb-package-"$name".XXXXXX)
	if bash "$t" >"$log" 2>&1; then
		echo "PASS $name"
		passed=$((passed + 1))
		rm -f "$log"
	else
		echo "FAIL $name: $(sed -n 's/^reason: //p' "$log" | tail -1)"
		tail -15 "$log" | sed 's/^/  | /'
		echo "  (log: $log)"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
