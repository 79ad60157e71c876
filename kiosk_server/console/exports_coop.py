"""The "Coop" export: a place's figures in the data model of La Coop de la médiation numérique
(kiosk_server.console.coop), so a manager pastes them into the reports they file, or loads
them into a spreadsheet or a BI tool, without copying figures by hand.

- XLSX: a "Lieux" sheet (each site with its SIRET, code INSEE and id in the national
  cartography), then one sheet per month ("Coop 2026-11"): per site, sessions, duration
  buckets, themes, autonomy levels and age brackets with the Coop's codes and labels. Dates
  are dates, counts are numbers.
- CSV, tidy: one row per site × day × dimension (themes, durations, sessions) and per site ×
  month for what is kept per month (autonomy, age brackets); ISO dates; ``;`` and a BOM.

Autonomy and age brackets are protected as everywhere (kiosk_server.disclosure, site × month
atoms): a hidden count has an empty value and the hidden ones are summed in a "masque" row.
"""
from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.engine import Connection

from kiosk_server import queries as q
from kiosk_server import tables as t
from kiosk_server.console import coop
from kiosk_server.console.exports import csv_safe
from kiosk_server.queries import Period

COLUMNS = ["site_id", "site", "territoire", "siret", "code_insee", "id_cartographie_nationale",
           "debut", "fin", "dimension", "code", "libelle", "valeur"]


@dataclass(frozen=True)
class Site:
    id: int
    name: str
    territory: str
    siret: str | None
    code_insee: str | None
    cartography_id: str | None


def sites_of(conn: Connection, scope: q.Scope) -> list[Site]:
    """The sites of a national, territory or site scope, with their identifiers."""
    query = (sa.select(t.sites.c.id, t.sites.c.name, t.territories.c.name.label("territory"),
                       t.sites.c.siret, t.sites.c.code_insee, t.sites.c.cartography_id)
             .select_from(t.sites.join(t.territories)).order_by(t.territories.c.name,
                                                                t.sites.c.name))
    if scope.site_id is not None:
        query = query.where(t.sites.c.id == scope.site_id)
    elif scope.territory_id is not None:
        query = query.where(t.sites.c.territory_id == scope.territory_id)
    return [Site(*row) for row in conn.execute(query)]


@dataclass(frozen=True)
class Fact:
    site: Site
    start: dt.date
    end: dt.date
    dimension: str
    code: str
    label: str
    value: int | None   # None: masked


def _months(period: Period) -> Iterator[Period]:
    first = period.start.replace(day=1)
    while first <= period.end:
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        yield Period(first, last)
        first = last + dt.timedelta(days=1)


def daily_facts(conn: Connection, sites: list[Site], period: Period) -> Iterator[Fact]:
    """Sessions, duration buckets and themes per site and day (days without any: no row)."""
    by_id = {s.id: s for s in sites}
    a, act = t.agg_sessions, t.agg_activities
    where = [a.c.grain == "D", a.c.site_id.in_(list(by_id)), a.c.period >= period.start,
             a.c.period <= period.end]
    for site_id, day, bucket, n in conn.execute(
            sa.select(a.c.site_id, a.c.period, a.c.duration_bucket, sa.func.sum(a.c.sessions))
            .where(*where).group_by(a.c.site_id, a.c.period, a.c.duration_bucket)
            .order_by(a.c.site_id, a.c.period, a.c.duration_bucket)):
        code, label = coop.DURATIONS.get(bucket, (bucket, bucket))
        yield Fact(by_id[site_id], day, day, "duree", code, label, int(n))
    for site_id, day, n in conn.execute(
            sa.select(a.c.site_id, a.c.period, sa.func.sum(a.c.sessions)).where(*where)
            .group_by(a.c.site_id, a.c.period).order_by(a.c.site_id, a.c.period)):
        yield Fact(by_id[site_id], day, day, "sessions", "sessions", "Sessions", int(n))
    for site_id, day, theme, n in conn.execute(
            sa.select(act.c.site_id, act.c.period, act.c.theme, sa.func.sum(act.c.activities))
            .where(act.c.grain == "D", act.c.site_id.in_(list(by_id)),
                   act.c.period >= period.start, act.c.period <= period.end, act.c.theme != "")
            .group_by(act.c.site_id, act.c.period, act.c.theme)
            .order_by(act.c.site_id, act.c.period, act.c.theme)):
        code, label = coop.theme(theme)
        yield Fact(by_id[site_id], day, day, "thematique", code, label, int(n))


