"""The console in a real browser: Debian's Chromium driven by Playwright against `kiosk-server run`
(uvicorn in its own process) seeded with generated data, on SQLite and on PostgreSQL.

Every page visited is saved as a screenshot in test-artifacts/test_browser/.
"""
from __future__ import annotations

import datetime as dt
import threading
import uuid
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from console.conftest import ConsoleServer, log_in
from kiosk.sessions import open_core
from kiosk.sessions.clock import ManualClock
from kiosk.sessions.state import SessionState
from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.sync.help import HelpDesk, HelpStatus
from kiosk.sync.link import ServerLink
from kiosk_server import live
from kiosk_server.console.figures import PAGES
from kiosk_wire import catalogue, config
from kiosk_wire.schema import EndReason

pytestmark = [pytest.mark.browser]

LIVE_WITHIN_MS = 2000  # the promise: a heartbeat or a call shows within 2 s


def engine_name(server: ConsoleServer) -> str:
    return "postgres" if server.database_url.startswith("postgresql") else "sqlite"


def shot(page: Any, artifacts: Path, server: ConsoleServer, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{engine_name(server)}-{name}.png"), full_page=True)


def kpi(page: Any, label: str) -> int:
    text = page.locator(f'li.kpi[data-kpi="{label}"] .value').inner_text()
    return int(text.replace("\u202f", "").replace(" ", ""))


def test_manager_logs_in_and_every_dashboard_renders_charts_with_their_tables(
        browser_page, console_server, artifacts_dir):
    page = browser_page
    log_in(page, "resp-nord")
    assert page.url.endswith("/console/stats/synthese")
    for code, label in PAGES.items():
        page.goto(f"/console/stats/{code}?periode=3_mois")
        assert page.get_by_role("heading", level=1).inner_text() == f"Statistiques · {label}"
        figures = page.locator("section.figure")
        assert figures.count() >= 3, code
        if code == "questionnaire":  # two answers in one bracket: shown masked, not drawn
            masked = page.locator("#table-enquete_age_bracket tr").filter(
                has_text="70 ans et plus")
            assert masked.locator("td").inner_text() == "masqué"
            svg = page.locator("#figure-enquete_age_bracket svg")
            assert "70 ans et plus" in svg.inner_html()
            hidden = page.locator("#table-enquete_age_bracket td").filter(has_text="masqué")
            assert svg.locator(".series rect").count() == page.locator(
                "#table-enquete_age_bracket tbody tr").count() - hidden.count()
        if code == "frequentation":
            assert page.locator("table.heat tbody tr").count() == 7
            assert page.locator("table.heat td.h5").count() >= 1  # the peak hour is shaded
        with_chart = figures.filter(has=page.locator(".chart svg"))
        assert with_chart.count() >= 1, code
        for i in range(with_chart.count()):
            figure = with_chart.nth(i)
            svg = figure.locator(".chart svg")
            # A drawn series: bars are rects, lines are paths, in pygal's "series" group.
            assert svg.locator(".series rect, .series path").count() >= 1, code
            assert svg.get_attribute("role") == "img"
            # The numbers beside every chart, as a table.
            assert figure.locator("table.data tbody tr").count() >= 1, code
        assert page.locator("text=Aucune donnée pour cette période").count() == 0 or \
            code == "questionnaire"
        shot(page, artifacts_dir, console_server, f"stats-{code}")
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto("/console/stats/synthese?periode=3_mois")
    shot(page, artifacts_dir, console_server, "stats-synthese-tablet-portrait")
    page.set_viewport_size({"width": 1180, "height": 820})
    page.goto("/console/summary?periode=3_mois")
    assert page.locator("li.kpi").count() == 10
    shot(page, artifacts_dir, console_server, "summary")
    page.emulate_media(media="print")
    assert page.locator(".toolbar").is_hidden()
    shot(page, artifacts_dir, console_server, "summary-print")
    # "Print or save as PDF": Chromium's own print to PDF fits the summary on one A4 page.
    pdf = artifacts_dir / f"{engine_name(console_server)}-summary.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    assert len(PdfReader(str(pdf)).pages) == 1


def test_filters_change_the_figures_to_what_the_seed_says(browser_page, console_server,
                                                         artifacts_dir):
    seed = console_server.seed
    page = browser_page
    log_in(page, "resp-nord")
    start, end = seed.today - dt.timedelta(days=20), seed.today - dt.timedelta(days=3)
    page.goto("/console/stats/synthese")
    page.get_by_label("Période", exact=True).select_option("perso")
    page.get_by_label("Du", exact=True).fill(start.isoformat())
    page.get_by_label("Au", exact=True).fill(end.isoformat())
    page.get_by_label("Lieu", exact=True).select_option(label="\u00a0\u00a0FS Roubaix")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    roubaix = seed.sessions(["FS Roubaix"], start, end)
    assert kpi(page, "Sessions") == len(roubaix)
    assert kpi(page, "Numérisations") == sum(
        1 for r in roubaix for a in r["activities"] if a["kind"] == "scan")
    assert kpi(page, "Impressions") == len(roubaix)
    shot(page, artifacts_dir, console_server, "filter-site")
    page.get_by_label("Lieu", exact=True).select_option(label="Territoire : Nord")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    nord = seed.sessions(seed.territory_sites("Nord"), start, end)
    assert kpi(page, "Sessions") == len(nord) > len(roubaix)
    assert kpi(page, "Démarches terminées") == sum(
        1 for r in nord for a in r["activities"] if a["kind"] == "practice" and a["completed"])
    # The durations table agrees with the seed too (Coop buckets).
    under_30 = sum(1 for r in nord if r["duration_min"] < 30)
    row = page.locator("#table-durees tbody tr").filter(has_text="Moins de 30 min")
    assert int(row.locator("td").first.inner_text().replace("\u202f", "")) == under_30


def test_xlsx_export_downloads_and_reads_back_with_the_expected_totals(
        browser_page, console_server, tmp_path):
    seed = console_server.seed
    page = browser_page
    log_in(page, "resp-lille")
    first_of_month = seed.today.replace(day=1)
    page.goto(f"/console/stats/synthese?periode=perso&debut={first_of_month}&fin={seed.today}")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export Excel (XLSX)").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    totals = {row[0]: row[1] for row in book["Totaux"].iter_rows(values_only=True) if row[0]}
    expected = seed.sessions(["FS Lille"], first_of_month, seed.today)
    assert totals["Lieu"].startswith("FS Lille")
    assert totals["Sessions"] == len(expected)
    assert totals["Appels à un médiateur"] == sum(r["help_requests"] for r in expected)
    durations = {row[0]: row[1] for row in book["Durée des sessions"].iter_rows(values_only=True)}
    assert sum(durations[k] for k in ("Moins de 30 min", "30 min à 1 h", "1 h à 2 h",
                                      "2 h et plus")) == len(expected)


@pytest.fixture
def kiosk_core(tmp_path: Path):
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "kiosk-data"),
        "kiosk.session_dir": str(tmp_path / "kiosk-sessions")})
    core = open_core(settings, clock=ManualClock(dt.datetime(2026, 11, 16, 8, 0,
                                                             tzinfo=dt.UTC)))
    core.recover()
    yield core
    if core.store is not None:
        core.store.close()


