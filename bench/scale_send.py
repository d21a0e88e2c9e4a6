#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Bounded UDP traffic to some VIPs, for bench/scale_config.sh.

    scale_send.py --seconds S --rate PPS VIP:PORT ...

Sends round-robin over the VIPs, each datagram from a socket of its own (a
new source port: a new flow, so every packet is picked from the VIP's
Maglev table, the path a reload changes), at most
S seconds and S x PPS datagrams, then prints how many went to each VIP as
"VIP:PORT COUNT" lines. Stops early on SIGTERM, still printing its counts.
"""
import argparse
import signal
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--rate", type=int, required=True)
    ap.add_argument("vips", nargs="+")
    a = ap.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    dests = [(v.rsplit(":", 1)[0], int(v.rsplit(":", 1)[1])) for v in a.vips]
    sent = {d: 0 for d in dests}
    limit = int(a.seconds * a.rate)
    t0 = time.monotonic()
    n = 0
    while n < limit and not stop and time.monotonic() - t0 < a.seconds:
        for d in dests:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(b"xdplb-scale", d)
            sent[d] += 1
            n += 1
        # Paced: a round of len(dests) packets every len(dests)/rate seconds.
        ahead = t0 + n / a.rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
    for (addr, port), c in sent.items():
        print(f"{addr}:{port} {c}")


if __name__ == "__main__":
    main()
