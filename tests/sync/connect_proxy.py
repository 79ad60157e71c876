"""A small forward proxy for tests, like the ones councils' networks put in front of the
Internet: ``CONNECT host:port`` opens a tunnel (HTTPS), an absolute-URL request is relayed (plain
HTTP). It records what it was asked, so a test can tell what went through it."""
from __future__ import annotations

import select
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class ProxyLog:
    requests: list[str] = field(default_factory=list)        # "CONNECT 127.0.0.1:1234"...
    authorizations: list[str] = field(default_factory=list)  # Proxy-Authorization values


def _pipe(a: socket.socket, b: socket.socket) -> None:
    sockets = [a, b]
    while True:
        readable, _, _ = select.select(sockets, [], [], 30)
        if not readable:
            return
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            (b if sock is a else a).sendall(data)


def _read_head(sock: socket.socket) -> bytes:
    head = b""
    while b"\r\n\r\n" not in head:
        data = sock.recv(4096)
        if not data:
            break
        head += data
    return head


@contextmanager
def connect_proxy() -> Iterator[tuple[str, ProxyLog]]:
    """A running proxy on 127.0.0.1: its URL and what it saw."""
    log = ProxyLog()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            client: socket.socket = self.request
            head = _read_head(client)
            if not head:
                return
            line, *header_lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            headers = dict(h.split(": ", 1) for h in header_lines if ": " in h)
            method, target, _version = line.split(" ", 2)
            log.requests.append(f"{method} {target}")
            if "Proxy-Authorization" in headers:
                log.authorizations.append(headers["Proxy-Authorization"])
            if method == "CONNECT":
                host, port = target.rsplit(":", 1)
                upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                with upstream:
                    _pipe(client, upstream)
                return
            client.sendall(b"HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\n\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
