#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Layer 7 through the whole path against the origin alone, in the same run.
#
#   bench/l7_wrk.sh [-n ROUNDS] [-d SECONDS] [-c CONNECTIONS]
#
# On the e2e topology (tests/e2e/lib_l7.sh: client, router, an XDP balancer,
# two proxy nodes running HAProxy, nginx origins), wrk in the client namespace
# measures requests/s and p99 latency of keep-alive HTTP/1.1 GETs (1 thread,
# CONNECTIONS connections, SECONDS each) to
#   direct: the origin app1 (198.51.100.50:8081) straight through the router;
#   proxied: VIP 192.0.2.10:80 -> balancer (XDP, IPIP) -> proxy -> app1 or app2,
# alternating direct, proxied, direct, proxied... ROUNDS times, then TLS
# handshakes/s: HTTPS requests with "Connection: close" (a full handshake each,
# RSA 2048, TLS 1.3) to VIP:443. Prints each run and the medians. Root only;
# leaves nothing behind. Everything shares the machine's CPUs: client, router,
# balancer, both proxies and the origins.
set -euo pipefail

ROUNDS=3
SECONDS_EACH=5
CONNS=16
while getopts n:d:c: opt; do
	case $opt in
	n) ROUNDS=$OPTARG ;;
	d) SECONDS_EACH=$OPTARG ;;
	c) CONNS=$OPTARG ;;
	*) exit 2 ;;
	esac
done
command -v wrk >/dev/null || { echo "l7_wrk: wrk is missing (apt-get install wrk)" >&2; exit 1; }
XLB_PREFIX=xlb-bench-$$-
source "$(dirname "$0")/../tests/e2e/lib.sh"
source "$(dirname "$0")/../tests/e2e/lib_l7.sh"
source "$(dirname "$0")/lib_wrk.sh"
XLB_LIFETIME=600

e2e_init
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bench.example.com" \
	-keyout "$XLB_RUNDIR/k.pem" -out "$XLB_RUNDIR/c.pem" 2>/dev/null
cat "$XLB_RUNDIR/c.pem" "$XLB_RUNDIR/k.pem" >"$XLB_RUNDIR/site.pem"
chmod 600 "$XLB_RUNDIR/site.pem"
L7_VIPS="  - {name: tls4, address: $VIP4, port: $HTTPS_PORT, protocol: tcp}"
L7_LISTENERS="    - {name: tls, vip: tls4, protocol: https, certificates: [$XLB_RUNDIR/site.pem], default_group: app}"
L7_LB_EXTRA="tls4 $VIP4 $HTTPS_PORT tcp be1=100 be2=100"
l7_up 2>/dev/null

# run NAME URL [WRK ARGS]: one wrk run; prints "NAME rps p99_ms errors".
run() {
	local name=$1 url=$2
	shift 2
	echo "$name $(wrk_run "$url" "$CONNS" "$SECONDS_EACH" "$@")"
}

echo "# $(date -u +%FT%TZ) commit $(git -C "$REPO_DIR" describe --always --dirty 2>/dev/null)," \
	"$(nproc) CPUs, wrk -t1 -c$CONNS -d${SECONDS_EACH}s"
echo "# run rps p99_ms errors"
results=()
for i in $(seq "$ROUNDS"); do
	results+=("$(run direct "http://${BE4[$ORIGIN_NS]}:$(origin_port app1)/" -H "Host: www.example.com")")
	echo "${results[-1]}"
	results+=("$(run proxied "http://$VIP4/" -H "Host: www.example.com")")
	echo "${results[-1]}"
done
for kind in direct proxied; do
	rps=$(printf '%s\n' "${results[@]}" | awk -v k=$kind '$1 == k {print $2}' | median)
	p99=$(printf '%s\n' "${results[@]}" | awk -v k=$kind '$1 == k {print $3}' | median)
	echo "median $kind: $rps requests/s, p99 $p99 ms"
done
tls=()
for i in $(seq "$ROUNDS"); do
	tls+=("$(run tls-handshakes "https://$VIP4/" -H "Connection: close")")
	echo "${tls[-1]}"
done
echo "median TLS handshakes: $(printf '%s\n' "${tls[@]}" | awk '{print $2}' | median)/s" \
	"(both proxies, $(nproc) CPUs shared with everything else)"
