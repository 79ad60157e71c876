"""The kiosk filter and the new figures in a real browser: Debian's Chromium driven by Playwright
against `kiosk-server run` seeded with generated data, on SQLite and PostgreSQL. Screenshots go to
test-artifacts/test_dashboard_browser/."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from console.conftest import log_in
from console.test_browser import kpi, shot

pytestmark = [pytest.mark.browser]


def test_choosing_a_kiosk_changes_the_figures_to_that_kiosks_sessions(
        browser_page, console_server, artifacts_dir, tmp_path):
    seed = console_server.seed
    page = browser_page
    log_in(page, "resp-nord")
    start, end = seed.today - dt.timedelta(days=45), seed.today
    page.goto("/console/stats/synthese")
    page.get_by_label("Période", exact=True).select_option("perso")
    page.get_by_label("Du", exact=True).fill(start.isoformat())
    page.get_by_label("Au", exact=True).fill(end.isoformat())
    place = page.get_by_label("Lieu", exact=True)
    place.select_option(label="\u00a0\u00a0FS Lille")  # a kiosk is chosen within its site
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    offered = place.locator("option").all_inner_texts()
    assert not any("Rennes" in o for o in offered)  # another territory is not offered
    place.select_option(label="\u00a0\u00a0\u00a0\u00a0Borne borne-2 (FS Lille)")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()

    mine = [r for r in seed.kiosk_records[("FS Lille", "borne-2")]
            if start <= dt.date.fromisoformat(r["day"]) <= end]
    site = seed.sessions(["FS Lille"], start, end)
    assert 0 < kpi(page, "Sessions") == len(mine) < len(site)
    assert kpi(page, "Appels à un médiateur") == sum(r["help_requests"] for r in mine)
    assert kpi(page, "Numérisations") == sum(
        1 for r in mine for a in r["activities"] if a["kind"] == "scan")
    assert page.locator("#scope-label").inner_text().startswith("Borne borne-2 · FS Lille")
    comfort = page.locator("#table-confort tbody tr").filter(has_text="Grands caractères")
    assert int(comfort.locator("td").inner_text().replace("\u202f", "")) == sum(
        1 for r in mine if "large_text" in r["accessibility"])
    shot(page, artifacts_dir, console_server, "stats-synthese-kiosk")

    # The filter follows to the other pages; autonomy per procedure is published per site at
    # finest (site - kiosk would undo its masking), drawn and tabled for the site.
    with page.expect_navigation():
        page.get_by_role("navigation", name="Tableaux de bord").get_by_role(
            "link", name="Démarches").click()
    assert "borne=" in page.url
    assert "Publié par site au plus fin" in page.locator("#figure-autonomie").inner_text()
    page.goto(f"/console/stats/demarches?periode=perso&debut={start}&fin={end}"
              f"&site={seed.sites['FS Lille']}")
    figure = page.locator("#figure-autonomie")
    assert figure.locator(".chart svg .series rect").count() >= 1
    # Kept per month: the months the period touches.
    practised = sum(1 for r in seed.records["FS Lille"]
                    if dt.date.fromisoformat(r["day"]) >= start.replace(day=1)
                    for a in r["activities"] if a["kind"] == "practice")
    attempts = figure.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert sum(int(a.replace("\u202f", "")) for a in attempts) == practised
    shot(page, artifacts_dir, console_server, "stats-demarches-site")
    page.go_back()

    with page.expect_download() as info:
        page.get_by_role("link", name="Export Excel (XLSX)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    totals = {row[0]: row[1] for row in book["Totaux"].iter_rows(values_only=True) if row[0]}
    assert totals["Lieu"] == "Borne borne-2 · FS Lille (Nord)"
    assert totals["Sessions"] == len(mine)
    assert "Autonomie par démarche" in book.sheetnames


def test_another_territorys_kiosk_by_url_is_refused(browser_page, console_server,
                                                      artifacts_dir):
    seed = console_server.seed
    page = browser_page
    log_in(page, "resp-nord")
    rennes_kiosk = seed.kiosks[("FS Rennes", "borne-1")][0]
    for path in (f"/console/stats/synthese?borne={rennes_kiosk}",
                 f"/console/stats/demarches?lieu=k:{rennes_kiosk}",
                 f"/console/summary?borne={rennes_kiosk}"):
        answer = page.goto(path)
        assert answer.status == 403, path
        assert "Accès refusé" in page.content()
    shot(page, artifacts_dir, console_server, "stats-kiosk-refused")
    answer = page.request.get(f"/console/export.xlsx?borne={rennes_kiosk}")
    assert answer.status == 403


def test_a_site_manager_sees_the_sites_kiosks_side_by_side(browser_page, console_server,
                                                            artifacts_dir):
    seed = console_server.seed
    page = browser_page
    log_in(page, "resp-lille")
    start, end = seed.today - dt.timedelta(days=30), seed.today
    page.goto(f"/console/stats/synthese?periode=perso&debut={start}&fin={end}")
    figure = page.locator("#figure-bornes")
    assert figure.locator(".chart svg .series rect").count() == 2
    for name in ("borne-1", "borne-2"):
        row = figure.locator("tbody tr").filter(has_text=name)
        shown = int(row.locator("td").first.inner_text().replace("\u202f", ""))
        assert shown == sum(1 for r in seed.kiosk_records[("FS Lille", name)]
                            if start <= dt.date.fromisoformat(r["day"]) <= end)
    shot(page, artifacts_dir, console_server, "stats-synthese-site-kiosks")
