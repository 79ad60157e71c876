"""Simple icons drawn with the Kivy canvas (DejaVu Sans has no emoji; no image files needed).

Each icon is a list of primitives in a unit square (0..1, origin bottom-left), scaled to the
widget. Shapes are bold and plain so they read at a glance, with the word always beside them.

An icon is drawn once per (name, size, colour, direction) into a small offscreen texture and
shown as one textured rectangle: thick round-capped lines are many triangles, and redrawing
them at every frame made each frame slow and, with software GL (llvmpipe), grew the memory
of the renderer with every redraw. One offscreen framebuffer draws them all and each drawing is
copied into a texture of its own: every Kivy Fbo compiles its own shader program, which the GL
driver keeps with its compiled variants (about 1 MB each with llvmpipe), so an Fbo per icon
cost the kiosk ~30 MB for some forty icons.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any

from kivy.clock import Clock
from kivy.graphics import ClearBuffers, ClearColor, Color, Ellipse, Fbo, Line, Rectangle
from kivy.graphics.texture import Texture
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
_RENDERED: OrderedDict[tuple[Any, ...], Texture] = OrderedDict()
MAX_RENDERED = 96
_canvas: Fbo | None = None  # the one framebuffer every icon is drawn in, resized as needed


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


def rendered_icon(name: str, side: int, colour: tuple[float, ...], flip: bool) -> Texture:
    """The texture of an icon, drawn offscreen the first time it is asked for."""
    global _canvas
    key = (name, side, colour, flip)
    texture = _RENDERED.get(key)
    if texture is not None:
        _RENDERED.move_to_end(key)
        return texture
    if _canvas is None:
        _canvas = Fbo(size=(side, side), with_depthbuffer=False)
    elif tuple(_canvas.size) != (side, side):
        _canvas.size = (side, side)
    fbo = _canvas
    fbo.clear()
    with fbo:
        ClearColor(0, 0, 0, 0)
        ClearBuffers()
        Color(*colour)
        _draw_shapes(ICONS[name], side, flip)
    fbo.draw()
    texture = Texture.create(size=(side, side), colorfmt="rgba")
    texture.blit_buffer(fbo.pixels, colorfmt="rgba", bufferfmt="ubyte")
    fbo.clear()  # the shapes' vertices are not needed any more
    _RENDERED[key] = texture
    while len(_RENDERED) > MAX_RENDERED:
        _RENDERED.popitem(last=False)
    return texture


class IconView(Widget):
    name = StringProperty("")
    colour = ListProperty([0, 0, 0, 1])
    mirrored = StringProperty("no")  # "yes" in RTL for directional icons
    max_side = NumericProperty(0)  # 0: as big as the widget

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # One quad, updated in place: a new quad per change would be a new vertex buffer each
        # time (the GL driver keeps memory per upload), and a layout pass changes pos and
        # size one after the other, so the redraw waits for the frame (once, with the final
        # geometry, never an icon drawn at a size it is only passing through).
        with self.canvas:
            Color(1, 1, 1, 1)
            self._quad = Rectangle(size=(0, 0))
        self._trigger_redraw = Clock.create_trigger(self._redraw, -1)
        for prop in ("pos", "size", "name", "colour", "mirrored", "max_side"):
            self.fbind(prop, self._trigger_redraw)
        self._trigger_redraw()

    def _redraw(self, *_args) -> None:
        quad = self._quad
        side = int(min(self.width, self.height, self.max_side or 1e9))
        if not ICONS.get(self.name) or side < 1:
            quad.texture, quad.size = None, (0, 0)
            return
        flip = self.mirrored == "yes" and self.name in DIRECTIONAL
        quad.texture = rendered_icon(self.name, side, tuple(round(c, 4) for c in self.colour),
                                     flip)
        quad.pos = (round(self.x + (self.width - side) / 2),
                    round(self.y + (self.height - side) / 2))
        quad.size = (side, side)
