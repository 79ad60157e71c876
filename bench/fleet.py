"""Fleet simulator: size a server by running a fleet against it, on this machine.

    python -m bench fleet --kiosks 10000 --pages 1000 --workers 2 --postgres

N simulated kiosks (bench/fleet_kiosk.py: asyncio, real HTTP on loopback, real tokens made by
the server's own tenancy code, as `kiosk-server admin kiosk create` does) heartbeat with device
states and session changes, send their session records and now and then a help request; M live
pages (event streams) are opened by mediators logged in through the console's form. Phases:

1. live, one page open, then live with all M pages: heartbeat latency, live update latency
   (a probe kiosk's change, from its heartbeat to the pages showing it), server and PostgreSQL
   CPU, PostgreSQL transactions and rows read per second (the ratio M pages / 1 page is what
   the change feed keeps flat);
2. outage and storm: the server is stopped, every kiosk queues a day of sessions (``backlog``
   for a busy kiosk, a fifth of it for the others), the server starts again and every kiosk
   reconnects within ``storm_window_s``; the backlog drains while 429/503 are honoured. Then the
   server's rows are counted: none lost, none twice (records and aggregates).

Everything runs on 127.0.0.1 and stops by itself (``live_s`` per phase, ``drain_limit_s``).
The simulator shares the machine with the server: its own CPU is reported beside.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.fleet_kiosk import SimKiosk, Stats, session_record
from kiosk_server import db, tenancy
from kiosk_server import tables as t
from kiosk_server.demo import spawn_server

PASSWORD = "simulateur-de-flotte-1"
PROBE_BASE = 100_000  # a probe kiosk's queue length: its change marker, unlike any real queue
MAX_MEDIATORS = 10    # the console lets 10 logins from one address through at once


@dataclass
class FleetPlan:
    kiosks: int = 500
    pages: int = 50
    heartbeat_s: float = 30.0
    live_s: float = 30.0           # each of the two live phases
    kiosks_per_site: int = 4
    workers: int = 1
    backlog: int = 50              # sessions of a busy kiosk's day offline
    storm_window_s: float = 10.0
    drain_limit_s: float = 900.0
    probes: int = 20
    database_url: str = ""         # empty: a SQLite file of the server's own
    max_in_flight: int = 0         # server.max_in_flight; 0 keeps the server's setting
    shed_retry_after_s: int = 0    # server.shed_retry_after_s; 0 keeps the server's setting
    seed: int = 1


@dataclass
class FleetReport:
    plan: dict[str, Any]
    phases: dict[str, dict[str, float]] = field(default_factory=dict)
    storm: dict[str, Any] = field(default_factory=dict)


# --- set-up -----------------------------------------------------------------------------------
def provision(engine: sa.Engine, plan: FleetPlan) -> tuple[list[tuple[str, int]],
                                                              list[tuple[str, list[int]]]]:
    """Sites and kiosks with their tokens; mediators given the sites their pages watch."""
    kiosks: list[tuple[str, int]] = []
    sites = max(1, -(-plan.kiosks // plan.kiosks_per_site))
    with engine.begin() as conn:
        site_ids = []
        for s in range(sites):
            if s % 100 == 0:
                territory = tenancy.create_territory(conn, f"Territoire {s // 100 + 1}")
            site_ids.append(tenancy.create_site(conn, territory, f"Site {s + 1}"))
        for k in range(plan.kiosks):
            site = site_ids[k % sites]
            _kid, token = tenancy.create_kiosk(conn, site, f"borne-{k + 1}")
            kiosks.append((token, site))
        watched = [site_ids[i % sites] for i in range(max(plan.pages, 1))]
        mediators = []
        count = min(MAX_MEDIATORS, len(set(watched)))
        for m in range(count):
            mine: list[int | str] = sorted(set(watched[m::count]))
            tenancy.create_user(conn, f"mediateur-{m + 1}", PASSWORD, "mediator", sites=mine)
            mediators.append((f"mediateur-{m + 1}", watched[m::count]))
    return kiosks, mediators


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its descendants (server workers, PG backends)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    except (OSError, IndexError, ValueError):
        pass
    return total


# --- live pages -------------------------------------------------------------------------------
class Pages:
    """The mediators' open live pages, and when each probe change reached them."""

    QUEUE = re.compile(r'<dd class="queue">(\d{6,})</dd>')  # in the event's html

    def __init__(self, base_url: str, stats: Stats) -> None:
        self.base_url, self.stats = base_url, stats
        self.clients: list[httpx.AsyncClient] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.latencies: list[float] = []
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
                        shown = self._seen(site_id, line, time.perf_counter(), shown)
        except (httpx.HTTPError, asyncio.CancelledError):
            return

    def _seen(self, site_id: int, line: str, at: float, before: int) -> int:
        """The page now shows the probe's marker ``now``: every probe change after ``before``
        up to it reached this page at ``at`` (a page's first frame times nothing)."""
        markers = [int(m) for m in self.QUEUE.findall(json.loads(line[5:]).get("html", ""))]
        if not markers:
            return before
        now = max(markers)
        if before >= 0:
            self.latencies += [at - sent for site, marker, sent in self.stats.changes
                               if site == site_id and before < marker <= now]
        return max(now, before)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for client in self.clients:
            await client.aclose()


