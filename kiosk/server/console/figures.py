"""The figures of the dashboards and exports, assembled from kiosk.server.queries.

Every figure is a :class:`Table` (title, columns, rows of French labels and numbers); a chart is
drawn from a table and the table itself is always shown beside it, and exported. Pages and exports
use the same functions, so a CSV says exactly what the screen says. Counts below the small-count
threshold arrive from the queries as :class:`Masked` and stay masked everywhere ("< 5").
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from kiosk.server import live
from kiosk.server import queries as q
from kiosk.server.console import labels as L
from kiosk.server.queries import Masked, Period

Cell = Any  # str | int | float | Masked | None

PRESETS: dict[str, str] = {
    "mois": "Ce mois-ci",
    "mois_precedent": "Le mois dernier",
    "30_jours": "Les 30 derniers jours",
    "3_mois": "Les 3 derniers mois",
    "12_mois": "Les 12 derniers mois",
    "annee": "Cette année",
    "perso": "Période personnalisée",
}
MAX_SPAN_DAYS = 3 * 366
MAX_DAILY_DAYS = 92  # longer periods are drawn per week or per month


class PeriodError(ValueError):
    """A custom period that cannot be used; the message is French, for the user."""


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: str = "bar"          # bar | hbar | line | heat | none
    value_col: int = 1          # the column the chart draws
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.rows


class MemoConnection:
    """A connection that runs each distinct statement once per page: several figures share a
    query (the hour-of-week grid feeds three tables; the totals feed four), and every query is
    a read of the aggregates, so within one request its answer cannot change."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._memo: dict[tuple[str, str], Any] = {}

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return self._conn.execute(statement, *args, **kwargs)
        compiled = statement.compile(dialect=self._conn.dialect)
        key = (compiled.string, repr(sorted(compiled.params.items(), key=lambda kv: kv[0])))
        frozen = self._memo.get(key)
        if frozen is None:
            frozen = self._memo[key] = self._conn.execute(statement).freeze()
        return frozen()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def resolve_period(preset: str | None, start: str | None, end: str | None,
                   today: dt.date | None = None) -> tuple[Period, str]:
    today = today or dt.date.today()
    preset = preset if preset in PRESETS else "mois"
    if preset == "perso":
        try:
            first = dt.date.fromisoformat((start or "").strip())
            last = dt.date.fromisoformat((end or "").strip())
        except ValueError:
            raise PeriodError("Dates invalides : indiquez un début et une fin au format "
                              "jj/mm/aaaa.") from None
        if last < first:
            raise PeriodError("La fin de la période est avant son début.")
        if (last - first).days > MAX_SPAN_DAYS:
            raise PeriodError("La période ne peut pas dépasser 3 ans.")
        return Period(first, last), f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}"
    month_start = today.replace(day=1)
    if preset == "mois_precedent":
        last = month_start - dt.timedelta(days=1)
        return Period(last.replace(day=1), last), L.month(last)
    if preset == "30_jours":
        return Period(today - dt.timedelta(days=29), today), PRESETS[preset].lower()
    if preset == "3_mois":
        return Period.last_months(3, today), PRESETS[preset].lower()
    if preset == "12_mois":
        return Period.last_months(12, today), PRESETS[preset].lower()
    if preset == "annee":
        return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)), str(today.year)
    return Period(month_start, month_start.replace(
        day=calendar.monthrange(today.year, today.month)[1])), L.month(today)


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else "—"


