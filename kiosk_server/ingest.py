"""Store a validated batch of session records and maintain the aggregates, in one transaction.

Idempotent by ``event_id``: records already stored are skipped (and not counted again in the
aggregates). Two server processes receiving the same new record at the same moment: one insert
wins, the other transaction fails on the primary key and is retried once, now seeing the record
as a duplicate. Aggregate deltas are summed in Python first, so a batch of 500 records costs a
handful of ``executemany`` upserts, not thousands of statements.
"""
from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from kiosk_server import tables as t
from kiosk_server.db import upsert_add
from kiosk_server.tenancy import KioskIdentity, now
from kiosk_wire.schema import ActivityKind, SessionRecord

_MEASURES = {
    t.agg_sessions: ("sessions", "duration_min", "help_requests", "accessible_sessions"),
    t.agg_activities: ("activities", "completed", "pages", "hints_used", "errors"),
    t.agg_hours: ("sessions",),
    t.agg_funnel: ("activities", "completed"),
    t.agg_survey: ("sessions",),
    t.agg_autonomy: ("activities",),
    t.agg_comfort: ("sessions",),
    t.agg_official_sites: ("sessions", "minutes"),
    t.agg_parcours: ("activities", "completed"),
    t.agg_procedure_versions: ("activities", "completed", "steps_reached"),
}


@dataclass(frozen=True)
class IngestResult:
    stored: int
    duplicates: int


def duration_bucket(minutes: int) -> str:
    """The Coop de la médiation numérique buckets: < 30 min, 30-60, 60-120, 120 and more."""
    if minutes < 30:
        return "lt_30"
    if minutes < 60:
        return "30_60"
    if minutes < 120:
        return "60_120"
    return "120_plus"


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def ingest(engine: Engine, kiosk: KioskIdentity, records: list[SessionRecord],
           not_before: dt.date | None = None) -> IngestResult:
    for attempt in range(3):
        try:
            with engine.begin() as conn:
                return ingest_in(conn, kiosk, records, not_before)
        except (sa.exc.IntegrityError, sa.exc.OperationalError) as err:
            # A concurrent process stored the same record, or PostgreSQL chose this transaction
            # as a deadlock victim: nothing was written, try again.
            if attempt == 2 or (isinstance(err, sa.exc.OperationalError)
                                and "deadlock" not in str(err.orig).lower()):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def ingest_in(conn: Connection, kiosk: KioskIdentity, records: list[SessionRecord],
              not_before: dt.date | None = None) -> IngestResult:
    """Store the new records of a batch. Records from before ``not_before`` (the retention
    cutoff) are acknowledged without being stored: their raw rows may already have been purged,
    so storing them again could count a re-sent record twice in the aggregates."""
    by_id = {str(r.event_id): r for r in records  # a batch may repeat a record
             if not_before is None or r.day >= not_before}
    new: list[SessionRecord] = []
    if by_id:
        received = now()
        inserted = _insert_new(conn, [_record_row(r, kiosk, received) for r in by_id.values()])
        new = [r for eid, r in by_id.items() if eid in inserted]
    if new:
        activity_rows = [_activity_row(r, i, a, eid) for eid, r in by_id.items() if eid in inserted
                         for i, a in enumerate(r.activities)]
        if activity_rows:
            conn.execute(t.activities.insert(), activity_rows)
        site_rows = [{"event_id": eid, "site": use.site.value, "minutes": use.minutes}
                     for eid, r in by_id.items() if eid in inserted for use in r.official_sites]
        if site_rows:
            conn.execute(t.site_uses.insert(), site_rows)
        for table, deltas in aggregate_deltas(new, kiosk).items():
            upsert_add(conn, table, deltas, _MEASURES[table])
    return IngestResult(stored=len(new), duplicates=len(records) - len(new))


