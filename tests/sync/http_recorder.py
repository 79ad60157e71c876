"""A real HTTP/1.1 server on localhost that records what the kiosk sends and answers as told
(a status and a JSON body), or hangs up without answering: the network seen from the wire."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    connection: tuple[str, int]  # the client's address: same port = same kept-alive connection


@dataclass
class Recorder:
    url: str = ""
    requests: list[Seen] = field(default_factory=list)
    status: int = 200
    answer: object = field(default_factory=lambda: {"accepted": []})
    hang_up: int = 0  # the next n requests are read, then the connection is dropped unanswered
    close_after_answer: bool = False  # answer with "Connection: close", then close
    drop_after_answer: bool = False  # answer, then close without a word (an idle timeout)
    closed: threading.Event = field(default_factory=threading.Event)  # a connection was closed


def _handler(rec: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the kiosk's client expects

        def log_message(self, *_args: object) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            rec.requests.append(Seen(self.command, self.path, dict(self.headers), body,
                                     self.client_address))
            if rec.hang_up:
                rec.hang_up -= 1
                self.close_connection = True
                return
            data = json.dumps(rec.answer).encode()
            self.send_response(rec.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if rec.close_after_answer:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            if rec.close_after_answer or rec.drop_after_answer:
                self.close_connection = True

        do_GET = do_POST = _serve

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    recorder: Recorder

    def shutdown_request(self, request: object) -> None:
        super().shutdown_request(request)
        self.recorder.closed.set()


def serve() -> Iterator[Recorder]:
    """The server, for a fixture: ``yield from serve()``."""
    rec = Recorder()
    server = _Server(("127.0.0.1", 0), _handler(rec))
    server.recorder = rec
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()
    thread.join(5)
