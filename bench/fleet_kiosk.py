"""Simulated kiosks for the fleet simulator (bench/fleet.py): the kiosk's wire protocol in
asyncio, thousands to a process of their own, over real HTTP.

A real kiosk is a thread per link (kiosk/sync/); ten thousand of them would be ten thousand
processes. These speak the same protocol with the same rules: a heartbeat every
``heartbeat_s`` (state, procedure and step, devices, session time, queue length); a session
record queued when a session ends and sent in batches of ``sync.batch_size``; a help request
now and then; on 429/503 the server's ``Retry-After`` plus up to half of it at random, and the
kiosk's own exponential backoff otherwise (kiosk/sync/outbox.py). A record leaves the queue
only once the server listed it as accepted, so a count of the server's rows tells what was lost
or stored twice.

They run in a process apart from the one that drives the run (``python -m bench.fleet_kiosk
PLAN``, commanded by JSON lines on stdin, bench/fleet.py's :class:`KioskProcess`), one
coroutine per kiosk, over raw keep-alive HTTP (bench/fleet_wire.py): the simulator's CPU is
then a small share of what the server is measured on, and reported apart.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.fleet_wire import Pool, WireError

PROCEDURES = [("caf-trimestrielle", "social_sante", 8), ("ants-pre-demande",
              "papiers_elections_citoyennete", 6), ("impots-premiere-connexion",
              "argent_impots", 10)]
DEVICE_STATES = ["ready", "ready", "ready", "printing", "paper_out"]
BACKOFF_BASE_S, BACKOFF_MAX_S = 5.0, 3600.0  # as kiosk/sync/outbox.py


@dataclass
class Stats:
    """What the simulated kiosks saw (shared by all of them; one event loop, no lock)."""
    statuses: Counter[str] = field(default_factory=Counter)   # "heartbeat 200", "events 503"
    heartbeat_ms: list[float] = field(default_factory=list)
    late_ms: list[float] = field(default_factory=list)  # heartbeats sent after their time
    sent_records: int = 0         # acknowledged by the server
    acknowledged: set[str] = field(default_factory=set)   # event ids the server accepted
    duplicates: int = 0           # the server said "already stored"
    refusal: str = ""             # the first answer that was neither 200 nor shedding
    errors: Counter[str] = field(default_factory=Counter)  # why requests got no answer
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
    def __init__(self, pool: Pool, token: str, site_id: int, rng: random.Random, stats: Stats,
                 heartbeat_s: float, batch_size: int = 200, change_p: float = 0.1,
                 help_p: float = 0.002, probe: bool = False) -> None:
        self.pool, self.site_id, self.rng, self.stats = pool, site_id, rng, stats
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
        t0 = time.monotonic()
        try:
            answer = await self.pool.request("POST", "/api/v1/heartbeat", self._heartbeat(),
                                             self.headers)
        except WireError as err:
            self.stats.statuses["heartbeat error"] += 1
            self.stats.errors[str(err)[:100]] += 1
            return
        self.stats.statuses[f"heartbeat {answer.status}"] += 1
        if answer.status == 200:
            self.stats.heartbeat_ms.append((time.monotonic() - t0) * 1000)
            if self.probe and changed:
                self.stats.changes.append((self.site_id, self.marker, t0))

    async def ask_help(self) -> None:
        try:
            answer = await self.pool.request("POST", "/api/v1/help-requests",
                                             {"request_id": str(uuid.uuid4())}, self.headers)
            self.stats.statuses[f"help {answer.status}"] += 1
        except WireError as err:
            self.stats.statuses["help error"] += 1
            self.stats.errors[str(err)[:100]] += 1

    # --- the outbox ----------------------------------------------------------------------------
    async def send_batch(self) -> bool:
        """One batch; True when it was acknowledged."""
        batch = list(self.outbox.values())[:self.batch_size]
        if not batch:
            return True
        try:
            answer = await self.pool.request("POST", "/api/v1/events", {"records": batch},
                                             self.headers)
        except WireError as err:
            self.stats.statuses["events error"] += 1
            self.stats.errors[str(err)[:100]] += 1
            self._back_off(None)
            return False
        self.stats.statuses[f"events {answer.status}"] += 1
        if answer.status not in (200, 429, 503) and not self.stats.refusal:
            self.stats.refusal = answer.body[:500].decode(errors="replace")
        if answer.status != 200:
            retry = answer.retry_after
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
        """As kiosk/sync/outbox.py: the server's Retry-After plus up to half of it at random
        when it gave one, else exponential backoff with jitter."""
        if retry_after is not None:
            delay = retry_after * self.rng.uniform(1.0, 1.5)
        else:
            delay = (min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** min(self.attempts, 20))
                     * self.rng.uniform(0.5, 1.5))
        self.attempts += 1
        self.not_before = time.monotonic() + delay

    # --- a phase ---------------------------------------------------------------------------
    async def run(self, until: float, start: float, drain: bool = False) -> None:
        """Heartbeats from ``start`` (monotonic) until ``until``, with what goes with them: a
        batch after a heartbeat when records wait. ``drain``: after an outage, the whole
        backlog is sent from ``start`` on, batch after batch (honouring the server), and the
        kiosk stops when it is empty."""
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        next_beat = start
        while time.monotonic() < until:
            now = time.monotonic()
            if now >= next_beat:
                self.stats.late_ms.append((now - next_beat) * 1000)
                await self.beat()
                next_beat = now + self.heartbeat_s * self.rng.uniform(0.95, 1.05)
                if not drain and self.outbox and time.monotonic() >= self.not_before:
                    await self.send_batch()
                if self.state == "active" and self.rng.random() < self.help_p:
                    await self.ask_help()
            if drain:
                if not self.outbox:
                    return
                if time.monotonic() >= self.not_before:
                    await self.send_batch()
                    continue
                wake = min(next_beat, self.not_before, until)
            else:
                wake = min(next_beat, until)
            await asyncio.sleep(max(0.0, wake - time.monotonic()))


# --- the process of the kiosks -----------------------------------------------------------------
class Swarm:
    """All the simulated kiosks of a run, commanded by bench/fleet.py."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.pool = Pool(plan["base_url"], size=plan.get("connections", 256))
        self.stats = Stats()
        rng = random.Random(plan["seed"])
        self.rng = rng
        self.kiosks = [SimKiosk(self.pool, token, site, random.Random(rng.random()), self.stats,
                                plan["heartbeat_s"], probe=probe)
                       for token, site, probe in plan["kiosks"]]
        for k in self.kiosks:
            k.marker = plan.get("probe_base", 0) if k.probe else 0
        self.backlog_ids: set[str] = set()

    def _phase_stats(self) -> dict[str, Any]:
        s = self.stats
        return {"heartbeat_ms": s.heartbeat_ms, "late_ms": s.late_ms, "changes": s.changes,
                "statuses": dict(s.statuses), "errors": dict(s.errors.most_common(5)),
                "cpu_s": time.process_time()}

    def _reset(self) -> None:
        s = self.stats
        s.heartbeat_ms, s.late_ms, s.changes = [], [], []
        s.statuses.clear()
        s.errors.clear()

    async def live(self, seconds: float) -> dict[str, Any]:
        self._reset()
        t0 = time.monotonic()
        until = t0 + seconds
        heartbeat_s = self.kiosks[0].heartbeat_s if self.kiosks else 1.0
        await asyncio.gather(*(k.run(until, t0 + self.rng.uniform(0, heartbeat_s))
                               for k in self.kiosks))
        return self._phase_stats() | {"wall_s": time.monotonic() - t0}

    async def outage(self, backlog: int) -> dict[str, Any]:
        """The server is away: every kiosk queues a day of sessions (``backlog`` for a busy
        kiosk, one in four; a fifth of it for the others)."""
        await self.pool.close()
        yesterday = dt.date.today() - dt.timedelta(days=1)
        for i, k in enumerate(self.kiosks):
            for _ in range(backlog if i % 4 == 0 else max(1, backlog // 5)):
                record = session_record(k.rng, yesterday)
                k.outbox[record["event_id"]] = record
            k.not_before, k.attempts = 0.0, 0
        self.backlog_ids = {e for k in self.kiosks for e in k.outbox}
        return {"backlog_records": len(self.backlog_ids)}

    async def storm(self, window_s: float, drain_limit_s: float) -> dict[str, Any]:
        """Every kiosk comes back within ``window_s`` and sends its backlog; done when all
        queues are empty (or at ``drain_limit_s``)."""
        self._reset()
        t0 = time.monotonic()
        deadline = t0 + drain_limit_s
        left = [len(self.kiosks)]
        all_drained = asyncio.Event()

        async def come_back(k: SimKiosk, start: float) -> None:
            await k.run(deadline, start, drain=True)
            left[0] -= 1
            if not left[0]:
                all_drained.set()
            # Its backlog sent, the kiosk goes on beating while the others drain.
            await k.run(deadline, time.monotonic() + k.heartbeat_s)

        tasks = [asyncio.create_task(come_back(k, t0 + self.rng.uniform(0, window_s)))
                 for k in self.kiosks]
        if tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(all_drained.wait(), deadline - time.monotonic())
        drained = time.monotonic() - t0
        for task in tasks:
            task.cancel()
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if not isinstance(outcome, (asyncio.CancelledError, type(None))):
                raise outcome
        s = self.stats
        # Sessions that ended during the storm are queued too; only the day's backlog is judged.
        return self._phase_stats() | {
            "drain_s": drained, "left_queued": len(self.backlog_ids - s.acknowledged),
            "acknowledged": sorted(s.acknowledged), "duplicates": s.duplicates,
            "refusal": s.refusal}


async def _serve(plan: dict[str, Any]) -> None:
    swarm = Swarm(plan)
    loop = asyncio.get_running_loop()
    out = sys.stdout
    out.write(json.dumps({"ready": len(swarm.kiosks)}) + "\n")
    out.flush()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        command = json.loads(line)
        kind = command.pop("cmd")
        if kind == "quit":
            break
        reply = await getattr(swarm, kind)(**command)
        out.write(json.dumps(reply) + "\n")
        out.flush()
    await swarm.pool.close()


def main(argv: list[str]) -> int:
    with open(argv[0], encoding="utf-8") as f:
        plan = json.load(f)
    asyncio.run(_serve(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
