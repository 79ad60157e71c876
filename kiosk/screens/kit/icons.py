"""Simple icons drawn with the Kivy canvas (DejaVu Sans has no emoji; no image files needed).

Each icon is a list of primitives in a unit square (0..1, origin bottom-left), scaled to the
widget. Shapes are bold and plain so they read at a glance, with the word always beside them.
"""
from __future__ import annotations

from kivy.graphics import Color, Ellipse, Line, Rectangle
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
        side = min(self.width, self.height, self.max_side or 1e9)
        ox = self.x + (self.width - side) / 2
        oy = self.y + (self.height - side) / 2
        flip = self.mirrored == "yes" and self.name in DIRECTIONAL
        width = max(1.2, side / 36)

        def px(u: float) -> float:
            return ox + (1 - u if flip else u) * side

        def py(v: float) -> float:
            return oy + v * side

        with self.canvas:
            Color(*self.colour)
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
