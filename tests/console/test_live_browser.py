"""The live view in Debian's Chromium against a running `kiosk-server run`: a real kiosk session
core
sends its heartbeats through the kiosk's own HeartbeatClient; the mediator's page shows how long
the session has lasted and which devices are at fault, without reloading.

Screenshots go to test-artifacts/test_live_browser/.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from console.conftest import log_in
from kiosk.sessions import open_core
from kiosk.sessions.clock import ManualClock
from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.sync.link import ServerLink
from kiosk_server import live
from kiosk_server import tables as t
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire import config
from kiosk_wire.schema import EndReason, Heartbeat, KioskState

pytestmark = [pytest.mark.browser]

LIVE_WITHIN_MS = 2000


@pytest.fixture
def kiosk(tmp_path: Path):
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "kiosk-data"),
        "kiosk.session_dir": str(tmp_path / "kiosk-sessions")})
    clock = ManualClock(dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC))
    core = open_core(settings, clock=clock)
    core.recover()
    yield core, clock
    if core.store is not None:
        core.store.close()


def _engine(server) -> str:
    return "postgres" if server.database_url.startswith("postgresql") else "sqlite"


def test_mediator_sees_the_time_in_session_arrive_and_go(browser_page, console_server, kiosk,
                                                        artifacts_dir):
    core, clock = kiosk
    page = browser_page
    seed = console_server.seed
    kiosk_id, token = seed.kiosks[("FS Lille", "borne-1")]
    log_in(page, "med-lille")
    page.wait_for_selector('#live-status[data-state="live"]')
    beats = HeartbeatClient(core, ServerLink.checked(console_server.url, token, timeout_s=10),
                            position=lambda: ("caf-trimestrielle", 2))
    core.start()
    clock.advance(12 * 60 + 30)  # the resident has been at it for 12 and a half minutes
    assert beats.beat_once() is not None

    card = page.locator(f'li.kiosk[data-kiosk="{kiosk_id}"]')
    since = card.locator(".session-time")
    since.wait_for(timeout=LIVE_WITHIN_MS)  # pushed by the event stream, no reload
    assert since.inner_text() == "en session depuis 12 min"
    page.screenshot(path=str(artifacts_dir / f"{_engine(console_server)}-live-session-time.png"),
                    full_page=True)

    core.end(EndReason.FINISHED, offer_survey=False)
    assert beats.beat_once() is not None
    page.locator(f'li.kiosk[data-kiosk="{kiosk_id}"][data-status="idle"]').wait_for(
        timeout=LIVE_WITHIN_MS)
    assert card.locator(".session-time").count() == 0


def test_a_device_fault_is_flagged_live_and_cleared_when_fixed(browser_page, console_server,
                                                               kiosk, artifacts_dir):
    core, _clock = kiosk
    page = browser_page
    seed = console_server.seed
    kiosk_id, token = seed.kiosks[("FS Lille", "borne-2")]
    devices = {"printer": "paper_out", "scanner": "ready", "reader": "ready",
               "hotplug": "watching", "usb_storage": "none"}
    beats = HeartbeatClient(core, ServerLink.checked(console_server.url, token, timeout_s=10),
                            device_states=lambda: dict(devices))
    log_in(page, "med-lille")
    page.wait_for_selector('#live-status[data-state="live"]')
    assert beats.beat_once() is not None
    flagged = page.locator(f'li.kiosk.has-fault[data-kiosk="{kiosk_id}"]')
    flagged.wait_for(timeout=LIVE_WITHIN_MS)
    assert flagged.locator(".devices .fault").inner_text() == "⚠ Imprimante : plus de papier"
    assert "avec un équipement en panne" in page.locator(".counts").inner_text()
    # Listed at the top and rung like a help call: the tab's title names it.
    alert = page.locator(f'.fault-alert[data-fault-kiosk="{kiosk_id}"]')
    assert alert.inner_text() == "⚠ borne-2 : Imprimante : plus de papier"
    page.wait_for_function("document.title.startsWith('(1) Équipement en panne')",
                           timeout=LIVE_WITHIN_MS)
    assert page.evaluate("window.kioskConsole.faultAlerts") == 1
    page.screenshot(path=str(artifacts_dir / f"{_engine(console_server)}-live-fault.png"),
                    full_page=True)

    devices["printer"] = "ready"  # someone put paper in
    assert beats.beat_once() is not None
    flagged.wait_for(state="detached", timeout=LIVE_WITHIN_MS)
    assert alert.count() == 0
    assert not page.title().startswith("(")
    card = page.locator(f'li.kiosk[data-kiosk="{kiosk_id}"]')
    assert card.locator(".devices").inner_text() == "tout fonctionne"


def test_the_page_counts_an_offline_kiosks_silence_on_its_own(browser_page, console_server):
    page = browser_page
    seed = console_server.seed
    kiosk_id = seed.kiosks[("FS Roubaix", "borne-1")][0]
    with console_server.engine.begin() as conn:  # its last heartbeat was 47 minutes ago
        live.record_heartbeat(conn, KioskIdentity(kiosk_id, seed.sites["FS Roubaix"],
                                                  seed.territories["Nord"], "borne-1"),
                              Heartbeat(state=KioskState.IDLE, app_version="0.2.0",
                                        devices={"printer": "paper_out"}))
        conn.execute(t.kiosk_status.update().where(t.kiosk_status.c.kiosk_id == kiosk_id)
                     .values(last_seen=dt.datetime.now(dt.UTC)
                             - dt.timedelta(minutes=47, seconds=10)))
    log_in(page, "resp-nord")
    page.goto(f"/console/live/{seed.sites['FS Roubaix']}")
    card = page.locator(f'li.kiosk[data-kiosk="{kiosk_id}"]')
    assert card.get_attribute("data-status") == "offline"
    # console.js words it as the server does, and keeps it current without a push.
    page.wait_for_function(
        "document.querySelector('time[data-offline-since]').title.startsWith('dernier signal')",
        timeout=LIVE_WITHIN_MS)
    assert card.locator(".offline-time").inner_text() == "hors ligne depuis 47 min"
    assert card.locator(".devices").inner_text() == "inconnu (la borne ne répond plus)"


def test_a_call_the_resident_cancels_shows_as_cancelled_and_stops_ringing(
        browser_page, console_server, artifacts_dir):
    """The resident called, then touched « Annuler mon appel » at the kiosk: the mediator's
    page says so (« annulé », no « J'arrive ») instead of dropping the call without a word."""
    import httpx

    page = browser_page
    seed = console_server.seed
    _kiosk_id, token = seed.kiosks[("FS Lille", "borne-1")]
    call = "00000000-0000-4000-8000-0000000ca7c1"
    log_in(page, "med-lille")
    page.wait_for_selector('#live-status[data-state="live"]')
    with httpx.Client(base_url=console_server.url,
                      headers={"Authorization": f"Bearer {token}"}, timeout=10) as kiosk:
        assert kiosk.post("/api/v1/help-requests", json={"request_id": call}).status_code == 201
        ringing = page.locator(f'article.help.calling[data-request="{call}"]')
        ringing.wait_for(timeout=LIVE_WITHIN_MS)
        page.wait_for_function("document.title.startsWith('(')", timeout=LIVE_WITHIN_MS)
        assert kiosk.post(f"/api/v1/help-requests/{call}/cancel").status_code == 200
    cancelled = page.locator(f'article.help.cancelled[data-request="{call}"]')
    cancelled.wait_for(timeout=LIVE_WITHIN_MS)
    assert "borne-1 : appel annulé par la personne" in cancelled.inner_text()
    assert "Inutile de vous déplacer." in cancelled.inner_text()
    assert cancelled.locator("button").count() == 0, "nothing to answer"
    page.wait_for_function("!document.title.startsWith('(')", timeout=LIVE_WITHIN_MS)
    page.screenshot(path=str(artifacts_dir / f"{_engine(console_server)}-live-cancelled.png"),
                    full_page=True)
