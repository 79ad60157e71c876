"""Raw HTTP/1.1 over keep-alive connections, for the fleet simulator's kiosks.

httpx costs about a millisecond of CPU per request: at 10,000 kiosks the simulator would eat
the CPU the server is measured on. These few lines speak what the kiosks' API needs (a JSON
body, a Content-Length or chunked answer) over a pool of persistent connections to one
server, in asyncio. A connection the server closed while idle (its keep-alive timeout) is
noticed before any answer byte and the request is sent again on a fresh one: nothing of it
reached the server's app (and the API's writes are idempotent anyway).
"""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

IDLE_MAX_S = 4.0  # under uvicorn's keep-alive timeout (5 s)


class WireError(Exception):
    """No answer (refused, reset, timed out): the kiosk counts it as offline."""


@dataclass
class Answer:
    status: int
    retry_after: str | None
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _Stale(Exception):
    """The connection was closed before any byte of the answer."""


class Pool:
    def __init__(self, base_url: str, size: int = 256, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.size, self.timeout = size, timeout
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self._slots = asyncio.Semaphore(size)
        self._host_header = f"{self.host}:{self.port}".encode()

    async def request(self, method: str, path: str, body: Any = None,
                      headers: dict[str, str] | None = None) -> Answer:
        payload = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        head = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self._host_header,
                b"Content-Type: application/json", b"Content-Length: %d" % len(payload)]
        head += [f"{k}: {v}".encode() for k, v in (headers or {}).items()]
        message = b"\r\n".join(head) + b"\r\n\r\n" + payload
        async with self._slots:
            for _attempt in range(self.size + 1):
                reused = self._take()
                fresh = reused is None
                conn = reused if reused is not None else await self._open()
                try:
                    answer, keep = await asyncio.wait_for(self._exchange(conn, message),
                                                          self.timeout)
                except _Stale:
                    conn[1].close()
                    if fresh:
                        raise WireError("connection closed before an answer") from None
                    continue  # an idle connection the server had closed: once more, anew
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as err:
                    conn[1].close()
                    raise WireError(f"{type(err).__name__}: {err}") from None
                except asyncio.CancelledError:  # the run ends: the answer will not be read
                    conn[1].close()
                    raise
                if keep:
                    self._idle.append((*conn, time.monotonic()))
                else:
                    conn[1].close()
                return answer
        raise WireError("no connection would answer")

    def _take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """The connection used last, if the server has not closed it yet (uvicorn closes a
        connection idle for 5 s): one idle longer is closed here and the next one tried."""
        while self._idle:
            reader, writer, since = self._idle.pop()
            if time.monotonic() - since < IDLE_MAX_S:
                return reader, writer
            writer.close()
        return None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.wait_for(asyncio.open_connection(self.host, self.port),
                                          self.timeout)
        except (OSError, TimeoutError) as err:
            raise WireError(f"cannot connect: {err}") from None

    @staticmethod
    async def _exchange(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter],
                        message: bytes) -> tuple[Answer, bool]:
        reader, writer = conn
        try:
            writer.write(message)
            await writer.drain()
            status_line = await reader.readline()
        except (ConnectionResetError, BrokenPipeError):
            raise _Stale from None
        if not status_line:
            raise _Stale
        status = int(status_line.split(b" ", 2)[1])
        length, chunked, keep, retry_after = 0, False, True, None
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and value.lower() == b"close":
                keep = False
            elif name == b"retry-after":
                retry_after = value.decode()
        if chunked:
            parts = []
            while True:
                size = int((await reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await reader.readline()
                    break
                parts.append(await reader.readexactly(size))
                await reader.readline()
            body = b"".join(parts)
        else:
            body = await reader.readexactly(length) if length else b""
        return Answer(status, retry_after, body), keep

    async def close(self) -> None:
        for _reader, writer, _since in self._idle:
            writer.close()
        self._idle.clear()
