#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Second root of the package stage (tests/package/ci.sh): a fresh Debian 12 root
# that holds nothing of xdplb but the .deb next to this script. Installs it as
# an operator would and checks what the package promises; every check runs and
# prints PASS or FAIL, and the script fails if one did.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")"
export DEBIAN_FRONTEND=noninteractive
failed=0

check() {
	local what=$1
	shift
	if "$@"; then
		echo "PASS $what"
	else
		echo "FAIL $what: $* failed"
		failed=$((failed + 1))
	fi
}

conffile() { dpkg-query -W -f='${Conffiles}\n' xdplb | grep -q '^ /etc/xdplb/lb.yaml '; }
mode() { [ "$(stat -c '%a %U:%G' /etc/xdplb/lb.yaml)" = "600 root:root" ]; }
unit() { grep -qx 'ExecStart=/usr/sbin/lbagent -c /etc/xdplb/lb.yaml' /lib/systemd/system/lbagent.service; }
man_paths() {
	zcat /usr/share/man/man5/xdplb.yaml.5.gz | grep -qx '\.I /usr/share/doc/xdplb/examples/' &&
		[ -f /usr/share/doc/xdplb/examples/bird/node.conf ] && [ -f /usr/share/doc/xdplb/CONFIG.md ]
}
not_installed() { ! dpkg-query -W -f='${Status}' xdplb 2>/dev/null | grep -q 'ok installed'; }

debs=(./xdplb_*.deb)
[ -f "${debs[0]}" ] || { echo "FAIL no xdplb_*.deb here"; exit 1; }
if getent group xdplb; then
	echo "FAIL group xdplb exists before the package: not a fresh root"
	exit 1
fi
# man-db for `man -w`: a man page reader, which the package does not depend on.
apt-get update -qq && apt-get install -y -qq man-db >/dev/null || exit 1
check "apt-get install ${debs[0]}" apt-get install -y "${debs[@]}"
check "lbagent --check-config /etc/xdplb/lb.yaml" lbagent --check-config /etc/xdplb/lb.yaml
check "lbctl --version" lbctl --version
check "man -w lbctl" man -w lbctl
check "getent group xdplb (postinst)" getent group xdplb
check "/etc/xdplb/lb.yaml is a conffile" conffile
check "/etc/xdplb/lb.yaml is 0600 root:root" mode
check "the unit runs /usr/sbin/lbagent" unit
check "xdplb.yaml(5) names /usr/share/doc/xdplb/examples/, docs and BIRD examples there" man_paths
check "bash completion" test -f /usr/share/bash-completion/completions/lbctl
check "lbagent.service is not enabled on install" test ! -e \
	/etc/systemd/system/multi-user.target.wants/lbagent.service
check "apt-get purge xdplb" apt-get purge -y xdplb
check "purge removes the package and /etc/xdplb/lb.yaml" eval 'not_installed && [ ! -e /etc/xdplb/lb.yaml ]'
check "purge keeps the group, as Debian keeps system groups" getent group xdplb
echo "package install: $failed failed"
[ $failed -eq 0 ]
