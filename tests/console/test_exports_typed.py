"""Exports a manager can use (issue #19): XLSX cells typed (dates are dates, shares and
durations numbers with their format), one sheet per table with a full name, full file names,
CSV days in ISO 8601; read back with openpyxl (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl

from console.conftest import InProcess
from kiosk_server.console.exports import SHEET_NAMES


def test_xlsx_cells_are_typed_and_sheets_fully_named(console_app: InProcess):
    seed = console_app.seed
    console_app.login("resp-nord")
    start, end = seed.today - dt.timedelta(days=29), seed.today
    lille = seed.sites["FS Lille"]
    query = f"periode=perso&debut={start}&fin={end}&site={lille}"
    answer = console_app.client.get(f"/console/export.xlsx?{query}")
    assert answer.status_code == 200
    name = re.search(r'filename="([^"]+)"', answer.headers["content-disposition"]).group(1)
    assert name == f"statistiques_fs-lille-nord_{start.isoformat()}_{end.isoformat()}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    names = book.sheetnames
    assert len(names) == len(set(names)) and all(len(n) <= 31 for n in names)
    assert "Sessions par jour" in names and "Numérisations et impressions" in names
    assert set(SHEET_NAMES.values()) & set(names)
    days = book["Sessions par jour"]
    rows = list(days.iter_rows(min_row=2, values_only=True))
    assert [r[0].date() for r in rows] == [start + dt.timedelta(days=i) for i in range(30)]
    assert days["A2"].number_format == "dd/mm/yyyy" and days["A2"].is_date
    per_day = sum(1 for _ in seed.sessions(["FS Lille"], start, end))
    assert sum(r[1] for r in rows) == per_day
    top = book["Démarches les plus pratiquées"]
    header = [c.value for c in top[1]]
    rate = header.index("Taux de réussite") + 1
    cell = top.cell(row=2, column=rate)
    attempts = top.cell(row=2, column=header.index("Tentatives") + 1).value
    done = top.cell(row=2, column=header.index("Terminées") + 1).value
    assert isinstance(cell.value, (int, float)) and cell.number_format == "0 %"
    assert abs(cell.value - done / attempts) < 1e-9


def test_xlsx_marks_the_running_month_and_csv_days_are_iso(console_app: InProcess):
    seed = console_app.seed
    console_app.login("resp-nord")
    book = openpyxl.load_workbook(io.BytesIO(console_app.client.get(
        f"/console/export.xlsx?periode=12_mois&territoire={seed.territories['Nord']}").content))
    months = book["Sessions par mois"]
    header = [c.value for c in months[1]]
    assert header == ["Mois", "Sessions", "Remarque"]
    last = list(months.iter_rows(min_row=2, values_only=True))
    last = [r for r in last if isinstance(r[0], dt.datetime)][-1]
    assert last[0].date() == seed.today.replace(day=1) and last[2] == "mois en cours"
    assert months["A2"].number_format == "mmmm yyyy"
    start, end = seed.today - dt.timedelta(days=6), seed.today
    lines = console_app.client.get(
        f"/console/export.csv?periode=perso&debut={start}&fin={end}").content.decode(
        "utf-8-sig").splitlines()
    assert f"Sessions par jour;{start.isoformat()};" in "\n".join(lines)
    assert not any(re.search(r";\d\d/\d\d/\d{4};", line) for line in lines[3:])
