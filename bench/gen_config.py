#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""An lbagent config at an internet edge's size, for bench/scale_config.sh.

    gen_config.py --vips N --backends B --pool P --run DIR [--weight-vips K] [--health PORT]

N VIPs of B backends each, drawn from a pool of P backend hosts
(198.51.100.10 ..., then 203.0.113.x), so hosts are shared as at an edge:
host 0 serves every VIP (the one taken down by the bench), the others in a
window that slides by VIP. VIPs are 192.0.2.1..250 on ports 80, 443, 8080,
8443, ... (250 a port), UDP (a bench sends them datagrams). --weight-vips K
gives the first K VIPs other weights (a reload that changes K VIPs); --health
PORT checks every pair with one TCP check per host (same check, run once).
--no-per-backend: the metrics without the series per pair. --big-table M:
the last VIP has every host of the pool and a table of M slots. Documentation addresses only.
"""
import argparse
import ipaddress


def pool_addr(i):
    """The i-th backend host: 198.51.100.10..254, then 203.0.113.1..254."""
    if i < 245:
        return f"198.51.100.{10 + i}"
    if i < 245 + 254:
        return f"203.0.113.{1 + i - 245}"
    raise SystemExit(f"gen_config: pool of {i + 1} hosts: more than documentation space holds")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vips", type=int, required=True)
    ap.add_argument("--backends", type=int, required=True)
    ap.add_argument("--pool", type=int, required=True)
    ap.add_argument("--run", required=True, help="directory for the socket and bpffs")
    ap.add_argument("--interface", default="lb0")
    ap.add_argument("--weight-vips", type=int, default=0)
    ap.add_argument("--health", type=int, default=0)
    ap.add_argument("--metrics", default="off")
    ap.add_argument("--no-per-backend", action="store_true", help="metrics.per_backend: false")
    ap.add_argument("--big-table", type=int, default=0,
                    help="the last VIP: this maglev_size and every host of the pool")
    a = ap.parse_args()
    if a.backends > a.pool:
        raise SystemExit("gen_config: more backends per VIP than hosts in the pool")
    ports = [80, 443, 8080, 8443, 9080, 9443, 10080, 10443]
    if a.vips > 250 * len(ports):
        raise SystemExit("gen_config: too many VIPs")

    out = [
        "node:",
        "  id: 1",
        "  zone: a",
        "  role: balancer",
        f"  interface: {a.interface}",
        "  xdp_mode: generic",
        "  addresses: [198.51.100.2]",
        f"  control: {{socket: {a.run}/lb.sock}}",
        f"  bpffs: {a.run}/bpffs/lb",
        f"  metrics: {{listen: '{a.metrics}', per_backend: {str(not a.no_per_backend).lower()}}}",
        "vips:",
    ]
    health = ""
    if a.health:
        health = (f", health: {{type: tcp, port: {a.health}, interval: 1s, timeout: 500ms, "
                  "fall: 1, rise: 1}")
    for v in range(a.vips):
        addr = ipaddress.ip_address("192.0.2.1") + v % 250
        port = ports[v // 250]
        w = 2 if v < a.weight_vips else 1
        # Host 0 in every VIP; the rest a window over the pool that slides by VIP.
        hosts = [0] + [1 + (v * 7 + j) % (a.pool - 1) for j in range(a.backends - 1)]
        size = ""
        if a.big_table and v == a.vips - 1:
            hosts, size = range(a.pool), f", maglev_size: {a.big_table}"
        bes = ", ".join(f"{{address: {pool_addr(h)}, weight: {w}}}" for h in hosts)
        out.append(f"  - {{address: {addr}, port: {port}, protocol: udp{health}{size}, "
                   f"backends: [{bes}]}}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
