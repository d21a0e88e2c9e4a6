#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Installs the Debian packages xdplb builds and tests with, when missing, and
# mounts bpffs. Idempotent: a machine that has everything costs one dpkg query.
set -euo pipefail

packages=(
	make gcc clang llvm pkg-config git	# toolchain (clang: BPF target)
	libbpf-dev bpftool libelf-dev zlib1g-dev	# BPF loading, skeletons
	libyaml-dev	# config parser
	libjansson-dev	# control protocol (JSON)
	libmnl-dev	# netlink: routes and neighbours
	libsodium-dev	# sync message authentication
	libcurl4-gnutls-dev	# HTTP(S) health checks, TLS by GnuTLS as libmicrohttpd's (one TLS stack)
	libmicrohttpd-dev	# Prometheus endpoint
	libknot-dev	# region failover: RFC 2136 updates and zone transfers signed with TSIG (Knot's library, GnuTLS: one TLS stack)
	libcriterion-dev	# unit and BPF test tiers
	iproute2 iputils-ping procps ethtool	# e2e: namespaces, veth (ethtool: checksum offload off on test veths)
	netbase	# /etc/protocols: 'ip rule ... ipproto tcp' in the soak tier
	bc	# e2e and soak: failover times in fractions of a second
	curl python3 socat tcpdump	# e2e: real clients and servers; tcpdump for looking around the demo
	openssl	# unit tier: the https check's test server and its certificate
	ca-certificates	# https checks with tls_verify: the CA store libcurl verifies against
	bird2	# e2e and demo: BGP/BFD routing daemon
	dnsmasq-base	# e2e: a real DNS server behind the UDP health check (no system service, unlike dnsmasq)
	libclang-rt-14-dev	# make fuzz / test-fuzz: libFuzzer and the sanitizer runtimes for clang 14
	valgrind libcap2-bin	# e2e: agent under valgrind; capsh to read the agent's capabilities
	mandoc	# make man: lints the man pages (the build fails on a warning)
	build-essential dpkg-dev debhelper lintian	# make deb: dpkg-buildpackage (which wants build-essential) and dh build the package; lintian checks it
	prometheus	# promtool: the unit and e2e tiers lint the metrics exposition (~96 MB, daemon unused)
	haproxy	# role proxy: the layer-7 proxy lbagent runs and supervises (docs/PROXY.md)
	nginx	# e2e (layer 7): the origin servers behind the proxies
	python3-websockets	# e2e (layer 7): a WebSocket origin and client through the proxies
	wrk	# bench/l7_wrk.sh, bench/bulk_throughput.sh: HTTP load through the VIP and direct
	iperf3	# bench/bulk_throughput.sh: bulk TCP streams through the VIP and direct (no daemon: see below)
	knot dnsutils	# e2e (regions): the authoritative DNS server; dig and nsupdate as the client
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# iperf3's package asks whether to run a system server; the bench starts its own.
	echo 'iperf3 iperf3/start_daemon boolean false' | debconf-set-selections
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# BIRD's, Prometheus', HAProxy's, nginx's and Knot's packages enable system daemons; the project
# runs its own BIRD, HAProxy, nginx and Knot instances and needs only promtool from Prometheus.
for unit in bird prometheus haproxy nginx knot; do
	if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet $unit 2>/dev/null; then
		systemctl disable --now $unit >/dev/null 2>&1 || true
	fi
done

if [ "$(id -u)" -eq 0 ] && ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf
fi
