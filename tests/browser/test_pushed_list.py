"""The allowlist pushed by the server (heartbeat reply) replaces the kiosk's own settings field
by field, and never changes under a resident: pushed during a session, it applies when the
session ends (no Chromium needed: the list is what the next browser gets)."""
from __future__ import annotations

from pathlib import Path

from kiosk.browser.browsing import Browsing
from kiosk.sessions import open_core
from kiosk.sessions.clock import ManualClock
from kiosk_wire import config
from kiosk_wire.schema import EndReason, PushedSettings


def browsing_with(tmp_path: Path, **own: str) -> Browsing:
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram"),
        **{f"browser.{k}": v for k, v in own.items()}})
    core = open_core(settings, clock=ManualClock())
    core.recover()
    return Browsing.from_settings(core, settings)


def test_between_sessions_a_pushed_list_applies_at_once_field_by_field(tmp_path):
    browsing = browsing_with(tmp_path, local_sites="mairie-exemple.fr")
    browsing.apply_pushed(PushedSettings.model_validate({"browser_sites": ["caf", "ameli"]}))
    assert [s.key for s in browsing.allowlist.sites] == ["caf", "ameli"]
    assert browsing.allowlist.judge("https://rdv.mairie-exemple.fr/").allowed  # own local kept
    assert not browsing.allowlist.judge("https://www.impots.gouv.fr/").allowed

    browsing.apply_pushed(PushedSettings())  # the manager went back to the kiosks' settings
    assert len(browsing.allowlist.sites) == 11


def test_a_list_pushed_during_a_session_waits_for_its_end(tmp_path):
    browsing = browsing_with(tmp_path)
    browsing.core.start()
    browsing.apply_pushed(PushedSettings.model_validate(
        {"browser_sites": ["caf"], "browser_local_sites": ["ccas-exemple.fr"]}))
    assert browsing.allowlist.judge("https://www.impots.gouv.fr/").allowed  # unchanged now
    assert not browsing.allowlist.judge("https://ccas-exemple.fr/").allowed
    browsing.core.end(EndReason.FINISHED, offer_survey=False)
    assert not browsing.allowlist.judge("https://www.impots.gouv.fr/").allowed
    assert browsing.allowlist.judge("https://www.ccas-exemple.fr/").site_key == "local"


def test_a_place_added_by_the_console_gets_a_card_opening_its_home_page(tmp_path):
    browsing = browsing_with(tmp_path)
    browsing.apply_pushed(PushedSettings.model_validate(
        {"browser_sites": ["caf"], "browser_local_sites": ["mairie-exemple.fr"]}))
    cards = browsing.allowlist.cards()
    assert [c.key for c in cards] == ["caf", "local"]
    assert cards[1].name == "mairie-exemple.fr" and cards[1].home == "https://mairie-exemple.fr/"
    assert browsing.allowlist.judge(cards[1].home).allowed  # its card opens an allowed page
