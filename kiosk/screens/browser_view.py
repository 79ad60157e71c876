"""The page of the kiosk's browser as a Kivy widget: the screencast's pictures drawn stretched
to the widget, touches forwarded as taps and scrolls, and the keyboard's target.

Frames arrive in the browser's worker thread as JPEG: they are decoded there (Pillow) and only
the newest picture's pixels are handed to the Kivy loop, one texture upload per frame shown.
"""
from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty
from kivy.uix.image import Image

from kiosk.browser.interaction import FieldKind
from kiosk.screens.kit.layouts import Layout

# A finger moving less than this (pixels) is a tap; more, the page scrolls.
TAP_SLOP_PX = 12
# Taps on one spot this close in time are a series: the second selects the word under the
# finger, the third its paragraph (for read aloud). Longer than a desktop's double click: a
# finger that is not used to screens is slower.
TAP_SERIES_S = 0.6

LAYOUTS = {FieldKind.TEXT: Layout.AZERTY, FieldKind.EMAIL: Layout.EMAIL,
           FieldKind.NUMERIC: Layout.NUMERIC, FieldKind.DATE: Layout.DATE}


class WebPageView(Image):
    """Shows the frames; reports taps and scrolls in page (CSS) pixels."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fit_mode", "fill")
        super().__init__(**kwargs)
        self.viewport: tuple[int, int] = (1280, 720)
        self.on_tap: Callable[[float, float, int], None] | None = None
        self.on_scroll: Callable[[float, float, float], None] | None = None
        self._latest: tuple[tuple[int, int], bytes] | None = None
        self._lock = threading.Lock()
        self._scheduled = False
        self._start: tuple[float, float] | None = None
        self._last_y = 0.0
        self._last_tap: tuple[float, tuple[float, float], int] = (0.0, (0.0, 0.0), 0)
        self.tap_series_s = TAP_SERIES_S
        self.frames_shown = 0

    # --- frames (worker thread, then the Kivy loop) -----------------------------------------
    def frame_from_worker(self, jpeg: bytes) -> None:
        from PIL import Image as PILImage

        picture = PILImage.open(io.BytesIO(jpeg)).convert("RGB")
        with self._lock:
            self._latest = (picture.size, picture.tobytes())
            if self._scheduled:
                return  # the Kivy loop has not drawn the previous one: it draws this one
            self._scheduled = True
        Clock.schedule_once(self._draw, 0)

    def _draw(self, *_args: Any) -> None:
        with self._lock:
            latest, self._latest, self._scheduled = self._latest, None, False
        if latest is None:
            return
        size, pixels = latest
        texture: Texture | None = self.texture  # type: ignore[has-type]
        if texture is None or tuple(texture.size) != size:
            texture = Texture.create(size=size, colorfmt="rgb")
            texture.flip_vertical()
        texture.blit_buffer(pixels, colorfmt="rgb", bufferfmt="ubyte")
        self.texture = texture
        self.canvas.ask_update()
        self.frames_shown += 1

    def clear(self) -> None:
        """Forget the last picture (the session ended: the next resident must not see it)."""
        with self._lock:
            self._latest = None
        self.texture = None
        self.frames_shown = 0
        self.canvas.ask_update()

    # --- touches ----------------------------------------------------------------------------
    def to_page(self, x: float, y: float) -> tuple[float, float]:
        """Widget pixels (origin bottom left) to page CSS pixels (origin top left)."""
        width, height = self.viewport
        return ((x - self.x) / max(self.width, 1) * width,
                (self.top - y) / max(self.height, 1) * height)

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        self._start = touch.pos
        self._last_y = touch.y
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is not self or self._start is None:
            return False
        if abs(touch.y - self._start[1]) > TAP_SLOP_PX and self.on_scroll is not None:
            x, y = self.to_page(*touch.pos)
            dy = (touch.y - self._last_y) / max(self.height, 1) * self.viewport[1]
            self._last_y = touch.y
            self.on_scroll(x, y, dy)  # the finger goes up: the page goes down
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        start, self._start = self._start, None
        if start is not None and abs(touch.x - start[0]) <= TAP_SLOP_PX \
                and abs(touch.y - start[1]) <= TAP_SLOP_PX and self.on_tap is not None:
            self.on_tap(*self.to_page(*touch.pos), self._series(touch.pos))
        return True

    def _series(self, pos: tuple[float, float]) -> int:
        """This tap's rank in a quick series on one spot (1, 2 or 3)."""
        now = time.monotonic()
        at, where, count = self._last_tap
        near = abs(pos[0] - where[0]) <= 2 * TAP_SLOP_PX and abs(pos[1] - where[1]) <= \
            2 * TAP_SLOP_PX
        count = count % 3 + 1 if near and now - at <= self.tap_series_s else 1
        self._last_tap = (now, pos, count)
        return count


class PageField(EventDispatcher):
    """The kiosk keyboard's target while a page field has the focus: what the keyboard types
    goes to the page (the browser's worker thread)."""

    __events__ = ("on_submit",)
    # What the page template asks of a field it docks the keyboard for: its focus, and where it
    # is to scroll it into view; the page's field is inside the picture, which does not scroll.
    focused = BooleanProperty(False)
    parent = None

    def __init__(self, send: Callable[[str, str], None], kind: FieldKind) -> None:
        super().__init__()
        self.send = send
        self.kind = kind

    def keyboard_layout(self) -> str:
        return LAYOUTS.get(self.kind, Layout.AZERTY).value

    def type_text(self, text: str) -> None:
        self.send("text", text)

    def backspace(self) -> None:
        self.send("key", "Backspace")

    def on_submit(self) -> None:
        self.send("key", "Enter")