def test_heartbeat_and_help_request_appear_live_and_the_acknowledgement_reaches_the_kiosk(
        browser_page, console_server, kiosk_core, artifacts_dir):
    seed = console_server.seed
    page = browser_page
    site = seed.sites["FS Lille"]
    kiosk_id, token = seed.kiosks[("FS Lille", "borne-2")]
    log_in(page, "med-lille")
    assert page.url.endswith(f"/console/live/{site}")
    page.get_by_role("button", name="Activer l'alerte sonore").click()
    page.wait_for_selector('#live-status[data-state="live"]')
    link = ServerLink.checked(console_server.url, token, timeout_s=10)
    desk = HelpDesk(kiosk_core, link, position=lambda: ("caf-trimestrielle", 3))
    beats = HeartbeatClient(kiosk_core, link, help_desk=desk,
                            position=lambda: ("caf-trimestrielle", 3),
                            device_states=lambda: {"printer": "paper_out", "scanner": "ready"})
    kiosk_core.start()
    assert beats.beat_once() is not None
    card = page.locator(f'li.kiosk[data-kiosk="{kiosk_id}"]')
    card_active = page.locator(f'li.kiosk[data-kiosk="{kiosk_id}"][data-status="active"]')
    card_active.wait_for(timeout=LIVE_WITHIN_MS)
    title = catalogue.shipped()["caf-trimestrielle"].steps_fr[2]
    assert f"étape 3 sur {len(catalogue.shipped()['caf-trimestrielle'].steps_fr)} : {title}" in (
        card.locator(".procedure").inner_text())
    assert "Imprimante : plus de papier" in card.locator(".devices").inner_text()

    tones_before = page.evaluate("window.kioskConsole.tones")
    sent = threading.Event()
    desk.add_listener(lambda s: s is HelpStatus.SENT and sent.set())
    desk.request()
    assert sent.wait(10)
    call = page.locator(f'article.help.calling[data-request="{desk.request_id}"]')
    call.wait_for(timeout=LIVE_WITHIN_MS)
    assert "borne-2 demande de l’aide" in call.inner_text()
    assert page.evaluate("window.kioskConsole.tones") > tones_before  # the audible alert rang
    assert page.evaluate("window.kioskConsole.soundOn") is True
    shot(page, artifacts_dir, console_server, "live-help-call")

    call.get_by_role("button", name="J'arrive").click()
    page.locator(f'article.help.acked[data-request="{desk.request_id}"]').wait_for(
        timeout=LIVE_WITHIN_MS)
    beats.beat_once()  # the kiosk's next heartbeat carries the acknowledgement
    assert desk.status is HelpStatus.ACKNOWLEDGED

    # End the session remotely, with confirmation.
    card.get_by_role("button", name="Terminer la session").click()
    dialog = page.locator("dialog#confirm")
    assert "Terminer la session en cours sur borne-2" in dialog.inner_text()
    shot(page, artifacts_dir, console_server, "live-confirm")
    dialog.get_by_role("button", name="Confirmer").click()
    card.locator(".pending").wait_for(timeout=LIVE_WITHIN_MS)
    beats.beat_once()  # the kiosk applies the command...
    assert kiosk_core.state is SessionState.IDLE
    beats.beat_once()  # ...and confirms it
    page.locator(f'li.kiosk[data-kiosk="{kiosk_id}"][data-status="idle"]').wait_for(
        timeout=LIVE_WITHIN_MS)
    assert card.locator(".pending").count() == 0
    with console_server.engine.connect() as conn:
        [command] = live.commands_of(conn, kiosk_id)
    assert command["kind"] == "end_session" and command["acked_at"] is not None
    assert command["created_by"] == seed.users["med-lille"]
    [record] = list(kiosk_core.store.iter_all())
    assert record.payload["end_reason"] == EndReason.REMOTE.value
    shot(page, artifacts_dir, console_server, "live-after")
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet held upright
    shot(page, artifacts_dir, console_server, "live-tablet-portrait")