def _insert_new(conn: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the records not stored yet; returns the event ids actually inserted.

    On PostgreSQL one statement both filters what is already stored and inserts the rest
    (``ON CONFLICT DO NOTHING RETURNING``): a concurrent insert of the same id waits for the other
    transaction, then does nothing. It goes through psycopg's pipelined
    ``executemany(returning=True)``
    (one parsed statement): SQLAlchemy's multi-row VALUES form makes psycopg re-parse a query
    of 8,000 placeholders per batch, which cost more than the inserts themselves.
    """
    if conn.dialect.name == "sqlite":
        # The transaction began IMMEDIATE (kiosk_server.db): it holds SQLite's only write lock,
        # so what is not there now cannot appear before the insert. Cheaper than RETURNING.
        ids = [row["event_id"] for row in rows]
        existing: set[str] = set()
        for i in range(0, len(ids), 500):
            existing.update(conn.execute(
                sa.select(t.session_records.c.event_id)
                .where(t.session_records.c.event_id.in_(ids[i:i + 500]))).scalars())
        fresh = [row for row in rows if row["event_id"] not in existing]
        if fresh:
            conn.execute(t.session_records.insert(), fresh)
        return {row["event_id"] for row in fresh}
    if conn.dialect.name != "postgresql":  # pragma: no cover - only the two engines are used
        return set(conn.execute(
            _insert(conn, t.session_records).on_conflict_do_nothing(index_elements=["event_id"])
            .returning(t.session_records.c.event_id), rows).scalars())
    cols = [c.name for c in t.session_records.columns]
    sql = (f"INSERT INTO session_records ({', '.join(cols)}) "
           f"VALUES ({', '.join(['%s'] * len(cols))}) "
           "ON CONFLICT (event_id) DO NOTHING RETURNING event_id")
    inserted: set[str] = set()
    dbapi: Any = conn.connection.dbapi_connection  # a psycopg (3) connection
    with dbapi.cursor() as cur:
        cur.executemany(sql, [tuple(row[c] for c in cols) for row in rows], returning=True)
        while True:
            found = cur.fetchone()
            if found is not None:
                inserted.add(found[0])
            if not cur.nextset():
                break
    return inserted


def _insert(conn: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (same syntax on SQLite and PostgreSQL)."""
    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _record_row(r: SessionRecord, kiosk: KioskIdentity, received: dt.datetime) -> dict[str, Any]:
    survey = r.survey
    return {
        "event_id": str(r.event_id), "kiosk_id": kiosk.kiosk_id, "site_id": kiosk.site_id,
        "territory_id": kiosk.territory_id, "schema_version": r.schema_version, "day": r.day,
        "hour": r.hour, "duration_min": r.duration_min, "language": r.language.value,
        "accessibility": ",".join(sorted(a.value for a in r.accessibility)),
        "end_reason": r.end_reason.value, "help_requests": r.help_requests,
        "age_bracket": survey.age_bracket.value if survey else None,
        "autonomy": survey.autonomy.value if survey else None,
        "satisfaction": survey.satisfaction.value if survey else None,
        "received_at": received,
    }


def _activity_row(r: SessionRecord, position: int, a: Any,
                  event_id: str | None = None) -> dict[str, Any]:
    return {
        "event_id": event_id or str(r.event_id), "position": position, "kind": a.kind.value,
        "procedure_id": a.procedure_id, "theme": a.theme.value if a.theme else None,
        "steps_total": a.steps_total, "steps_reached": a.steps_reached,
        "completed": a.completed, "hints_used": a.hints_used, "errors": a.errors,
        "pages": a.pages, "autonomy": a.autonomy.value if a.autonomy else None,
        "procedure_version": a.procedure_version,
        "parcours_id": a.parcours_id, "parcours_step": a.parcours_step,
    }


def aggregate_deltas(records: Iterable[SessionRecord],
                     kiosk: KioskIdentity) -> dict[sa.Table, list[tuple[Any, ...]]]:
    """Per aggregate table, the rows to add (one per key, measures summed), as tuples in the
    table's column order (key columns, then measures). kiosk_server.rebuild says the same in
    SQL; keep the two in step (tests compare them).

    A batch comes from one kiosk, so its D (day x kiosk) and E (day x territory) rows carry the
    same sums, and so do its M (month x kiosk) and T (month x territory) rows: each sum is made
    once per day or month and copied to its grains, and the daily ones are folded into months
    for M and T. Enum values are read as ``_value_``: the ``.value`` property costs more than
    the rest of this loop."""
    daily: dict[sa.Table, dict[tuple[Any, ...], list[int]]] = {
        t.agg_sessions: {}, t.agg_activities: {}, t.agg_comfort: {}, t.agg_official_sites: {}}
    monthly: dict[sa.Table, dict[tuple[Any, ...], list[int]]] = {
        t.agg_hours: {}, t.agg_funnel: {}, t.agg_survey: {}, t.agg_autonomy: {},
        t.agg_parcours: {}, t.agg_procedure_versions: {}}
    sessions, acts, comfort, sites = daily.values()
    hours, funnel, survey, autonomy, parcours, versions = monthly.values()
    practice = ActivityKind.PRACTICE
    for r in records:
        day = r.day
        month = day.replace(day=1)
        _add(sessions, (day, r.language._value_, r.end_reason._value_,
                        duration_bucket(r.duration_min)),
             (1, r.duration_min, r.help_requests, 1 if r.accessibility else 0))
        for o in r.accessibility:
            _add(comfort, (day, o._value_), (1,))
        for use in r.official_sites:
            _add(sites, (day, use.site._value_), (1, use.minutes))
        _add(hours, (month, day.weekday(), r.hour), (1,))
        for a in r.activities:
            _add(acts, (day, a.kind._value_, a.procedure_id or "",
                        a.theme._value_ if a.theme else ""),
                 (1, int(a.completed), a.pages, a.hints_used, a.errors))
            if a.kind is practice and a.procedure_id:
                _add(funnel, (month, a.procedure_id, a.steps_total, a.steps_reached),
                     (1, int(a.completed)))
                _add(autonomy, (month, a.procedure_id,
                                a.autonomy._value_ if a.autonomy else ""), (1,))
                if a.parcours_id:
                    _add(parcours, (month, a.parcours_id, a.parcours_step),
                         (1, int(a.completed)))
                if a.procedure_version is not None:
                    _add(versions, (month, a.procedure_id, a.procedure_version),
                         (1, int(a.completed), a.steps_reached))
        sv = r.survey
        if sv is not None:
            _add(survey, (month, sv.age_bracket._value_, sv.autonomy._value_,
                          sv.satisfaction._value_), (1,))
    territory, site, kiosk_id = kiosk.territory_id, kiosk.site_id, kiosk.kiosk_id
    out: dict[sa.Table, list[tuple[Any, ...]]] = {}
    for table, acc in daily.items():
        per_month: dict[tuple[Any, ...], list[int]] = {}
        rows: list[tuple[Any, ...]] = []
        for (day, *dims), values in acc.items():
            rows.append(("D", day, territory, site, kiosk_id, *dims, *values))
            rows.append(("E", day, territory, 0, 0, *dims, *values))
            _add(per_month, (day.replace(day=1), *dims), values)
        for (month, *dims), values in per_month.items():
            rows.append(("M", month, territory, site, kiosk_id, *dims, *values))
            rows.append(("T", month, territory, 0, 0, *dims, *values))
        out[table] = rows
    for table, acc in monthly.items():
        rows = []
        for (month, *dims), values in acc.items():
            rows.append(("M", month, territory, site, kiosk_id, *dims, *values))
            rows.append(("T", month, territory, 0, 0, *dims, *values))
            if table is t.agg_hours:  # the national heat map
                rows.append(("N", month, 0, 0, 0, *dims, *values))
        out[table] = rows
    # Sorted by key: concurrent transactions lock rows in one order (no deadlock).
    return {table: sorted(rows, key=operator.itemgetter(
        slice(0, len(table.primary_key.columns)))) for table, rows in out.items()}


def _add(acc: dict[tuple[Any, ...], list[int]], key: tuple[Any, ...],
         values: Sequence[int]) -> None:
    current = acc.get(key)
    if current is None:
        acc[key] = list(values)
    else:
        for i, v in enumerate(values):
            current[i] += v
