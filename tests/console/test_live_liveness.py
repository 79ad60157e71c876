"""A kiosk whose UI froze, or that keeps restarting, shows so in the mediator's live view
(from the heartbeat's ui_stalled_s and restarts, kiosk/watchdog.py and kiosk/restarts.py)."""
from __future__ import annotations

import re
from html import unescape

from console.conftest import InProcess
from kiosk_server import live
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import Heartbeat, KioskState, UpdateState


def _card(html: str, kiosk_id: int) -> str:
    start = html.index(f'data-kiosk="{kiosk_id}"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ",
                                      unescape(html[start - 200:html.index("</li>", start)])))


def test_a_frozen_kiosk_is_flagged_and_restarts_are_counted(console_app: InProcess):
    seed = console_app.seed
    ids = {name: seed.kiosks[("FS Lille", name)][0] for name in ("borne-1", "borne-2")}
    site, territory = seed.sites["FS Lille"], seed.territories["Nord"]
    beats = {"borne-1": Heartbeat(state=KioskState.IDLE, app_version="0.2.0", ui_stalled_s=25,
                                  restarts=4),
             "borne-2": Heartbeat(state=KioskState.IDLE, app_version="0.1.0")}  # older kiosk
    with console_app.engine.begin() as conn:
        for name, hb in beats.items():
            live.record_heartbeat(conn, KioskIdentity(ids[name], site, territory, name), hb)
    console_app.login("med-lille")
    html = console_app.client.get(f"/console/live/{site}").text
    frozen, older = _card(html, ids["borne-1"]), _card(html, ids["borne-2"])
    assert "Écran figé" in frozen and "Redémarrée 4 fois depuis l'allumage" in frozen
    assert "has-fault" in html[html.index(f'data-kiosk="{ids["borne-1"]}"') - 200:
                               html.index(f'data-kiosk="{ids["borne-1"]}"') + 10]
    assert "figé" not in older and "Redémarrée" not in older


def test_a_ui_that_ticks_is_not_frozen(console_app: InProcess):
    seed = console_app.seed
    kiosk = seed.kiosks[("FS Lille", "borne-1")][0]
    site, territory = seed.sites["FS Lille"], seed.territories["Nord"]
    with console_app.engine.begin() as conn:
        live.record_heartbeat(conn, KioskIdentity(kiosk, site, territory, "borne-1"), Heartbeat(
            state=KioskState.IDLE, app_version="0.2.0", ui_stalled_s=1, restarts=0))
    console_app.login("med-lille")
    card = _card(console_app.client.get(f"/console/live/{site}").text, kiosk)
    assert "figé" not in card and "Redémarrée" not in card


def test_each_kiosk_shows_its_version_and_its_last_update(console_app: InProcess):
    seed = console_app.seed
    ids = {name: seed.kiosks[("FS Lille", name)][0] for name in ("borne-1", "borne-2")}
    site, territory = seed.sites["FS Lille"], seed.territories["Nord"]
    beats = {"borne-1": Heartbeat(state=KioskState.IDLE, app_version="0.1.0",
                                  update_state=UpdateState.ROLLED_BACK,
                                  update_tried="0.2.0-1"),
             "borne-2": Heartbeat(state=KioskState.IDLE, app_version="0.2.0",
                                  update_state=UpdateState.UPDATED, update_tried="0.2.0-1")}
    with console_app.engine.begin() as conn:
        for name, hb in beats.items():
            live.record_heartbeat(conn, KioskIdentity(ids[name], site, territory, name), hb)
    console_app.login("med-lille")
    html = console_app.client.get(f"/console/live/{site}").text
    assert ("0.1.0 · mise à jour vers 0.2.0-1 échouée, version précédente rétablie"
            in _card(html, ids["borne-1"]))
    assert "0.2.0 · mise à jour faite" in _card(html, ids["borne-2"])
