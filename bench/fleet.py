"""Fleet simulator: size a server by running a fleet against it, on this machine.

    python -m bench fleet --kiosks 10000 --pages 1000 --workers 2 --postgres

N simulated kiosks (bench/fleet_kiosk.py, in a process of their own: asyncio, raw keep-alive
HTTP on loopback, real tokens made by the server's own tenancy code, as `kiosk-server admin
kiosk create` does) heartbeat with device states and session changes, send their session
records and now and then a help request; M live pages (event streams, bench/fleet_pages.py) are
opened by mediators logged in through the console's form. Phases:

0. one heartbeat period, not measured: every kiosk's first heartbeat;
1. live, one page open, then live with all M pages: heartbeat latency, live update latency
   (a probe kiosk's change, from its heartbeat to the pages showing it), server and PostgreSQL
   CPU, PostgreSQL transactions and rows read per second (the ratio M pages / 1 page is what
   the change feed keeps flat);
2. outage and storm: the server is stopped, every kiosk queues a day of sessions (``backlog``
   for a busy kiosk, a fifth of it for the others), the server starts again and every kiosk
   reconnects within ``storm_window_s``; the backlog drains while 429/503 are honoured. Then the
   server's rows are counted: none lost, none twice (records and aggregates).

Everything runs on 127.0.0.1 and stops by itself (``live_s`` per phase, ``drain_limit_s``).
The simulator shares the machine with the server: its own CPU (the kiosks' process and this
one, which reads the pages) is reported beside, and so is how late its heartbeats left.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.fleet_pages import PASSWORD, Pages
from kiosk_server import db, live_changes, tenancy
from kiosk_server import tables as t
from kiosk_server.demo import spawn_server

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
    connections: int = 256         # the simulated kiosks' keep-alive connections to the server


@dataclass
class FleetReport:
    plan: dict[str, Any]
    phases: dict[str, dict[str, float]] = field(default_factory=dict)
    storm: dict[str, Any] = field(default_factory=dict)


# --- set-up -----------------------------------------------------------------------------------
def provision(engine: sa.Engine, plan: FleetPlan) -> tuple[list[tuple[str, int]],
                                                              list[tuple[str, list[int]]]]:
    """Sites and kiosks with their tokens; mediators given the sites their pages watch."""
    sites = max(1, -(-plan.kiosks // plan.kiosks_per_site))
    with engine.begin() as conn:
        site_ids = []
        for s in range(sites):
            if s % 100 == 0:
                territory = tenancy.create_territory(conn, f"Territoire {s // 100 + 1}")
            site_ids.append(tenancy.create_site(conn, territory, f"Site {s + 1}"))
        kiosks = _kiosks(conn, [site_ids[k % sites] for k in range(plan.kiosks)])
        watched = [site_ids[i % sites] for i in range(max(plan.pages, 1))]
        mediators = []
        count = min(MAX_MEDIATORS, len(set(watched)))
        for m in range(count):
            mine: list[int | str] = sorted(set(watched[m::count]))
            tenancy.create_user(conn, f"mediateur-{m + 1}", PASSWORD, "mediator", sites=mine)
            mediators.append((f"mediateur-{m + 1}", watched[m::count]))
    return kiosks, mediators


def _kiosks(conn: sa.Connection, sites: list[int]) -> list[tuple[str, int]]:
    """(token, site) of new kiosks, one per item of ``sites``: as tenancy.create_kiosk makes
    them (its token and hash, a mark of each site for the live view), in a few statements for
    the whole fleet: one by one, 10,000 kiosks took about 2.5 minutes to set up."""
    at = dt.datetime.now(dt.UTC)
    ids = conn.execute(t.kiosks.insert().returning(t.kiosks.c.id, sort_by_parameter_order=True),
                       [{"site_id": s, "name": f"borne-{k + 1}", "created_at": at}
                        for k, s in enumerate(sites)]).scalars().all()
    tokens = [tenancy.new_token() for _ in ids]
    conn.execute(t.kiosk_tokens.insert(),
                 [{"kiosk_id": i, "token_hash": tenancy.hash_token(tok), "created_at": at}
                  for i, tok in zip(ids, tokens, strict=True)])
    live_changes.mark(conn, set(sites))
    return list(zip(tokens, sites, strict=True))


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and all its descendants (server workers, PG backends),
    those that ended included (a PostgreSQL backend lives as long as its connection)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(f) for f in fields[11:15]) / tick  # own, then ended children's
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    except (OSError, IndexError, ValueError):
        pass
    return total


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


class KioskProcess:
    """The simulated kiosks, in a process of their own (bench/fleet_kiosk.py), commanded by
    JSON lines: their CPU is not this process's (the pages') nor the server's."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, plan_file: Path) -> KioskProcess:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")]))
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.fleet_kiosk", str(plan_file), env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 30)
        self = cls(proc)
        await self._reply()  # ready
        return self

    async def _reply(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the simulated kiosks stopped ({await self.proc.wait()})")
        return dict(json.loads(line))

    async def ask(self, cmd: str, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps({"cmd": cmd, **args}) + "\n").encode())
        await self.proc.stdin.drain()
        return await self._reply()

    def cpu_s(self) -> float:
        return cpu_seconds(self.proc.pid)

    async def stop(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ask("quit"), 1)
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()


