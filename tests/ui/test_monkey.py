"""A monkey: two thousand random touches and key presses across the screens (KIOSK_MONKEY_EVENTS
asks for a longer walk), with the clock jumping now and then. Nothing may raise, nothing may
quit, and the session is wiped at the end."""
from __future__ import annotations

import logging
import random

import pytest
from kivy.base import EventLoop

from kiosk.screens.driver import touch_targets
from kiosk.sessions.state import SessionState

# Real rendering of thousands of events: minutes on a loaded 2-core machine.
pytestmark = [pytest.mark.display, pytest.mark.slow, pytest.mark.timeout(1200)]

EVENTS = int(__import__("os").environ.get("KIOSK_MONKEY_EVENTS", "2000"))
KEYS = [(27, None, []), (282, None, []), (285, None, ["alt"]), (9, None, ["alt"]),
        (113, "q", ["ctrl"]), (13, None, []), (8, None, []), (97, "a", []), (53, "5", []),
        (292, None, []), (27, None, ["shift"])]


def test_monkey_taps_and_keys_never_break_or_quit_and_the_session_is_wiped(
        driver, ui_app, caplog):
    rng = random.Random(20261122)
    core = ui_app.runtime.core
    window = driver.window
    status_before = EventLoop.status
    created = []
    caplog.set_level(logging.ERROR)
    for i in range(EVENTS):
        roll = rng.random()
        if roll < 0.45:
            targets = touch_targets(ui_app.root)
            if targets:
                driver.tap(rng.choice(targets), draw=False, wait=False)
        elif roll < 0.85:
            driver.tap_at(rng.uniform(0, window.width), rng.uniform(0, window.height),
                          draw=False, wait=False)
        elif roll < 0.95:
            key, codepoint, modifiers = rng.choice(KEYS)
            driver.key(key, codepoint, modifiers)
        else:
            core.clock.advance(rng.choice([1, 5, 30, core.idle.timeout_s]))
            ui_app._tick()
        if i % 200 == 0 and core.in_session:
            path = core.new_file(".png", label="scan")
            path.write_bytes(b"monkey page")
            created.append(path)
        if i % 25 == 0:
            driver.frames(1)
    assert EventLoop.status == status_before
    assert ui_app.allow_quit is False
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], errors[0].getMessage() if errors else ""
    # Whatever state the monkey left, the session ends and is wiped like any other.
    if core.state is SessionState.OUT_OF_ORDER:
        core.back_in_service()
    for _ in range(4):
        core.clock.advance(core.idle.timeout_s + core.idle.warning_s)
        ui_app._tick()
    assert core.state in (SessionState.IDLE, SessionState.OUT_OF_ORDER,
                          SessionState.MAINTENANCE)
    assert created, "the monkey never started a session"
    assert [p for p in created if p.exists()] == []
    assert list(core.workspace_root.glob("*")) == []
    assert core.journal.leftovers() == []