# --- overview --------------------------------------------------------------------------------
def kpis(conn: Connection, scope: q.Scope, period: Period) -> list[tuple[str, Cell]]:
    s = q.sessions_summary(conn, scope, period)
    dev = q.device_usage(conn, scope, period)
    practice = [r for r in q.activities_by_procedure(conn, scope, period)
                if r["kind"] == "practice"]
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
                       grain: str | None = None) -> Table:
    span = (period.end - period.start).days + 1
    grain = grain if grain in ("jour", "semaine", "mois") else (
        "jour" if span <= 62 else "semaine" if span <= MAX_DAILY_DAYS else "mois")
    if grain != "mois" and span > MAX_DAILY_DAYS * 2:
        grain = "mois"  # daily rows over a long period would be slow and unreadable
    if grain == "mois":
        if scope.site_id is not None:
            # Sessions are aggregated per day for a site (a few rows a day): sum its months.
            first, last = period.months()
            months: dict[dt.date, int] = {}
            for r in q.daily_sessions(conn, scope, Period(first, _month_end(last))):
                key = r["day"].replace(day=1)
                months[key] = months.get(key, 0) + r["sessions"]
            per_month = [{"month": m, "sessions": n} for m, n in sorted(months.items())]
        else:
            per_month = q.monthly_sessions(conn, scope, period)
        rows = [[L.month(r["month"]).capitalize(), r["sessions"]] for r in per_month]
        title, col = "Sessions par mois", "Mois"
    else:
        days = q.daily_sessions(conn, scope, period)
        if grain == "semaine":
            weeks: dict[dt.date, int] = {}
            for r in days:
                weeks[_week_start(r["day"])] = weeks.get(_week_start(r["day"]), 0) + r["sessions"]
            rows = [[f"Semaine du {w:%d/%m/%Y}", n] for w, n in sorted(weeks.items())]
            title, col = "Sessions par semaine", "Semaine"
        else:
            rows = [[f"{r['day']:%d/%m/%Y}", r["sessions"]] for r in days]
            title, col = "Sessions par jour", "Jour"
    return Table("sessions_temps", title, [col, "Sessions"], rows,
                 chart="line" if len(rows) > 14 else "bar", note=grain)


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
    s = q.sessions_summary(conn, scope, period)
    if not s["sessions"]:
        return Table("confort", "Options de confort", ["Sessions", "Nombre"], [])
    rows = [["Avec une option de confort", s["accessible_sessions"]],
            ["Sans option", s["sessions"] - s["accessible_sessions"]]]
    return Table("confort", "Options de confort", ["Sessions", "Nombre"], rows, chart="hbar",
                 note="Options : grands caractères, contraste renforcé, lecture à voix haute.")


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
        rows.append(["Délai médian de réponse", _duration(waits[len(waits) // 2])])
        rows.append(["Appels pris en charge en moins de 2 min",
                     pct(sum(1 for w in waits if w < 120), len(waits))])
    return Table("reponses", "Réponse aux appels (« J'arrive »)", ["Indicateur", "Valeur"],
                 rows, chart="none")


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"


# --- procedures ------------------------------------------------------------------------------
def top_procedures(conn: Connection, scope: q.Scope, period: Period, limit: int = 15) -> Table:
    rows = []
    for r in q.activities_by_procedure(conn, scope, period):
        if r["kind"] != "practice" or not r["procedure_id"]:
            continue
        rows.append([L.procedure(r["procedure_id"]), L.theme(r["theme"]), r["activities"],
                     r["completed"], pct(r["completed"], r["activities"]), r["hints_used"],
                     r["errors"]])
    return Table("demarches", "Démarches les plus pratiquées",
                 ["Démarche", "Thématique", "Tentatives", "Terminées", "Taux de réussite",
                  "Indices demandés", "Erreurs"], rows[:limit], chart="hbar", value_col=2)


def themes(conn: Connection, scope: q.Scope, period: Period) -> Table:
    rows = [[L.theme(r["theme"]), r["activities"], r["completed"]]
            for r in q.activities_by_theme(conn, scope, period)]
    return Table("thematiques", "Thématiques", ["Thématique", "Activités", "Terminées"], rows,
                 chart="hbar")


def practised_procedures(conn: Connection, scope: q.Scope, period: Period) -> list[str]:
    return [r["procedure_id"] for r in q.activities_by_procedure(conn, scope, period)
            if r["kind"] == "practice" and r["procedure_id"]]


def funnel(conn: Connection, scope: q.Scope, period: Period, procedure_id: str,
           read: dict[str, Any] | None = None) -> Table:
    f = read if read is not None else q.funnel(conn, scope, period, procedure_id)
    rows: list[list[Cell]] = []
    previous = f["attempts"]
    for s in f["steps"]:
        rows.append([f"Étape {s['step']}", s["reached"], previous - s["reached"]])
        previous = s["reached"]
    if f["attempts"]:
        rows.append(["Démarche terminée", f["completed"], previous - f["completed"]])
    return Table("parcours", f"Parcours : {L.procedure(procedure_id)}",
                 ["Étape", "Personnes arrivées", "Arrêts avant cette étape"], rows,
                 note=procedure_id)


def drop_offs(conn: Connection, scope: q.Scope, period: Period, procedure_ids: list[str],
              read: dict[str, dict[str, Any]] | None = None) -> Table:
    """For each procedure, the step before which most people stop: where to help."""
    rows = []
    if read is None:
        read = q.funnels(conn, scope, period, procedure_ids) if procedure_ids else {}
    for pid in procedure_ids:
        f = funnel(conn, scope, period, pid, read[pid])
        if not f.rows:
            continue
        worst = max(f.rows, key=lambda r: r[2])
        attempts = f.rows[0][1] + f.rows[0][2]
        rows.append([L.procedure(pid), attempts, worst[0], worst[2], pct(worst[2], attempts)])
    rows.sort(key=lambda r: -r[3])
    return Table("arrets", "Où les gens s'arrêtent",
                 ["Démarche", "Tentatives", "Étape où l'on s'arrête le plus", "Arrêts",
                  "Part des tentatives"], rows, chart="none")


# --- attendance ------------------------------------------------------------------------------
def heat_map(conn: Connection, scope: q.Scope, period: Period) -> Table:
    grid = q.hour_of_week(conn, scope, period)
    hours = [h for h in range(24) if any(grid[d][h] for d in range(7))]
    if hours:
        hours = list(range(min(hours), max(hours) + 1))
    rows = [[L.WEEKDAYS[d]] + [grid[d][h] for h in hours] for d in range(7)] if hours else []
    return Table("heures", "Fréquentation par jour et par heure (mois entiers de la période)",
                 ["Jour"] + [f"{h} h" for h in hours], rows, chart="heat")


def by_hour(conn: Connection, scope: q.Scope, period: Period) -> Table:
    grid = q.hour_of_week(conn, scope, period)
    rows = [[f"{h} h", sum(grid[d][h] for d in range(7))] for h in range(24)]
    rows = [r for r in rows if r[1]]
    return Table("par_heure", "Sessions selon l'heure d'arrivée", ["Heure", "Sessions"], rows)


def by_weekday(conn: Connection, scope: q.Scope, period: Period) -> Table:
    grid = q.hour_of_week(conn, scope, period)
    rows = [[L.WEEKDAYS[d], sum(grid[d])] for d in range(7)]
    return Table("par_jour", "Sessions selon le jour de la semaine", ["Jour", "Sessions"],
                 rows if any(r[1] for r in rows) else [])


# --- survey ----------------------------------------------------------------------------------
def survey(conn: Connection, scope: q.Scope, period: Period, attribute: str,
           threshold: int) -> Table:
    title, names = L.SURVEY_ATTRIBUTES[attribute]
    found = {r[attribute]: r["sessions"]
             for r in q.survey_breakdown(conn, scope, period, attribute, threshold)}
    rows = [[label, found[code]] for code, label in names.items() if code in found]
    return Table(f"enquete_{attribute}", f"Questionnaire : {title.lower()}",
                 [title, "Réponses"], rows, chart="hbar",
                 note=f"Les effectifs inférieurs à {threshold} sont affichés « < {threshold} ».")


def is_masked(cell: Cell) -> bool:
    return isinstance(cell, Masked)


# --- the pages -------------------------------------------------------------------------------
PAGES: dict[str, str] = {
    "synthese": "Synthèse",
    "demarches": "Démarches",
    "frequentation": "Fréquentation",
    "questionnaire": "Questionnaire",
}


def page_tables(conn: Connection, page: str, scope: q.Scope, period: Period, threshold: int,
                options: dict[str, str], site_ids: list[int] | None = None) -> list[Table]:
    """``site_ids``: the sites of a site or territory scope (None nationally), for the live
    help requests, which are kept per site."""
    if page == "synthese":
        tables = [sessions_over_time(conn, scope, period, options.get("par")),
                  durations(conn, scope, period), devices(conn, scope, period),
                  help_requests(conn, scope, period)]
        answers = help_answers(conn, site_ids, period) if site_ids is not None else None
        if answers is not None and not answers.empty:  # shown once there were live calls
            tables.append(answers)
        return tables + [languages(conn, scope, period), comfort(conn, scope, period),
                         end_reasons(conn, scope, period)]
    if page == "demarches":
        practised = practised_procedures(conn, scope, period)
        chosen = options.get("demarche") or (practised[0] if practised else "")
        wanted = practised[:10] + ([chosen] if chosen and chosen not in practised[:10] else [])
        read = q.funnels(conn, scope, period, wanted) if wanted else {}  # one read for all
        tables = [top_procedures(conn, scope, period),
                  drop_offs(conn, scope, period, practised[:10], read)]
        if chosen:
            tables.append(funnel(conn, scope, period, chosen, read[chosen]))
        tables.append(themes(conn, scope, period))
        return tables
    if page == "frequentation":
        return [heat_map(conn, scope, period), by_weekday(conn, scope, period),
                by_hour(conn, scope, period),
                sessions_over_time(conn, scope, period, options.get("par"))]
    if page == "questionnaire":
        return [survey(conn, scope, period, a, threshold) for a in L.SURVEY_ATTRIBUTES]
    raise KeyError(page)


def export_tables(conn: Connection, scope: q.Scope, period: Period, threshold: int,
                  site_ids: list[int] | None = None) -> list[Table]:
    """Everything, for CSV/XLSX: key figures first, then each page's tables."""
    totals = Table("totaux", "Totaux", ["Indicateur", "Valeur"],
                   [[k, v] for k, v in kpis(conn, scope, period)])
    practised = practised_procedures(conn, scope, period)
    tables = [totals, sessions_over_time(conn, scope, period), durations(conn, scope, period),
              top_procedures(conn, scope, period, limit=500), themes(conn, scope, period),
              drop_offs(conn, scope, period, practised[:50]), devices(conn, scope, period),
              languages(conn, scope, period), comfort(conn, scope, period),
              end_reasons(conn, scope, period), by_weekday(conn, scope, period),
              by_hour(conn, scope, period)]
    tables += [survey(conn, scope, period, a, threshold) for a in L.SURVEY_ATTRIBUTES]
    if site_ids is not None:
        tables.append(help_answers(conn, site_ids, period))
    return tables
