"""The kiosk's HTTP client: one persistent connection to the central server, standard library only.

The kiosk talks to one server with small JSON requests (statistics batches, heartbeats, help
calls). httpx did it well but cost the kiosk ~10 MB of resident memory (httpx, httpcore, h11,
anyio, idna...) for features it does not use; ``http.client`` keeps what matters:

- one keep-alive connection per client; before it is reused, a connection the server has
  closed meanwhile (idle timeout) is noticed and replaced; a request is never resent by the
  client itself (a failure is reported; the caller's retry policy decides),
- a timeout on connecting and on every read,
- TLS always verified (system CAs, plus the configured private CA, never a bypass),
- no redirects followed (a server that moved must be reconfigured, not guessed),
- every failure to get an answer raised as :class:`HttpError` (an ``OSError``).

The interface is the part of httpx's ``Client`` the kiosk used (``request`` with ``json=``,
``status_code``, ``headers``, ``json()``), so in-process tests can pass FastAPI's TestClient.
"""
from __future__ import annotations

import http.client
import json as jsonlib
import select
import ssl
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Self


class HttpError(OSError):
    """No usable answer: refused, reset, timed out, TLS refused, not HTTP."""


@dataclass
class Response:
    status_code: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return jsonlib.loads(self.body)


class HttpsClient:
    """Requests to one server (``base_url``), over one persistent connection."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None,
                 timeout_s: float = 10.0, ca_file: str = "") -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.host, self.port = parts.hostname, parts.port
        self.prefix = parts.path.rstrip("/")
        self.headers = dict(headers or {})
        self.timeout_s = timeout_s
        self.tls: ssl.SSLContext | None = None
        if parts.scheme == "https":
            self.tls = ssl.create_default_context()  # verifies the certificate and the name
            if ca_file:
                self.tls.load_verify_locations(cafile=ca_file)
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        conn = self._conn
        if conn is not None and conn.sock is not None and _closed_by_peer(conn.sock):
            self.close()  # the server ended the kept-alive connection (idle timeout)
            conn = None
        if conn is None:
            if self.tls is not None:
                conn = http.client.HTTPSConnection(self.host, self.port,
                                                   timeout=self.timeout_s, context=self.tls)
            else:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
            self._conn = conn
        return conn

    def request(self, method: str, path: str, json: Any = None) -> Response:
        """One exchange; :class:`HttpError` when no complete answer came back (the request
        is not sent again: the caller's retry policy decides)."""
        body = None
        headers = {**self.headers, "Accept": "application/json"}
        if json is not None:
            body = jsonlib.dumps(json, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn = self._connection()
            conn.request(method, self.prefix + path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException) as err:  # timeouts and TLS errors included
            self.close()
            raise HttpError(f"{type(err).__name__}: {err}") from None
        return Response(answer.status, data, {k.lower(): v for k, v in answer.getheaders()})

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _closed_by_peer(sock: Any) -> bool:
    """An idle kept-alive socket that is readable has been closed (or spoken to) by the server:
    either way it cannot carry the next request."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
