"""Recompute every aggregate table from the raw records, in SQL, in one transaction.

Ingest maintains the aggregates incrementally (kiosk_server.ingest.aggregate_deltas); this module
says the same thing set-based, as ``INSERT .. SELECT .. GROUP BY`` over ``session_records`` and
``activities``, for when aggregates must be rebuilt: a new aggregate or dimension added by a
migration, a bug fixed in ingest, a benchmark's generated data. Tests check that both ways yield
the same rows, on SQLite and PostgreSQL.

Retention: raw records older than ``server.retention_months`` are gone but their aggregates are
kept, so a rebuild never touches periods before the oldest raw day still stored (nor before
``not_before``, the retention cutoff, in case a purge stopped half-way through a month). Monthly
rows need every day of their month: the rebuilt range always starts on the first of a month.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kiosk_server import tables as t
from kiosk_wire.schema import Accessibility

log = logging.getLogger(__name__)

r = t.session_records
a = t.activities
u = t.site_uses

Expr = Any  # a SQLAlchemy column expression


@dataclass(frozen=True)
class Grain:
    """One grain of an aggregate: its code, whether its period is a month, and which place
    columns it keeps (see kiosk_server.tables for what each grain is for)."""

    code: str
    monthly: bool
    territory: bool
    site: bool
    kiosk: bool


def _month_of(conn: Connection, day: Expr) -> Expr:
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.func.date_trunc("month", day), sa.Date)
    # SQLite stores a Date as ISO text: 'YYYY-MM-' + '01'.
    return sa.func.substr(day, 1, 8).concat("01")


def _weekday(conn: Connection) -> Expr:
    """Monday = 0, as Python's date.weekday() used at ingest."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.extract("isodow", r.c.day), sa.Integer) - 1
    return (sa.cast(sa.func.strftime("%w", r.c.day), sa.Integer) + 6) % 7


DAY_SITE = Grain("D", monthly=False, territory=True, site=True, kiosk=True)
DAY_TERRITORY = Grain("E", monthly=False, territory=True, site=False, kiosk=False)
MONTH_SITE = Grain("M", monthly=True, territory=True, site=True, kiosk=True)
MONTH_TERRITORY = Grain("T", monthly=True, territory=True, site=False, kiosk=False)
MONTH_NATIONAL = Grain("N", monthly=True, territory=False, site=False, kiosk=False)


def _int_true(column: Expr) -> Expr:
    return sa.case((column, 1), else_=0)


def _duration_bucket() -> Expr:
    """Same buckets as kiosk_server.ingest.duration_bucket (La Coop's)."""
    m = r.c.duration_min
    return sa.case((m < 30, "lt_30"), (m < 60, "30_60"), (m < 120, "60_120"),
                   else_="120_plus")


@dataclass(frozen=True)
class Source:
    """What one aggregate is made of: its grains (the first, the finest, read from the raw
    records; the others summed from it), its dimensions and measures (in the table's column
    order), the raw rows it reads and which of them count."""

    table: sa.Table
    grains: tuple[Grain, ...]
    dims: Callable[[Connection], list[Expr]]
    measures: Callable[[], list[Expr]]
    with_activities: bool = False
    where: Callable[[Connection], list[Expr]] = lambda _c: []
    with_comfort_options: bool = False  # one row per session and comfort option it used
    with_site_uses: bool = False  # one row per session and official site it used


# The comfort options as a relation (UNION ALL of literals: SQLite has no VALUES with column
# names), joined to the sessions whose comma-separated list holds them.
_options = sa.union_all(*[sa.select(sa.literal_column(f"'{o.value}'").label("comfort_option"))
                          for o in Accessibility]).subquery("o")


def _uses_option(conn: Connection) -> list[Expr]:
    listed = sa.literal_column("','").concat(r.c.accessibility).concat(",")
    wanted = sa.literal_column("','").concat(_options.c.comfort_option).concat(",")
    find = sa.func.strpos if conn.dialect.name == "postgresql" else sa.func.instr
    return [find(listed, wanted) > 0]


def _practised(_conn: Connection) -> list[Expr]:
    return [a.c.kind == "practice", a.c.procedure_id.is_not(None), a.c.procedure_id != ""]


def _session_measures() -> list[Expr]:
    return [sa.func.count(), sa.func.sum(r.c.duration_min), sa.func.sum(r.c.help_requests),
            sa.func.sum(sa.case((r.c.accessibility != "", 1), else_=0))]


def _session_dims(_conn: Connection) -> list[Expr]:
    return [r.c.language, r.c.end_reason, _duration_bucket()]


