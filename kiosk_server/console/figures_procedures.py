"""Figures of the "Démarches" page: most practised procedures and their completion, themes,
autonomy per procedure, and the funnels that show at which step people stop."""
from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from kiosk_server import autonomy_months
from kiosk_server import queries as q
from kiosk_server.console import labels as L
from kiosk_server.console import site_months
from kiosk_server.console.figures_base import Cell, Table, is_masked, masking_note, pct
from kiosk_server.procedures import titles
from kiosk_server.queries import Period


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
        rows.append([L.step(procedure_id, s["step"], len(f["steps"])), s["reached"],
                     previous - s["reached"]])
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


def autonomy(conn: Connection, scope: q.Scope, period: Period, threshold: int,
             limit: int = 15) -> Table:
    """Autonomy per procedure, in La Coop's three levels, as the kiosk assessed each attempt
    (hints asked, errors made). Small counts are protected like survey answers: each level
    counts its publishable attempts, "Masqué" the others."""
    levels = [k for k in L.PRACTICE_AUTONOMY]
    rows: list[list[Cell]] = []
    for r in _autonomy_rows(conn, scope, period, threshold)[:limit]:
        cells = [r["levels"][k] for k in levels]
        alone = r["levels"]["autonomous"]
        share = "—" if is_masked(alone) or r["masked"] else pct(int(alone), r["attempts"])
        rows.append([L.procedure(r["procedure_id"]), r["attempts"], *cells, r["masked"], share])
    note = masking_note(threshold) if scope.kiosk_id is None else (
        "Publié par site au plus fin : une borne seule donnerait à retrouver des effectifs "
        "masqués.")
    return Table("autonomie", "Autonomie par démarche",
                 ["Démarche", "Tentatives", *L.PRACTICE_AUTONOMY.values(), "Masqué",
                  "Part « Autonome »"],
                 rows, chart="stack", value_col=2, series=len(levels),
                 note="Niveaux de La Coop de la médiation numérique, évalués par la borne "
                      "(indices demandés, erreurs), sur les mois entiers de la période. " + note)


def _autonomy_rows(conn: Connection, scope: q.Scope, period: Period, threshold: int
                   ) -> list[dict[str, Any]]:
    """queries.autonomy_by_procedure's rows, as the sums of its months' kept per server
    process (kiosk_server.autonomy_months): a national year is millions of atoms."""
    if scope.kiosk_id is not None:
        return []  # published per site at finest
    sums: dict[str, autonomy_months.ProcedureSums] = {}
    for _month, part in site_months.each_month(
            conn, ("autonomy", scope.territory_id, scope.site_id, threshold), period,
            lambda m: autonomy_months.month_sums(conn, scope, m, threshold)):
        autonomy_months.add_months(sums, part)
    return autonomy_months.published(sums, threshold)


def parcours_progress(conn: Connection, scope: q.Scope, period: Period) -> Table:
    """How far residents go in each parcours: per step, the attempts and the exercises
    finished (counted anonymously: a parcours id and a step rank, nothing else)."""
    from kiosk_wire.catalogue import shipped_parcours

    known = shipped_parcours()
    rows: list[list[Cell]] = []
    for parcours_id, steps in q.parcours_progress(conn, scope, period).items():
        entry = known.get(parcours_id)
        title = entry.title_fr if entry is not None else (titles.parcours(parcours_id)
                                                          or parcours_id)
        for s in steps:
            procedure_id = entry.steps[s["step"] - 1] \
                if entry is not None and s["step"] <= len(entry.steps) else ""
            exercise = f"{s['step']}. {L.procedure(procedure_id)}" if procedure_id \
                else str(s["step"])
            rows.append([title, exercise, s["attempts"], s["completed"],
                         pct(s["completed"], s["attempts"])])
    return Table("parcours_suivis", "Parcours suivis",
                 ["Parcours", "Exercice", "Tentatives", "Terminés", "Taux de réussite"], rows,
                 chart="none",
                 note="Exercices faits dans un parcours, sur les mois entiers de la période.")
