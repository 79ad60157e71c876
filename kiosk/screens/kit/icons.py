"""Simple icons drawn with the Kivy canvas (DejaVu Sans has no emoji; no image files needed).

Each icon is a list of primitives in a unit square (0..1, origin bottom-left), scaled to the
widget. Shapes are bold and plain so they read at a glance, with the word always beside them.

An icon is drawn once per (name, size, colour, direction) into a small offscreen texture and
shown as one textured rectangle: thick round-capped lines are many triangles, and redrawing
them at every frame made each frame slow and, with software GL (llvmpipe), grew the memory
of the renderer with every redraw.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

from kivy.graphics import ClearBuffers, ClearColor, Color, Ellipse, Fbo, Line, Rectangle
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget

# (kind, *numbers): "rect" x y w h | "line" x1 y1 x2 y2 ... | "circle" cx cy r | "disc" cx cy r
# | "arc" cx cy r start end  (angles in degrees, clockwise from 12 o'clock, Kivy's convention)
ICONS: dict[str, list[tuple]] = {
    "practice": [  # a screen with a tick: practise on a safe copy
        ("line", 0.1, 0.3, 0.9, 0.3, 0.9, 0.9, 0.1, 0.9, 0.1, 0.3),
        ("line", 0.4, 0.1, 0.6, 0.1), ("line", 0.5, 0.1, 0.5, 0.3),
        ("line", 0.3, 0.6, 0.45, 0.45, 0.72, 0.75),
    ],
    "scan": [  # a scanner lid and a light bar
        ("line", 0.1, 0.25, 0.9, 0.25, 0.9, 0.55, 0.1, 0.55, 0.1, 0.25),
        ("line", 0.1, 0.55, 0.8, 0.85),
        ("rect", 0.2, 0.36, 0.6, 0.08),
    ],
    "print": [  # a printer with a sheet coming out
        ("line", 0.1, 0.35, 0.9, 0.35, 0.9, 0.7, 0.1, 0.7, 0.1, 0.35),
        ("line", 0.28, 0.7, 0.28, 0.92, 0.72, 0.92, 0.72, 0.7),
        ("line", 0.28, 0.45, 0.28, 0.08, 0.72, 0.08, 0.72, 0.45),
        ("line", 0.36, 0.3, 0.64, 0.3), ("line", 0.36, 0.2, 0.64, 0.2),
    ],
    "help": [  # a person raising a hand
        ("disc", 0.42, 0.78, 0.11),
        ("line", 0.42, 0.64, 0.42, 0.32), ("line", 0.42, 0.32, 0.3, 0.06),
        ("line", 0.42, 0.32, 0.54, 0.06), ("line", 0.42, 0.58, 0.25, 0.42),
        ("line", 0.42, 0.58, 0.7, 0.7, 0.74, 0.95),
    ],
    "done": [  # an open door and an arrow out
        ("line", 0.15, 0.08, 0.15, 0.92, 0.55, 0.92, 0.55, 0.08, 0.15, 0.08),
        ("line", 0.45, 0.5, 0.92, 0.5), ("line", 0.78, 0.64, 0.92, 0.5, 0.78, 0.36),
    ],
    "speaker": [
        ("line", 0.1, 0.38, 0.28, 0.38, 0.5, 0.18, 0.5, 0.82, 0.28, 0.62, 0.1, 0.62, 0.1, 0.38),
        ("arc", 0.5, 0.5, 0.2, 45, 135), ("arc", 0.5, 0.5, 0.36, 45, 135),
    ],
    "contrast": [("circle", 0.5, 0.5, 0.4), ("half", 0.5, 0.5, 0.4)],
    "text_size": [
        ("line", 0.05, 0.1, 0.22, 0.55, 0.39, 0.1), ("line", 0.12, 0.28, 0.32, 0.28),
        ("line", 0.42, 0.1, 0.66, 0.9, 0.9, 0.1), ("line", 0.52, 0.38, 0.8, 0.38),
    ],
    "lock": [
        ("line", 0.2, 0.1, 0.8, 0.1, 0.8, 0.5, 0.2, 0.5, 0.2, 0.1),
        ("arc", 0.5, 0.5, 0.22, -90, 90), ("disc", 0.5, 0.3, 0.06),
    ],
    "check": [("line", 0.15, 0.5, 0.4, 0.22, 0.88, 0.8)],
    "back": [("line", 0.9, 0.5, 0.12, 0.5), ("line", 0.4, 0.8, 0.12, 0.5, 0.4, 0.2)],
    "warning": [
        ("line", 0.5, 0.92, 0.95, 0.1, 0.05, 0.1, 0.5, 0.92),
        ("line", 0.5, 0.65, 0.5, 0.35), ("disc", 0.5, 0.22, 0.05),
    ],
}
# Icons whose meaning has a direction; mirrored in right-to-left languages.
DIRECTIONAL = frozenset({"back", "done"})


# Rendered icons, least recently used first out; a few dozen exist (icons x text sizes x
# palettes), each at most a few tens of kilobytes.
_RENDERED: OrderedDict[tuple[Any, ...], Fbo] = OrderedDict()
MAX_RENDERED = 96


def _draw_shapes(shapes: list[tuple], side: float, flip: bool) -> None:
    """The icon's primitives on the current canvas, in a side x side square at the origin."""
    width = max(1.2, side / 36)

    def px(u: float) -> float:
        return (1 - u if flip else u) * side

    def py(v: float) -> float:
        return v * side

    for kind, *n in shapes:
        if kind == "line":
            pts = [px(v) if i % 2 == 0 else py(v) for i, v in enumerate(n)]
            Line(points=pts, width=width, joint="round", cap="round")
        elif kind == "rect":
            x0, x1 = sorted((px(n[0]), px(n[0] + n[2])))
            Rectangle(pos=(x0, py(n[1])), size=(x1 - x0, n[3] * side))
        elif kind == "disc":
            r = n[2] * side
            Ellipse(pos=(px(n[0]) - r, py(n[1]) - r), size=(2 * r, 2 * r))
        elif kind == "circle":
            Line(circle=(px(n[0]), py(n[1]), n[2] * side), width=width)
        elif kind == "half":
            r = n[2] * side
            Ellipse(pos=(px(n[0]) - r, py(n[1]) - r), size=(2 * r, 2 * r),
                    angle_start=0, angle_end=180)
        elif kind == "arc":
            Line(circle=(px(n[0]), py(n[1]), n[2] * side, n[3], n[4]), width=width)


