"""CSV and XLSX exports of the dashboards' figures, in the labels of La Coop de la médiation
numérique (themes, duration buckets, age brackets, autonomy), so a site manager can paste them
into the reports they already file.

- XLSX (openpyxl): a "Totaux" sheet (place, period, key figures) then one sheet per table.
- CSV: one file, ``;``-separated with a UTF-8 BOM (what French spreadsheet software opens
  directly); columns ``Rubrique;Libellé;<value columns>``, one line per table row.
Masked small counts are written "< 5", never their value.

Names typed by people (sites, kiosks, territories) reach the manager's spreadsheet: a text that
starts like a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is neutralised, in
CSV by a leading apostrophe (OWASP's advice: the spreadsheet shows it as text), in XLSX by
writing it as a string cell, never a formula. Numbers stay numbers.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from kiosk_server.console.figures import Table, is_masked

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    return str(value) if is_masked(value) else value


def csv_safe(value: Any) -> Any:
    """A CSV cell that no spreadsheet takes for a formula."""
    value = _cell(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


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


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip()
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
        ws.title = _sheet_name(table.title, used)
        header_row = 1
        if first:
            ws.append(["Lieu", place])
            ws.append(["Période", period])
            ws.append([""])
            header_row, first = 4, False
        ws.append(table.columns)
        for c in ws[header_row]:
            c.font, c.fill = bold, head_fill
        for row in table.rows:
            ws.append([_cell(c) for c in row])
        for row in ws.iter_rows():
            _strings_stay_strings(row)
        if table.note:
            ws.append([])
            ws.append([table.note])
        for i, col in enumerate(table.columns, start=1):
            longest = max([len(str(col))] + [len(str(_cell(r[i - 1]))) for r in table.rows])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, longest + 2))
        for row in ws.iter_rows(min_row=header_row + 1):
            for c in row[1:]:
                c.alignment = Alignment(horizontal="right")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def filename(kind: str, place: str, period: str, ext: str) -> str:
    folded = unicodedata.normalize("NFKD", f"{kind}-{place}-{period}".lower())
    slug = re.sub(r"[^a-z0-9]+", "-", folded.encode("ascii", "ignore").decode()).strip("-")
    return f"{slug[:80]}.{ext}"
