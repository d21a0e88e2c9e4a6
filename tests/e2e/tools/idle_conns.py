#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Long-lived TCP connections to the stream server that stay idle in between.

Opens COUNT connections to VIP:PORT, connection i from local port FIRST+i; each
reads the backend's name line and has one message echoed. Then writes
{"state": "idle", "backends": {port: name}} to --status and sends nothing
until --go FILE appears (or --wait runs out). Then every connection sends one
more message on the same socket and must get it echoed back; the result
{"state": "done", "backends": ..., "answered": [port, ...],
"errors": {port: reason}} goes to --status.

An echo can only come from the backend that accepted the connection: any other
backend has no socket for the 5-tuple and answers with a reset.
Every step is bounded by --timeout; the whole run by --wait.
"""
import argparse
import json
import os
import socket
import sys
import time


def write_status(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError("connection closed by the peer after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def recv_line(sock, limit=256):
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            raise OSError("connection closed before the name line")
        data += chunk
        if len(data) > limit:
            raise OSError("name line longer than %d bytes" % limit)
    return data.decode().strip()


def echo_once(sock, msg):
    sock.sendall(msg)
    back = recv_exact(sock, len(msg))
    if back != msg:
        raise OSError("echo mismatch: sent %r, got %r" % (msg, back))


def reason_of(err):
    if isinstance(err, socket.timeout):
        return "timeout"
    return err.strerror or str(err)


def open_all(args):
    family = socket.AF_INET6 if ":" in args.vip else socket.AF_INET
    conns, backends = {}, {}
    for i in range(args.count):
        port = args.first_port + i
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.settimeout(args.timeout)
        try:
            sock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
            sock.connect((args.vip, args.port))
            backends[str(port)] = recv_line(sock)
            echo_once(sock, b"hello from %d\n" % port)
        except OSError as e:
            sock.close()
            raise OSError("port %d: %s" % (port, reason_of(e)))
        conns[str(port)] = sock
    return conns, backends


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vip", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--first-port", type=int, required=True)
    ap.add_argument("--count", type=int, default=30)
    ap.add_argument("--timeout", type=float, default=2.0, help="per socket operation, s")
    ap.add_argument("--wait", type=float, default=120.0, help="longest idle time, s")
    ap.add_argument("--status", required=True)
    ap.add_argument("--go", required=True)
    args = ap.parse_args()

    try:
        conns, backends = open_all(args)
    except OSError as e:
        write_status(args.status, {"state": "failed", "reason": str(e)})
        return 1
    write_status(args.status, {"state": "idle", "backends": backends})

    deadline = time.monotonic() + args.wait
    while not os.path.exists(args.go):
        if time.monotonic() > deadline:
            write_status(args.status, {"state": "failed", "backends": backends,
                                       "reason": "no go file within %ss" % args.wait})
            return 1
        time.sleep(0.05)

    answered, errors = [], {}
    for port, sock in conns.items():
        try:
            echo_once(sock, b"again from %s\n" % port.encode())
            answered.append(int(port))
        except OSError as e:
            errors[port] = reason_of(e)
        sock.close()
    write_status(args.status, {"state": "done", "backends": backends,
                               "answered": answered, "errors": errors})
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
