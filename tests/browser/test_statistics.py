"""The anonymised record carries the official sites used (allowlist keys) and whole minutes
per site; nothing else of the browsing (no address, no title)."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pydantic
import pytest

from browser.conftest import STEP_TIMEOUT_S, eventually, require_chromium
from browser.fake_sites import ALLOWED_HOST, OTHER_ALLOWED_HOST, FakeSites
from kiosk.browser.browsing import Browsing
from kiosk.browser.sites import LOCAL_KEY, SITE_KEYS
from kiosk.sessions import open_core
from kiosk.sessions.clock import ManualClock
from kiosk_wire import config
from kiosk_wire.schema import EndReason, OfficialSite, SessionRecord


def a_record(**extra: object) -> dict:
    return {"event_id": str(uuid.uuid4()), "day": "2026-12-01", "hour": 10, "duration_min": 15,
            "language": "fr", "end_reason": "finished", **extra}


def test_the_wire_enum_is_the_allowlist_keys_plus_local():
    assert {s.value for s in OfficialSite} == set(SITE_KEYS) | {LOCAL_KEY}


def test_a_record_without_sites_is_valid_and_sent_without_the_field():
    record = SessionRecord.model_validate(a_record())
    assert record.official_sites == []
    assert "official_sites" not in record.to_wire()  # as an older kiosk sends it


def test_sites_are_keys_with_minutes_and_nothing_else():
    record = SessionRecord.model_validate(a_record(official_sites=[
        {"site": "caf", "minutes": 12}, {"site": "local", "minutes": 1}]))
    assert record.to_wire()["official_sites"] == [{"site": "caf", "minutes": 12},
                                                  {"site": "local", "minutes": 1}]
    for bad in ([{"site": "https://www.caf.fr/", "minutes": 1}],
                [{"site": "caf", "minutes": 1, "title": "Mon compte"}],
                [{"site": "caf", "minutes": 1}, {"site": "caf", "minutes": 2}],
                [{"site": "caf", "minutes": -1}]):
        with pytest.raises(pydantic.ValidationError):
            SessionRecord.model_validate(a_record(official_sites=bad))


@pytest.mark.browser
def test_the_session_record_counts_minutes_per_official_site(tmp_path: Path,
                                                              fake_sites: FakeSites):
    require_chromium()
    clock = ManualClock()
    settings = config.defaults().with_overrides(
        {"kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram")})
    core = open_core(settings, clock=clock)
    browsing = Browsing.from_settings(core, settings, extra_switches=fake_sites.switches())
    session = core.start()
    service = browsing.open()
    service.start().result(STEP_TIMEOUT_S * 2)
    service.open(f"https://{ALLOWED_HOST}/").result(STEP_TIMEOUT_S)
    assert eventually(lambda: browsing.site_key == "caf")
    clock.advance(7 * 60 + 10)
    service.open(f"https://{OTHER_ALLOWED_HOST}/").result(STEP_TIMEOUT_S)
    assert eventually(lambda: browsing.site_key == "ameli")
    clock.advance(20)
    service.open("https://www.evil.example/").result(STEP_TIMEOUT_S)  # refused: no site
    assert eventually(lambda: browsing.site_key is None)
    clock.advance(600)
    core.end(EndReason.FINISHED, offer_survey=False)

    payload = next(r.payload for r in core.store.iter_all()
                   if r.payload["event_id"] == session.event_id)
    assert payload["official_sites"] == [{"site": "ameli", "minutes": 1},
                                         {"site": "caf", "minutes": 7}]

    # A crash while a site is shown: the heartbeats have journaled the time on it so far.
    session = core.start()
    service = browsing.open()
    service.start().result(STEP_TIMEOUT_S * 2)
    service.open(f"https://{ALLOWED_HOST}/").result(STEP_TIMEOUT_S)
    assert eventually(lambda: browsing.site_key == "caf")
    clock.advance(4 * 60 + 5)
    assert browsing.site_now() == "caf"  # what the heartbeat asks every ~30 s
    clock.advance(20)  # (lost with the crash: less than one heartbeat)
    service.close(discard=True)  # the kiosk dies (its journal stays)
    restarted = open_core(settings, clock=clock)
    assert restarted.recover() == 1
    payload = next(r.payload for r in restarted.store.iter_all()
                   if r.payload["event_id"] == session.event_id)
    assert payload["official_sites"] == [{"site": "caf", "minutes": 4}]
    text = json.dumps(payload)
    assert "caf.fr" not in text and "evil" not in text and "Caisse" not in text
