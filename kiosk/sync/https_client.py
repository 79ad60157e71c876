"""The kiosk's HTTP client: one persistent connection to the central server, standard library only.

The kiosk talks to one server with small JSON requests (statistics batches, heartbeats, help
calls). httpx did it well but cost the kiosk ~10 MB of resident memory (httpx, httpcore, h11,
anyio, idna...) for features it does not use; ``http.client`` keeps what matters:

- one keep-alive connection per client; before it is reused, a connection the server has
  closed meanwhile (idle timeout) is noticed and replaced; a request is never resent by the
  client itself (a failure is reported; the caller's retry policy decides),
- a timeout on connecting and on every read, and one for the whole exchange (a server that
  trickles bytes cannot hold a request open), and a cap on the size of an answer,
- TLS always verified (system CAs, plus the configured private CA, never a bypass),
- no redirects followed (a server that moved must be reconfigured, not guessed),
- the proxy of the environment honoured, as other programs do (``HTTPS_PROXY``/``HTTP_PROXY``,
  ``NO_PROXY``, upper or lower case; councils' networks often require one): HTTPS goes through
  a ``CONNECT`` tunnel, so the proxy sees the server's name but not the exchange; credentials
  in the proxy's URL are sent as ``Proxy-Authorization``,
- IPv6 literals (``https://[2001:db8::1]/``) as well as names and IPv4 addresses,
- every failure to get an answer raised as :class:`HttpError` (an ``OSError``).

The interface is the part of httpx's ``Client`` the kiosk used (``request`` with ``json=``,
``status_code``, ``headers``, ``json()``), so in-process tests can pass FastAPI's TestClient.
"""
from __future__ import annotations

import base64
import http.client
import json as jsonlib
import select
import ssl
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Self

MAX_RESPONSE_BYTES = 4 * 2**20   # the largest answer the kiosk accepts (heartbeat replies are KBs)
DEFAULT_PORTS = {"http": 80, "https": 443}


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
                 timeout_s: float = 10.0, ca_file: str = "",
                 total_timeout_s: float | None = None,
                 max_response_bytes: int = MAX_RESPONSE_BYTES) -> None:
        parts = urllib.parse.urlsplit(base_url)
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"not an http(s) URL: {base_url!r}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.scheme = parts.scheme
        # hostname is "::1" for "[::1]"; the port is always given to http.client, which would
        # otherwise read the last ":1" of an IPv6 literal as a port.
        self.host, self.port = parts.hostname, port or DEFAULT_PORTS[parts.scheme]
        self.prefix = parts.path.rstrip("/")
        self.headers = dict(headers or {})
        self.timeout_s = timeout_s
        self.total_timeout_s = total_timeout_s if total_timeout_s is not None else 3 * timeout_s
        self.max_response_bytes = max_response_bytes
        self.tls: ssl.SSLContext | None = None
        if parts.scheme == "https":
            self.tls = ssl.create_default_context()  # verifies the certificate and the name
            if ca_file:
                self.tls.load_verify_locations(cafile=ca_file)
        self.proxy = proxy_for(self.scheme, self.host)
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        conn = self._conn
        if conn is not None and conn.sock is not None and _closed_by_peer(conn.sock):
            self.close()  # the server ended the kept-alive connection (idle timeout)
            conn = None
        if conn is None:
            conn = self._open()
            self._conn = conn
        return conn

    def _open(self) -> http.client.HTTPConnection:
        host, port = self.host, self.port
        proxy = self.proxy
        if proxy is not None:
            host, port = proxy.host, proxy.port
        if self.tls is not None:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=self.timeout_s, context=self.tls)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self.timeout_s)
        if proxy is not None and self.tls is not None:
            # CONNECT host:port through the proxy, then TLS with the server itself (the
            # certificate is checked against the server's name, not the proxy's).
            conn.set_tunnel(self.host, self.port, headers=proxy.headers)
        return conn

    def _target(self, path: str) -> str:
        """The request target: a path, or the absolute URL when plain HTTP goes by a proxy."""
        if self.proxy is not None and self.tls is None:
            host = f"[{self.host}]" if ":" in self.host else self.host
            return f"http://{host}:{self.port}{self.prefix}{path}"
        return self.prefix + path

    def request(self, method: str, path: str, json: Any = None) -> Response:
        """One exchange; :class:`HttpError` when no complete answer came back (the request
        is not sent again: the caller's retry policy decides)."""
        body = None
        headers = {**self.headers, "Accept": "application/json"}
        if json is not None:
            body = jsonlib.dumps(json, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        if self.proxy is not None and self.tls is None:
            headers.update(self.proxy.headers)
        deadline = time.monotonic() + self.total_timeout_s
        try:
            conn = self._connection()
            conn.request(method, self._target(path), body=body, headers=headers)
            _shorten_timeout(conn, deadline, self.timeout_s)
            answer = conn.getresponse()
            data = self._read(conn, answer, deadline)
        except (OSError, http.client.HTTPException) as err:  # timeouts and TLS errors included
            self.close()
            raise HttpError(f"{type(err).__name__}: {err}") from None
        return Response(answer.status, data, {k.lower(): v for k, v in answer.getheaders()})

    def _read(self, conn: http.client.HTTPConnection, answer: http.client.HTTPResponse,
              deadline: float) -> bytes:
        """The body, within the size cap and the whole exchange's deadline."""
        length = answer.getheader("Content-Length")
        if length is not None and length.isdigit() and int(length) > self.max_response_bytes:
            raise HttpError(f"answer of {length} bytes refused (over {self.max_response_bytes})")
        chunks: list[bytes] = []
        size = 0
        while True:
            _shorten_timeout(conn, deadline, self.timeout_s)
            chunk = answer.read1(64 * 1024)
            if not chunk:
                # read1 leaves a length-delimited answer open at its end; closed, the kept-alive
                # connection can carry the next request.
                answer.close()
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_response_bytes:
                raise HttpError(f"answer over {self.max_response_bytes} bytes refused")
            chunks.append(chunk)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    # Proxy-Authorization, when the URL carries credentials: never in a repr or a log line.
    headers: dict[str, str] = field(default_factory=dict, repr=False)


def proxy_for(scheme: str, host: str) -> Proxy | None:
    """The proxy the environment names for ``scheme`` (``HTTPS_PROXY``, ``HTTP_PROXY``, in either
    case), or None: none set, or ``host`` listed in ``NO_PROXY``."""
    proxies = urllib.request.getproxies_environment()
    url = proxies.get(scheme)
    if not url or urllib.request.proxy_bypass_environment(host, proxies):  # type: ignore[attr-defined]  # in the module, missing from typeshed
        return None
    if "://" not in url:
        url = "http://" + url
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        raise ValueError(f"{scheme}_proxy is not a URL: {url!r}")
    headers = {}
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Proxy-Authorization"] = f"Basic {token}"
    return Proxy(parts.hostname, parts.port or 3128, headers)


def _shorten_timeout(conn: http.client.HTTPConnection, deadline: float, per_read: float) -> None:
    """Each read waits at most what is left of the exchange's time."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the server's answer took too long")
    if conn.sock is not None:
        conn.sock.settimeout(min(per_read, left))


def _closed_by_peer(sock: Any) -> bool:
    """An idle kept-alive socket that is readable has been closed (or spoken to) by the server:
    either way it cannot carry the next request."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
