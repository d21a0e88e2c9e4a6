#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Real clients of the e2e tier; every exchange is bounded in count and time.

  http   COUNT requests to VIP:PORT, request i from local port FIRST+i, each
         repeated --repeat times from the same port (same 5-tuple); prints
         JSON {"counts": {backend: n}, "flows": {port: [backend, ...]},
         "errors": n, "error_samples": [...]}.
  udp    the same with UDP datagrams to the echo-with-name service.
  stream one long-lived TCP connection to the stream server: sends patterned
         data and checks every echoed byte; writes its state to --status
         ("state=running backend=be1 bytes=N") until --stop-file appears or
         --duration runs out; exit 0 only if every byte came back intact.
"""
import argparse
import json
import os
import socket
import sys
import time


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def wildcard_of(addr):
    return "::" if ":" in addr else "0.0.0.0"


def bound_socket(vip, kind, src, sport):
    sock = socket.socket(family_of(vip), kind)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((src or wildcard_of(vip), sport))
    return sock


def http_once(args, sport):
    sock = bound_socket(args.vip, socket.SOCK_STREAM, args.src, sport)
    with sock:
        sock.settimeout(args.timeout)
        sock.connect((args.vip, args.port))
        host = "[%s]" % args.vip if ":" in args.vip else args.vip
        sock.sendall(("GET / HTTP/1.0\r\nHost: %s\r\n\r\n" % host).encode())
        data = b""
        while len(data) < 65536:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.0 200"):
        raise OSError("bad reply %r" % head[:40])
    return body.decode().strip()


def udp_once(args, sport):
    sock = bound_socket(args.vip, socket.SOCK_DGRAM, args.src, sport)
    with sock:
        sock.settimeout(args.timeout)
        payload = ("ping-%d" % sport).encode()
        for _ in range(3):
            sock.sendto(payload, (args.vip, args.port))
            try:
                data, peer = sock.recvfrom(65535)
            except socket.timeout:
                continue
            if socket.inet_pton(family_of(args.vip), peer[0]) != \
                    socket.inet_pton(family_of(args.vip), args.vip):
                raise OSError("reply from %s, not from the VIP" % peer[0])
            name, _, echo = data.partition(b" ")
            if echo != payload:
                raise OSError("echo mismatch %r" % data[:40])
            return name.decode()
    raise OSError("no reply after 3 tries")


def run_requests(args, once):
    counts, flows, errors, samples = {}, {}, 0, []
    deadline = time.monotonic() + args.budget
    for i in range(args.count):
        sport = args.first_port + i
        for _ in range(args.repeat):
            if time.monotonic() > deadline:
                errors += 1
                samples.append("time budget of %ss spent" % args.budget)
                break
            try:
                name = once(args, sport)
            except OSError as e:
                errors += 1
                if len(samples) < 5:
                    samples.append("port %d: %s" % (sport, e))
                continue
            counts[name] = counts.get(name, 0) + 1
            flows.setdefault(str(sport), []).append(name)
    json.dump({"counts": counts, "flows": flows, "errors": errors,
               "error_samples": samples}, sys.stdout, sort_keys=True)
    print()
    return 0


def pattern(offset, length):
    # Position-dependent bytes: a lost, duplicated or reordered chunk shows as a mismatch.
    return bytes((offset + i) * 7 % 251 for i in range(length))


def write_status(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.replace(tmp, path)


def run_stream(args):
    sent = 0
    backend = "?"
    deadline = time.monotonic() + args.duration
    status = lambda state, extra="": write_status(
        args.status, "state=%s backend=%s bytes=%d%s" % (state, backend, sent, extra))
    try:
        sock = bound_socket(args.vip, socket.SOCK_STREAM, args.src, args.first_port)
        sock.settimeout(args.timeout)
        sock.connect((args.vip, args.port))
        reader = sock.makefile("rb")
        backend = reader.readline(256).decode().strip()
        status("running")
        while time.monotonic() < deadline and not os.path.exists(args.stop_file):
            chunk = pattern(sent, args.chunk)
            sock.sendall(chunk)
            echo = reader.read(len(chunk))
            if echo != chunk:
                status("failed", " reason=echo mismatch at byte %d (%d bytes back)"
                       % (sent, len(echo or b"")))
                return 1
            sent += len(chunk)
            status("running")
            time.sleep(args.interval)
        sock.shutdown(socket.SHUT_WR)
        rest = reader.read(1)
        sock.close()
        if rest:
            status("failed", " reason=unexpected data after the last echo")
            return 1
    except OSError as e:
        status("failed", " reason=%s" % (e.strerror or e))
        return 1
    status("done")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["http", "udp", "stream"])
    ap.add_argument("--vip", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--src", help="local address (default: any)")
    ap.add_argument("--first-port", type=int, default=20000)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=2.0, help="per socket operation, s")
    ap.add_argument("--budget", type=float, default=60.0, help="whole http/udp run, s")
    ap.add_argument("--duration", type=float, default=120.0, help="stream at most, s")
    ap.add_argument("--chunk", type=int, default=4096)
    ap.add_argument("--interval", type=float, default=0.02)
    ap.add_argument("--status")
    ap.add_argument("--stop-file")
    args = ap.parse_args()
    if args.mode == "http":
        return run_requests(args, http_once)
    if args.mode == "udp":
        return run_requests(args, udp_once)
    if not args.status or not args.stop_file:
        ap.error("stream needs --status and --stop-file")
    return run_stream(args)


if __name__ == "__main__":
    sys.exit(main())
