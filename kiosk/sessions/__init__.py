"""Session lifecycle, inactivity, wipe, anonymised records and their sync. No Kivy here.

The package's names are resolved lazily (PEP 562): ``from kiosk.sessions.state import
SessionState`` or ``kiosk.sessions.journal`` must not pull in the session core's imports (the
pydantic wire schema, sqlite-utils), which the touch UI only needs after its first frame.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk_wire.config import Settings

if TYPE_CHECKING:
    from kiosk.sessions.clock import Clock
    from kiosk.sessions.core import IdlePolicy, SessionCore
    from kiosk.sessions.state import SessionState
    from kiosk.storage import LocalStore

log = logging.getLogger(__name__)

__all__ = ["IdlePolicy", "SessionCore", "SessionState", "has_leftovers", "journal_dir", "open_core",
           "open_store"]

_LAZY = {"SessionCore": "kiosk.sessions.core", "IdlePolicy": "kiosk.sessions.core",
         "SessionState": "kiosk.sessions.state"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kiosk.sessions' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def open_store(settings: Settings) -> LocalStore | None:
    """The local store, or None (logged) when it cannot be opened: sessions still run."""
    from kiosk.storage import LocalStore, StoreError, store_path

    try:
        return LocalStore(store_path(settings.data_dir))
    except StoreError as err:
        log.error("%s; sessions will run and wipe, records are kept in memory", err)
        return None


def open_core(settings: Settings, clock: Clock | None = None,
              store: LocalStore | None = None) -> SessionCore:
    """A session core wired to the settings, with crash leftovers already wiped."""
    from kiosk.sessions.core import IdlePolicy, SessionCore
    from kiosk.sessions.workspace import ensure_private_root, pick_session_root
    from kiosk.storage import store_path
    from kiosk_wire.schema import Language

    data_dir: Path = settings.data_dir
    root = pick_session_root(settings.get("kiosk.session_dir"), data_dir)
    ensure_private_root(root)  # HostileSessionRoot: no session may start there
    core = SessionCore(
        store=store if store is not None else open_store(settings),
        journal_dir=journal_dir(settings),
        workspace_root=root,
        clock=clock,
        idle=IdlePolicy(settings.get("session.idle_timeout_s"),
                        settings.get("session.idle_warning_s")),
        default_language=Language(settings.get("kiosk.default_language")),
    )
    if core.store is None:
        core.faults.append(f"local store unavailable at {store_path(data_dir)}")
    from kiosk.browser.profile import BROWSER_PROFILE, dispose_profile

    core.disposers.register(BROWSER_PROFILE, dispose_profile)  # a crashed session's browser too
    return core


def journal_dir(settings: Settings) -> Path:
    """Where the session journals live (read before the first frame: crash leftovers)."""
    return settings.data_dir / "journal"


def has_leftovers(settings: Settings) -> bool:
    """True when a crashed session left something to wipe. Cheap (no store, no schema): the
    UI asks this before its first frame, and only then opens the session core that early."""
    from kiosk.sessions.journal import Journal

    return bool(Journal(journal_dir(settings)).leftovers())
