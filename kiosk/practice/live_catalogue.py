"""The catalogue a kiosk shows, as it changes: the shipped one (and the site's folder) with the
site's published bundle (kiosk.practice.published), swapped in between two sessions only.

A bundle the keeper takes during a session waits: residents never see the catalogue change
under their finger, nor a procedure they are practising replaced. It is swapped in when no
session is running: at once if the kiosk is idle, else when the session has ended.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.practice.published import BundleKeeper, compose
from kiosk.scheduling import Schedule, run_now
from kiosk.sessions.state import SessionState
from kiosk_wire.config import Settings

if TYPE_CHECKING:
    from kiosk.practice.catalogue import Catalogue
    from kiosk.sessions.core import SessionCore

log = logging.getLogger(__name__)


class LiveCatalogue:
    def __init__(self, load_base: Callable[[], Catalogue | None], keeper: BundleKeeper | None,
                 schedule: Schedule = run_now) -> None:
        self.load_base = load_base
        self.keeper = keeper
        self.schedule = schedule
        self._base: Catalogue | None = None
        self._shown: Catalogue | None = None
        self._loaded = False
        self._core: SessionCore | None = None
        self.swaps = 0  # bundles swapped in since start
        self.use_keeper(keeper)

    @classmethod
    def from_settings(cls, settings: Settings, load_base: Callable[[], Catalogue | None],
                      schedule: Schedule = run_now) -> LiveCatalogue:
        key = str(settings.get("sync.catalogue_public_key"))
        return cls(load_base, BundleKeeper.from_settings(Path(settings.data_dir), key), schedule)

    def use_keeper(self, keeper: BundleKeeper | None) -> None:
        """Take bundles from this keeper (None: none; a test links a running app to a server)."""
        self.keeper = keeper
        if keeper is not None:
            keeper.add_listener(lambda: self.schedule(self._swap_soon, 0))

    def attach(self, core: SessionCore) -> None:
        """Swap a waiting bundle in when a session ends."""
        self._core = core

        def on_state(old: SessionState, new: SessionState) -> None:
            if new is SessionState.IDLE:
                self.swap_if_between_sessions()
        core.add_listener(on_state)

    def catalogue(self) -> Catalogue | None:
        """What residents see now (loaded on first use)."""
        if not self._loaded:
            self._loaded = True
            self._base = self.load_base()
            accepted = self.keeper.load_kept() if self.keeper is not None else None
            self.swap_if_between_sessions()
            if self._shown is None and self._base is not None:
                self._shown = compose(self._base, accepted)
        return self._shown

    def available(self) -> bool:
        """False once loading found no catalogue at all; True before it is loaded."""
        return not self._loaded or self._shown is not None

    def show(self, catalogue: Catalogue | None) -> None:
        """Show this catalogue as the base (tests, the demo)."""
        self._loaded = True
        self._base = self._shown = catalogue

    def between_sessions(self) -> bool:
        core = self._core
        return core is None or core.state not in (SessionState.ACTIVE,
                                                  SessionState.IDLE_WARNING, SessionState.ENDING)

    def _swap_soon(self) -> None:
        self.swap_if_between_sessions()

    def swap_if_between_sessions(self) -> bool:
        """Swap the waiting bundle in unless a session is running; True when swapped."""
        if self.keeper is None or self.keeper.pending is None or not self.between_sessions():
            return False
        accepted = self.keeper.take_pending()
        if self._loaded and self._base is not None:
            self._shown = compose(self._base, accepted)
        self.swaps += 1
        log.info("catalogue %s in use", accepted.version if accepted else "?")
        return True
