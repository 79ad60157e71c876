"""Reporting upward (issue #19) in a real browser: Debian's Chromium driven by Playwright against
`kiosk-server run`, on SQLite and on PostgreSQL. A territory manager reads each key figure with
its change (words and arrow), the territory's sites side by side, downloads the Coop export; a
site manager reads the site's position against the territory median and downloads the month's
report. Expected figures come from the generated records."""
from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader
from server.helpers import record

from console.conftest import ConsoleServer, log_in
from console.test_coop_export import COOP_THEMATIQUES  # the Coop's vocabulary, typed out
from kiosk_server import monthly_reports, tenancy
from kiosk_server.console import figures_compare as fc
from kiosk_server.ingest import ingest
from kiosk_server.queries import Period
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import SessionRecord

pytestmark = [pytest.mark.browser]


def _number(text: str) -> int:
    return int(text.replace("\u202f", "").replace(" ", ""))


def _last_month(server: ConsoleServer) -> Period:
    last = server.seed.today.replace(day=1) - dt.timedelta(days=1)
    return Period(last.replace(day=1), last)


def test_a_territory_manager_reads_changes_and_its_sites_side_by_side(browser_page: Any,
                                                                      console_server):
    seed = console_server.seed
    page = browser_page
    log_in(page, "resp-nord")
    nord = seed.territory_sites("Nord")
    month = _last_month(console_server)
    page.goto(f"/console/stats/synthese?periode=mois_precedent"
              f"&territoire={seed.territories['Nord']}")

    now_n = len(seed.sessions(nord, month.start, month.end))
    before = fc.previous(month)
    before_n = len(seed.sessions(nord, before.start, before.end))
    card = page.locator('li.kpi[data-kpi="Sessions"]')
    assert _number(card.locator(".value").inner_text()) == now_n
    said = card.inner_text()
    assert f"{fc.change(now_n, before_n, '').words} par rapport à la période précédente" in said
    assert ("▲" if now_n > before_n else "▼" if now_n < before_n else "=") in said

    table = page.locator("#table-sites")
    assert table.get_by_role("columnheader", name="Part « Autonome »").is_visible()
    for site in nord:
        row = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=site))
        assert _number(row.locator("td").first.inner_text()) == len(
            seed.sessions([site], month.start, month.end))
    assert table.locator("tbody tr").count() == len(nord)  # no other territory's site


def test_a_territory_manager_downloads_the_coop_export(browser_page: Any, console_server,
                                                       tmp_path):
    seed = console_server.seed
    page = browser_page
    log_in(page, "resp-nord")
    page.goto(f"/console/stats/synthese?periode=mois_precedent"
              f"&territoire={seed.territories['Nord']}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export Coop (XLSX)").click()
    name = info.value.suggested_filename
    assert name.startswith("coop_territoire-nord_") and name.endswith(".xlsx")
    path = tmp_path / name
    info.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    month = _last_month(console_server)
    sheet = book[f"Coop {month.start:%Y-%m}"]
    sessions = 0
    for _site, _siret, _insee, _carto, first, dimension, code, _label, value in \
            sheet.iter_rows(min_row=2, values_only=True):
        assert isinstance(first, dt.datetime) and first.date() == month.start
        if dimension == "sessions":
            sessions += value
        if dimension == "thematique":
            assert code in COOP_THEMATIQUES
    assert sessions == len(seed.sessions(seed.territory_sites("Nord"), month.start, month.end))


def test_a_site_manager_reads_the_median_and_downloads_the_months_report(
        browser_page: Any, console_server):
    seed = console_server.seed
    page = browser_page
    month = _last_month(console_server)
    nord = seed.territories["Nord"]
    with console_server.engine.begin() as conn:  # a 3rd site: the median is shown from 3
        third = tenancy.create_site(conn, nord, "FS Tourcoing")
        kiosk_id, _token = tenancy.create_kiosk(conn, third, "borne-1")
    ingest(console_server.engine, KioskIdentity(kiosk_id, third, nord, "borne-1"),
           [SessionRecord.model_validate(record(day=month.start + dt.timedelta(days=i)))
            for i in range(4)])
    log_in(page, "resp-lille")
    page.goto(f"/console/stats/synthese?periode=mois_precedent&site={seed.sites['FS Lille']}")
    table = page.locator("#table-mediane")
    row = table.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="Sessions"))
    mine, median, position = (c.inner_text() for c in row.locator("td").all())
    counts = [len(seed.sessions([s], month.start, month.end))
              for s in seed.territory_sites("Nord")] + [4]
    assert _number(mine) == len(seed.sessions(["FS Lille"], month.start, month.end))
    assert float(median.replace("\u202f", "").replace(",", ".")) == statistics.median(counts)
    assert position.startswith(("▲", "▼", "="))
    assert "Roubaix" not in table.inner_text() and "Tourcoing" not in table.inner_text()

    monthly_reports.run_pass(console_server.engine, None, seed.today.replace(day=1))
    page.goto("/console/rapports")
    link = page.get_by_role("link", name="Télécharger le PDF de FS Lille")
    assert link.count() == 1, page.locator("main").inner_text()
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.startswith("rapport_fs-lille_")
    pdf = PdfReader(info.value.path())
    assert len(pdf.pages) == 1 and "FS Lille" in pdf.pages[0].extract_text()
    assert "Roubaix" not in page.locator("main").inner_text()  # another site's report
