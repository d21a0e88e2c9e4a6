#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Spoofed TCP SYNs toward VIP:PORT, every one a new 5-tuple, bounded in count and time.

Each SYN comes from a distinct (host, port) drawn at random from --src (a
prefix inside 203.0.113.0/24, the only range it accepts) and ports
1024..65535; nothing answers them, so no flow ever sends a second packet.
With --ack every SYN is followed by the ACK that would complete its
handshake: to the balancer, a table full of established flows.
Sent through raw IPv4 sockets (IP_HDRINCL): the kernel routes them and fills
in the IP checksum; the TCP checksum is computed here. --cpus splits the
tuples over that many senders, each pinned to its own CPU (as a NIC's receive
queues spread a flood over every core); each sends as fast as its socket
takes them. Prints JSON {"sent": n, "seconds": s, "pps": r, "errors": n};
sent counts packets.
"""
import argparse
import ipaddress
import json
import os
import random
import socket
import struct
import sys
import time

ALLOWED = ipaddress.ip_network("203.0.113.0/24")
PORT_LO, PORT_HI = 1024, 65535
TCP_SYN, TCP_ACK = 0x02, 0x10


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_packet(src, dst, sport, dport, seq, ack, flags):
    # A SYN carries MSS as a real stack's does: 24 bytes of TCP header.
    opts = struct.pack("!BBH", 2, 4, 1460) if flags == TCP_SYN else b""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (20 + len(opts)) << 2, flags,
                      64240, 0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64,
                     socket.IPPROTO_TCP, 0, src, dst)
    return ip + tcp


def source_hosts(prefix):
    net = ipaddress.ip_network(prefix)
    if net.version != 4 or not net.subnet_of(ALLOWED):
        raise SystemExit("syn_flood: --src %s is not inside %s" % (prefix, ALLOWED))
    return [h.packed for h in net.hosts()]


def send_all(args, hosts, tuples, seed):
    """One sender: its share of the tuples; returns (packets sent, send errors)."""
    nports = PORT_HI - PORT_LO + 1
    rng = random.Random(seed)
    dst = socket.inet_aton(args.vip)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sent = errors = 0
    deadline = time.monotonic() + args.seconds
    for t in tuples:
        if time.monotonic() > deadline:
            break
        src, sport, seq = hosts[t // nports], PORT_LO + t % nports, rng.getrandbits(32)
        pkts = [tcp_packet(src, dst, sport, args.port, seq, 0, TCP_SYN)]
        if args.ack:
            pkts.append(tcp_packet(src, dst, sport, args.port, seq + 1 & 0xffffffff,
                                   rng.getrandbits(32), TCP_ACK))
        for pkt in pkts:
            try:
                sock.sendto(pkt, (args.vip, 0))
                sent += 1
            except OSError:
                # A full queue (ENOBUFS): counted, not retried; the rate says what got out.
                errors += 1
    return sent, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vip", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--src", required=True, help="source prefix inside 203.0.113.0/24")
    ap.add_argument("--count", type=int, required=True, help="tuples (flows)")
    ap.add_argument("--ack", action="store_true", help="complete each handshake with an ACK")
    ap.add_argument("--cpus", type=int, default=1, help="senders, one per CPU")
    ap.add_argument("--seconds", type=float, default=10.0, help="time budget")
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()

    hosts = source_hosts(args.src)
    nports = PORT_HI - PORT_LO + 1
    if args.count > len(hosts) * nports:
        raise SystemExit("syn_flood: %s has fewer than %d tuples" % (args.src, args.count))
    # Distinct (host, port) pairs: every flow is a tuple the balancer has not seen.
    tuples = random.Random(args.seed).sample(range(len(hosts) * nports), args.count)
    cpus = sorted(os.sched_getaffinity(0))[:max(args.cpus, 1)]
    workers = []
    start = time.monotonic()
    for i, cpu in enumerate(cpus):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            # The child never returns into this loop, whatever happens.
            try:
                os.close(rfd)
                os.sched_setaffinity(0, {cpu})
                res = send_all(args, hosts, tuples[i::len(cpus)], args.seed + 1 + i)
                os.write(wfd, json.dumps(res).encode())
            finally:
                os._exit(0)
        os.close(wfd)
        workers.append((pid, rfd))
    sent = errors = 0
    for pid, rfd in workers:
        with os.fdopen(rfd) as f:
            data = f.read()
        os.waitpid(pid, 0)
        if not data:
            raise SystemExit("syn_flood: sender %d died" % pid)
        n, e = json.loads(data)
        sent, errors = sent + n, errors + e
    secs = time.monotonic() - start
    json.dump({"sent": sent, "seconds": round(secs, 3),
               "pps": int(sent / secs) if secs > 0 else 0, "errors": errors},
              sys.stdout, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
