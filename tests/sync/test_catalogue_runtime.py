"""The kiosk's runtime, as `kiosk run` builds it, takes its site's published procedures from a
running server: the heartbeat thread's reply brings the bundle, the catalogue the screens read
changes once no session runs, and the session record names the procedure's version."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from server.helpers import server_settings

from kiosk.practice.engine import Mode, PracticeRun
from kiosk.runtime import KioskRuntime
from kiosk.sessions.clock import ManualClock
from kiosk_server.procedures import bundles
from kiosk_wire import config
from kiosk_wire.schema import EndReason
from sync.test_catalogue_bundle import _publish


@pytest.fixture
def runtime(sqlite_server, tmp_path: Path):
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"),
        "kiosk.session_dir": str(tmp_path / "sessions"),
        "devices.printer_backend": "demo", "devices.scanner_backend": "demo",
        "devices.reader_backend": "demo", "devices.hotplug_backend": "demo",
        "sync.server_url": sqlite_server.url, "sync.token": sqlite_server.tenant.token,
        "sync.heartbeat_s": 3600, "sync.interval_s": 3600,  # beats are driven by the test
        "sync.catalogue_public_key": bundles.public_key_hex(
            server_settings(sqlite_server.data_dir)),
    })
    rt = KioskRuntime(settings, clock=ManualClock())
    yield rt
    rt.close()


def test_the_runtime_swaps_in_its_sites_procedure_after_the_session(sqlite_server, runtime):
    assert runtime.connection is not None and runtime.connection.heartbeat is not None
    before = runtime.practice
    assert before is not None and "mairie-lille-rdv" not in before.ids()
    runtime.core.start()
    _publish(sqlite_server.engine, sqlite_server.tenant.site_id)
    assert runtime.connection.heartbeat.beat_once() is not None
    assert "mairie-lille-rdv" not in runtime.practice.ids()  # the session goes on unchanged

    runtime.core.end(EndReason.FINISHED, offer_survey=False)
    runtime.core.complete(None)
    assert "mairie-lille-rdv" in runtime.practice.ids()
    assert runtime.practice.get("mairie-lille-rdv").published_version == 1
    assert runtime.practice.ids()[:1] == before.ids()[:1]  # shipped ones first, by default
    run = PracticeRun(runtime.practice.get("mairie-lille-rdv"), Mode.AUTONOMOUS,
                      clock=ManualClock())
    activity = run.activity()
    assert (activity.procedure_id, activity.procedure_version) == ("mairie-lille-rdv", 1)
    shipped = PracticeRun(runtime.practice.get("mairie-rendez-vous"), clock=ManualClock())
    assert shipped.activity().procedure_version is None
    assert "procedure_version" not in json.dumps(record_of(shipped.activity()))


def record_of(activity) -> dict:
    """A session record with this activity, as it travels (kiosk_wire.schema.to_wire)."""
    import datetime as dt
    import uuid

    from kiosk_wire.schema import Language, SessionRecord

    return SessionRecord(event_id=uuid.uuid4(), day=dt.date(2026, 12, 5), hour=10,
                         duration_min=5, language=Language.FR, end_reason=EndReason.FINISHED,
                         activities=[activity]).to_wire()


def test_the_runtime_offers_a_parcours_built_in_the_console_beside_the_shipped_ones(
        sqlite_server, runtime):
    from kiosk.practice.parcours_follow import ParcoursFollow
    from sync.test_catalogue_parcours import publish_parcours

    follow = ParcoursFollow(runtime)
    shipped = list(follow.offered())
    assert shipped and "mairie-pas-a-pas" not in shipped
    publish_parcours(sqlite_server.engine, sqlite_server.tenant.site_id)
    assert runtime.connection.heartbeat.beat_once() is not None
    offered = follow.offered()  # what the catalogue screen lists, shipped ones first
    assert list(offered) == [*shipped, "mairie-pas-a-pas"]
    follow.follow(offered["mairie-pas-a-pas"])
    run = PracticeRun(runtime.practice.get("mairie-rendez-vous"), clock=ManualClock())
    tagged = follow.tag(run.activity(), completed=True)
    assert (tagged.parcours_id, tagged.parcours_step) == ("mairie-pas-a-pas", 1)
    assert follow.card_worth_printing()
