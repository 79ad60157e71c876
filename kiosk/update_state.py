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
DPKG_STATUS = Path("/var/lib/dpkg/status")
PACKAGE = "kiosk"


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


def installed_version(status: Path = DPKG_STATUS, package: str = PACKAGE) -> str | None:
    """The version of the kiosk package dpkg has installed (the one a site's pinned version is
    compared with), or None: no dpkg, not installed from the package, or not understood. Read
    from dpkg's own database (world-readable) rather than by running dpkg-query: the heartbeat
    thread stays free of subprocesses. Read again only when dpkg changed it (its mtime)."""
    try:
        stamp = status.stat().st_mtime_ns
        cached = _installed_cache.get((status, package))
        if cached is not None and cached[0] == stamp:
            return cached[1]
        text = status.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    version = _version_in(text, package)
    _installed_cache[(status, package)] = (stamp, version)
    return version


_installed_cache: dict[tuple[Path, str], tuple[int, str | None]] = {}


def _version_in(text: str, package: str) -> str | None:
    for stanza in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines()
                      if ": " in line and not line.startswith(" "))
        if fields.get("Package") == package and fields.get("Status", "").endswith(" installed"):
            version = fields.get("Version", "").strip()
            return version if re.match(PACKAGE_VERSION_PATTERN, version) else None
    return None
