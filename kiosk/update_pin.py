"""The version a manager pinned for this kiosk's site, handed to kiosk-update between sessions.

The heartbeat reply carries it (``PushedSettings.pinned_version``). When it differs from the
package installed and no resident's session runs, the kiosk writes it to ``<data_dir>/update-pin``:
kiosk-update.path (root) sees the file change and runs kiosk-update, which installs exactly that
version from the site's signed repository, checks it and rolls back if it fails. kiosk-update
itself refuses to start while a session journal exists (its own guard against a session begun
in between), and the kiosk asks again after the session. The kiosk never runs apt: it only says
which version; root's updater decides, from a repository only root trusts.

It does not ask twice for a version that already failed here (rolled back, or no way back); it
asks again after a session that kiosk-update waited for, and otherwise at most every ``RETRY_S``
(a repository unreachable): each ask costs an apt update.
"""
from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from kiosk_wire.schema import PACKAGE_VERSION_PATTERN, UpdateState

log = logging.getLogger(__name__)

PIN_FILE = "update-pin"
RETRY_S = 900.0
WAITING_RETRY_S = 60.0
GAVE_UP = frozenset({UpdateState.ROLLED_BACK, UpdateState.FAILED})


class PinRequester:
    def __init__(self, data_dir: Path, *, retry_s: float = RETRY_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = data_dir / PIN_FILE
        self.retry_s = retry_s
        self.clock = clock
        self._asked: tuple[str, float] | None = None  # (version, when)

    def consider(self, pinned: str | None, installed: str | None, in_session: bool,
                 last_update: tuple[UpdateState | None, str | None]) -> bool:
        """Ask kiosk-update for ``pinned`` if it is due; True when asked now."""
        if not pinned:
            self._clear()  # unpinned: back to the nightly newest version
            return False
        if not re.match(PACKAGE_VERSION_PATTERN, pinned) or pinned == installed or in_session:
            return False
        state, tried = last_update
        if state in GAVE_UP and tried == pinned:
            return False  # it failed its health check here: the console shows it; no loop
        now = self.clock()
        # A session got in the way of the last ask (kiosk-update said "waiting"): ask again
        # soon after it is over, not a whole retry period later (but not at every heartbeat
        # while the update it started is still running).
        wait = WAITING_RETRY_S if state is UpdateState.WAITING else self.retry_s
        if self._asked is not None and self._asked[0] == pinned \
                and now - self._asked[1] < min(wait, self.retry_s):
            return False
        try:
            self._write(pinned)
        except OSError as err:
            log.warning("pinned version %s not handed to kiosk-update: %s", pinned, err)
            return False
        self._asked = (pinned, now)
        log.info("pinned version %s asked of kiosk-update (installed: %s)", pinned, installed)
        return True

    def _write(self, version: str) -> None:
        """Replace the file whole (kiosk-update.path fires on the rename), readable by root."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{PIN_FILE}.tmp")
        tmp.write_text(version + "\n", encoding="ascii")
        os.replace(tmp, self.path)

    def _clear(self) -> None:
        self._asked = None
        try:
            self.path.unlink(missing_ok=True)
        except OSError as err:
            log.warning("old pinned version not removed: %s", err)
