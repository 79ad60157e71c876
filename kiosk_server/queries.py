"""Console queries over the aggregates (never over raw records), for dashboards and exports.

A :class:`Scope` is national, a territory, a site or one kiosk of a site; a :class:`Period` is a
range of days. Whole calendar months above site level read the monthly territory rows (``T``);
a site, a kiosk or an exact day range reads the daily per-kiosk ``D`` rows (a site's are summed
over its kiosks). Hour-of-week, funnels, autonomy per procedure and survey answers exist per
month only: their period is widened to whole months (``Period.months()``).

Small counts: where survey attributes (age bracket, autonomy, satisfaction), practice
autonomy levels or the official sites opened are crossed with a place and a period, the cells
are protected by kiosk_server.disclosure, decided on site x month atoms so that no filter
undoes another's masking; they are read per site and month (M rows) and never published for
one kiosk (the official sites: kiosk_server.official_site_figures).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server.disclosure import Masked, ProtectedRow, protect
from kiosk_wire.schema import Accessibility, AgeBracket, Autonomy, Satisfaction, SurveyAutonomy


@dataclass(frozen=True)
class Scope:
    territory_id: int | None = None
    site_id: int | None = None
    kiosk_id: int | None = None  # with its site_id: the rows are keyed by site first

    def __post_init__(self) -> None:
        if self.kiosk_id is not None and self.site_id is None:
            raise ValueError("a kiosk scope names the kiosk's site")

    @property
    def label(self) -> str:
        if self.kiosk_id is not None:
            return f"kiosk {self.kiosk_id}"
        if self.site_id is not None:
            return f"site {self.site_id}"
        if self.territory_id is not None:
            return f"territory {self.territory_id}"
        return "national"


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def last_months(cls, months: int, today: dt.date | None = None) -> Period:
        """The ``months`` whole calendar months up to and including the current one."""
        today = today or dt.date.today()
        index = today.year * 12 + today.month - 1 - (months - 1)
        start = dt.date(index // 12, index % 12 + 1, 1)
        return cls(start, _month_end(today))

    @property
    def whole_months(self) -> bool:
        return self.start.day == 1 and self.end == _month_end(self.end)

    def months(self) -> tuple[dt.date, dt.date]:
        """First days of the first and last months touched."""
        return self.start.replace(day=1), self.end.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


__all__ = ["Masked", "Period", "ProtectedRow", "Scope"]


def _where(table: sa.Table, scope: Scope, period: Period, monthly_only: bool = False,
           national_grain: bool = False) -> list[Any]:
    """The grain and rows to read (see kiosk_server.tables): monthly-only tables use M for a
    site, T for a territory, and N (where kept) or T nationally; sessions, activities and comfort
    options use, for a site or a kiosk, M for whole months, else D, and above site level T for
    whole months, else E (day x territory). Rows above site level have site_id 0: saying so
    keeps a national read on the key's (grain, site_id, period) prefix."""
    if monthly_only:
        first, last = period.months()
        if scope.site_id is not None:
            grain = "M"
        elif scope.territory_id is None and national_grain:
            grain = "N"
        else:
            grain = "T"
    elif period.whole_months:
        first, last = period.months()
        grain = "M" if scope.site_id is not None else "T"
    elif scope.site_id is not None:
        first, last = period.start, period.end
        grain = "D"
    else:
        first, last = period.start, period.end
        grain = "E"
    above_site = [table.c.site_id == 0] if scope.site_id is None else []
    return [table.c.grain == grain, *above_site, table.c.period >= first, table.c.period <= last,
            *_place(table, scope)]


def _place(table: sa.Table, scope: Scope) -> list[Any]:
    conds = []
    if scope.site_id is not None:
        conds.append(table.c.site_id == scope.site_id)
    if scope.kiosk_id is not None:
        conds.append(table.c.kiosk_id == scope.kiosk_id)
    if scope.territory_id is not None:
        conds.append(table.c.territory_id == scope.territory_id)
    return conds


SESSION_MEASURES = ("sessions", "duration_min", "help_requests", "accessible_sessions")
SESSION_SPLITS = ("kiosk_id", "language", "end_reason", "duration_bucket")


