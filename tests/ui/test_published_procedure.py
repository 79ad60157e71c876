"""A procedure published to the kiosk's site from the console reaches the running app through
a real heartbeat against `kiosk-server run` (SQLite), stays out of the catalogue during the
session in progress, appears after it, and a resident plays it to the end by touch; the session
record names its version."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server.helpers import make_tenant, open_migrated, server_settings
from server.procedure_helpers import procedure_yaml
from sync.test_catalogue_bundle import _publish

from kiosk.practice.published import BundleKeeper
from kiosk.sync.catalogue import CatalogueSync
from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.sync.link import ServerLink
from kiosk_server.demo import spawn_server
from kiosk_server.procedures import bundles
from kiosk_wire import ed25519
from kiosk_wire.schema import EndReason, Language

from .helpers import queued_records
from .practice_play import open_practice, play_page, visible

pytestmark = [pytest.mark.display, pytest.mark.slow]  # a whole procedure by touch: ~30 s


@pytest.fixture
def linked(ui_app: Any, tmp_path: Path) -> Iterator[HeartbeatClient]:
    """The app's catalogue taking bundles from a running server, through a heartbeat the test
    drives; everything put back afterwards (the app is shared by the UI suite)."""
    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    engine = open_migrated(f"sqlite:///{data_dir / 'server.sqlite'}")
    tenant = make_tenant(engine)
    server = spawn_server(data_dir)
    runtime = ui_app.runtime
    shown = runtime.practice
    live = runtime.live_catalogue
    public = ed25519.public_key(bundles.signing_seed(server_settings(data_dir)))
    keeper = BundleKeeper(tmp_path / "catalogue", public)
    live.use_keeper(keeper)
    link = ServerLink.checked(server.url, tenant.token, timeout_s=10)
    beats = HeartbeatClient(runtime.core, link, schedule=runtime.schedule,
                            catalogue=CatalogueSync(link, keeper.offer, keeper.version))
    try:  # the procedure the guided touch test plays, under the site's own id and title
        _publish(engine, tenant.site_id, procedure_yaml(source="caf-trimestrielle"))
        yield beats
    finally:
        live.use_keeper(None)
        runtime.practice = shown
        server.stop()
        engine.dispose()


def test_a_published_procedure_arrives_between_sessions_and_is_played_to_the_end(
        driver, ui_app, linked, ui_artifacts):
    runtime = ui_app.runtime
    ui_app.start_session(Language.FR, set())
    driver.frames(2)
    assert linked.beat_once() is not None
    driver.frames(2)
    assert "mairie-lille-rdv" not in runtime.practice.ids()  # not during this session
    runtime.core.end(EndReason.FINISHED, offer_survey=False)
    runtime.core.complete(None)
    driver.frames(2)
    assert "mairie-lille-rdv" in runtime.practice.ids()

    ui_app.start_session(Language.FR, set())
    driver.frames(2)
    screen = open_practice(driver, ui_app, "mairie-lille-rdv", "guided")
    run = screen.run
    assert run.procedure.title.fr == "Rendez-vous à Lille"
    for _ in range(30):
        if run.page.end:
            break
        driver.frames(2)  # the page drawn before it is touched
        before = run.page.id
        play_page(driver, screen)
        assert run.page.id != before or run.page.end, f"stuck on {before}"
    assert run.completed
    driver.screenshot(ui_artifacts / "published-procedure-end.png")
    visible(driver, screen, screen.view.button)
    driver.tap(screen.view.button)
    driver.frames(2)
    before = len(queued_records(ui_app))
    runtime.core.end(EndReason.FINISHED, offer_survey=False)
    runtime.core.complete(None)
    records = queued_records(ui_app)
    assert len(records) == before + 1
    practised = [a for a in records[-1]["activities"] if a.get("procedure_id") ==
                 "mairie-lille-rdv"]
    assert practised and practised[0]["procedure_version"] == 1
