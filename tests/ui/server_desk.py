"""A bounded wait that runs the UI loop, shared by the help-call tests (the ``polling_desk``
fixture, a help desk linked to a real `kiosk-server run`, is in conftest.py)."""
from __future__ import annotations

import time
from typing import Any


def frames_until(driver: Any, condition: Any, seconds: float = 20.0) -> bool:
    """Run the UI loop (frames, clock) until ``condition()``; bounded, never a timing check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        driver.frames(1)
        if condition():
            return True
        time.sleep(0.02)
    return condition()