# --- the run ----------------------------------------------------------------------------------
def pg_activity(engine: sa.Engine) -> tuple[float, float]:
    """(transactions, rows read) of this database since PostgreSQL started."""
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT xact_commit + xact_rollback, tup_returned + tup_fetched "
            "FROM pg_stat_database WHERE datname = current_database()")).one()
    return float(row[0]), float(row[1])


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[18]


async def _live_phase(name: str, kiosks: list[SimKiosk], pages: Pages, plan: FleetPlan,
                      engine: sa.Engine, server_pid: int, pg_pid: int | None,
                      report: FleetReport) -> None:
    stats = kiosks[0].stats
    stats.heartbeat_ms.clear()
    stats.changes.clear()
    pages.latencies.clear()
    before_pg = pg_activity(engine) if pg_pid else (0.0, 0.0)
    cpu0, pg0, me0 = cpu_seconds(server_pid), cpu_seconds(pg_pid or 0), time.process_time()
    t0 = time.monotonic()
    await asyncio.gather(*(k.live(t0 + plan.live_s) for k in kiosks))
    wall = time.monotonic() - t0
    await asyncio.sleep(1.0)  # the last changes reach the pages
    server_cpu = cpu_seconds(server_pid) - cpu0
    figures = {
        "heartbeats_per_s": len(stats.heartbeat_ms) / wall,
        "heartbeat_p50_ms": statistics.median(stats.heartbeat_ms) if stats.heartbeat_ms else 0,
        "heartbeat_p95_ms": p95(stats.heartbeat_ms),
        "live_update_p95_s": p95(pages.latencies),
        "live_updates_timed": len(pages.latencies),
        "server_cpu_cores": server_cpu / wall,
        "simulator_cpu_cores": (time.process_time() - me0) / wall,
        "kiosks_per_server_core_at_30s": (len(stats.heartbeat_ms) / wall * 30.0)
        / max(server_cpu / wall, 1e-6),
    }
    if pg_pid:
        after = pg_activity(engine)
        served = max(len(stats.heartbeat_ms), 1)
        figures |= {"pg_transactions_per_s": (after[0] - before_pg[0]) / wall,
                    "pg_transactions_per_heartbeat": (after[0] - before_pg[0]) / served,
                    "pg_rows_read_per_s": (after[1] - before_pg[1]) / wall,
                    "pg_cpu_cores": (cpu_seconds(pg_pid) - pg0) / wall}
    report.phases[name] = figures


