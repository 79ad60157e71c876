"""« Appeler un médiateur » on the real app against a real `kiosk-server run` (uvicorn subprocess on
SQLite): when a mediator answers "J'arrive" in the console, the help-call screen says "Un
médiateur arrive." within a few seconds — from the help desk's poll, with no heartbeat at all —
and the UI loop never waits on the network meanwhile."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server.helpers import make_tenant, open_migrated

from kiosk.sync import ServerConnection
from kiosk.sync.help import HelpDesk, HelpStatus
from kiosk.sync.link import ServerLink
from kiosk_server import live
from kiosk_server.demo import spawn_server

pytestmark = pytest.mark.display


@pytest.fixture
def polling_desk(ui_app: Any, tmp_path: Path) -> Iterator[tuple[HelpDesk, Any]]:
    """The app's help desk linked to a running server, polling every second, no heartbeat."""
    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    url = f"sqlite:///{data_dir / 'server.sqlite'}"
    engine = open_migrated(url)
    tenant = make_tenant(engine)
    server = spawn_server(data_dir)
    runtime = ui_app.runtime
    before = runtime.connection
    desk = HelpDesk(runtime.core, ServerLink.checked(server.url, tenant.token, timeout_s=10),
                    schedule=runtime.schedule, poll_interval_s=1.0)
    desk.add_listener(runtime._help_changed)  # what KioskRuntime.open_parts wires
    runtime.connection = ServerConnection(desk)
    try:
        yield desk, engine
    finally:
        desk.stop()
        runtime.connection = before
        server.stop()
        engine.dispose()


def frames_until(driver: Any, condition: Any, seconds: float = 20.0) -> bool:
    """Run the UI loop (frames, clock) until ``condition()``; bounded, never a timing check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        driver.frames(1)
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_mediator_answer_reaches_the_help_screen_without_a_heartbeat(driver, ui_app,
                                                                     polling_desk):
    desk, engine = polling_desk
    # The fixture's desk has no heartbeat beside it: only its own poll can bring the answer.
    driver.tap(driver.screen().ids.start)
    driver.tap(driver.screen().ids.tile_help)
    screen = driver.screen()
    assert screen.name == "help_call"
    assert frames_until(driver, lambda: screen.ids.status.txt == "Un médiateur a été prévenu.")
    assert desk.status is HelpStatus.SENT

    with engine.begin() as conn:  # "J'arrive" in the console
        assert live.acknowledge_help(conn, str(desk.request_id))

    assert frames_until(driver, lambda: screen.ids.status.txt == "Un médiateur arrive.")
    assert screen.ids.body.txt == "Restez devant la borne : il vient vers vous."
    assert desk.status is HelpStatus.ACKNOWLEDGED