def rendered_icon(name: str, side: int, colour: tuple[float, ...], flip: bool) -> Any:
    """The texture of an icon, drawn offscreen the first time it is asked for."""
    key = (name, side, colour, flip)
    fbo = _RENDERED.get(key)
    if fbo is not None:
        _RENDERED.move_to_end(key)
        return fbo.texture
    fbo = Fbo(size=(side, side))
    with fbo:
        ClearColor(0, 0, 0, 0)
        ClearBuffers()
        Color(*colour)
        _draw_shapes(ICONS[name], side, flip)
    fbo.draw()
    _RENDERED[key] = fbo
    while len(_RENDERED) > MAX_RENDERED:
        _RENDERED.popitem(last=False)
    return fbo.texture


class IconView(Widget):
    name = StringProperty("")
    colour = ListProperty([0, 0, 0, 1])
    mirrored = StringProperty("no")  # "yes" in RTL for directional icons
    max_side = NumericProperty(0)  # 0: as big as the widget

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fbind("pos", self._redraw)
        self.fbind("size", self._redraw)
        self.fbind("name", self._redraw)
        self.fbind("colour", self._redraw)
        self.fbind("mirrored", self._redraw)
        self.fbind("max_side", self._redraw)

    def _redraw(self, *_args) -> None:
        self.canvas.clear()
        shapes = ICONS.get(self.name)
        if not shapes:
            return
        side = int(min(self.width, self.height, self.max_side or 1e9))
        if side < 1:
            return
        ox = round(self.x + (self.width - side) / 2)
        oy = round(self.y + (self.height - side) / 2)
        flip = self.mirrored == "yes" and self.name in DIRECTIONAL
        texture = rendered_icon(self.name, side, tuple(round(c, 4) for c in self.colour), flip)
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(texture=texture, pos=(ox, oy), size=(side, side))
