"""Whether this machine has what the browser needs: Debian's Chromium and the Playwright
library that drives it. Asked by the runtime (no tile without them) and by `kiosk doctor`
(which says what to install). Neither is imported here: Playwright is heavy, Chromium is a
program."""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path


def chromium_installed(executable: Path) -> bool:
    return executable.is_file() and os.access(executable, os.X_OK)


def playwright_installed() -> bool:
    """Whether Playwright's sync API can be imported (found, not imported)."""
    try:
        return importlib.util.find_spec("playwright.sync_api") is not None
    except ModuleNotFoundError:
        return False
