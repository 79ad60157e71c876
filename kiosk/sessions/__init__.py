"""Session lifecycle, inactivity, wipe, anonymised records and their sync. No Kivy here."""
from __future__ import annotations

import logging
from pathlib import Path

from kiosk.config import Settings
from kiosk.schema import Language
from kiosk.sessions.clock import Clock
from kiosk.sessions.core import IdlePolicy, SessionCore
from kiosk.sessions.state import SessionState
from kiosk.sessions.workspace import pick_session_root
from kiosk.storage import LocalStore, StoreError, store_path

log = logging.getLogger(__name__)

__all__ = ["SessionCore", "SessionState", "IdlePolicy", "open_store", "open_core"]


def open_store(settings: Settings) -> LocalStore | None:
    """The local store, or None (logged) when it cannot be opened: sessions still run."""
    try:
        return LocalStore(store_path(settings.data_dir))
    except StoreError as err:
        log.error("%s; sessions will run and wipe, records are kept in memory", err)
        return None


def open_core(settings: Settings, clock: Clock | None = None,
              store: LocalStore | None = None) -> SessionCore:
    """A session core wired to the settings, with crash leftovers already wiped."""
    data_dir: Path = settings.data_dir
    core = SessionCore(
        store=store if store is not None else open_store(settings),
        journal_dir=data_dir / "journal",
        workspace_root=pick_session_root(settings.get("kiosk.session_dir"), data_dir),
        clock=clock,
        idle=IdlePolicy(settings.get("session.idle_timeout_s"),
                        settings.get("session.idle_warning_s")),
        default_language=Language(settings.get("kiosk.default_language")),
    )
    if core.store is None:
        core.faults.append(f"local store unavailable at {store_path(data_dir)}")
    return core
