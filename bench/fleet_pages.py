"""The mediators' live pages of the fleet simulator (bench/fleet.py): console logins through
the form, event streams read over real HTTP, and when each probe kiosk's change reached them."""
from __future__ import annotations

import asyncio
import json
import re
import time

import httpx

PASSWORD = "simulateur-de-flotte-1"


# --- live pages -------------------------------------------------------------------------------
class Pages:
    """The mediators' open live pages, and when each probe change reached them."""

    QUEUE = re.compile(r'<dd class="queue">(\d{6,})</dd>')  # in the event's html

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.clients: list[httpx.AsyncClient] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.arrivals: list[tuple[int, int, int, float]] = []  # site, before, now, at
        self.events = 0
        self.ready = 0  # pages that received their first frame

    async def login(self, username: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.base_url, timeout=60,
                                   limits=httpx.Limits(max_connections=2000))
        form = await client.get("/console/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None, "no login form"
        answer = await client.post("/console/login", data={"username": username,
                                                           "password": PASSWORD,
                                                           "csrf": csrf.group(1)})
        if answer.status_code != 303:
            raise RuntimeError(f"login of {username} refused ({answer.status_code})")
        self.clients.append(client)
        return client

    def open(self, client: httpx.AsyncClient, site_id: int) -> None:
        self.tasks.append(asyncio.create_task(self._read(client, site_id)))

    async def _read(self, client: httpx.AsyncClient, site_id: int) -> None:
        kind = ""
        shown = -1  # the probe marker this page shows; -1 before its first frame
        first = True
        try:
            async with client.stream("GET", f"/console/live/{site_id}/events",
                                     timeout=httpx.Timeout(60, read=None)) as answer:
                async for line in answer.aiter_lines():
                    if line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:") and kind == "live":
                        self.events += 1
                        self.ready += first
                        first = False
                        shown = self._seen(site_id, line, time.monotonic(), shown)
        except (httpx.HTTPError, asyncio.CancelledError):
            return

    def _seen(self, site_id: int, line: str, at: float, before: int) -> int:
        """The page now shows the probe's marker ``now``: every probe change after ``before``
        up to it reached this page at ``at`` (a page's first frame times nothing)."""
        markers = [int(m) for m in self.QUEUE.findall(json.loads(line[5:]).get("html", ""))]
        if not markers:
            return before
        now = max(markers)
        if before >= 0 and now > before:
            self.arrivals.append((site_id, before, now, at))
        return max(now, before)

    def latencies(self, changes: list[tuple[int, int, float]]) -> list[float]:
        """Heartbeat to page, for each probe change (site, marker, sent at) and each page
        that showed it."""
        sent = {(site, marker): at for site, marker, at in changes}
        return [at - sent[(site, m)] for site, before, now, at in self.arrivals
                for m in range(before + 1, now + 1) if (site, m) in sent]

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for client in self.clients:
            await client.aclose()


