"""Helpers of the live feed tests: an in-process uvicorn server (so the test can count the
statements of its engine), console sign-in and live streams over real HTTP (httpx, asyncio)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn

from console.seed import PASSWORD

BEAT = {"state": "idle", "app_version": "0.1.0", "queue_length": 0,
        "devices": {"printer": "ready", "scanner": "ready"}}


@dataclass
class StatementCount:
    """Statements the server's engine ran, and rows its writes touched."""
    statements: int = 0
    written_rows: int = 0
    sql: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, engine: sa.Engine) -> None:
        @sa.event.listens_for(engine, "after_cursor_execute")
        def _count(_conn: Any, cursor: Any, statement: str, _params: Any, _ctx: Any,
                   _many: bool) -> None:
            with self.lock:
                self.statements += 1
                self.sql.append(statement)
                if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
                    self.written_rows += max(cursor.rowcount, 0)

    def reset(self) -> None:
        with self.lock:
            self.statements, self.written_rows, self.sql = 0, 0, []


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app on a real uvicorn server on loopback, in a thread of this process."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


async def signed_in(base_url: str, username: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base_url, timeout=30,
                               limits=httpx.Limits(max_connections=200))
    form = await client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    answer = await client.post("/console/login", data={"username": username,
                                                       "password": PASSWORD, "csrf": token})
    assert answer.status_code == 303, answer.text
    return client


class Stream:
    """One open live page's event stream: the "live" events it received, in order."""

    def __init__(self, client: httpx.AsyncClient, path: str) -> None:
        self.client, self.path = client, path
        self.events: list[dict[str, Any]] = []
        self.changed = asyncio.Event()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        kind = ""
        async with self.client.stream("GET", self.path) as answer:
            assert answer.status_code == 200
            async for line in answer.aiter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:") and kind == "live":
                    self.events.append(json.loads(line[5:]))
                    self.changed.set()

    async def until(self, predicate: Any, timeout: float = 30) -> dict[str, Any]:
        """The first event (already received or to come) for which ``predicate`` holds."""
        async def wait() -> dict[str, Any]:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                self.changed.clear()
                await self.changed.wait()
        return await asyncio.wait_for(wait(), timeout)

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(BaseException):
            await self.task
