"""Figures of the "Synthèse" page: key figures, sessions over time, durations (Coop buckets),
scans/copies/prints, languages, comfort options one by one, how sessions end, help calls."""
from __future__ import annotations

import calendar
import datetime as dt
import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import live, official_site_figures
from kiosk_server import queries as q
from kiosk_server import tables as t
from kiosk_server.console import labels as L
from kiosk_server.console import site_months
from kiosk_server.console.figures_base import (
    MASKED_ROW,
    Cell,
    Day,
    Duration,
    Table,
    masking_note,
    pct,
)
from kiosk_server.queries import Period

MAX_DAILY_DAYS = 92  # longer periods are drawn per week or per month


def period_parts(scope: q.Scope, period: Period) -> list[Period]:
    """A period read as its whole months and the days at either end. Above site level a
    period that is not whole months reads day × territory rows (kiosk_server.queries), a year
    of them for "the same days last year"; its whole months read month rows instead, a
    thirtieth as many, and only the edges read days. For sums only: the parts are disjoint."""
    if scope.site_id is not None or period.whole_months:
        return [period]
    first = (period.start if period.start.day == 1 else
             _month_end(period.start) + dt.timedelta(days=1))
    last = (period.end if period.end == _month_end(period.end) else
            period.end.replace(day=1) - dt.timedelta(days=1))
    if first > last:  # no whole month inside
        return [period]
    parts = [Period(first, last)]
    if period.start < first:
        parts.insert(0, Period(period.start, first - dt.timedelta(days=1)))
    if last < period.end:
        parts.append(Period(last + dt.timedelta(days=1), period.end))
    return parts


def _totals(conn: Connection, scope: q.Scope, period: Period
            ) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """sessions_summary() and activities_by_procedure() of the period, summed over its parts.
    The parts that are whole months are read once and kept between views until a record of
    one of their months arrives (console.site_months): a site (or kiosk) has daily rows only,
    so each of its months is a part; above site level the whole months are one part of month
    rows. The key figures and their comparisons then read only the days at the edges."""
    sessions: dict[str, int] = {}
    activities: dict[tuple[str, Any, Any], dict[str, Any]] = {}
    versions = site_months.month_versions(conn, period)
    parts = []
    for part in (period_parts(scope, period) if scope.site_id is None
                 else site_months.month_parts(period)):
        read = functools.partial(_read_totals, conn, scope, part)
        if part.whole_months:  # kept; the days at the edges are read every time
            version = tuple(versions.get(m, 0) for m in site_months.months_of(part))
            parts.append(site_months.kept(conn, ("totals", scope, part.end), part.start,
                                          version, read))
        else:
            parts.append(read())
    for part_sessions, part_activities in parts:
        for key, value in part_sessions.items():
            sessions[key] = sessions.get(key, 0) + value
        for r in part_activities:
            row = activities.setdefault((r["kind"], r["procedure_id"], r["theme"]),
                                        {**r, **{m: 0 for m in ACTIVITY_MEASURES}})
            for m in ACTIVITY_MEASURES:
                row[m] += r[m]
    return sessions, list(activities.values())


def _read_totals(conn: Connection, scope: q.Scope, part: Period
                 ) -> tuple[dict[str, int], list[dict[str, Any]]]:
    return q.sessions_summary(conn, scope, part), q.activities_by_procedure(conn, scope, part)


ACTIVITY_MEASURES = ("activities", "completed", "pages", "hints_used", "errors")