SOURCES: tuple[Source, ...] = (
    Source(t.agg_sessions, (DAY_SITE, MONTH_SITE, DAY_TERRITORY, MONTH_TERRITORY),
           _session_dims, _session_measures),
    Source(t.agg_activities, (DAY_SITE, MONTH_SITE, DAY_TERRITORY, MONTH_TERRITORY),
           lambda _c: [a.c.kind, sa.func.coalesce(a.c.procedure_id, ""),
                       sa.func.coalesce(a.c.theme, "")],
           lambda: [sa.func.count(), sa.func.sum(_int_true(a.c.completed)),
                    sa.func.sum(a.c.pages), sa.func.sum(a.c.hints_used), sa.func.sum(a.c.errors)],
           with_activities=True),
    Source(t.agg_hours, (MONTH_SITE, MONTH_TERRITORY, MONTH_NATIONAL),
           lambda c: [_weekday(c), r.c.hour], lambda: [sa.func.count()]),
    Source(t.agg_funnel, (MONTH_SITE, MONTH_TERRITORY),
           lambda _c: [a.c.procedure_id, a.c.steps_total, a.c.steps_reached],
           lambda: [sa.func.count(), sa.func.sum(_int_true(a.c.completed))],
           with_activities=True,
           where=_practised),
    Source(t.agg_survey, (MONTH_SITE, MONTH_TERRITORY),
           lambda _c: [r.c.age_bracket, r.c.autonomy, r.c.satisfaction],
           lambda: [sa.func.count()],
           where=lambda _c: [r.c.age_bracket.is_not(None)]),
    Source(t.agg_autonomy, (MONTH_SITE, MONTH_TERRITORY),
           lambda _c: [a.c.procedure_id, sa.func.coalesce(a.c.autonomy, "")],
           lambda: [sa.func.count()], with_activities=True, where=_practised),
    Source(t.agg_parcours, (MONTH_SITE, MONTH_TERRITORY),
           lambda _c: [a.c.parcours_id, a.c.parcours_step],
           lambda: [sa.func.count(), sa.func.sum(_int_true(a.c.completed))],
           with_activities=True,
           where=lambda c: [*_practised(c), a.c.parcours_id.is_not(None)]),
    Source(t.agg_procedure_versions, (MONTH_SITE, MONTH_TERRITORY),
           lambda _c: [a.c.procedure_id, a.c.procedure_version],
           lambda: [sa.func.count(), sa.func.sum(_int_true(a.c.completed)),
                    sa.func.sum(a.c.steps_reached)],
           with_activities=True,
           where=lambda c: [*_practised(c), a.c.procedure_version.is_not(None)]),
    Source(t.agg_comfort, (DAY_SITE, MONTH_SITE, DAY_TERRITORY, MONTH_TERRITORY),
           lambda _c: [_options.c.comfort_option], lambda: [sa.func.count()],
           where=_uses_option, with_comfort_options=True),
    Source(t.agg_official_sites, (DAY_SITE, DAY_TERRITORY, MONTH_SITE, MONTH_TERRITORY),
           lambda _c: [u.c.site], lambda: [sa.func.count(), sa.func.sum(u.c.minutes)],
           with_site_uses=True),
)


def _key_columns(table: sa.Table) -> list[str]:
    return [c.name for c in table.columns if c.name in ("grain", "period", "territory_id",
                                                        "site_id", "kiosk_id")]


def _grouped(columns: list[Expr], key_names: list[str], grain: Grain) -> list[Expr]:
    """GROUP BY the select's positions (period, the place columns the grain keeps, the
    dimensions): the same expression written twice would carry two different bound
    parameters, which PostgreSQL does not see as the same expression."""
    kept = {"territory_id": grain.territory, "site_id": grain.site, "kiosk_id": grain.kiosk}
    return [sa.literal_column(str(i + 1)) for i in range(1, len(columns))
            if i == 1 or i >= len(key_names) or kept[key_names[i]]]


def _from_raw(conn: Connection, source: Source, grain: Grain, start: dt.date) -> Any:
    """INSERT the grain's rows summed from the raw records."""
    table = source.table
    key_names = _key_columns(table)
    place = {"territory_id": (grain.territory, r.c.territory_id),
             "site_id": (grain.site, r.c.site_id), "kiosk_id": (grain.kiosk, r.c.kiosk_id)}
    columns: list[Expr] = [sa.literal_column(f"'{grain.code}'"),
                           _month_of(conn, r.c.day) if grain.monthly else r.c.day]
    columns += [expr if kept else sa.literal_column("0")
                for kept, expr in (place[k] for k in key_names[2:])]
    columns += source.dims(conn)
    from_: Any = r
    if source.with_activities:
        from_ = r.join(a, a.c.event_id == r.c.event_id)
    elif source.with_comfort_options:
        from_ = r.join(_options, sa.true())
    elif source.with_site_uses:
        from_ = r.join(u, u.c.event_id == r.c.event_id)
    select = (sa.select(*columns, *source.measures()).select_from(from_)
              .where(r.c.day >= start, *source.where(conn))
              .group_by(*_grouped(columns, key_names, grain)))
    return table.insert().from_select([c.name for c in table.columns], select)


