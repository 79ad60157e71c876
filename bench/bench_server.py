"""Central server benchmarks: HTTP ingest vs raw inserts, a kiosk's 30-day backlog, console
queries on a large generated dataset; on SQLite and PostgreSQL.

- Ingest: batches of 500 records (3 activities each) POSTed to a running `kiosk server`
  (uvicorn subprocess: validation, auth, idempotence check, raw rows and every aggregate in one
  transaction) vs raw inserts of the same rows (session_records + activities, executemany, one
  transaction per 500) into the same database in the same run. Target ratio ≥ 0.3.
- Backlog: ~1,500 sessions (30 days of a busy kiosk) in a kiosk's local queue, delivered by the
  real SyncClient (batches of sync.batch_size = 200) after reconnection. Target ≤ 2 s on SQLite.
- Console queries: KIOSK_BENCH_SERVER_RECORDS session records (default 2,000,000; the issue's
  national year is 10,000,000: set the variable to run it) spread over 3,000 sites in 100
  territories and 12 months, generated with SQL (recursive CTE on SQLite, generate_series on
  PostgreSQL); aggregates built from them with INSERT .. SELECT .. GROUP BY at each grain (what
  ingest maintains incrementally). Each activity dimension is derived from the record (one
  practice activity per session), since the console reads only aggregates. Reported p50/p95 of
  each standard query over 30 runs; target p95 ≤ 200 ms.

PostgreSQL: KIOSK_BENCH_PG_URL if set, else a throwaway cluster started like the test harness
(needs root and the postgresql package); without either the PostgreSQL rows say so.
"""
from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from kiosk.schema import SessionRecord
from kiosk.server import db, queries, tenancy
from kiosk.server import tables as t
from kiosk.server.demo import spawn_server
from kiosk.server.ingest import _activity_row, _record_row
from kiosk.server.queries import Period, Scope
from kiosk.sessions.sync import ServerLink, SyncClient
from kiosk.storage import LocalStore

ROOT = Path(__file__).resolve().parents[1]
INGEST_BATCHES = int(os.environ.get("KIOSK_BENCH_INGEST_BATCHES", "10"))
BACKLOG_SESSIONS = 1500
QUERY_RECORDS = int(os.environ.get("KIOSK_BENCH_SERVER_RECORDS", "2000000"))
QUERY_RUNS = 30
SITES, TERRITORIES = 3000, 100
PROCEDURES = [("ants-passeport", "papiers_elections_citoyennete", 6),
              ("caf-rsa", "social_sante", 8), ("impots-declaration", "argent_impots", 10),
              ("ameli-compte", "social_sante", 5), ("france-travail", "travail_formation_entreprise", 7),
              ("mairie-etat-civil", "famille_scolarite", 4)]


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
class Postgres:
    """A PostgreSQL to bench against: the given URL, or a throwaway cluster."""

    def __init__(self) -> None:
        self.cluster: Any = None
        self.base_url = os.environ.get("KIOSK_BENCH_PG_URL", "")
        self.reason = ""
        if self.base_url:
            return
        sys.path.insert(0, str(ROOT / "tests"))
        try:
            from harness import postgres as pg_stack
            bindir = pg_stack.find_pg_bindir()
            if bindir is None or os.geteuid() != 0 or not pg_stack.server_user_exists():
                self.reason = "no PostgreSQL binaries / not root / no postgres user"
                return
            root = Path(tempfile.mkdtemp(prefix="kiosk-bench-pg-"))
            os.chmod(root, 0o755)
            self.cluster = pg_stack.PgCluster.start(root / "pg", bindir)
            self._root = root
        except Exception as err:  # noqa: BLE001 - the SQLite figures are still worth reporting
            self.reason = f"cannot start PostgreSQL: {err}"

    @property
    def available(self) -> bool:
        return bool(self.base_url or self.cluster)

    def fresh_url(self) -> str:
        if self.cluster is not None:
            return self.cluster.url(self.cluster.create_database())
        return self.base_url

    def stop(self) -> None:
        if self.cluster is not None:
            self.cluster.stop()
            shutil.rmtree(self._root, ignore_errors=True)


def reset(engine: sa.Engine) -> None:
    """Empty the statistics tables (when benching against a given PostgreSQL URL)."""
    with engine.begin() as conn:
        for table in (t.activities, t.session_records, *t.AGGREGATES, t.kiosk_tokens, t.kiosks,
                      t.sites, t.territories):
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
        "note": f"{n} sessions through a running `kiosk server` (auth, validation, idempotence "
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
                    "`kiosk server` on SQLite"}


