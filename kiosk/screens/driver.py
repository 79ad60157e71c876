"""Drive the kiosk UI from code: frames, simulated touches, key presses, screenshots.

Used by the scripted demo (`kiosk demo --headless`), the UI tests and the UI benchmark, so the
three exercise the app the same way a finger does: every tap is a real touch event dispatched
through Kivy's event loop at the centre of the widget, never a direct method call.

No test framework here (``kivy.tests`` imports pytest): ``kiosk demo --headless`` runs on a
terminal installed without the test extras, so the touch is our own :class:`FingerTouch`.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.input.motionevent import MotionEvent
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget


class FingerTouch(MotionEvent):
    """One finger on the glass at window pixel (x, y), posted to Kivy's event loop as the touch
    providers post theirs (``begin``, ``update``, ``end``)."""

    def __init__(self, x: float, y: float) -> None:
        super().__init__("kiosk-driver", 1, self._ratios(x, y), is_touch=True, type_id="touch")
        self.profile = ["pos"]

    @staticmethod
    def _ratios(x: float, y: float) -> dict[str, float]:
        window = EventLoop.window
        return {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)}

    def depack(self, args: dict[str, float]) -> None:
        self.sx, self.sy = args["x"], args["y"]  # before MotionEvent's own depack: it syncs
        super().depack(args)                       # the origin and deltas from them

    def down(self) -> None:
        EventLoop.post_dispatch_input("begin", self)

    def move_to(self, x: float, y: float) -> None:
        self.move(self._ratios(x, y))
        EventLoop.post_dispatch_input("update", self)

    def up(self) -> None:
        EventLoop.post_dispatch_input("end", self)


# Kivy's ScrollView replays a tap's release 0.2 s after the finger lifts, on the clock; the
# margin covers a machine so loaded that a frame takes longer than that (CI beside other jobs).
RELEASE_WAIT_S = 3.0


def held_back(touch: MotionEvent) -> bool:
    """Whether a ScrollView still holds this finished tap's release.

    A ScrollView cannot tell a tap from the start of a swipe until the finger lifts: then it
    replays the press to the widget under the finger and the release 0.2 s later, on the clock
    (Kivy's ``ScrollView.on_scroll_stop``). A button inside a scrolling page acts on release, so
    until then the tap has not happened yet, for a finger as for this driver."""
    pending = any(isinstance(key, str) and key.startswith("sv.") and isinstance(value, dict)
                  and value.get("mode") == "unknown" for key, value in touch.ud.items())
    return pending and bool(touch.grab_list)


class UiDriver:
    def __init__(self, app: Any) -> None:
        self.app = app

    @property
    def window(self) -> Any:
        return EventLoop.window

    def frames(self, n: int = 2) -> None:
        """Let Kivy run ``n`` frames: clock callbacks, layout, drawing."""
        for _ in range(n):
            EventLoop.idle()

    def tick(self) -> None:
        """Run due clock callbacks (layout, bindings) without drawing a frame."""
        Clock.tick()

    def settle(self) -> None:
        """Let a screen change finish: the screen manager ignores touches meanwhile."""
        sm = getattr(self.app, "sm", None)
        for _ in range(10):
            if sm is None or not sm.transition.is_active:
                return
            self.frames(1)

    def tap_at(self, x: float, y: float, draw: bool = True, wait: bool = True) -> None:
        """Touch the window at (x, y) and, unless ``wait`` is False (a monkey taps on without
        looking), wait for the tapped widget to receive the release (see :func:`held_back`)."""
        self.settle()
        touch = FingerTouch(x, y)
        touch.down()
        touch.up()
        self._step(draw)
        deadline = time.monotonic() + RELEASE_WAIT_S
        while wait and held_back(touch) and time.monotonic() < deadline:
            time.sleep(0.02)
            self._step(draw)

    def _step(self, draw: bool) -> None:
        if draw:
            self.frames(1)
        else:
            self.tick()

    def tap(self, widget: Widget, draw: bool = True, wait: bool = True) -> None:
        """Touch the centre of a widget, as a finger would."""
        x, y = widget.to_window(widget.center_x, widget.center_y)
        self.tap_at(x, y, draw, wait)

    def key(self, key: int, codepoint: str | None = None,
            modifiers: list[str] | None = None) -> None:
        self.window.dispatch("on_key_down", key, 0, codepoint, modifiers or [])
        self.window.dispatch("on_keyboard", key, 0, codepoint, modifiers or [])
        self.window.dispatch("on_key_up", key, 0)

    def screen(self) -> Any:
        return self.app.sm.current_screen

    def confirmation(self) -> Any:
        """The confirmation shown over the window (kiosk.screens.kit.confirm), or None."""
        from kiosk.screens.kit.confirm import open_dialog

        return open_dialog(self.app.root)

    def answer(self, confirm: bool = True) -> None:
        """Touch one of the open confirmation's buttons: the irreversible one, or the safe one."""
        dialog = self.confirmation()
        if dialog is None:
            raise AssertionError("no confirmation is shown")
        self.frames(2)  # laid out before the finger looks for the button
        self.tap(dialog.ids.confirm if confirm else dialog.ids.safe)

    def screenshot(self, path: Path) -> Path:
        """Save the current frame as a PNG (a few frames first: layout settles)."""
        self.frames(3)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Kivy inserts a counter into the name; keep the name we were asked for.
        produced = self.window.screenshot(name=str(path))
        if produced:
            Path(produced).replace(path)
        return path


def walk(widget: Widget) -> Iterator[Widget]:
    yield widget
    for child in widget.children:
        yield from walk(child)


def visible_widgets(root: Widget) -> Iterator[Widget]:
    """Widgets drawn on screen: skips hidden (opacity 0 or zero size) subtrees."""
    def visit(w: Widget) -> Iterator[Widget]:
        if w.opacity == 0 or w.width <= 0 or w.height <= 0:
            return
        yield w
        for child in w.children:
            yield from visit(child)
    yield from visit(root)


def touch_targets(root: Widget) -> list[Widget]:
    """Every visible, enabled thing a finger can press."""
    return [w for w in visible_widgets(root)
            if isinstance(w, ButtonBehavior) and not w.disabled]


def find(root: Widget, predicate: Any) -> Widget | None:
    for widget in walk(root):
        if predicate(widget):
            return widget
    return None
