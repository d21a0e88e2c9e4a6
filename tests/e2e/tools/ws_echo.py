#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A WebSocket origin and its client (python3-websockets), for the layer-7 e2e test.

serve ADDR PORT: answers each message with "echo:<message>"; after "later N" it also
    sends "late" on its own N seconds later (the server speaks after an idle spell).
client ADDR PORT HOST HOLD: connects to ADDR:PORT asking for HOST (the proxy's rule), sends
    "ping", then "later HOLD" and waits, idle, for the server's "late", then "bye"; each
    answer checked. Prints one line of what happened; exit status 0 only if all came back.
"""
import asyncio
import socket
import sys
import time

import websockets


async def serve_one(ws, path=None):
    async for msg in ws:
        await ws.send("echo:" + msg)
        if msg.startswith("later "):
            await asyncio.sleep(float(msg.split()[1]))
            await ws.send("late")


async def serve(addr, port):
    async with websockets.serve(serve_one, addr, port):
        await asyncio.Future()


async def expect(ws, want, timeout):
    got = await asyncio.wait_for(ws.recv(), timeout)
    if got != want:
        raise RuntimeError("expected %r, got %r" % (want, got))


async def client(addr, port, host, hold):
    sock = socket.create_connection((addr, port), timeout=5)
    t0 = time.monotonic()
    async with websockets.connect("ws://%s/ws" % host, sock=sock, open_timeout=5,
                                  ping_interval=None) as ws:
        await ws.send("ping")
        await expect(ws, "echo:ping", 5)
        await ws.send("later %s" % hold)
        await expect(ws, "echo:later %s" % hold, 5)
        await expect(ws, "late", hold + 5)
        await ws.send("bye")
        await expect(ws, "echo:bye", 5)
    print("ok: 3 messages sent, 4 received, open %.1f s" % (time.monotonic() - t0))


def main():
    if sys.argv[1] == "serve":
        asyncio.run(serve(sys.argv[2], int(sys.argv[3])))
    else:
        try:
            asyncio.run(client(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5])))
        except Exception as e:  # the test prints why
            print("failed: %s: %s" % (type(e).__name__, e))
            sys.exit(1)


main()
