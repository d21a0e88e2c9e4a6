#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The backend hosts' health-check port, for bench/scale_config.sh.

    scale_listen.py --port PORT --ready FILE ADDRESS ...

Listens on PORT of every ADDRESS (one socket each) and accepts and closes
every connection: a TCP check passes. SIGUSR1 closes the first address's
socket, so its checks get a reset and that host goes DOWN in every VIP it
serves at once. Runs until SIGTERM.
"""
import argparse
import selectors
import signal
import socket


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("addresses", nargs="+")
    a = ap.parse_args()
    sel = selectors.DefaultSelector()
    socks = []
    for addr in a.addresses:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, a.port))
        s.listen(128)
        sel.register(s, selectors.EVENT_READ)
        socks.append(s)
    stop, down = [], []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGUSR1, lambda *_: down.append(1))
    open(a.ready, "w").close()
    while not stop:
        if down and socks[0].fileno() >= 0:
            sel.unregister(socks[0])
            socks[0].close()
        for key, _ in sel.select(timeout=0.1):
            try:
                conn, _ = key.fileobj.accept()
                conn.close()
            except OSError:
                pass


if __name__ == "__main__":
    main()