async def _storm(kiosks: list[SimKiosk], plan: FleetPlan, rng: random.Random) -> dict[str, Any]:
    import datetime as dt

    yesterday = dt.date.today() - dt.timedelta(days=1)
    for i, k in enumerate(kiosks):
        busy = i % 4 == 0
        for _ in range(plan.backlog if busy else max(1, plan.backlog // 5)):
            record = session_record(rng, yesterday)
            k.outbox[record["event_id"]] = record
        k.not_before, k.attempts = 0.0, 0
    backlog_ids = {e for k in kiosks for e in k.outbox}
    t0 = time.monotonic()
    deadline = t0 + plan.drain_limit_s

    async def reconnect(k: SimKiosk) -> None:
        await asyncio.sleep(rng.uniform(0, plan.storm_window_s))
        await k.drain(deadline)

    heartbeats = [asyncio.create_task(k.live(deadline)) for k in kiosks]
    await asyncio.gather(*(reconnect(k) for k in kiosks))
    drained = time.monotonic() - t0
    for task in heartbeats:
        task.cancel()
    await asyncio.gather(*heartbeats, return_exceptions=True)
    stats = kiosks[0].stats
    # Sessions that ended during the storm are queued too; only the day's backlog is judged.
    return {"backlog_records": len(backlog_ids), "drain_s": drained,
            "left_queued": len(backlog_ids - stats.acknowledged)}


async def _run(plan: FleetPlan, workdir: Path, report: FleetReport) -> None:
    rng = random.Random(plan.seed)
    url = plan.database_url or f"sqlite:///{workdir / 'server.sqlite'}"
    engine = db.open_engine(url)
    db.migrate(engine)
    tokens, mediators = provision(engine, plan)
    pg = url.startswith("postgresql")
    env = {"KIOSK_SERVER_WORKERS": str(plan.workers),
           "KIOSK_SERVER_RATE_LIMIT_PER_MIN": "100000",
           "KIOSK_SYNC_HEARTBEAT_S": str(max(1, int(plan.heartbeat_s)))}
    if plan.max_in_flight:
        env["KIOSK_SERVER_MAX_IN_FLIGHT"] = str(plan.max_in_flight)
    if plan.shed_retry_after_s:
        env["KIOSK_SERVER_SHED_RETRY_AFTER_S"] = str(plan.shed_retry_after_s)
    server = spawn_server(workdir, database_url=url if pg else "", env=env, timeout=120)
    pg_pid = _postmaster_pid(engine) if pg else None
    stats = Stats()
    client = httpx.AsyncClient(base_url=server.url, timeout=30,
                               limits=httpx.Limits(max_connections=500))
    # Probes: the first kiosk of each watched site (the first page's first), up to plan.probes.
    order = [s for _name, sites in mediators for s in sites]
    probe_sites = list(dict.fromkeys(order))[:plan.probes]
    probes = {next(i for i, (_t, s) in enumerate(tokens) if s == site) for site in probe_sites}
    kiosks = [SimKiosk(client, token, site, random.Random(rng.random()), stats, plan.heartbeat_s,
                       probe=i in probes)
              for i, (token, site) in enumerate(tokens)]
    for k in kiosks:
        k.marker = PROBE_BASE if k.probe else 0
    pages = Pages(server.url, stats)
    try:
        logged = [(await pages.login(name), sites) for name, sites in mediators]
        if logged:
            pages.open(logged[0][0], logged[0][1][0])
        await _live_phase("1 page", kiosks, pages, plan, engine, server.pid, pg_pid, report)
        opened = 1
        for client_, sites in logged:
            for i, site in enumerate(sites):
                if (client_, i) != (logged[0][0], 0) and opened < plan.pages:
                    pages.open(client_, site)
                    opened += 1
        for _ in range(600):  # every page has its first frame: opening is not measured
            if pages.ready >= opened:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        await _live_phase(f"{opened} pages", kiosks, pages, plan, engine, server.pid, pg_pid,
                          report)
        await pages.close()
        port = int(server.url.rsplit(":", 1)[1])
        server.stop()  # the outage
        stats.statuses.clear()
        server = spawn_server(workdir, port=port, database_url=url if pg else "", env=env,
                              timeout=120)
        storm = await _storm(kiosks, plan, rng)
        storm["answers"] = dict(stats.statuses)
        storm["first_refusal"] = stats.refusal
        storm |= _count(engine, stats)
        report.storm = storm
    finally:
        await client.aclose()
        server.stop()
        engine.dispose()


def _count(engine: sa.Engine, stats: Stats) -> dict[str, Any]:
    """What the server holds against what the kiosks were told was stored."""
    with engine.connect() as conn:
        stored = list(conn.execute(sa.select(t.session_records.c.event_id)).scalars())
        aggregated = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(
            t.agg_sessions.c.sessions), 0)).where(t.agg_sessions.c.grain == "T")).scalar()
    unique = set(stored)
    return {"stored_rows": len(stored), "acknowledged": len(stats.acknowledged),
            "lost": len(stats.acknowledged - unique),      # acknowledged, yet not stored
            "stored_twice": len(stored) - len(unique),      # the primary key forbids it
            "aggregated_sessions": int(aggregated or 0),    # must equal stored_rows
            "server_said_duplicate": stats.duplicates}


def _postmaster_pid(engine: sa.Engine) -> int | None:
    with engine.connect() as conn:
        backend = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    try:
        return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def run_fleet(plan: FleetPlan, workdir: Path | None = None) -> FleetReport:
    """Run the simulation in a thread of its own: its event loop must not meet one the caller
    already runs (Playwright's sync API keeps one in the main thread of a test process)."""
    report = FleetReport(plan=asdict(plan))
    with tempfile.TemporaryDirectory(prefix="kiosk-fleet-") as tmp:
        failure: list[BaseException] = []

        def simulate() -> None:
            try:
                asyncio.run(_run(plan, workdir or Path(tmp), report))
            except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
                failure.append(err)

        worker = threading.Thread(target=simulate, name="fleet-simulator")
        worker.start()
        worker.join()
        if failure:
            raise failure[0]
    return report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench fleet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = FleetPlan()
    for name, value in asdict(defaults).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    parser.add_argument("--postgres", action="store_true",
                        help="a fresh database on the bench PostgreSQL (bench/datasets.py)")
    args = vars(parser.parse_args(argv))
    use_pg = args.pop("postgres")
    plan = FleetPlan(**args)
    pg = None
    if use_pg and not plan.database_url:
        from bench.datasets import Postgres
        pg = Postgres()
        if not pg.available:
            parser.error(f"no PostgreSQL: {pg.reason}")
        plan.database_url = pg.fresh_url()
    try:
        report = run_fleet(plan)
    finally:
        if pg is not None:
            pg.stop()
    print(json.dumps(asdict(report), indent=2, default=str))
    return 0
