"""The outcome of the terminal's last update, for the heartbeat.

`kiosk-update` (packaging/bin/kiosk-update, run by root from kiosk-update.timer) writes
``/var/lib/kiosk-update/state``: ``key=value`` lines, ``state=`` one of
:class:`kiosk_wire.schema.UpdateState`, ``tried=`` the version it installed or tried. The file is
world-readable and holds no secret. Absent (a development install, no update ever run) or not
understood: nothing is reported.
"""
from __future__ import annotations

import re
from pathlib import Path

from kiosk_wire.schema import PACKAGE_VERSION_PATTERN, UpdateState

STATE_FILE = Path("/var/lib/kiosk-update/state")
MAX_BYTES = 4096


def read(path: Path = STATE_FILE) -> tuple[UpdateState | None, str | None]:
    """(state, version tried) of the last update, or (None, None)."""
    try:
        with path.open("rb") as f:
            text = f.read(MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return None, None
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    try:
        state = UpdateState(fields.get("state", "").strip())
    except ValueError:
        return None, None
    tried = fields.get("tried", "").strip()
    return state, tried if re.match(PACKAGE_VERSION_PATTERN, tried) else None