def session_cells(conn: Connection, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """The scope's sessions per kiosk x language x end reason x duration bucket, with every
    measure: the one read that the splits by dimension and by kiosk are sums of. On a console
    page (figures_base.MemoConnection) it runs once for all four, where each used to re-read
    the same rows (a site's ~20,000 daily rows for each table of the Synthèse page); a few
    hundred cells for a site, fewer above (kiosk 0 there)."""
    a = t.agg_sessions
    q = (sa.select(*[a.c[c] for c in SESSION_SPLITS],
                   *[sa.func.sum(a.c[m]) for m in SESSION_MEASURES])
         .where(*_where(a, scope, period)).group_by(*[a.c[c] for c in SESSION_SPLITS]))
    return [dict(zip(SESSION_SPLITS + SESSION_MEASURES,
                     (*r[:len(SESSION_SPLITS)], *map(int, r[len(SESSION_SPLITS):])),
                     strict=True))
            for r in conn.execute(q)]


def _sum_by(cells: list[dict[str, Any]], key: str, measures: tuple[str, ...]
            ) -> dict[Any, dict[str, int]]:
    out: dict[Any, dict[str, int]] = {}
    for cell in cells:
        sums = out.setdefault(cell[key], dict.fromkeys(measures, 0))
        for m in measures:
            sums[m] += cell[m]
    return out


def sessions_summary(conn: Connection, scope: Scope, period: Period) -> dict[str, Any]:
    """Totals: sessions, minutes, help requests, sessions with an accessibility option. Its own
    read, not a sum of session_cells(): without grouping it is several times cheaper, and the
    key figures of every page ask for it alone."""
    a = t.agg_sessions
    row = conn.execute(sa.select(*[sa.func.coalesce(sa.func.sum(a.c[m]), 0)
                                   for m in SESSION_MEASURES])
                       .where(*_where(a, scope, period))).one()
    return {m: int(v) for m, v in zip(SESSION_MEASURES, row, strict=True)}


def sessions_by(conn: Connection, scope: Scope, period: Period, dimension: str
                ) -> list[dict[str, Any]]:
    """Sessions split by ``language``, ``end_reason`` or ``duration_bucket``, most first."""
    if dimension not in ("language", "end_reason", "duration_bucket"):
        raise ValueError(f"unknown dimension {dimension}")
    split = _sum_by(session_cells(conn, scope, period), dimension, ("sessions",))
    ordered = sorted(split.items(), key=lambda item: (-item[1]["sessions"], item[0]))
    return [{dimension: value, "sessions": sums["sessions"]} for value, sums in ordered]


def activities_by_procedure(conn: Connection, scope: Scope, period: Period
                            ) -> list[dict[str, Any]]:
    """Per kind x procedure x theme: activities, completed, pages, hints, errors."""
    a = t.agg_activities
    q = (sa.select(a.c.kind, a.c.procedure_id, a.c.theme, sa.func.sum(a.c.activities),
                   sa.func.sum(a.c.completed), sa.func.sum(a.c.pages),
                   sa.func.sum(a.c.hints_used), sa.func.sum(a.c.errors))
         .where(*_where(a, scope, period))
         .group_by(a.c.kind, a.c.procedure_id, a.c.theme)
         .order_by(sa.func.sum(a.c.activities).desc()))
    return [{"kind": r[0], "procedure_id": r[1] or None, "theme": r[2] or None,
             "activities": int(r[3]), "completed": int(r[4]), "pages": int(r[5]),
             "hints_used": int(r[6]), "errors": int(r[7])} for r in conn.execute(q)]


def activities_by_theme(conn: Connection, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Activities and completed ones per theme, most first: sums of activities_by_procedure()
    (one read for a page that shows both)."""
    split: dict[str, dict[str, int]] = {}
    for r in activities_by_procedure(conn, scope, period):
        if r["theme"]:
            sums = split.setdefault(r["theme"], {"activities": 0, "completed": 0})
            sums["activities"] += r["activities"]
            sums["completed"] += r["completed"]
    ordered = sorted(split.items(), key=lambda item: (-item[1]["activities"], item[0]))
    return [{"theme": theme, **sums} for theme, sums in ordered]


def device_usage(conn: Connection, scope: Scope, period: Period) -> dict[str, dict[str, int]]:
    """Scans, copies, prints (activities and pages) and help calls counted in sessions: sums of
    activities_by_procedure() (the page's key figures read both)."""
    out = {k: {"activities": 0, "pages": 0} for k in ("scan", "copy", "print", "help")}
    for r in activities_by_procedure(conn, scope, period):
        if r["kind"] in out:
            out[r["kind"]]["activities"] += r["activities"]
            out[r["kind"]]["pages"] += r["pages"]
    return out


def daily_sessions(conn: Connection, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Sessions per day: a site's D rows; above site level the E rows (day x territory), so a
    national month of days reads a few thousand rows, not every kiosk's."""
    a = t.agg_sessions
    grain = "D" if scope.site_id is not None else "E"
    conds = [a.c.grain == grain, a.c.period >= period.start, a.c.period <= period.end,
             *_place(a, scope)]
    if scope.site_id is None:
        conds.append(a.c.site_id == 0)
    q = (sa.select(a.c.period, sa.func.sum(a.c.sessions)).where(*conds)
         .group_by(a.c.period).order_by(a.c.period))
    return [{"day": r[0], "sessions": int(r[1])} for r in conn.execute(q)]


def monthly_sessions(conn: Connection, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Sessions per month over the months of the period: the T rows above site level, a site's
    M rows."""
    a = t.agg_sessions
    first, last = period.months()
    conds = [a.c.grain == ("T" if scope.site_id is None else "M"), a.c.period >= first,
             a.c.period <= last, *_place(a, scope)]
    if scope.site_id is None:
        conds.append(a.c.site_id == 0)
    per_month: dict[dt.date, int] = {}
    for day, n in conn.execute(sa.select(a.c.period, sa.func.sum(a.c.sessions)).where(*conds)
                               .group_by(a.c.period)):
        month = day.replace(day=1)
        per_month[month] = per_month.get(month, 0) + int(n)
    return [{"month": m, "sessions": n} for m, n in sorted(per_month.items())]


def hour_of_week(conn: Connection, scope: Scope, period: Period) -> list[list[int]]:
    """7 x 24 matrix of sessions (Monday first) over the months of the period."""
    a = t.agg_hours
    grid = [[0] * 24 for _ in range(7)]
    q = (sa.select(a.c.weekday, a.c.hour, sa.func.sum(a.c.sessions))
         .where(*_where(a, scope, period, monthly_only=True, national_grain=True))
         .group_by(a.c.weekday, a.c.hour))
    for weekday, hour, n in conn.execute(q):
        grid[int(weekday)][int(hour)] = int(n)
    return grid


def funnel(conn: Connection, scope: Scope, period: Period, procedure_id: str
           ) -> dict[str, Any]:
    """How many practice attempts reached each step of a procedure (where people drop off)."""
    return funnels(conn, scope, period, [procedure_id])[procedure_id]


def funnels(conn: Connection, scope: Scope, period: Period, procedure_ids: list[str]
            ) -> dict[str, dict[str, Any]]:
    """funnel() of several procedures in one read (the console's "where people stop")."""
    a = t.agg_funnel
    q = (sa.select(a.c.procedure_id, a.c.steps_total, a.c.steps_reached,
                   sa.func.sum(a.c.activities), sa.func.sum(a.c.completed))
         .where(*_where(a, scope, period, monthly_only=True),
                a.c.procedure_id.in_(procedure_ids))
         .group_by(a.c.procedure_id, a.c.steps_total, a.c.steps_reached))
    by_procedure: dict[str, list[Any]] = {p: [] for p in procedure_ids}
    for r in conn.execute(q):
        by_procedure[r[0]].append(r[1:])
    return {p: _funnel_of(p, rows) for p, rows in by_procedure.items()}


def _funnel_of(procedure_id: str, rows: list[Any]) -> dict[str, Any]:
    steps = max((int(r[0]) for r in rows), default=0)
    reached_exactly = [0] * (steps + 1)
    attempts = completed = 0
    for _total, reached, n, done in rows:
        reached_exactly[min(int(reached), steps)] += int(n)
        attempts += int(n)
        completed += int(done)
    reached = []
    running = attempts
    for step in range(1, steps + 1):
        running -= reached_exactly[step - 1]
        reached.append({"step": step, "reached": running})
    return {"procedure_id": procedure_id, "attempts": attempts, "completed": completed,
            "steps": reached}


def parcours_progress(conn: Connection, scope: Scope, period: Period
                      ) -> dict[str, list[dict[str, int]]]:
    """Per parcours, each step's practice attempts and completions over the months of the
    period (steps nobody tried are absent), parcours with most attempts first."""
    a = t.agg_parcours
    q = (sa.select(a.c.parcours_id, a.c.parcours_step, sa.func.sum(a.c.activities),
                   sa.func.sum(a.c.completed))
         .where(*_where(a, scope, period, monthly_only=True))
         .group_by(a.c.parcours_id, a.c.parcours_step))
    found: dict[str, list[dict[str, int]]] = {}
    for parcours_id, step, attempts, completed in conn.execute(q):
        found.setdefault(parcours_id, []).append(
            {"step": int(step), "attempts": int(attempts), "completed": int(completed)})
    for steps in found.values():
        steps.sort(key=lambda s: s["step"])
    return dict(sorted(found.items(), key=lambda kv: (-sum(s["attempts"] for s in kv[1]),
                                                      kv[0])))


SURVEY_CATEGORIES: dict[str, tuple[str, ...]] = {
    "age_bracket": tuple(b.value for b in AgeBracket),
    "autonomy": tuple(a.value for a in SurveyAutonomy),
    "satisfaction": tuple(s.value for s in Satisfaction),
}


def site_month_place(table: sa.Table, scope: Scope) -> list[Any]:
    """The M (site x month x kiosk) rows of a scope, read through a key prefix: a site, a
    territory (its index), or nationally every site by name (site_id IN ...), never a scan."""
    if scope.site_id is not None:
        return [table.c.site_id == scope.site_id]
    if scope.territory_id is not None:
        return [table.c.territory_id == scope.territory_id]
    return [table.c.site_id.in_(sa.select(t.sites.c.id).scalar_subquery())]


def survey_breakdown(conn: Connection, scope: Scope, period: Period, attribute: str,
                     threshold: int) -> ProtectedRow | None:
    """Survey answers for one attribute over the months of the period, protected on site x
    month atoms (kiosk_server.disclosure). None for one kiosk: published per site at finest,
    or site − kiosk would undo the site's masking."""
    if attribute not in SURVEY_CATEGORIES:
        raise ValueError(f"unknown survey attribute {attribute}")
    if scope.kiosk_id is not None:
        return None
    a = t.agg_survey
    col = a.c[attribute]
    first, last = period.months()
    q = (sa.select(a.c.site_id, a.c.period, col, sa.func.sum(a.c.sessions))
         .where(a.c.grain == "M", *site_month_place(a, scope), a.c.period >= first,
                a.c.period <= last)
         .group_by(a.c.site_id, a.c.period, col))
    return protect((((r[0], r[1], attribute), r[2], int(r[3])) for r in conn.execute(q)),
                   SURVEY_CATEGORIES[attribute], threshold)


def comfort_options(conn: Connection, scope: Scope, period: Period) -> dict[str, int]:
    """Sessions per comfort option (large text, high contrast, read aloud); a session that used
    two options counts under each. Every option is present, 0 when unused."""
    a = t.agg_comfort
    q = (sa.select(a.c.comfort_option, sa.func.sum(a.c.sessions))
         .where(*_where(a, scope, period)).group_by(a.c.comfort_option))
    found = {r[0]: int(r[1]) for r in conn.execute(q)}
    return {o.value: found.get(o.value, 0) for o in Accessibility}


AUTONOMY_LEVELS = tuple(level.value for level in Autonomy) + ("",)  # '': not assessed


def autonomy_by_procedure(conn: Connection, scope: Scope, period: Period, threshold: int
                          ) -> list[dict[str, Any]]:
    """Practice attempts per procedure and autonomy level (Coop's three levels; '' when the
    kiosk assessed none), most practised first, over the months of the period. Levels cross a
    place, a period and how a person managed: each procedure's levels are protected on site x
    month atoms (kiosk_server.disclosure); ``masked`` is the sum of its hidden atoms. Empty for
    one kiosk (published per site at finest)."""
    if scope.kiosk_id is not None:
        return []
    a = t.agg_autonomy
    first, last = period.months()
    q = (sa.select(a.c.procedure_id, a.c.site_id, a.c.period, a.c.autonomy,
                   sa.func.sum(a.c.activities))
         .where(a.c.grain == "M", *site_month_place(a, scope), a.c.period >= first,
                a.c.period <= last)
         .group_by(a.c.procedure_id, a.c.site_id, a.c.period, a.c.autonomy))
    atoms: dict[str, list[tuple[Any, str, int]]] = {}
    for procedure_id, site_id, month, level, n in conn.execute(q):
        # The procedure in the atom row's key: each row gets its own secret order, so the
        # complements chosen in one procedure's row teach nothing about another's.
        atoms.setdefault(procedure_id, []).append(((site_id, month, procedure_id), level,
                                                   int(n)))
    rows: list[dict[str, Any]] = []
    for procedure_id, cells in atoms.items():
        row = protect(cells, AUTONOMY_LEVELS, threshold)
        rows.append({"procedure_id": procedure_id, "attempts": row.total, "levels": row.cells,
                     "masked": row.masked})
    rows.sort(key=lambda r: (-r["attempts"], r["procedure_id"]))
    return rows


def sessions_by_kiosk(conn: Connection, scope: Scope, period: Period) -> list[dict[str, Any]]:
    """A site's sessions split by kiosk (its daily per-kiosk rows), most used first; kiosk 0
    holds days aggregated before kiosks were told apart and since purged from the raw records."""
    if scope.site_id is None:
        raise ValueError("sessions by kiosk are read for one site")
    split = _sum_by(session_cells(conn, scope, period), "kiosk_id",
                    ("sessions", "duration_min", "help_requests"))
    ordered = sorted(split.items(), key=lambda item: (-item[1]["sessions"], item[0]))
    return [{"kiosk_id": int(kiosk_id), **sums} for kiosk_id, sums in ordered]
