"""The app's help desk linked to a real `kiosk-server run` (uvicorn subprocess on SQLite), and a
bounded wait that runs the UI loop: shared by the help-call tests."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server.helpers import make_tenant, open_migrated

from kiosk_server.demo import spawn_server
from kiosk.sync import ServerConnection
from kiosk.sync.help import HelpDesk
from kiosk.sync.link import ServerLink


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