def kpis(conn: Connection, scope: q.Scope, period: Period) -> list[tuple[str, Cell]]:
    s, rows = _totals(conn, scope, period)
    dev = {k: {"activities": 0, "pages": 0} for k in ("scan", "copy", "print", "help")}
    for r in rows:  # as queries.device_usage() sums them
        if r["kind"] in dev:
            dev[r["kind"]]["activities"] += r["activities"]
            dev[r["kind"]]["pages"] += r["pages"]
    practice = [r for r in rows if r["kind"] == "practice"]
    attempts = sum(r["activities"] for r in practice)
    done = sum(r["completed"] for r in practice)
    mean = round(s["duration_min"] / s["sessions"]) if s["sessions"] else 0
    return [
        ("Sessions", s["sessions"]),
        ("Durée moyenne (min)", mean),
        ("Appels à un médiateur", s["help_requests"]),
        ("Sessions avec une option de confort", s["accessible_sessions"]),
        ("Démarches d'entraînement", attempts),
        ("Démarches terminées", done),
        ("Numérisations", dev["scan"]["activities"]),
        ("Copies", dev["copy"]["activities"]),
        ("Impressions", dev["print"]["activities"]),
        ("Pages imprimées ou copiées", dev["print"]["pages"] + dev["copy"]["pages"]),
    ]


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def sessions_over_time(conn: Connection, scope: q.Scope, period: Period,
                       grain: str | None = None, today: dt.date | None = None) -> Table:
    """Sessions per day, week or month, every one of them up to today: a day without a
    session is a 0 (a chart must not join across it, an export must not skip it); the week or
    month still running is marked "(en cours)"."""
    today = today or dt.date.today()
    span = (period.end - period.start).days + 1
    grain = grain if grain in ("jour", "semaine", "mois") else (
        "jour" if span <= 62 else "semaine" if span <= MAX_DAILY_DAYS else "mois")
    if grain != "mois" and span > MAX_DAILY_DAYS * 2:
        grain = "mois"  # daily rows over a long period would be slow and unreadable
    last = min(period.end, today)
    if grain == "mois":
        if scope.site_id is not None:
            # Sessions are aggregated per day for a site (a few rows a day): sum its months.
            first, last_month = period.months()
            found: dict[dt.date, int] = {}
            for r in q.daily_sessions(conn, scope, Period(first, _month_end(last_month))):
                key = r["day"].replace(day=1)
                found[key] = found.get(key, 0) + r["sessions"]
        else:
            found = {r["month"]: r["sessions"] for r in q.monthly_sessions(conn, scope, period)}
        keys = _months(period.start.replace(day=1), last.replace(day=1))
        rows = [[Day(m, "mois", _month_end(m) >= today), found.get(m, 0)] for m in keys]
        title, col = "Sessions par mois", "Mois"
    else:
        days = {r["day"]: r["sessions"] for r in q.daily_sessions(conn, scope, period)}
        if grain == "semaine":
            weeks: dict[dt.date, int] = {}
            for day in _days(period.start, last):
                weeks[_week_start(day)] = weeks.get(_week_start(day), 0) + days.get(day, 0)
            rows = [[Day(w, "semaine", w + dt.timedelta(days=6) >= today), n]
                    for w, n in sorted(weeks.items())]
            title, col = "Sessions par semaine", "Semaine"
        else:
            rows = [[Day(d), days.get(d, 0)] for d in _days(period.start, last)]
            title, col = "Sessions par jour", "Jour"
    return Table("sessions_temps", title, [col, "Sessions"], rows,
                 chart="line" if len(rows) > 14 else "bar", note=grain)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out = []
    while first <= last:
        out.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return out


def durations(conn: Connection, scope: q.Scope, period: Period) -> Table:
    found = {r["duration_bucket"]: r["sessions"]
             for r in q.sessions_by(conn, scope, period, "duration_bucket")}
    rows = [[label, found.get(code, 0)] for code, label in L.DURATION_BUCKETS.items()]
    return Table("durees", "Durée des sessions", ["Durée", "Sessions"],
                 rows if any(r[1] for r in rows) else [])


def devices(conn: Connection, scope: q.Scope, period: Period) -> Table:
    dev = q.device_usage(conn, scope, period)
    rows = [[L.KINDS[k], dev[k]["activities"], dev[k]["pages"]]
            for k in ("scan", "copy", "print")]
    return Table("equipements", "Numérisations, copies et impressions",
                 ["Usage", "Nombre", "Pages"], rows if any(r[1] for r in rows) else [])


def languages(conn: Connection, scope: q.Scope, period: Period) -> Table:
    rows = [[L.LANGUAGES.get(r["language"], r["language"]), r["sessions"]]
            for r in q.sessions_by(conn, scope, period, "language")]
    return Table("langues", "Langues utilisées", ["Langue", "Sessions"], rows, chart="hbar")


def comfort(conn: Connection, scope: q.Scope, period: Period) -> Table:
    """Each comfort option on its own (a session may use several), then with/without any."""
    s = q.sessions_summary(conn, scope, period)
    columns = ["Option de confort", "Sessions"]
    if not s["sessions"]:
        return Table("confort", "Options de confort", columns, [])
    per_option = q.comfort_options(conn, scope, period)
    rows: list[list[Cell]] = [[L.COMFORT_OPTIONS.get(o, o), n] for o, n in per_option.items()]
    rows += [["Au moins une option", s["accessible_sessions"]],
             ["Aucune option", s["sessions"] - s["accessible_sessions"]]]
    return Table("confort", "Options de confort", columns, rows, chart="hbar",
                 note="Une session qui a utilisé plusieurs options compte pour chacune.")


