#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The package stage of CI (.ci/run), as root with the fresh-root tool:
#  1. a fresh Debian 12 root builds the .deb from a clone of the committed tree
#     (tests/package/build_root.sh); the root is kept only to take the .deb out;
#  2. a second fresh root gets a git repository holding only that .deb and
#     tests/package/install_root.sh (the tool copies a committed tree in, nothing
#     else), which installs it with apt-get and checks what the package promises.
# Without the tool or root the stage cannot run: SKIP, a failure under CI=true.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
fresh_debian=${FRESH_DEBIAN:-../shared/tools/fresh-debian}

if [ ! -f "$fresh_debian" ] || [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: package stage: needs root and $fresh_debian (fresh Debian roots)"
	[ "${CI:-}" != true ] || { echo "FAIL: package stage skipped under CI=true"; exit 1; }
	exit 0
fi

work=$(mktemp -d /var/tmp/xlb-package.XXXXXX)
root=''
# A kept root is a plain folder once fresh-debian is done (its mounts ended with
# its namespaces); never delete through a mount all the same.
drop_root() {
	[ -n "$root" ] && [ -d "$root" ] || return 0
	if awk -v r="$root" 'index($5, r) == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
		echo "ci: $root still has mounts, left in place" >&2
	else
		rm -rf --one-file-system "$root"
	fi
	root=''
}
trap 'drop_root; rm -rf "$work"' EXIT

name=$(basename "$(git rev-parse --show-toplevel)")
echo "ci: package stage 1/2: build the .deb in a fresh Debian 12 root"
status=0
bash "$fresh_debian" -v --keep -t 20m -c 'bash tests/package/build_root.sh' . |
	tee "$work/build.log" || status=$?
root=$(sed -n 's/^fresh-debian: root kept: \(\/var\/tmp\/fresh-debian\.[^ ]*\) .*/\1/p' \
	"$work/build.log" | tail -1)
[ "$status" -eq 0 ] || exit "$status"
debs=("$root/root/$name"/.output/deb/xdplb_*.deb)
[ -f "${debs[0]}" ] || { echo "FAIL: no .deb in the build root ($root)"; exit 1; }

mkdir "$work/repo"
cp "${debs[@]}" tests/package/install_root.sh "$work/repo/"
drop_root
git -C "$work/repo" init -q
git -C "$work/repo" add .
git -C "$work/repo" -c user.name=ci -c user.email=ci@xdplb.invalid commit -q -m 'the package'
echo "ci: package stage 2/2: install $(basename "${debs[0]}") in a second fresh root"
bash "$fresh_debian" -v -t 10m -c 'bash install_root.sh' "$work/repo"