async def _live_phase(name: str, swarm: KioskProcess, pages: Pages, plan: FleetPlan,
                      engine: sa.Engine, server_pid: int, pg_pid: int | None,
                      report: FleetReport) -> None:
    pages.arrivals.clear()
    before_pg = pg_activity(engine) if pg_pid else (0.0, 0.0)
    cpu0, pg0 = cpu_seconds(server_pid), cpu_seconds(pg_pid or 0)
    me0, kiosks0 = time.process_time(), swarm.cpu_s()
    t0 = time.monotonic()
    seen = await swarm.ask("live", seconds=plan.live_s)
    wall = time.monotonic() - t0
    server_cpu = cpu_seconds(server_pid) - cpu0
    kiosks_cpu = swarm.cpu_s() - kiosks0
    beats = seen["heartbeat_ms"]
    figures = {
        "heartbeats_per_s": len(beats) / wall,
        "heartbeat_p50_ms": statistics.median(beats) if beats else 0,
        "heartbeat_p95_ms": p95(beats),
        "heartbeats_late_p95_ms": p95(seen["late_ms"]),  # the simulator's own lag
        "server_cpu_cores": server_cpu / wall,
        "simulator_cpu_cores": (time.process_time() - me0 + kiosks_cpu) / wall,
        "simulated_kiosks_cpu_cores": kiosks_cpu / wall,
        "kiosks_per_server_core_at_30s": (len(beats) / wall * 30.0)
        / max(server_cpu / wall, 1e-6),
        "answers": seen["statuses"],
        "errors": seen["errors"],
    }
    if pg_pid:
        after = pg_activity(engine)
        served = max(len(beats), 1)
        figures |= {"pg_transactions_per_s": (after[0] - before_pg[0]) / wall,
                    "pg_transactions_per_heartbeat": (after[0] - before_pg[0]) / served,
                    "pg_rows_read_per_s": (after[1] - before_pg[1]) / wall,
                    "pg_cpu_cores": (cpu_seconds(pg_pid) - pg0) / wall}
    await asyncio.sleep(1.0)  # the last changes reach the pages
    latencies = pages.latencies([(a, b, c) for a, b, c in seen["changes"]])
    figures |= {"live_update_p95_s": p95(latencies), "live_updates_timed": len(latencies)}
    report.phases[name] = figures


def _server_env(plan: FleetPlan) -> dict[str, str]:
    env = {"KIOSK_SERVER_WORKERS": str(plan.workers),
           "KIOSK_SERVER_RATE_LIMIT_PER_MIN": "100000",
           "KIOSK_SYNC_HEARTBEAT_S": str(max(1, int(plan.heartbeat_s)))}
    if plan.max_in_flight:
        env["KIOSK_SERVER_MAX_IN_FLIGHT"] = str(plan.max_in_flight)
    if plan.shed_retry_after_s:
        env["KIOSK_SERVER_SHED_RETRY_AFTER_S"] = str(plan.shed_retry_after_s)
    return env


