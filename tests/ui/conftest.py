"""One kiosk app for the whole UI suite (Kivy allows one window per process), reset before
each test. Real Kivy on an offscreen SDL window (tests/conftest.py sets the environment), the
real session core and local store on a temporary directory, the demo device backends, and a
ManualClock so idle timeouts need no sleeping."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TEST_PIN = "246810"


@pytest.fixture(scope="session")
def kiosk_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from kiosk.app import start_headless
    from kiosk.sessions.clock import ManualClock
    from kiosk.sessions.mediator_pin import hash_pin
    from kiosk_wire import config

    data = tmp_path_factory.mktemp("kiosk-ui")
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(data / "data"),
        "kiosk.session_dir": str(data / "sessions"),
        "devices.printer_backend": "demo",
        "devices.scanner_backend": "demo",
        "devices.reader_backend": "demo",
        "devices.hotplug_backend": "demo",
        "mediator.pin_hash": hash_pin(TEST_PIN),
        "ui.fullscreen": False,
    })
    app = start_headless(settings, clock=ManualClock())
    yield app
    app.runtime.close()


@pytest.fixture
def ui_app(kiosk_app: Any) -> Iterator[Any]:
    kiosk_app.reset_for_next_test()
    kiosk_app.runtime.pin_gate.reset()
    yield kiosk_app
    kiosk_app.reset_for_next_test()


@pytest.fixture
def driver(ui_app: Any) -> Any:
    from kiosk.screens.driver import UiDriver

    d = UiDriver(ui_app)
    d.frames(2)
    return d


@pytest.fixture
def ui_artifacts(artifacts_dir: Path) -> Path:
    return artifacts_dir


@pytest.fixture
def polling_desk(ui_app: Any, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """The app's help desk linked to a running `kiosk-server run` (uvicorn subprocess on
    SQLite), polling every second, no heartbeat."""
    from server.helpers import make_tenant, open_migrated

    from kiosk.sync import ServerConnection
    from kiosk.sync.help import HelpDesk
    from kiosk.sync.link import ServerLink
    from kiosk_server.demo import spawn_server

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
    desk.add_listener(runtime.help_calls.desk_changed)  # what KioskRuntime.open_parts wires
    runtime.connection = ServerConnection(desk)
    try:
        yield desk, engine
    finally:
        desk.stop()
        runtime.connection = before
        server.stop()
        engine.dispose()