def _from_finer(conn: Connection, source: Source, grain: Grain, finer: Grain,
                start: dt.date) -> Any:
    """INSERT the grain's rows summed from the rows of a finer grain of the same table (a few
    rows per kiosk and day instead of every raw record and activity)."""
    table = source.table
    key_names = _key_columns(table)
    key = {c.name for c in table.primary_key.columns}
    measures = [c for c in table.columns if c.name not in key]
    dims = [c for c in table.columns if c.name in key and c.name not in key_names]
    period = (_month_of(conn, table.c.period) if grain.monthly and not finer.monthly
              else table.c.period)
    kept = {"territory_id": grain.territory, "site_id": grain.site, "kiosk_id": grain.kiosk}
    columns: list[Expr] = [sa.literal_column(f"'{grain.code}'"), period]
    columns += [table.c[k] if kept[k] else sa.literal_column("0") for k in key_names[2:]]
    columns += dims
    select = (sa.select(*columns, *[sa.func.sum(m) for m in measures])
              .where(table.c.grain == finer.code, table.c.period >= start)
              .group_by(*_grouped(columns, key_names, grain)))
    return table.insert().from_select([c.name for c in table.columns], select)


def rebuild_aggregates(engine: Engine, since: dt.date | None = None,
                       not_before: dt.date | None = None) -> int:
    """Delete the aggregate rows of the periods from ``since`` (default: the oldest raw day
    stored) and recompute them from the raw records; returns how many session records were
    aggregated. ``not_before``: never rebuild before this day (the retention cutoff)."""
    with engine.begin() as conn:
        return rebuild_in(conn, since, not_before)


def rebuild_in(conn: Connection, since: dt.date | None = None,
               not_before: dt.date | None = None) -> int:
    """rebuild_aggregates() inside the caller's transaction (used by migrations)."""
    if conn.dialect.name == "postgresql":
        # Ingest and retention write session_records first: they wait until this transaction
        # ends, so no record can be stored between the aggregates' delete and their insert.
        conn.exec_driver_sql("LOCK TABLE session_records IN SHARE MODE")
    start = rebuild_start(conn, since, not_before)
    if start is None:
        log.info("aggregates: no raw records to rebuild from")
        return 0
    # An older migration (0003) rebuilds with today's code: tables that later migrations add
    # (agg_official_sites, agg_parcours) do not exist yet, and have nothing to rebuild.
    present = set(sa.inspect(conn).get_table_names())
    for table in t.AGGREGATES:
        if table.name in present:
            conn.execute(table.delete().where(table.c.period >= start))
    for source in SOURCES:
        if source.table.name not in present or (source.with_site_uses
                                                and u.name not in present):
            continue
        finest, *coarser = source.grains
        conn.execute(_from_raw(conn, source, finest, start))
        for grain in coarser:
            conn.execute(_from_finer(conn, source, grain, finest, start))
    records = int(conn.execute(sa.select(sa.func.count()).select_from(r)
                               .where(r.c.day >= start)).scalar_one())
    log.info("aggregates rebuilt from %s: %d session records", start, records)
    return records


def rebuild_start(conn: Connection, since: dt.date | None = None,
                  not_before: dt.date | None = None) -> dt.date | None:
    """First day of the first month to rebuild, or None when there is nothing to rebuild from.

    Never before the oldest raw day (older raw rows were purged: their aggregates are all that
    is left), nor before ``not_before``; and not from a month whose raw records are fewer than
    the sessions its aggregates count: a purge stopped half-way through it.
    """
    oldest, newest = conn.execute(sa.select(sa.func.min(r.c.day), sa.func.max(r.c.day))).one()
    if oldest is None:
        return None
    start = max(d for d in (oldest, since, not_before) if d is not None).replace(day=1)
    if not_before is not None and start < not_before:
        start = _next_month(start)  # the cutoff's month may be only partly stored
    while start <= newest and _partly_purged(conn, start):
        start = _next_month(start)
    return start if start <= newest else None


def _partly_purged(conn: Connection, month: dt.date) -> bool:
    following = _next_month(month)
    raw = conn.execute(sa.select(sa.func.count()).select_from(r)
                       .where(r.c.day >= month, r.c.day < following)).scalar_one()
    s = t.agg_sessions
    counted = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(s.c.sessions), 0))
                           .where(s.c.grain == "T", s.c.period == month)).scalar_one()
    return int(raw) < int(counted)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