def monthly_facts(conn: Connection, sites: list[Site], period: Period, threshold: int
                  ) -> Iterator[Fact]:
    """Autonomy levels and age brackets per site and month, protected."""
    for site in sites:
        scope = q.Scope(site_id=site.id)
        for month in _months(period):
            levels: dict[str, int] = {}
            hidden: set[str] = set()
            masked = 0
            for r in q.autonomy_by_procedure(conn, scope, month, threshold):
                masked += r["masked"]
                for level, v in r["levels"].items():
                    if isinstance(v, int):
                        levels[level] = levels.get(level, 0) + v
                    else:
                        hidden.add(level)
            for level, (code, label) in coop.AUTONOMY.items():
                value = levels.get(level, 0)
                if value or level in hidden:
                    yield Fact(site, month.start, month.end, "autonomie", code, label,
                               value or None)
            if masked:
                yield Fact(site, month.start, month.end, "autonomie", *coop.MASKED, masked)
            ages = q.survey_breakdown(conn, scope, month, "age_bracket", threshold)
            if ages is None:
                continue
            for bracket, count in ages.cells.items():
                if count != 0:
                    code, label = coop.AGE_BRACKETS[bracket]
                    yield Fact(site, month.start, month.end, "tranche_age", code, label,
                               count if isinstance(count, int) else None)
            if ages.masked:
                yield Fact(site, month.start, month.end, "tranche_age", *coop.MASKED,
                           ages.masked)


def facts(conn: Connection, sites: list[Site], period: Period, threshold: int) -> list[Fact]:
    return [*daily_facts(conn, sites, period), *monthly_facts(conn, sites, period, threshold)]


def to_csv(rows: list[Fact]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for f in rows:
        writer.writerow([f.site.id, csv_safe(f.site.name), csv_safe(f.site.territory),
                         f.site.siret or "", f.site.code_insee or "",
                         csv_safe(f.site.cartography_id or ""), f.start.isoformat(),
                         f.end.isoformat(), f.dimension, f.code, f.label,
                         "" if f.value is None else f.value])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[Fact], sites: list[Site], period: Period) -> bytes:
    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.active
    assert ws is not None
    ws.title = "Lieux"
    ws.append(["Site", "Territoire", "SIRET", "Code INSEE", "Id cartographie nationale"])
    for s in sites:
        ws.append([s.name, s.territory, s.siret, s.code_insee, s.cartography_id])
    _strings(ws)
    for month in _months(period):
        sheet = wb.create_sheet(f"Coop {month.start:%Y-%m}")
        sheet.append(["Site", "SIRET", "Code INSEE", "Id cartographie nationale", "Mois",
                      "Dimension", "Code Coop", "Libellé Coop", "Valeur"])
        totals: dict[tuple[int, str, str, str], int | None] = {}
        for f in rows:
            if month.start <= f.start <= month.end:
                key = (f.site.id, f.dimension, f.code, f.label)
                if f.value is None:
                    totals.setdefault(key, None)
                else:
                    totals[key] = (totals.get(key) or 0) + f.value
        by_id = {s.id: s for s in sites}
        for (site_id, dimension, code, label), value in totals.items():
            s = by_id[site_id]
            sheet.append([s.name, s.siret, s.code_insee, s.cartography_id, month.start,
                          dimension, code, label, "masqué" if value is None else value])
            sheet.cell(row=sheet.max_row, column=5).number_format = "mmmm yyyy"
        _strings(sheet)
        for c in sheet[1]:
            c.font = bold
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _strings(ws: Any) -> None:
    """Names typed by people never become formulas (see kiosk_server.console.exports)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"
