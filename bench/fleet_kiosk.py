"""Simulated kiosks for the fleet simulator (bench/fleet.py): the kiosk's wire protocol in
asyncio, many to a process, over real HTTP.

A real kiosk is a thread per link (kiosk/sync/); ten thousand of them would be ten thousand
processes. These speak the same protocol with the same rules: a heartbeat every
``heartbeat_s`` (state, procedure and step, devices, session time, queue length); a session
record queued when a session ends and sent in batches of ``sync.batch_size``; a help request
now and then; on 429/503 the server's ``Retry-After`` plus up to half of it at random, and the
kiosk's own exponential backoff otherwise (kiosk/sync/outbox.py). A record leaves the queue
only once the server listed it as accepted, so a count of the server's rows tells what was lost
or stored twice.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

PROCEDURES = [("caf-trimestrielle", "social_sante", 8), ("ants-pre-demande",
              "papiers_elections_citoyennete", 6), ("impots-premiere-connexion",
              "argent_impots", 10)]
DEVICE_STATES = ["ready", "ready", "ready", "printing", "paper_out"]


@dataclass
class Stats:
    """What the simulated kiosks saw (shared by all of them; one event loop, no lock)."""
    statuses: Counter[str] = field(default_factory=Counter)   # "heartbeat 200", "events 503"
    heartbeat_ms: list[float] = field(default_factory=list)
    sent_records: int = 0         # acknowledged by the server
    acknowledged: set[str] = field(default_factory=set)   # event ids the server accepted
    duplicates: int = 0           # the server said "already stored"
    retry_waits: list[float] = field(default_factory=list)
    refusal: str = ""             # the first answer that was neither 200 nor shedding
    changes: list[tuple[int, int, float]] = field(default_factory=list)  # site, marker, sent at


def session_record(rng: random.Random, day: dt.date) -> dict[str, Any]:
    proc, theme, steps = rng.choice(PROCEDURES)
    reached = rng.randint(0, steps)
    return {"event_id": str(uuid.uuid4()), "schema_version": 1, "day": day.isoformat(),
            "hour": rng.randint(9, 17), "duration_min": 5 * rng.randint(0, 18),
            "language": rng.choice(["fr", "fr", "fr", "en", "ar"]), "accessibility": [],
            "end_reason": rng.choice(["finished", "finished", "idle_timeout", "mediator"]),
            "help_requests": 0,
            "activities": [{"kind": "practice", "procedure_id": proc, "theme": theme,
                            "steps_total": steps, "steps_reached": reached,
                            "completed": reached == steps, "hints_used": rng.randint(0, 2)},
                           {"kind": "print", "pages": rng.randint(1, 3)}]}


class SimKiosk:
    def __init__(self, client: httpx.AsyncClient, token: str, site_id: int, rng: random.Random,
                 stats: Stats, heartbeat_s: float, batch_size: int = 200,
                 change_p: float = 0.1, help_p: float = 0.002, probe: bool = False) -> None:
        self.client, self.site_id, self.rng, self.stats = client, site_id, rng, stats
        self.headers = {"Authorization": f"Bearer {token}"}
        self.heartbeat_s, self.batch_size = heartbeat_s, batch_size
        self.change_p, self.help_p, self.probe = change_p, help_p, probe
        self.outbox: dict[str, dict[str, Any]] = {}   # event id -> record, oldest first
        self.attempts = 0
        self.not_before = 0.0
        self.state = "idle"
        self.procedure: tuple[str, str, int] | None = None
        self.step = 0
        self.session_started = 0.0
        self.devices = {"printer": "ready", "scanner": "ready"}
        self.marker = 0
        self.draining = False
        self.sending = asyncio.Lock()  # one batch at a time, as the kiosk's one sync thread

    # --- heartbeats ------------------------------------------------------------------------
    def _heartbeat(self) -> dict[str, Any]:
        beat: dict[str, Any] = {"state": self.state, "app_version": "0.1.0",
                                "devices": self.devices, "queue_length": len(self.outbox)}
        if self.state == "active" and self.procedure is not None:
            beat |= {"procedure_id": self.procedure[0], "step": self.step,
                     "session_seconds": int(time.monotonic() - self.session_started)}
        if self.probe:  # a probe's queue length is its change marker, looked for on the pages
            beat["queue_length"] = self.marker
        return beat

    def _change(self) -> None:
        """A resident starts or ends a session, takes a step, or a device changes state."""
        roll = self.rng.random()
        if self.state == "idle":
            self.state, self.procedure, self.step = "active", self.rng.choice(PROCEDURES), 1
            self.session_started = time.monotonic()
        elif roll < 0.3:  # the session ends: its record is queued
            self.state, self.procedure = "idle", None
            record = session_record(self.rng, dt.date.today())
            self.outbox[record["event_id"]] = record
        elif roll < 0.9 and self.procedure is not None:
            self.step = min(self.procedure[2], self.step + 1)
        else:
            self.devices = {"printer": self.rng.choice(DEVICE_STATES), "scanner": "ready"}

    async def beat(self) -> None:
        changed = self.rng.random() < self.change_p
        if changed:
            self._change()
        if self.probe:  # a probe changes at every other heartbeat: its queue length, timed
            changed = self.rng.random() < 0.5
            self.marker += changed
        t0 = time.perf_counter()
        try:
            answer = await self.client.post("/api/v1/heartbeat", json=self._heartbeat(),
                                            headers=self.headers)
        except httpx.HTTPError:
            self.stats.statuses["heartbeat error"] += 1
            return
        elapsed = time.perf_counter() - t0
        self.stats.statuses[f"heartbeat {answer.status_code}"] += 1
        if answer.status_code == 200:
            self.stats.heartbeat_ms.append(elapsed * 1000)
            if self.probe and changed:
                self.stats.changes.append((self.site_id, self.marker, t0))

    async def live(self, until: float) -> None:
        """Heartbeats (and what goes with them) until ``until`` (monotonic)."""
        await asyncio.sleep(self.rng.uniform(0, self.heartbeat_s))  # kiosks start spread out
        while time.monotonic() < until:
            await self.beat()
            if self.outbox and not self.draining and time.monotonic() >= self.not_before:
                await self.send_batch()
            if self.state == "active" and self.rng.random() < self.help_p:
                await self.ask_help()
            await asyncio.sleep(self.heartbeat_s * self.rng.uniform(0.95, 1.05))

    async def ask_help(self) -> None:
        body = {"request_id": str(uuid.uuid4())}
        try:
            answer = await self.client.post("/api/v1/help-requests", json=body,
                                            headers=self.headers)
            self.stats.statuses[f"help {answer.status_code}"] += 1
        except httpx.HTTPError:
            self.stats.statuses["help error"] += 1

    # --- the outbox ----------------------------------------------------------------------------
    async def send_batch(self) -> bool:
        """One batch; True when it was acknowledged."""
        async with self.sending:
            return await self._send_batch()

    async def _send_batch(self) -> bool:
        batch = list(self.outbox.values())[:self.batch_size]
        if not batch:  # the other sender emptied it meanwhile
            return True
        try:
            answer = await self.client.post("/api/v1/events", json={"records": batch},
                                            headers=self.headers)
        except httpx.HTTPError:
            self.stats.statuses["events error"] += 1
            self._back_off(None)
            return False
        self.stats.statuses[f"events {answer.status_code}"] += 1
        if answer.status_code not in (200, 429, 503) and not self.stats.refusal:
            self.stats.refusal = answer.text[:500]
        if answer.status_code != 200:
            retry = answer.headers.get("retry-after")
            self._back_off(float(retry) if retry and retry.isdigit() else None)
            return False
        reply = answer.json()
        for event_id in reply["accepted"]:
            self.outbox.pop(event_id, None)
            self.stats.acknowledged.add(event_id)
        self.stats.sent_records += reply["stored"]
        self.stats.duplicates += reply["duplicates"]
        self.attempts = 0
        return True

    def _back_off(self, retry_after: float | None) -> None:
        """As kiosk/sync/outbox.py: exponential backoff with jitter, at least the server's
        Retry-After plus up to half of it at random."""
        backoff = min(3600.0, 5.0 * 2 ** min(self.attempts, 20)) * self.rng.uniform(0.5, 1.5)
        asked = (retry_after or 0.0) * self.rng.uniform(1.0, 1.5)
        wait = max(backoff, asked)
        self.attempts += 1
        self.stats.retry_waits.append(wait)
        self.not_before = time.monotonic() + wait

    async def drain(self, deadline: float) -> None:
        """Reconnection after an outage: send the whole backlog, honouring the server."""
        self.draining = True
        try:
            while self.outbox and time.monotonic() < deadline:
                wait = self.not_before - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(min(wait, deadline - time.monotonic()))
                    continue
                await self.send_batch()
        finally:
            self.draining = False