def official_sites(conn: Connection, scope: q.Scope, period: Period, threshold: int) -> Table:
    """The official sites opened in the kiosks' browser, by sessions (keys only were sent:
    never an address or a page), small counts protected (kiosk_server.official_site_figures):
    the hidden ones are summed in one "Masqué" line, without their minutes."""
    columns = ["Site officiel", "Sessions", "Minutes", "Durée moyenne (min)"]
    about = ("Sessions qui ont ouvert le site dans le navigateur de la borne, sur les mois "
             "entiers de la période ; une session qui a ouvert deux sites compte pour chacun. ")
    read = None
    if scope.kiosk_id is None:  # never published for one kiosk
        sums = official_site_figures.MonthSums()
        for _month, part in site_months.each_month(
                conn, ("official_sites", scope.territory_id, scope.site_id, threshold), period,
                lambda m: official_site_figures.month_sums(conn, scope, m, m, threshold)):
            sums.add(part)
        read = official_site_figures.published(sums)
    if read is None:
        return Table("sites_officiels", "Sites officiels les plus ouverts", columns, [],
                     chart="hbar", note=about + "Publié par site au plus fin : une borne "
                                                "seule donnerait à retrouver des effectifs "
                                                "masqués.")
    rows: list[list[Cell]] = [
        [L.official_site(r["site"]), r["sessions"], r["minutes"],
         round(r["minutes"] / r["sessions"])] for r in read.rows]
    if read.masked:
        rows.append([MASKED_ROW, read.masked, "—", "—"])
    return Table("sites_officiels", "Sites officiels les plus ouverts", columns, rows,
                 chart="hbar", note=about + masking_note(threshold))


def kiosks(conn: Connection, scope: q.Scope, period: Period) -> Table:
    """A site's kiosks side by side (which one is used, which one calls for help)."""
    rows = q.sessions_by_kiosk(conn, scope, period) if scope.site_id is not None else []
    names = dict(conn.execute(sa.select(t.kiosks.c.id, t.kiosks.c.name)
                              .where(t.kiosks.c.site_id == scope.site_id)).all()) if rows else {}
    return Table("bornes", "Sessions par borne",
                 ["Borne", "Sessions", "Durée moyenne (min)", "Appels à un médiateur"],
                 [[names.get(r["kiosk_id"], "Borne non identifiée (données anciennes)"),
                   r["sessions"], round(r["duration_min"] / r["sessions"]) if r["sessions"] else 0,
                   r["help_requests"]] for r in rows], chart="hbar")


def end_reasons(conn: Connection, scope: q.Scope, period: Period) -> Table:
    rows = [[L.END_REASONS.get(r["end_reason"], r["end_reason"]), r["sessions"]]
            for r in q.sessions_by(conn, scope, period, "end_reason")]
    return Table("fins", "Fin des sessions", ["Fin", "Sessions"], rows, chart="hbar")


def help_requests(conn: Connection, scope: q.Scope, period: Period) -> Table:
    s = q.sessions_summary(conn, scope, period)
    rows = [["Appels à un médiateur pendant une session", s["help_requests"]],
            ["Sessions", s["sessions"]]] if s["sessions"] else []
    return Table("aide", "Appels à un médiateur", ["Indicateur", "Nombre"], rows, chart="none")


def help_answers(conn: Connection, site_ids: list[int], period: Period) -> Table:
    """How fast a mediator answered "J'arrive" (live help requests, not statistics records)."""
    start = dt.datetime.combine(period.start, dt.time(), dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), dt.UTC)
    times = live.help_request_times(conn, site_ids, start, end) if site_ids else []
    waits = sorted((acked - asked).total_seconds() for asked, acked in times if acked)
    if not times:
        return Table("reponses", "Réponse aux appels (« J'arrive »)", ["Indicateur", "Valeur"],
                     [], chart="none")
    rows: list[list[Cell]] = [["Appels reçus par la console", len(times)],
                              ["Appels pris en charge", len(waits)]]
    if waits:
        rows.append(["Délai médian de réponse", Duration(waits[len(waits) // 2])])
        rows.append(["Appels pris en charge en moins de 2 min",
                     pct(sum(1 for w in waits if w < 120), len(waits))])
    return Table("reponses", "Réponse aux appels (« J'arrive »)", ["Indicateur", "Valeur"],
                 rows, chart="none")

