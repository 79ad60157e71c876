"""CSV and XLSX exports of the dashboards' figures, in the labels of La Coop de la médiation
numérique (themes, duration buckets, age brackets, autonomy), so a site manager can paste them
into the reports they already file.

- XLSX (openpyxl): a "Totaux" sheet (place, period, key figures) then one sheet per table,
  named in full (Excel allows 31 characters: long titles have a short name of their own, never
  a cut one). Cells are typed: counts are numbers, days are dates, shares are numbers
  formatted as percentages, durations are times; a week or month still running says so in a
  "Remarque" column.
- CSV: one file, ``;``-separated with a UTF-8 BOM (what French spreadsheet software opens
  directly); columns ``Rubrique;Libellé;<value columns>``, one line per table row; days in
  ISO 8601 (2026-11-02).
Masked small counts are written "masqué", never their value (docs/privacy.md).

Names typed by people (sites, kiosks, territories) reach the manager's spreadsheet: a text that
starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is neutralised, in
CSV by a leading apostrophe (OWASP's advice: the spreadsheet shows it as text), in XLSX by
writing it as a string cell, never a formula. Numbers stay numbers.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kiosk_server.console.figures import Table, is_masked
from kiosk_server.console.figures_base import Day, Duration, Percent

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Sheet names for titles longer than Excel's 31 characters (others are named by their title).
SHEET_NAMES = {
    "equipements": "Numérisations et impressions",
    "par_jour": "Sessions par jour de semaine",
    "par_heure": "Sessions par heure d'arrivée",
    "reponses": "Réponse aux appels",
    "heures": "Jour et heure",
    "sites_officiels": "Sites officiels ouverts",
}
MACHINE_NOTES = {"sessions_temps", "parcours"}  # their note is the grain or procedure id
DATE_FORMAT = {"jour": "dd/mm/yyyy", "semaine": "dd/mm/yyyy", "mois": "mmmm yyyy"}


def _cell(value: Any) -> Any:
    """A cell as text for CSV: days in ISO 8601, the rest as shown on the page."""
    if isinstance(value, Day):
        return value.day.isoformat()
    return str(value) if is_masked(value) or isinstance(value, (Percent, Duration)) else value


def csv_safe(value: Any) -> Any:
    """A CSV cell that no spreadsheet takes for a formula."""
    value = _cell(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _typed(cell: Any, value: Any) -> None:
    """Write one value into an XLSX cell with its type and number format."""
    if isinstance(value, Day):
        cell.value, cell.number_format = value.day, DATE_FORMAT[value.grain]
    elif isinstance(value, Percent):
        cell.value, cell.number_format = float(value), "0 %"
    elif isinstance(value, Duration):
        cell.value, cell.number_format = dt.timedelta(seconds=round(value)), "[h]:mm:ss"
    elif is_masked(value):
        cell.value = str(value)
    else:
        cell.value = value


def _strings_stay_strings(row: Any) -> None:
    """openpyxl stores a str starting with '=' as a formula: make each such cell a string."""
    for cell in row:
        if isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"


def to_csv(tables: list[Table], place: str, period: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Lieu", csv_safe(place)])
    writer.writerow(["Période", csv_safe(period)])
    writer.writerow([])
    width = max(len(t.columns) for t in tables)
    writer.writerow(["Rubrique", "Libellé"] + [f"Valeur {i}" for i in range(1, width)])
    for table in tables:
        writer.writerow([csv_safe(table.title), *[csv_safe(c) for c in table.columns]])
        for row in table.rows:
            writer.writerow([csv_safe(table.title), *[csv_safe(c) for c in row]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_name(table: Table, used: set[str]) -> str:
    """The table's full title when Excel allows it, else its own short name; unique."""
    name = re.sub(r"[\[\]:*?/\\]", " ", SHEET_NAMES.get(table.key, table.title)).strip()
    name = re.sub(r"\s+", " ", name)[:31]
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def to_xlsx(tables: list[Table], place: str, period: str) -> bytes:
    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DCE6F5")
    used: set[str] = set()
    first = True
    for table in tables:
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = sheet_name(table, used)
        header_row = 1
        if first:
            ws.append(["Lieu", place])
            ws.append(["Période", period])
            ws.append([""])
            header_row, first = 4, False
        running = any(isinstance(r[0], Day) and r[0].partial for r in table.rows)
        ws.append(table.columns + (["Remarque"] if running else []))
        for c in ws[header_row]:
            c.font, c.fill = bold, head_fill
        for i, row in enumerate(table.rows, start=header_row + 1):
            for j, value in enumerate(row, start=1):
                _typed(ws.cell(row=i, column=j), value)
            if running and isinstance(row[0], Day) and row[0].partial:
                ws.cell(row=i, column=len(row) + 1, value=(
                    "mois en cours" if row[0].grain == "mois" else "semaine en cours"))
        for row in ws.iter_rows():
            _strings_stay_strings(row)
        if table.note and table.key not in MACHINE_NOTES:
            ws.append([])
            ws.append([table.note])
        for i, col in enumerate(table.columns, start=1):
            longest = max([len(str(col))] + [len(str(r[i - 1])) for r in table.rows])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
        for row in ws.iter_rows(min_row=header_row + 1):
            for c in row[1:]:
                c.alignment = Alignment(horizontal="right")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filename(kind: str, place: str, period: Any, ext: str) -> str:
    """``statistiques_fs-lille-nord_2026-09-01_2026-11-30.xlsx``: the whole place name and the
    ISO dates (sortable), ASCII only (every system and mail client keeps it)."""
    folded = unicodedata.normalize("NFKD", place.lower()).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:120] or "lieu"
    when = (f"{period.start.isoformat()}_{period.end.isoformat()}"
            if hasattr(period, "start") else re.sub(r"[^a-z0-9]+", "-", str(period).lower()))
    return f"{kind}_{slug}_{when}.{ext}"
