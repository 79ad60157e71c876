"""Logging set-up from the settings: level, and a rotating file when kiosk.log_dir is set.

Logs never hold what a resident typed or scanned: modules log states, ids and counts only
(tests/practice checks the practice engine; the session core logs no values).
"""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from kiosk_wire.config import Settings
from kiosk_wire.secrets import MaskingFilter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def mask_secrets_in_logs(settings: Settings) -> None:
    """Every handler of the root logger masks the settings' secrets and URL passwords."""
    root = logging.getLogger()
    masking = MaskingFilter(settings.secrets())
    for handler in root.handlers:
        for old in [f for f in handler.filters if isinstance(f, MaskingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(masking)


def configure_logging(settings: Settings, program: str = "kiosk") -> Path | None:
    """Apply the settings to the root logger; returns the log file, if any. Secrets of the
    settings are masked in every line (kiosk_wire.secrets)."""
    root = logging.getLogger()
    root.setLevel(settings.get("kiosk.log_level"))
    try:
        return _add_log_file(settings, program)
    finally:
        mask_secrets_in_logs(settings)


def _add_log_file(settings: Settings, program: str) -> Path | None:
    root = logging.getLogger()
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