# --- console queries ---------------------------------------------------------------------------
_SQLITE_GENERATE = """
WITH RECURSIVE n(i) AS (SELECT :offset + 1 UNION ALL SELECT i + 1 FROM n WHERE i < :offset + :count)
INSERT INTO session_records (event_id, kiosk_id, site_id, territory_id, schema_version, day, hour,
  duration_min, language, accessibility, end_reason, help_requests, age_bracket, autonomy,
  satisfaction, received_at)
SELECT printf('%036d', i), 0, (i * 7919) % :sites + 1, ((i * 7919) % :sites) % :territories + 1,
  1, date(:start, '+' || ((i * 104729) % 365) || ' days'), 8 + (i * 13) % 11, 5 * (1 + i % 24),
  CASE i % 5 WHEN 3 THEN 'en' WHEN 4 THEN 'ar' ELSE 'fr' END, '',
  CASE i % 4 WHEN 2 THEN 'idle_timeout' WHEN 3 THEN 'mediator' ELSE 'finished' END, i % 2,
  CASE WHEN i % 2 = 0 THEN CASE i % 7 WHEN 0 THEN '25_39' WHEN 1 THEN '40_59'
       WHEN 2 THEN '60_69' ELSE '70_plus' END END,
  CASE WHEN i % 2 = 0 THEN 'guided' END, CASE WHEN i % 2 = 0 THEN 'satisfied' END,
  datetime('now')
FROM n
"""

_PG_GENERATE = """
INSERT INTO session_records (event_id, kiosk_id, site_id, territory_id, schema_version, day, hour,
  duration_min, language, accessibility, end_reason, help_requests, age_bracket, autonomy,
  satisfaction, received_at)
SELECT lpad(i::text, 36, '0'), 0, (i * 7919) % :sites + 1, ((i * 7919) % :sites) % :territories + 1,
  1, CAST(:start AS date) + ((i * 104729) % 365)::int, 8 + (i * 13) % 11, 5 * (1 + i % 24),
  CASE i % 5 WHEN 3 THEN 'en' WHEN 4 THEN 'ar' ELSE 'fr' END, '',
  CASE i % 4 WHEN 2 THEN 'idle_timeout' WHEN 3 THEN 'mediator' ELSE 'finished' END, i % 2,
  CASE WHEN i % 2 = 0 THEN CASE i % 7 WHEN 0 THEN '25_39' WHEN 1 THEN '40_59'
       WHEN 2 THEN '60_69' ELSE '70_plus' END END,
  CASE WHEN i % 2 = 0 THEN 'guided' END, CASE WHEN i % 2 = 0 THEN 'satisfied' END,
  now()
FROM (SELECT g + :offset AS i FROM generate_series(CAST(1 AS bigint), :count) AS g) AS s
"""


def _rollups(dialect: str) -> list[str]:
    """INSERT .. SELECT .. GROUP BY building each aggregate at each grain from raw rows.
    One practice activity per session: procedure = event number mod 6, steps from it."""
    month = ("date(day, 'start of month')" if dialect == "sqlite"
             else "CAST(date_trunc('month', day) AS date)")
    weekday = ("(CAST(strftime('%w', day) AS INTEGER) + 6) % 7" if dialect == "sqlite"
               else "(CAST(extract(isodow FROM day) AS INTEGER) - 1)")
    num = "CAST(event_id AS INTEGER)" if dialect == "sqlite" else "CAST(event_id AS BIGINT)"
    procs = " ".join(f"WHEN {i} THEN '{p}'" for i, (p, _t, _s) in enumerate(PROCEDURES))
    themes = " ".join(f"WHEN {i} THEN '{th}'" for i, (_p, th, _s) in enumerate(PROCEDURES))
    steps = " ".join(f"WHEN {i} THEN {s}" for i, (_p, _t, s) in enumerate(PROCEDURES))
    proc = f"CASE {num} % 6 {procs} END"
    theme = f"CASE {num} % 6 {themes} END"
    total = f"CASE {num} % 6 {steps} END"
    reached = f"({num} / 6) % ({total} + 1)"
    bucket = ("CASE WHEN duration_min < 30 THEN 'lt_30' WHEN duration_min < 60 THEN '30_60' "
              "WHEN duration_min < 120 THEN '60_120' ELSE '120_plus' END")
    grains = {"D": ("'D'", "day", "site_id"), "M": ("'M'", month, "site_id"),
              "T": ("'T'", month, "0")}
    out = []
    for g, (gl, period, site) in grains.items():
        if g == "M":  # sessions and activities are kept at D and T only
            out += _monthly_only(gl, period, site, proc, total, reached, weekday)
            continue
        out.append(
            f"INSERT INTO agg_sessions (grain, period, territory_id, site_id, language, end_reason,"
            f" duration_bucket, sessions, duration_min, help_requests, accessible_sessions) "
            f"SELECT {gl}, {period}, territory_id, {site}, language, end_reason, {bucket}, "
            f"count(*), sum(duration_min), sum(help_requests), 0 FROM session_records "
            f"GROUP BY 1, 2, 3, 4, 5, 6, 7")
        out.append(
            f"INSERT INTO agg_activities (grain, period, territory_id, site_id, kind, procedure_id,"
            f" theme, activities, completed, pages, hints_used, errors) "
            f"SELECT {gl}, {period}, territory_id, {site}, 'practice', {proc}, {theme}, count(*),"
            f" sum(CASE WHEN {reached} = {total} THEN 1 ELSE 0 END), 0, count(*), 0 "
            f"FROM session_records GROUP BY 1, 2, 3, 4, 5, 6, 7")
        if g == "D":
            out.append(
                "INSERT INTO agg_sessions (grain, period, territory_id, site_id, language, "
                "end_reason, duration_bucket, sessions, duration_min, help_requests, "
                "accessible_sessions) SELECT 'E', day, territory_id, 0, '', '', '', count(*), "
                "sum(duration_min), sum(help_requests), 0 FROM session_records GROUP BY 2, 3")
            continue
        out += _monthly_only(gl, period, site, proc, total, reached, weekday)
    return out


