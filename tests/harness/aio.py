"""Run a coroutine to the end from synchronous test code, whatever loop the caller's thread has.

Playwright's sync API (the console tests' session-scoped Chromium) keeps an asyncio loop marked
as running in the main thread for the rest of the session; ``asyncio.run`` refuses to start
under it. A thread of its own gives the coroutine a loop nobody else touches."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` in a fresh thread; its result returned, its exception re-raised."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coro)
        except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = err

    worker = threading.Thread(target=run, name="test-coroutine")
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]
