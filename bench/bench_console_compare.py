"""What the comparisons cost a console page: Synthèse with its comparisons (each key figure
against the previous period and the same period last year, a territory's sites side by side, a
site against its territory's median) against the same page without them, both measured in this
run on the same dataset, interleaved request by request so the host's load weighs on both.

The work timed is the route's own (kiosk_server.console.stats_content.page_content, through the
per-request memo of the figures): every query and figure of the page, not the HTML. The HTML and
HTTP part, identical but for the comparison tables, is in bench_console's end-to-end p95.
Dataset: as bench_console (KIOSK_BENCH_CONSOLE_RECORDS, default 10,000,000; cached under
KIOSK_BENCH_CACHE), on SQLite and on PostgreSQL when one is found (KIOSK_BENCH_ENGINES: which).
Targets: the page with its comparisons p95 ≤ 300 ms, and ≤ 3 × the page without (the
comparisons read two more periods).
"""
from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from typing import Any

import sqlalchemy as sa

from bench.datasets import Dataset, Postgres, busiest, engines, skipped, sqlite_dataset
from kiosk_server import db
from kiosk_server import tables as t
from kiosk_server.console.access import Place
from kiosk_server.console.stats_content import page_content
from kiosk_server.queries import Period, Scope

RECORDS = int(os.environ.get("KIOSK_BENCH_CONSOLE_RECORDS",
                             os.environ.get("KIOSK_BENCH_SERVER_RECORDS", "10000000")))
RUNS = int(os.environ.get("KIOSK_BENCH_CONSOLE_RUNS", "30"))
THRESHOLD = 5
MAX_RATIO = 3.0
MAX_P95_S = 0.3


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[int(0.95 * (len(ordered) - 1))]


def _places(conn: sa.Connection) -> dict[str, tuple[Place, list[int] | None]]:
    territory, site = busiest(conn)
    in_territory = list(conn.execute(sa.select(t.sites.c.id)
                                     .where(t.sites.c.territory_id == territory)).scalars())
    site_territory = conn.execute(sa.select(t.sites.c.territory_id)
                                  .where(t.sites.c.id == site)).scalar_one()
    return {"national": (Place(Scope(), "France entière", None, None), None),
            "one territory": (Place(Scope(territory_id=territory), "territory", territory,
                                    None), in_territory),
            "one site": (Place(Scope(site_id=site), "site", site_territory, site), [site])}


def _time(engine: sa.Engine, place: Place, site_ids: list[int] | None, period: Period,
          comparisons: bool) -> float:
    t0 = time.perf_counter()
    with engine.connect() as conn:
        page_content(conn, "synthese", place, period, THRESHOLD, {}, site_ids, dt.date.today(),
                     comparisons=comparisons)
    return time.perf_counter() - t0


def bench_engine(label: str, dataset: Dataset) -> list[dict[str, Any]]:
    engine = db.open_engine(dataset.url)
    period = Period.last_months(12)
    out = []
    try:
        with engine.connect() as conn:
            places = _places(conn)
        for scope, (place, site_ids) in places.items():
            # First views: the database's caches warmed, and the months the console keeps
            # between views (console.site_months) read; the first with comparisons is noted.
            _time(engine, place, site_ids, period, False)
            first = _time(engine, place, site_ids, period, True)
            without: list[float] = []
            with_them: list[float] = []
            for _ in range(RUNS):
                without.append(_time(engine, place, site_ids, period, False))
                with_them.append(_time(engine, place, site_ids, period, True))
            p95, base = _p95(with_them), _p95(without)
            ratio = p95 / base if base else float("inf")
            out.append({
                "name": f"console Synthèse p95 with comparisons, 12 months, {scope} "
                        f"({label}, {dataset.records:,} records)",
                "value": round(p95 * 1000, 1), "baseline": round(base * 1000, 1),
                "ratio": round(ratio, 2), "unit": "ms",
                "target": f"p95 ≤ {MAX_P95_S * 1000:.0f} ms and ratio ≤ {MAX_RATIO:g}",
                "met": p95 <= MAX_P95_S and ratio <= MAX_RATIO,
                "note": f"baseline: the same page without its comparisons, interleaved with it, "
                        f"{RUNS} times each; medians {statistics.median(with_them) * 1000:.1f} / "
                        f"{statistics.median(without) * 1000:.1f} ms; first view with comparisons "
                        f"{first * 1000:.0f} ms (months not kept yet); figures and queries only "
                        f"(no HTML); host load average {os.getloadavg()[0]:.1f} on "
                        f"{os.cpu_count()} CPUs; {dataset.how}",
            })
    finally:
        engine.dispose()
    return out


def run() -> list[dict[str, Any]]:
    what = "console Synthèse with comparisons"
    if "sqlite" in engines():
        results = bench_engine("SQLite", sqlite_dataset(RECORDS))
    else:
        results = [skipped(what, "sqlite")]
    if "postgresql" not in engines():
        return results + [skipped(what, "postgresql")]
    pg = Postgres()
    try:
        if pg.available:
            results += bench_engine("PostgreSQL", pg.dataset(RECORDS))
        else:
            results.append({"name": "console comparisons on PostgreSQL", "value": None,
                            "unit": "", "target": "", "met": None,
                            "note": f"not run: {pg.reason}"})
    finally:
        pg.stop()
    return results
