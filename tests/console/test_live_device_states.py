"""Every device state a kiosk can report has French words for mediators, and the live view flags
the faults (a mediator must go) apart from the notices (maybe normal) and the normal states."""
from __future__ import annotations

import re
from html import unescape

import pytest

from console.conftest import InProcess
from kiosk.devices import state_vocabulary
from kiosk_server import live
from kiosk_server.console import labels as L
from kiosk_server.console.live_view import device_problems
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import Heartbeat, KioskState

VOCABULARY = [(device, slug) for device, slugs in state_vocabulary().items() for slug in slugs]


@pytest.mark.parametrize(("device", "slug"), VOCABULARY)
def test_every_state_a_kiosk_reports_has_french_words(device, slug):
    assert device in L.DEVICES, f"no name for the device {device!r}"
    assert slug in L.DEVICE_STATES.get(device, {}), f"no words for {device}.{slug}"
    words, level = L.device_state_level(device, slug)
    assert level in (L.OK, L.NOTICE, L.FAULT)
    assert words and "_" not in words and words != slug


def test_the_console_has_no_words_for_states_that_no_kiosk_reports():
    vocabulary = state_vocabulary()
    for device, states in L.DEVICE_STATES.items():
        assert set(states) <= set(vocabulary[device]), device


@pytest.mark.parametrize(("device", "slug"), [
    ("printer", "paper_out"), ("printer", "paper_jam"), ("printer", "absent"),
    ("printer", "offline"), ("printer", "stopped"), ("scanner", "absent"),
    ("scanner", "jammed"), ("scanner", "error"), ("reader", "error")])
def test_what_stops_a_resident_is_a_fault(device, slug):
    assert L.device_state_level(device, slug)[1] == L.FAULT


def test_words_are_the_ones_a_mediator_expects():
    assert device_problems({"printer": "paper_out", "scanner": "absent", "reader": "ready"}) == (
        ["Imprimante : plus de papier", "Scanner : débranché"], [])
    assert device_problems({"reader": "absent", "usb_storage": "refused"}) == (
        [], ["Lecteur de badge : débranché", "Clé USB : refusée (appareil non autorisé)"])
    # A newer kiosk's unknown state is shown as it came, never hidden.
    assert device_problems({"printer": "toner_empty"}) == ([], ["Imprimante : toner empty"])


def _card(html: str, kiosk_id: int) -> str:
    start = html.index(f'data-kiosk="{kiosk_id}"')
    return html[start - 200:html.index("</li>", start)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(html)))


def test_live_view_flags_kiosks_with_a_fault(console_app: InProcess):
    seed = console_app.seed
    ids = {name: seed.kiosks[("FS Lille", name)][0] for name in ("borne-1", "borne-2")}
    site, territory = seed.sites["FS Lille"], seed.territories["Nord"]
    with console_app.engine.begin() as conn:
        live.record_heartbeat(conn, KioskIdentity(ids["borne-1"], site, territory, "borne-1"),
                              Heartbeat(state=KioskState.IDLE, app_version="0.1.0", devices={
                                  "printer": "paper_jam", "scanner": "ready",
                                  "reader": "absent", "hotplug": "watching"}))
        live.record_heartbeat(conn, KioskIdentity(ids["borne-2"], site, territory, "borne-2"),
                              Heartbeat(state=KioskState.IDLE, app_version="0.1.0", devices={
                                  "printer": "ready", "scanner": "ready", "reader": "ready",
                                  "hotplug": "watching", "usb_storage": "none"}))
    console_app.login("med-lille")
    html = console_app.client.get(f"/console/live/{site}").text
    faulty, fine = _card(html, ids["borne-1"]), _card(html, ids["borne-2"])
    assert "has-fault" in faulty and "has-fault" not in fine
    assert "Imprimante : papier coincé" in _text(faulty)
    assert "Lecteur de badge : débranché" in _text(faulty)   # a notice, shown quietly
    assert "Scanner" not in _text(faulty)                     # a ready device is not listed
    assert "tout fonctionne" in _text(fine)
    assert "1 borne avec un équipement en panne" in _text(html)


def test_a_demo_device_is_shown_as_such_in_the_live_view(console_app: InProcess):
    seed = console_app.seed
    kiosk = seed.kiosks[("FS Lille", "borne-1")][0]
    site, territory = seed.sites["FS Lille"], seed.territories["Nord"]
    with console_app.engine.begin() as conn:
        live.record_heartbeat(conn, KioskIdentity(kiosk, site, territory, "borne-1"), Heartbeat(
            state=KioskState.IDLE, app_version="0.1.0",
            devices={"printer": "ready", "scanner": "absent"},
            device_backends={"printer": "demo", "scanner": "none"}))
        stored = live.kiosk_statuses(conn, site_ids=[site])
    assert [k["device_backends"] for k in stored if k["kiosk_id"] == kiosk] == [
        {"printer": "demo", "scanner": "none"}]
    console_app.login("med-lille")
    card = _card(console_app.client.get(f"/console/live/{site}").text, kiosk)
    assert "Imprimante : de démonstration (rien de réel)" in _text(card)
