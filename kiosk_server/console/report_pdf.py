"""The summary of a place and period as an A4 PDF made by the server (fpdf2), for the monthly
reports (kiosk_server/monthly_reports.py): the same key figures and tables as the printable page
(summary.py), masked cells included as "masqué". No browser is needed on the server.

DejaVu Sans (Debian's fonts-dejavu-core, the console's own typeface) carries the French
typography (narrow no-break spaces in numbers, « », ’); without it the report cannot be made and
:class:`ReportError` says so.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from kiosk_server.console.figures_base import Cell
from kiosk_server.console.summary import Summary

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MARGIN_MM = 14.0
INK = (29, 36, 51)
MUTED = (91, 100, 117)
BLUE = (24, 74, 148)
KPIS_PER_ROW = 5
FOOTER = ("Statistiques anonymes : aucune donnée personnelle n'est collectée par les bornes. "
          "Durées selon les tranches de La Coop de la médiation numérique.")


class ReportError(Exception):
    """The PDF cannot be made on this server (a font is missing); the message says what."""


def cell_text(value: Cell) -> str:
    """As the console shows it: 1 234 with a narrow no-break space, "masqué", "" for none."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", "\u202f")
    return str(value)


def render(content: Summary, place: str, period_label: str, start: dt.date, end: dt.date,
           edited: dt.date) -> bytes:
    """One A4 page (two at most for a place with very long procedure names)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, MARGIN_MM)
    try:
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    except (OSError, RuntimeError) as err:
        raise ReportError(f"font for the monthly report missing in {FONT_DIR} "
                          f"(Debian package fonts-dejavu-core): {err}") from err
    pdf.set_title(f"Résumé d'activité · {place} · {period_label}")
    pdf.set_creator("kiosk-server")
    pdf.set_lang("fr")
    pdf.add_page()
    width = pdf.w - 2 * MARGIN_MM

    def text(line: str, size: float, bold: bool = False, colour: tuple[int, int, int] = INK,
             gap: float = 1.0) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(width, size * 0.45, line, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    text("Bornes en libre-service · résumé d'activité", 9, colour=MUTED)
    text(place, 17, bold=True)
    text(f"{period_label} · du {start.strftime('%d/%m/%Y')} au {end.strftime('%d/%m/%Y')}", 10,
         colour=MUTED, gap=3)

    # Key figures: boxes of 5 a row, the number large over its label.
    box_w = width / KPIS_PER_ROW
    for i in range(0, len(content.key_figures), KPIS_PER_ROW):
        top = pdf.get_y()
        for j, (label, value) in enumerate(content.key_figures[i:i + KPIS_PER_ROW]):
            x = MARGIN_MM + j * box_w
            pdf.set_draw_color(213, 218, 227)
            pdf.rect(x + 0.8, top, box_w - 1.6, 17)
            pdf.set_xy(x + 2, top + 1.5)
            pdf.set_font("DejaVu", "B", 13)
            pdf.set_text_color(*BLUE)
            pdf.cell(box_w - 4, 6, cell_text(value))
            pdf.set_xy(x + 2, top + 8)
            pdf.set_font("DejaVu", "", 7)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(box_w - 4, 3.2, label, align="L")
        pdf.set_xy(MARGIN_MM, top + 19)
    pdf.ln(2)

    heading = FontFace(emphasis="BOLD", fill_color=(236, 239, 243))
    for table in content.tables:
        text(table.title, 11, bold=True, gap=0.5)
        if table.empty:
            text("Aucune donnée.", 9, colour=MUTED, gap=2)
            continue
        pdf.set_font("DejaVu", "", 8)
        pdf.set_text_color(*INK)
        first = 0.4 if len(table.columns) > 2 else 0.6
        rest = (1 - first) / max(1, len(table.columns) - 1)
        widths = [first * 100, *[rest * 100] * (len(table.columns) - 1)]
        with pdf.table(col_widths=widths, headings_style=heading, line_height=4.2,
                       text_align=["LEFT", *["RIGHT"] * (len(table.columns) - 1)],
                       borders_layout="HORIZONTAL_LINES") as grid:
            row = grid.row()
            for column in table.columns:
                row.cell(column)
            for values in table.rows:
                row = grid.row()
                for value in values:
                    row.cell(cell_text(value))
        pdf.ln(3)
    text(f"{FOOTER} Édité le {edited.strftime('%d/%m/%Y')}.", 7, colour=MUTED)
    return bytes(pdf.output())
