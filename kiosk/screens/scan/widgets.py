"""Widgets of the scan screen: the drawing that shows where to put the document, the crop
editor with a handle on each corner of the detected card, and in-memory image textures
(previews never touch the disk: nothing to wipe but the PDF itself)."""
from __future__ import annotations

from typing import Any

from kivy.graphics import Color, Ellipse, Line, Rectangle, RoundedRectangle
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, OptionProperty
from kivy.uix.widget import Widget
from PIL import Image

from kiosk.screens.kit import ui

ID1_RATIO = 85.6 / 54.0
A4_RATIO = 297.0 / 210.0
HANDLE_DP = 28          # handle radius: a 56 dp disc, above the 48 dp minimum touch target
MIN_BOX_PX = 20         # the crop cannot shrink below this (preview pixels)


def texture_from(image: Image.Image | None) -> Texture | None:
    """A GPU texture of a Pillow image, built in memory."""
    if image is None:
        return None
    rgb = image.convert("RGB")
    texture = Texture.create(size=rgb.size, colorfmt="rgb")
    texture.blit_buffer(rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    texture.flip_vertical()  # Pillow's rows go top-down, OpenGL's bottom-up
    return texture


def fit_rect(box_w: float, box_h: float, img_w: float, img_h: float) -> tuple[float, float, float]:
    """(offset x, offset y, scale) to draw an image as large as possible inside a box."""
    scale = min(box_w / max(1, img_w), box_h / max(1, img_h))
    return (box_w - img_w * scale) / 2, (box_h - img_h * scale) / 2, scale


class PlacementDrawing(Widget):
    """The scanner's glass seen from above, with the document in the marked corner."""

    document = OptionProperty("card", options=["card", "page"])
    face = OptionProperty("front", options=["front", "back"])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in ("pos", "size", "document", "face"):
            self.fbind(name, self._redraw)
        ui.watch("palette", self._redraw)  # weakly: see kit.widgets.DirBox
        ui.watch("rtl", self._redraw)

    def _redraw(self, *_args: Any) -> None:
        self.canvas.clear()
        # The glass: A4 portrait as large as fits.
        ox, oy, scale = fit_rect(self.width, self.height, 210, 297)
        gx, gy, gw, gh = self.x + ox, self.y + oy, 210 * scale, 297 * scale
        pal = ui.palette
        with self.canvas:
            Color(*pal.surface)
            Rectangle(pos=(gx, gy), size=(gw, gh))
            Color(*pal.text)
            Line(rectangle=(gx, gy, gw, gh), width=dp(2))
            # The document, in the top-left corner (where scanners put their mark).
            if self.document == "card":
                dw, dh = 85.6 * scale, 54.0 * scale
            else:
                dw, dh = gw * 0.96, gh * 0.96
            dx, dy = gx + dp(4), gy + gh - dh - dp(4)
            Color(*pal.primary[:3], 0.35 if self.face == "front" else 0.2)
            RoundedRectangle(pos=(dx, dy), size=(dw, dh), radius=[dp(6)])
            Color(*pal.primary)
            Line(rounded_rectangle=(dx, dy, dw, dh, dp(6)), width=dp(3))
            # The corner mark: an arrow pointing at the top-left corner.
            Color(*pal.danger)
            tip = (gx + dp(6), gy + gh - dp(6))
            tail = (tip[0] + gw * 0.55, tip[1] - gh * 0.45) if self.document == "card" else \
                (tip[0] + gw * 0.35, tip[1] - gh * 0.25)
            Line(points=[*tail, *tip], width=dp(5), cap="round")
            head = dp(22)
            Line(points=[tip[0] + head, tip[1], *tip, tip[0], tip[1] - head], width=dp(5),
                 cap="round", joint="round")


class CropEditor(Widget):
    """A scan preview with the card's box; drag a corner handle to adjust the crop."""

    image = ObjectProperty(None, allownone=True)   # Pillow image shown
    box = ListProperty([0, 0, 0, 0])               # left, top, right, bottom in image pixels
    confident = BooleanProperty(True)

    __events__ = ("on_box_changed",)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._texture: Texture | None = None
        self._grabbed: int | None = None
        for name in ("pos", "size", "box"):
            self.fbind(name, self._redraw)
        ui.watch("palette", self._redraw)  # weakly: see kit.widgets.DirBox

    def on_image(self, _inst: Any, image: Image.Image | None) -> None:
        self._texture = texture_from(image)
        self._redraw()

    def _geometry(self) -> tuple[float, float, float]:
        if self.image is None:
            return self.x, self.y, 1.0
        # Keep room for the handles around the image.
        pad = dp(HANDLE_DP)
        ox, oy, scale = fit_rect(self.width - 2 * pad, self.height - 2 * pad, *self.image.size)
        return self.x + pad + ox, self.y + pad + oy, scale

    def handle_points(self) -> list[tuple[float, float]]:
        """Window-independent widget coordinates of the 4 corners: TL, TR, BR, BL."""
        if self.image is None:
            return []
        x0, y0, scale = self._geometry()
        h = self.image.size[1]
        left, top, right, bottom = self.box

        def at(px: float, py: float) -> tuple[float, float]:
            return x0 + px * scale, y0 + (h - py) * scale
        return [at(left, top), at(right, top), at(right, bottom), at(left, bottom)]

    def _redraw(self, *_args: Any) -> None:
        self.canvas.clear()
        if self.image is None or self._texture is None:
            return
        x0, y0, scale = self._geometry()
        w, h = self.image.size
        points = self.handle_points()
        pal = ui.palette
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(texture=self._texture, pos=(x0, y0), size=(w * scale, h * scale))
            Color(*pal.primary)
            Line(points=[c for p in points for c in p], close=True, width=dp(3))
            r = dp(HANDLE_DP)
            for px, py in points:
                Color(*pal.primary)
                Ellipse(pos=(px - r, py - r), size=(2 * r, 2 * r))
                Color(*pal.on_primary)
                Line(circle=(px, py, r * 0.55), width=dp(2.5))

    # --- touch ------------------------------------------------------------------------------------
    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos) or self.image is None or self.disabled:
            return super().on_touch_down(touch)
        reach = dp(HANDLE_DP) * 1.4
        best, best_d = None, reach
        for i, (px, py) in enumerate(self.handle_points()):
            d = ((touch.x - px) ** 2 + (touch.y - py) ** 2) ** 0.5
            if d <= best_d:
                best, best_d = i, d
        if best is None:
            return super().on_touch_down(touch)
        self._grabbed = best
        touch.grab(self)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        if touch.grab_current is not self or self._grabbed is None:
            return super().on_touch_move(touch)
        self._move_corner(self._grabbed, touch.x, touch.y)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        if self._grabbed is not None:
            self._move_corner(self._grabbed, touch.x, touch.y)
            self._grabbed = None
            self.dispatch("on_box_changed", tuple(int(v) for v in self.box))
        return True

    def _move_corner(self, corner: int, wx: float, wy: float) -> None:
        x0, y0, scale = self._geometry()
        w, h = self.image.size
        px = min(w, max(0, (wx - x0) / scale))
        py = min(h, max(0, h - (wy - y0) / scale))
        left, top, right, bottom = self.box
        if corner in (0, 3):
            left = min(px, right - MIN_BOX_PX)
        else:
            right = max(px, left + MIN_BOX_PX)
        if corner in (0, 1):
            top = min(py, bottom - MIN_BOX_PX)
        else:
            bottom = max(py, top + MIN_BOX_PX)
        self.box = [left, top, right, bottom]

    def on_box_changed(self, box: tuple[int, int, int, int]) -> None:
        pass


class ImagePreview(Widget):
    """A Pillow image drawn as large as fits, with a thin frame (result and page previews)."""

    image = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._texture: Texture | None = None
        for name in ("pos", "size"):
            self.fbind(name, self._redraw)

    def on_image(self, _inst: Any, image: Image.Image | None) -> None:
        self._texture = texture_from(image)
        self._redraw()

    def _redraw(self, *_args: Any) -> None:
        self.canvas.clear()
        if self.image is None or self._texture is None:
            return
        ox, oy, scale = fit_rect(self.width, self.height, *self.image.size)
        w, h = self.image.size[0] * scale, self.image.size[1] * scale
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(texture=self._texture, pos=(self.x + ox, self.y + oy), size=(w, h))
            Color(*ui.palette.muted)
            Line(rectangle=(self.x + ox, self.y + oy, w, h), width=dp(1.5))
