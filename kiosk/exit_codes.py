"""How `kiosk run` ends, as systemd sees it (deploy/systemd/kiosk.service).

- ``OK`` (0): stopped by the system (``systemctl stop``, shutdown).
- ``MAINTENANCE``: a mediator chose "Quitter pour maintenance"; the unit's
  ``RestartPreventExitStatus=`` keeps it stopped until someone starts it again.
- ``REFUSED_TO_START``: the machine is not safe for residents' files (a hostile session root,
  see kiosk.sessions.workspace); the message says what to fix, ``kiosk doctor`` too. systemd
  restarts it (with the unit's backoff), so fixing the cause is enough.
"""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    MAINTENANCE = 10
    REFUSED_TO_START = 78  # EX_CONFIG in sysexits.h
