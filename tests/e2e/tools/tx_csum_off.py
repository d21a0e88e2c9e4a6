#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Turns transmit checksum offload off on one interface (ethtool -K IF tx off).

A veth hands its peer packets whose TCP/UDP checksum is still to be filled in
(CHECKSUM_PARTIAL); an XDP program on the peer forwards those bytes as they
are, and the backend drops them as corrupt. A real wire always carries
complete checksums: with offload off, the kernel completes them before the
packet leaves. Standard library only (SIOCETHTOOL), so ethtool is not needed.
"""
import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
ETHTOOL_STXCSUM = 0x00000017


def main():
    if len(sys.argv) != 2:
        print("usage: tx_csum_off.py IFNAME", file=sys.stderr)
        return 2
    value = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM, 0))
    ifreq = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(value))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        fcntl.ioctl(s, SIOCETHTOOL, ifreq)
    return 0


if __name__ == "__main__":
    sys.exit(main())