def test_a_mediator_cannot_open_another_sites_page_by_url(browser_page, console_server,
                                                         artifacts_dir):
    seed = console_server.seed
    page = browser_page
    log_in(page, "med-lille")
    answer = page.goto(f"/console/live/{seed.sites['FS Rennes']}")
    assert answer.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    assert "borne-1" not in page.content()
    shot(page, artifacts_dir, console_server, "denied")
    assert page.goto("/console/stats/synthese").status == 403
    assert page.goto("/console/admin").status == 403
    events = page.request.get(f"/console/live/{seed.sites['FS Rennes']}/events")
    assert events.status == 403


def test_a_manager_cannot_export_another_territory(browser_page, console_server):
    seed = console_server.seed
    page = browser_page
    log_in(page, "resp-nord")
    bretagne = seed.territories["Bretagne"]
    for url in (f"/console/export.xlsx?territoire={bretagne}",
                f"/console/export.csv?site={seed.sites['FS Rennes']}",
                f"/console/summary?territoire={bretagne}"):
        assert page.request.get(url).status == 403, url
    page.goto("/console/stats/synthese")
    options = page.locator("#lieu option").all_inner_texts()
    assert not any("Bretagne" in o or "Rennes" in o for o in options)
    ok = page.request.get(f"/console/export.xlsx?territoire={seed.territories['Nord']}")
    assert ok.status == 200


