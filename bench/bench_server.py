"""Central server benchmarks: HTTP ingest vs raw inserts, a kiosk's 30-day backlog, console
queries on a large generated dataset; on SQLite and PostgreSQL.

- Ingest: batches of 500 records (3 activities each) POSTed to a running `kiosk-server run`
  (uvicorn subprocess: validation, auth, idempotence check, raw rows and every aggregate in one
  transaction) vs raw inserts of the same rows (session_records + activities, executemany, one
  transaction per 500) into the same database in the same run. Target ratio ≥ 0.3.
- Backlog: ~1,500 sessions (30 days of a busy kiosk) in a kiosk's local queue, delivered by the
  real SyncClient (batches of sync.batch_size = 200) after reconnection. Target ≤ 2 s on SQLite.
- Console queries: KIOSK_BENCH_SERVER_RECORDS session records (default 10,000,000: the
  issue's national year) with 1-3 activities each, over ~2,000 sites in 13 territories and the
  12 months up to today, made by bench/generate.py; the aggregates are built from those raw rows
  by kiosk_server.rebuild (bench/datasets.py; the dataset is cached between runs). Reported
  p50/p95 of each standard query over 30 runs; target p95 ≤ 200 ms.

PostgreSQL: KIOSK_BENCH_PG_URL if set, else the persistent bench cluster of bench/datasets.py
(needs root and the postgresql package); without either the PostgreSQL rows say so.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench import datasets
from bench.datasets import Postgres
from bench.generate import catalogue_procedures
from kiosk.storage import LocalStore
from kiosk.sync.link import ServerLink
from kiosk.sync.outbox import SyncClient
from kiosk_server import db, queries, tenancy
from kiosk_server import tables as t
from kiosk_server.demo import spawn_server
from kiosk_server.ingest import _activity_row, _record_row
from kiosk_server.queries import Period, Scope
from kiosk_wire.schema import SessionRecord

ROOT = Path(__file__).resolve().parents[1]
INGEST_BATCHES = int(os.environ.get("KIOSK_BENCH_INGEST_BATCHES", "10"))
BACKLOG_SESSIONS = 1500
QUERY_RECORDS = int(os.environ.get("KIOSK_BENCH_SERVER_RECORDS", "10000000"))
QUERY_RUNS = 30
FUNNEL_PROCEDURE = "caf-trimestrielle"  # the most used procedure of the generated year
# The shipped catalogue's procedures (id, theme, steps), as the kiosks report them.
PROCEDURES = [(p.id, p.theme, p.steps_total) for p in catalogue_procedures()]


# --- data ----------------------------------------------------------------------------------
def wire_record(rng: random.Random, day: dt.date) -> dict[str, Any]:
    proc, theme, steps = rng.choice(PROCEDURES)
    reached = rng.randint(0, steps)
    return {
        "event_id": str(uuid.uuid4()), "schema_version": 1, "day": day.isoformat(),
        "hour": rng.randint(8, 18), "duration_min": 5 * rng.randint(1, 24),
        "language": rng.choice(["fr", "fr", "fr", "en", "ar"]), "accessibility": [],
        "end_reason": rng.choice(["finished", "finished", "idle_timeout", "mediator"]),
        "help_requests": rng.randint(0, 1),
        "activities": [
            {"kind": "practice", "procedure_id": proc, "theme": theme, "steps_total": steps,
             "steps_reached": reached, "completed": reached == steps, "hints_used": 1},
            {"kind": "scan", "pages": rng.randint(1, 4)},
            {"kind": "print", "pages": rng.randint(1, 4)},
        ],
        "survey": {"age_bracket": rng.choice(["25_39", "40_59", "60_69", "70_plus"]),
                   "autonomy": "guided", "satisfaction": "satisfied"},
    }


def batches(rng: random.Random, n_batches: int, size: int = 500) -> list[list[dict[str, Any]]]:
    """Batches as one busy kiosk sends them: ~50 sessions a day, so 500 span about 10 days."""
    today = dt.date.today()
    out = []
    for b in range(n_batches):
        first = today - dt.timedelta(days=10 * (n_batches - b))
        out.append([wire_record(rng, first + dt.timedelta(days=rng.randint(0, 9)))
                    for _ in range(size)])
    return out


# --- engines -------------------------------------------------------------------------------
def reset(engine: sa.Engine) -> None:
    """Empty the statistics tables (when benching against a given PostgreSQL URL)."""
    with engine.begin() as conn:
        for table in (t.site_uses, t.activities, t.session_records, *t.AGGREGATES,
                      t.kiosk_tokens, t.kiosks, t.sites, t.territories):
            conn.execute(table.delete())


def tenant(engine: sa.Engine) -> tuple[tenancy.KioskIdentity, str]:
    with engine.begin() as conn:
        tid = tenancy.create_territory(conn, f"bench-{uuid.uuid4().hex[:6]}")
        sid = tenancy.create_site(conn, tid, "bench site")
        _kid, token = tenancy.create_kiosk(conn, sid, "bench kiosk")
        ident = tenancy.authenticate(conn, token)
    assert ident is not None
    return ident, token


# --- ingest --------------------------------------------------------------------------------
def bench_ingest(label: str, url: str, workdir: Path) -> list[dict]:
    engine = db.open_engine(url)
    db.migrate(engine)
    pg = url.startswith("postgresql")
    if pg:
        reset(engine)
    kiosk, token = tenant(engine)
    rng = random.Random(1)
    http_batches, raw_batches = batches(rng, INGEST_BATCHES), batches(rng, INGEST_BATCHES)
    raw_rows = []
    received = tenancy.now()
    for batch in raw_batches:  # building the baseline's rows is not timed
        records = [SessionRecord.model_validate(r) for r in batch]
        raw_rows.append(([_record_row(r, kiosk, received) for r in records],
                         [_activity_row(r, i, a) for r in records
                          for i, a in enumerate(r.activities)]))
    env = {"KIOSK_SERVER_RATE_LIMIT_PER_MIN": "100000"}
    # SQLite: the server's own file is the benched database.
    server = (spawn_server(workdir / f"ingest-{label}", database_url=url, env=env) if pg
              else spawn_server(Path(url.removeprefix("sqlite:///")).parent, env=env))
    http_s = raw_s = 0.0
    try:
        with httpx.Client(base_url=server.url, timeout=120,
                          headers={"Authorization": f"Bearer {token}"}) as client:
            client.post("/api/v1/events", json={"records": batches(rng, 1, 10)[0]})  # warm-up
            # Interleaved, so that both see the same machine load (other work on the host).
            for batch, (sessions, activities) in zip(http_batches, raw_rows, strict=True):
                t0 = time.perf_counter()
                answer = client.post("/api/v1/events", json={"records": batch})
                http_s += time.perf_counter() - t0
                assert answer.status_code == 200 and answer.json()["stored"] == 500, answer.text
                t0 = time.perf_counter()
                with engine.begin() as conn:
                    conn.execute(t.session_records.insert(), sessions)
                    conn.execute(t.activities.insert(), activities)
                raw_s += time.perf_counter() - t0
    finally:
        server.stop()
        engine.dispose()
    n = 500 * INGEST_BATCHES
    http_rate, raw_rate = n / http_s, n / raw_s
    return [{
        "name": f"HTTP ingest, batches of 500 sessions x 3 activities ({label})",
        "value": round(http_rate), "unit": "sessions/s", "baseline": round(raw_rate),
        "ratio": round(http_rate / raw_rate, 3), "target": "ratio ≥ 0.3",
        "met": http_rate / raw_rate >= 0.3,
        "note": f"{n} sessions through a running `kiosk-server run` (auth, validation, idempotence "
                f"check, raw rows + 5 aggregate tables at 2-3 grains, one transaction per "
                f"batch); each batch = 10 days of one busy kiosk (50 sessions/day); baseline = "
                f"executemany of the same raw rows only, same database, batches interleaved "
                f"with the HTTP ones",
    }]


# --- backlog ---------------------------------------------------------------------------------
def bench_backlog(workdir: Path) -> dict:
    data = workdir / "backlog-server"
    data.mkdir()
    url = f"sqlite:///{data / 'server.sqlite'}"
    engine = db.open_engine(url)
    db.migrate(engine)
    _kiosk, token = tenant(engine)
    engine.dispose()
    store = LocalStore(workdir / "backlog-kiosk" / "kiosk.sqlite")
    rng = random.Random(2)
    today = dt.date.today()
    for i in range(BACKLOG_SESSIONS):
        r = wire_record(rng, today - dt.timedelta(days=30 - i * 30 // BACKLOG_SESSIONS))
        store.enqueue(r["event_id"], r)
    server = spawn_server(data, env={"KIOSK_SERVER_RATE_LIMIT_PER_MIN": "100000"})
    try:
        sync = SyncClient(store, ServerLink.checked(server.url, token), batch_size=200)
        t0 = time.perf_counter()
        report = sync.sync_once()
        elapsed = time.perf_counter() - t0
    finally:
        server.stop()
    assert report.acknowledged == BACKLOG_SESSIONS and store.queue_length() == 0, report
    store.close()
    return {"name": f"30-day backlog of one busy kiosk ({BACKLOG_SESSIONS} sessions) delivered "
                    "after reconnection (SQLite)",
            "value": round(elapsed, 3), "unit": "s", "target": "≤ 2 s", "met": elapsed <= 2.0,
            "note": f"real SyncClient, batches of 200, {report.batches} requests, to a running "
                    "`kiosk-server run` on SQLite"}


# --- console queries ---------------------------------------------------------------------------
def timed(fn: Callable[[], Any], runs: int = QUERY_RUNS) -> tuple[float, float]:
    fn()  # warm cache
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def bench_queries(label: str, dataset: datasets.Dataset) -> list[dict]:
    engine = db.open_engine(dataset.url)
    db.migrate(engine)
    today = dt.date.today()
    period = Period.last_months(12, today)
    with engine.connect() as conn:
        national_total = queries.sessions_summary(conn, Scope(), period)["sessions"]
        territory_id, site_id = datasets.busiest(conn)
    assert national_total == dataset.records, (national_total, dataset.records)
    territory, site = Scope(territory_id=territory_id), Scope(site_id=site_id)
    standard: list[tuple[str, Callable[[Connection], Any]]] = [
        ("12 months national: sessions + per procedure",
         lambda c: (queries.sessions_summary(c, Scope(), period),
                    queries.activities_by_procedure(c, Scope(), period))),
        ("12 months one territory: sessions + per procedure",
         lambda c: (queries.sessions_summary(c, territory, period),
                    queries.activities_by_procedure(c, territory, period))),
        ("12 months one site: sessions + per procedure",
         lambda c: (queries.sessions_summary(c, site, period),
                    queries.activities_by_procedure(c, site, period))),
        ("funnel of one procedure, 12 months national",
         lambda c: queries.funnel(c, Scope(), period, FUNNEL_PROCEDURE)),
        ("hour-of-week heat map, 12 months national",
         lambda c: queries.hour_of_week(c, Scope(), period)),
        ("sessions per day, last 60 days national",
         lambda c: queries.daily_sessions(c, Scope(), Period(today - dt.timedelta(days=59),
                                                             today))),
        # The console never crosses survey answers with sites (the riskiest crossing for small
        # counts): a manager chooses one place, and its answers are read as below.
        ("survey age brackets, 12 months one territory (small counts masked)",
         lambda c: queries.survey_breakdown(c, territory, period, "age_bracket", 5)),
    ]
    out = []
    with engine.connect() as conn:
        for name, fn in standard:
            p50, p95 = timed(lambda fn=fn: fn(conn))
            out.append({
                "name": f"console query p95: {name} ({label}, {dataset.records:,} records)",
                "value": round(p95 * 1000, 1), "unit": "ms", "target": "p95 ≤ 200 ms",
                "met": p95 <= 0.2,
                "note": f"p50 {p50 * 1000:.1f} ms over {QUERY_RUNS} runs; one territory = the "
                        f"busiest ({territory_id}), one site = the busiest ({site_id}); "
                        f"{dataset.how}; aggregate rows "
                        + ", ".join(f"{k} {v:,}" for k, v in dataset.aggregate_rows.items()),
            })
    engine.dispose()
    return out


Connection = sa.engine.Connection


def run() -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix="kiosk-bench-server-"))
    results: list[dict] = []
    pg = Postgres()
    try:
        sqlite_dir = workdir / "sqlite-ingest"
        sqlite_dir.mkdir()
        results += bench_ingest("SQLite", f"sqlite:///{sqlite_dir / 'server.sqlite'}", workdir)
        if pg.available:
            results += bench_ingest("PostgreSQL", pg.fresh_url(), workdir)
        results.append(bench_backlog(workdir))
        results += bench_queries("SQLite", datasets.sqlite_dataset(QUERY_RECORDS))
        if pg.available:
            results += bench_queries("PostgreSQL", pg.dataset(QUERY_RECORDS))
        if not pg.available:
            results.append({"name": "PostgreSQL benchmarks", "value": None, "unit": "",
                            "target": "", "met": None, "note": f"not run: {pg.reason}"})
    finally:
        pg.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def _iter(results: list[dict]) -> Iterator[str]:
    for r in results:
        yield f"{r['name']}: {r['value']} {r['unit']} (met: {r.get('met')}) {r.get('note', '')}"


if __name__ == "__main__":  # quick look: python -m bench.bench_server
    print("\n".join(_iter(run())))
