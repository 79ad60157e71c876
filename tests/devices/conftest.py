"""A real session core (store, journal and private workspace under tmp_path) per test."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.sessions import open_core
from kiosk.sessions.core import SessionCore
from kiosk_wire import config


@pytest.fixture
def core(tmp_path: Path) -> SessionCore:
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram")})
    session_core = open_core(settings)
    session_core.start()
    return session_core