async def _run(plan: FleetPlan, workdir: Path, report: FleetReport) -> None:
    rng = random.Random(plan.seed)
    url = plan.database_url or f"sqlite:///{workdir / 'server.sqlite'}"
    engine = db.open_engine(url)
    db.migrate(engine)
    tokens, mediators = provision(engine, plan)
    pg = url.startswith("postgresql")
    env = _server_env(plan)
    server = spawn_server(workdir, database_url=url if pg else "", env=env, timeout=120)
    pg_pid = _postmaster_pid(engine) if pg else None
    # Probes: the first kiosk of each watched site (the first page's first), up to plan.probes.
    order = [s for _name, sites in mediators for s in sites]
    probe_sites = list(dict.fromkeys(order))[:plan.probes]
    probes = {next(i for i, (_t, s) in enumerate(tokens) if s == site) for site in probe_sites}
    plan_file = workdir / "kiosks.json"
    plan_file.write_text(json.dumps({
        "base_url": server.url, "heartbeat_s": plan.heartbeat_s, "seed": rng.random(),
        "probe_base": PROBE_BASE, "connections": plan.connections,
        "kiosks": [[token, site, i in probes] for i, (token, site) in enumerate(tokens)]}))
    swarm = await KioskProcess.start(plan_file)
    pages = Pages(server.url)
    try:
        logged = [(await pages.login(name), sites) for name, sites in mediators]
        if logged:
            pages.open(logged[0][0], logged[0][1][0])
        # Not measured: every kiosk's first heartbeat (its status row is made), as a fleet
        # that was already running has them.
        await swarm.ask("live", seconds=plan.heartbeat_s * 1.1)
        await _live_phase("1 page", swarm, pages, plan, engine, server.pid, pg_pid, report)
        opened = 1
        for client_, sites in logged:
            for i, site in enumerate(sites):
                if (client_, i) != (logged[0][0], 0) and opened < plan.pages:
                    pages.open(client_, site)
                    opened += 1
        t_open = time.monotonic()
        for _ in range(3000):  # every page has its first frame: opening is not measured
            if pages.ready >= opened:
                break
            await asyncio.sleep(0.2)
        open_s = time.monotonic() - t_open
        await asyncio.sleep(1.0)
        ready = pages.ready
        await _live_phase(f"{opened} pages", swarm, pages, plan, engine, server.pid, pg_pid,
                          report)
        report.phases[f"{opened} pages"] |= {"pages_ready": ready, "pages_open_s": open_s}
        await pages.close()
        port = int(server.url.rsplit(":", 1)[1])
        server.stop()  # the outage
        storm: dict[str, Any] = await swarm.ask("outage", backlog=plan.backlog)
        server = spawn_server(workdir, port=port, database_url=url if pg else "", env=env,
                              timeout=120)
        cpu0, kiosks0, t0 = cpu_seconds(server.pid), swarm.cpu_s(), time.monotonic()
        seen = await swarm.ask("storm", window_s=plan.storm_window_s,
                               drain_limit_s=plan.drain_limit_s)
        wall = time.monotonic() - t0
        storm |= {"drain_s": seen["drain_s"], "left_queued": seen["left_queued"],
                  "answers": seen["statuses"], "first_refusal": seen["refusal"],
                  "errors": seen["errors"],
                  "server_cpu_cores": (cpu_seconds(server.pid) - cpu0) / wall,
                  "simulated_kiosks_cpu_cores": (swarm.cpu_s() - kiosks0) / wall}
        storm |= _count(engine, set(seen["acknowledged"]), seen["duplicates"])
        report.storm = storm
    finally:
        await swarm.stop()
        server.stop()
        engine.dispose()


def _count(engine: sa.Engine, acknowledged: set[str], duplicates: int) -> dict[str, Any]:
    """What the server holds against what the kiosks were told was stored."""
    with engine.connect() as conn:
        stored = list(conn.execute(sa.select(t.session_records.c.event_id)).scalars())
        aggregated = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(
            t.agg_sessions.c.sessions), 0)).where(t.agg_sessions.c.grain == "T")).scalar()
    unique = set(stored)
    return {"stored_rows": len(stored), "acknowledged": len(acknowledged),
            "lost": len(acknowledged - unique),      # acknowledged, yet not stored
            "stored_twice": len(stored) - len(unique),      # the primary key forbids it
            "aggregated_sessions": int(aggregated or 0),    # must equal stored_rows
            "server_said_duplicate": duplicates}


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