def _monthly_only(gl: str, period: str, site: str, proc: str, total: str, reached: str,
              weekday: str) -> list[str]:
    out = []
    out.append(
        f"INSERT INTO agg_hours (grain, period, territory_id, site_id, weekday, hour, sessions)"
        f" SELECT {gl}, {period}, territory_id, {site}, {weekday}, hour, count(*) "
        f"FROM session_records GROUP BY 1, 2, 3, 4, 5, 6")
    if gl == "'T'":  # the national grain, from the same rows
        out.append(
            f"INSERT INTO agg_hours (grain, period, territory_id, site_id, weekday, hour, "
            f"sessions) SELECT 'N', {period}, 0, 0, {weekday}, hour, count(*) "
            f"FROM session_records GROUP BY 1, 2, 3, 4, 5, 6")
    out.append(
        f"INSERT INTO agg_funnel (grain, period, territory_id, site_id, procedure_id, "
        f"steps_total, steps_reached, activities, completed) "
        f"SELECT {gl}, {period}, territory_id, {site}, {proc}, {total}, {reached}, count(*), "
        f"sum(CASE WHEN {reached} = {total} THEN 1 ELSE 0 END) FROM session_records "
        f"GROUP BY 1, 2, 3, 4, 5, 6, 7")
    out.append(
        f"INSERT INTO agg_survey (grain, period, territory_id, site_id, age_bracket, autonomy,"
        f" satisfaction, sessions) SELECT {gl}, {period}, territory_id, {site}, age_bracket, "
        f"autonomy, satisfaction, count(*) FROM session_records "
        f"WHERE age_bracket IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7")
    return out


def generate(engine: sa.Engine, count: int, start: dt.date) -> float:
    t0 = time.perf_counter()
    sql = _SQLITE_GENERATE if engine.dialect.name == "sqlite" else _PG_GENERATE
    chunk = 1_000_000
    with engine.begin() as conn:
        done = 0
        while done < count:
            n = min(chunk, count - done)
            conn.execute(sa.text(sql), {"count": n, "offset": done, "sites": SITES,
                                        "territories": TERRITORIES, "start": start.isoformat()})
            done += n
        for statement in _rollups(engine.dialect.name):
            conn.execute(sa.text(statement))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - t0


def timed(fn: Callable[[], Any], runs: int = QUERY_RUNS) -> tuple[float, float]:
    fn()  # warm cache
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def bench_queries(label: str, url: str) -> list[dict]:
    engine = db.open_engine(url)
    db.migrate(engine)
    if url.startswith("postgresql"):
        reset(engine)
    start = dt.date(2025, 12, 1)
    gen_s = generate(engine, QUERY_RECORDS, start)
    period = Period(start, dt.date(2026, 11, 30))
    with engine.connect() as conn:
        agg_rows = {tb.name: conn.execute(sa.select(sa.func.count()).select_from(tb)).scalar_one()
                    for tb in t.AGGREGATES}
        national_total = queries.sessions_summary(conn, Scope(), period)["sessions"]
    assert national_total == QUERY_RECORDS, (national_total, QUERY_RECORDS)
    territory, site = Scope(territory_id=7), Scope(site_id=123)
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
         lambda c: queries.funnel(c, Scope(), period, "caf-rsa")),
        ("hour-of-week heat map, 12 months national",
         lambda c: queries.hour_of_week(c, Scope(), period)),
        ("sessions per day, last 60 days national",
         lambda c: queries.daily_sessions(c, Scope(), Period(dt.date(2026, 10, 1),
                                                             dt.date(2026, 11, 29)))),
        ("survey age brackets by site, 12 months one territory (small counts masked)",
         lambda c: queries.survey_by_site(c, territory, period, "age_bracket", 5)),
    ]
    out = []
    with engine.connect() as conn:
        for name, fn in standard:
            p50, p95 = timed(lambda fn=fn: fn(conn))
            out.append({
                "name": f"console query p95: {name} ({label}, {QUERY_RECORDS:,} records)",
                "value": round(p95 * 1000, 1), "unit": "ms", "target": "p95 ≤ 200 ms",
                "met": p95 <= 0.2,
                "note": f"p50 {p50 * 1000:.1f} ms over {QUERY_RUNS} runs; dataset generated with "
                        f"SQL in {gen_s:.0f} s: {QUERY_RECORDS:,} raw records, aggregate rows "
                        + ", ".join(f"{k} {v:,}" for k, v in agg_rows.items()),
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
        results += bench_queries("SQLite", f"sqlite:///{workdir / 'queries.sqlite'}")
        if pg.available:
            results += bench_queries("PostgreSQL", pg.fresh_url())
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
