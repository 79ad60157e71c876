"""Logging set-up from the settings: level, and a rotating file when kiosk.log_dir is set.

Logs never hold what a resident typed or scanned: modules log states, ids and counts only
(tests/practice checks the practice engine; the session core logs no values).
"""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from kiosk_wire.config import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings, program: str = "kiosk") -> Path | None:
    """Apply the settings to the root logger; returns the log file, if any."""
    root = logging.getLogger()
    root.setLevel(settings.get("kiosk.log_level"))
    log_dir = settings.get("kiosk.log_dir")
    if not log_dir:
        return None
    path = Path(log_dir).expanduser() / f"{program}.log"
    if any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=5 * 2**20, backupCount=5,
                                                       encoding="utf-8")
    except OSError as err:
        logging.getLogger(__name__).error("cannot write logs to %s: %s", path, err)
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    return path
