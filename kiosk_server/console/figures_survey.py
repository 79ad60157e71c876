"""Figures of the "Questionnaire" page: the voluntary end-of-session survey, small counts
masked."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from kiosk_server import queries as q
from kiosk_server.console import labels as L
from kiosk_server.console.figures_base import Table
from kiosk_server.queries import Period


def survey(conn: Connection, scope: q.Scope, period: Period, attribute: str,
           threshold: int) -> Table:
    title, names = L.SURVEY_ATTRIBUTES[attribute]
    found = {r[attribute]: r["sessions"]
             for r in q.survey_breakdown(conn, scope, period, attribute, threshold)}
    rows = [[label, found[code]] for code, label in names.items() if code in found]
    return Table(f"enquete_{attribute}", f"Questionnaire : {title.lower()}",
                 [title, "Réponses"], rows, chart="hbar",
                 note=f"Les effectifs inférieurs à {threshold} sont affichés « < {threshold} ».")
