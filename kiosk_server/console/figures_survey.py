"""Figures of the "Questionnaire" page: the voluntary end-of-session survey, protected against
small counts (kiosk_server.disclosure)."""
from __future__ import annotations

from sqlalchemy.engine import Connection

from kiosk_server import queries as q
from kiosk_server.console import labels as L
from kiosk_server.console import site_months
from kiosk_server.console.figures_base import MASKED_ROW, Cell, Table, masking_note
from kiosk_server.disclosure import summed
from kiosk_server.queries import Period

__all__ = ["MASKED_ROW", "survey"]


def survey(conn: Connection, scope: q.Scope, period: Period, attribute: str,
           threshold: int) -> Table:
    title, names = L.SURVEY_ATTRIBUTES[attribute]
    key, caption = f"enquete_{attribute}", f"Questionnaire : {title.lower()}"
    read = None
    if scope.kiosk_id is None:  # published per site at finest
        # Each month's answers kept per server process (site_months.each_month): a national
        # year is a quarter of a million site x month atoms to protect.
        # (survey_breakdown is None for one kiosk only: never here)
        read = summed([part for _month, part in site_months.each_month(
            conn, ("survey", attribute, scope.territory_id, scope.site_id, threshold), period,
            lambda m: q.survey_breakdown(conn, scope, Period(m, m), attribute, threshold))
            if part is not None])
    if read is None:
        return Table(key, caption, [title, "Réponses"], [], chart="hbar",
                     note="Publié par site au plus fin : une borne seule donnerait à "
                          "retrouver des effectifs masqués.")
    rows: list[list[Cell]] = [[names[code], value] for code, value in read.cells.items()
                              if value != 0]
    if read.masked:
        rows.append([MASKED_ROW, read.masked])
    return Table(key, caption, [title, "Réponses"], rows, chart="hbar",
                 note=masking_note(threshold))