def test_posts_without_the_csrf_token_are_refused(browser_page, console_server):
    seed = console_server.seed
    page = browser_page
    log_in(page, "med-lille")
    site = seed.sites["FS Lille"]
    kiosk_id = seed.kiosks[("FS Lille", "borne-1")][0]
    url = f"/console/live/{site}/kiosks/{kiosk_id}/command"
    # Same browser, same session cookie, but no token: what a forged cross-site form sends.
    refused = page.request.post(url, form={"kind": "out_of_order"})
    assert refused.status == 403
    fake = page.request.post(f"/console/live/{site}/help/{uuid.uuid4()}/ack",
                             form={"csrf": "pas-le-bon"})
    assert fake.status == 403
    with console_server.engine.connect() as conn:
        assert live.commands_of(conn, kiosk_id) == []
    token = page.locator("body").get_attribute("data-csrf")
    accepted = page.request.post(url, form={"kind": "out_of_order", "csrf": token},
                                 headers={"Accept": "application/json"})
    assert accepted.status == 200 and accepted.json()["ok"] is True
    with console_server.engine.begin() as conn:
        [command] = live.commands_of(conn, kiosk_id)
        assert command["kind"] == "out_of_order"
        conn.execute(live.t.kiosk_commands.delete().where(live.t.kiosk_commands.c.id
                                                          == command["id"]))


def test_admin_manages_the_fleet_in_the_browser(browser_page, console_server, artifacts_dir):
    seed = console_server.seed
    page = browser_page
    log_in(page, "admin")
    page.goto("/console/admin")
    shot(page, artifacts_dir, console_server, "admin")
    page.locator('select[name="site"]').select_option(label="Bretagne · FS Rennes")
    page.get_by_label("Nouvelle borne").fill("borne-hall")
    page.get_by_role("button", name="Créer et afficher son jeton").click()
    token = page.locator("#token").inner_text()
    assert len(token) >= 40
    shot(page, artifacts_dir, console_server, "admin-token")
    page.get_by_role("link", name="Réglages de la borne").click()
    page.get_by_label("Délai d'inactivité").fill("300")
    page.get_by_label("Message affiché sur la borne").fill("Fermeture à 16 h aujourd'hui")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    assert page.locator(".flash").inner_text() == "Enregistré."
    shot(page, artifacts_dir, console_server, "admin-kiosk")
    reply = page.request.post("/api/v1/heartbeat", data={"state": "idle",
                                                         "app_version": "0.1.0"},
                              headers={"Authorization": f"Bearer {token}"})
    assert reply.json()["settings"]["idle_timeout_s"] == 300
    assert reply.json()["settings"]["banner"] == "Fermeture à 16 h aujourd'hui"
    page.get_by_role("button", name="Révoquer").click()
    with page.expect_navigation():
        page.locator("dialog#confirm").get_by_role("button", name="Confirmer").click()
    assert "Jetons révoqués" in page.locator(".flash").inner_text()
    again = page.request.post("/api/v1/heartbeat", data={"state": "idle",
                                                         "app_version": "0.1.0"},
                              headers={"Authorization": f"Bearer {token}"})
    assert again.status == 401
    page.goto(f"/console/live/{seed.sites['FS Lille']}")
    shot(page, artifacts_dir, console_server, "live-admin")
    page.goto("/console/live")
    shot(page, artifacts_dir, console_server, "live-index")
    page.goto("/console/login")
    shot(page, artifacts_dir, console_server, "login")
