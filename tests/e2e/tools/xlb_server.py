#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Real servers of one e2e backend, each answering with the backend's name.

- HTTP on --http-port (IPv4 and IPv6): GET answers "<name>\\n", then closes
  (HTTP/1.0, the body delimited by the close).
- UDP echo on --udp-port, one socket per --udp-bind address: the reply must
  leave from the VIP the datagram was sent to (DSR), so the sockets are bound
  to the VIPs themselves rather than to the wildcard.
- TCP stream on --stream-port: sends "<name>\\n", then echoes every byte back
  until the client closes; the client checks the data end to end.

Standard library only. Writes --ready FILE once every socket listens.
"""
import argparse
import http.server
import socket
import socketserver
import sys
import threading


def dual_stack_listener(port):
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::", port))
    sock.listen(512)
    return sock


class NameHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        body = (self.server.backend_name + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        # No Content-Length: the body ends when the server closes, so the server
        # always closes first and keeps the TIME_WAIT; a client can reuse its
        # port (same 5-tuple) at once.
        self.send_header("X-Backend", self.server.backend_name)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


class DualStackHTTPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True
    request_queue_size = 512

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def serve_stream_client(conn, name):
    with conn:
        conn.settimeout(300)
        try:
            conn.sendall((name + "\n").encode())
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)
        except OSError:
            return


def serve_stream(listener, name):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve_stream_client, args=(conn, name), daemon=True).start()


def serve_udp(sock, name):
    reply_prefix = (name + " ").encode()
    while True:
        data, peer = sock.recvfrom(65535)
        sock.sendto(reply_prefix + data, peer)


def udp_socket(addr, port):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    return sock


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--name", required=True)
    ap.add_argument("--http-port", type=int, default=80)
    ap.add_argument("--stream-port", type=int, default=7000)
    ap.add_argument("--udp-port", type=int, default=9000)
    ap.add_argument("--udp-bind", action="append", default=[])
    ap.add_argument("--ready")
    args = ap.parse_args()

    httpd = DualStackHTTPServer(("::", args.http_port), NameHandler)
    httpd.backend_name = args.name
    stream = dual_stack_listener(args.stream_port)
    udps = [udp_socket(a, args.udp_port) for a in args.udp_bind]

    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    threading.Thread(target=serve_stream, args=(stream, args.name), daemon=True).start()
    for s in udps:
        threading.Thread(target=serve_udp, args=(s, args.name), daemon=True).start()
    if args.ready:
        with open(args.ready, "w") as f:
            f.write("ready\n")
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
