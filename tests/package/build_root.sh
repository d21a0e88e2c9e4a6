#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# First root of the package stage (tests/package/ci.sh), run in a fresh Debian 12
# root as root: the project's own deps, a live `make install` (it must create the
# control group, which a fresh root lacks), make test-package, then `make deb`
# and lintian, which fails on an error. The .deb is left in .output/deb/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bash scripts/deps.sh
if getent group xdplb; then
	echo "FAIL: group xdplb exists before make install: not a fresh root" >&2
	exit 1
fi
make -j2 all
make install
getent group xdplb
lbagent --check-config /etc/xdplb/lb.yaml
make test-package
make deb
lintian --fail-on error --info .output/deb/xdplb_*.changes
echo "package built: $(ls .output/deb/xdplb_*.deb)"
