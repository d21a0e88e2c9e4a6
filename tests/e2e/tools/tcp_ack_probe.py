# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Bare TCP ACKs for flows no host has: from SRC, source ports FIRST..FIRST+COUNT-1,
to DST:DPORT, each sent REPEAT times, from a raw socket (the kernel adds the IP
header). A balancer without a conntrack entry picks them by Maglev as if they were
mid-flow packets: t_second_chance uses them to fill conntrack and to show that a
packet no backend owns is dropped after one hop. Bounded: at most 65535 ports."""
import random
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ack(src, dst, sport, dport):
    seq, ack_seq = random.getrandbits(32), random.getrandbits(32)
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack_seq, 5 << 4, 0x10, 64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    return hdr[:16] + struct.pack("!H", checksum(pseudo + hdr)) + hdr[18:]


def main():
    src, dst, dport, first, count, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    if not (0 < first and first + count <= 65536 and 0 < repeat <= 16):
        sys.exit("ports or repeat out of range")
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    pkts = [ack(src, dst, p, dport) for p in range(first, first + count)]
    # Back to back: a balancer tracks a flow at its second packet, if it still
    # remembers the first (lb_ct_new is small).
    for p in pkts:
        for _ in range(repeat):
            s.sendto(p, (dst, 0))
    print(len(pkts) * repeat)


main()
