"""Simple icons drawn with the Kivy canvas (DejaVu Sans has no emoji; no image files needed).

Each icon is a list of primitives in a unit square (0..1, origin bottom-left), scaled to the
widget. Shapes are bold and plain so they read at a glance, with the word always beside them.

An icon is drawn once per (name, size, colour, direction) into a texture of its own and shown as
one textured rectangle: thick round-capped lines are many triangles, and redrawing them at every
frame made each frame slow and, with software GL (llvmpipe), grew the memory of the renderer with
every redraw. The drawing is done by Pillow (already loaded by Kivy's image provider) on a 4x
larger image scaled down (anti-aliased edges), not by the GPU: a Kivy Fbo compiles a shader
program of its own, which the GL driver keeps with its compiled variants (about 1 MB each with
llvmpipe) - an Fbo per icon cost the kiosk ~30 MB, and even one shared Fbo ~3 MB.

The texture is the icon's shape in white, its edges in alpha, tinted by the widget's colour:
one texture per (name, size, direction) serves every colour, palette and disabled state. Kept
in the kiosk's data directory (:func:`use_cache_dir`, ``data_dir/cache/icons``), a shape drawn
once is read back at the next start instead of drawn again: drawing needs Pillow's ImageDraw
(~6 ms to import) and the drawing itself (~2 ms an icon), which the welcome screen's first
frame paid at every start.
"""
from __future__ import annotations

import logging
import os
import tempfile
from collections import OrderedDict
from importlib.util import source_hash
from pathlib import Path
from typing import Any

import PIL
from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import ListProperty, NumericProperty, StringProperty
from kivy.uix.widget import Widget
from PIL import Image  # already loaded by Kivy's image provider; ImageDraw is not

from kiosk.screens.kit.state import ui

log = logging.getLogger(__name__)

# (kind, *numbers): "rect" x y w h | "line" x1 y1 x2 y2 ... | "circle" cx cy r | "disc" cx cy r
# | "arc" cx cy r start end  (angles in degrees, clockwise from 12 o'clock, Kivy's convention)
ICONS: dict[str, list[tuple[Any, ...]]] = {
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
    "online": [  # a globe: the official sites on the web
        ("circle", 0.5, 0.5, 0.4), ("line", 0.1, 0.5, 0.9, 0.5), ("line", 0.5, 0.1, 0.5, 0.9),
        ("line", 0.18, 0.72, 0.82, 0.72), ("line", 0.18, 0.28, 0.82, 0.28),
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
    "home": [  # a house
        ("line", 0.08, 0.5, 0.5, 0.9, 0.92, 0.5),
        ("line", 0.2, 0.58, 0.2, 0.1, 0.8, 0.1, 0.8, 0.58),
        ("line", 0.42, 0.1, 0.42, 0.38, 0.58, 0.38, 0.58, 0.1),
    ],
    "next": [("line", 0.1, 0.5, 0.88, 0.5), ("line", 0.6, 0.8, 0.88, 0.5, 0.6, 0.2)],
    "error": [  # a circled exclamation mark, as DSFR error alerts show
        ("circle", 0.5, 0.5, 0.4), ("line", 0.5, 0.72, 0.5, 0.44), ("disc", 0.5, 0.3, 0.05),
    ],
    # DSFR radio buttons: the mark on the start side of the option (a checkbox's square is
    # drawn by its own kv rule, filled when ticked: CheckMark in kit.kv)
    "radio_off": [("circle", 0.5, 0.5, 0.36)],
    "radio_on": [("circle", 0.5, 0.5, 0.36), ("disc", 0.5, 0.5, 0.2)],
    "info": [("circle", 0.5, 0.5, 0.4), ("line", 0.5, 0.6, 0.5, 0.28), ("disc", 0.5, 0.72, 0.05)],
    "warning": [
        ("line", 0.5, 0.92, 0.95, 0.1, 0.05, 0.1, 0.5, 0.92),
        ("line", 0.5, 0.65, 0.5, 0.35), ("disc", 0.5, 0.22, 0.05),
    ],
}
# Icons whose meaning has a direction; mirrored in right-to-left languages.
DIRECTIONAL = frozenset({"back", "done", "next"})


# Rendered icons, least recently used first out; a few dozen exist (icons x text sizes x
# directions), each at most a few tens of kilobytes.
_RENDERED: OrderedDict[tuple[Any, ...], Texture] = OrderedDict()
MAX_RENDERED = 96
SUPERSAMPLE = 4  # drawn this many times larger, then scaled down: smooth edges
WHITE = (1.0, 1.0, 1.0, 1.0)
# Changes whenever draw_icon draws differently: a cached drawing is then drawn again.
DRAWING_VERSION = 1
MAX_CACHED_SIDE = 512  # larger icons are drawn each time (none of the kiosk's is this large)
_cache_dir: Path | None = None


def use_cache_dir(path: Path | None) -> None:
    """Keep drawn icons in ``path`` (created when first written), or nowhere (None)."""
    global _cache_dir
    _cache_dir = path


def draw_icon(shapes: list[tuple[Any, ...]], side: int, colour: tuple[float, ...],
              flip: bool) -> Image.Image:
    """The icon's primitives on a transparent side x side RGBA image (top row first)."""
    from PIL import ImageDraw  # only when an icon is drawn, not read back from the cache

    s = side * SUPERSAMPLE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    pen = ImageDraw.Draw(img)
    fill = tuple(round(max(0.0, min(1.0, c)) * 255) for c in colour)
    half = max(1.2, side / 36) * SUPERSAMPLE  # half a stroke, as Kivy's Line width was

    def pt(u: float, v: float) -> tuple[float, float]:
        return u * s, (1 - v) * s  # unit square with its origin bottom-left -> image rows

    def dot(x: float, y: float, r: float) -> None:
        pen.ellipse((x - r, y - r, x + r, y + r), fill=fill)

    for kind, *n in shapes:
        if kind == "line":
            pts = [pt(n[i], n[i + 1]) for i in range(0, len(n), 2)]
            pen.line(pts, fill=fill, width=round(2 * half))
            for x, y in pts:  # round joints and caps
                dot(x, y, half)
        elif kind == "rect":
            (x0, y1), (x1, y0) = pt(n[0], n[1]), pt(n[0] + n[2], n[1] + n[3])
            pen.rectangle((x0, y0, x1, y1), fill=fill)
        elif kind == "disc":
            dot(*pt(n[0], n[1]), n[2] * s)
        elif kind == "half":  # the right half of a disc
            x, y = pt(n[0], n[1])
            r = n[2] * s
            pen.pieslice((x - r, y - r, x + r, y + r), -90, 90, fill=fill)
        elif kind in ("circle", "arc"):
            x, y = pt(n[0], n[1])
            r = n[2] * s + half  # Pillow strokes inwards from the box: centre it on the radius
            # angles clockwise from 12 o'clock; Pillow's start at 3 o'clock
            start, end = (n[3], n[4]) if kind == "arc" else (0, 360)
            pen.arc((x - r, y - r, x + r, y + r), start - 90, end - 90, fill=fill,
                    width=round(2 * half))
    img = img.resize((side, side), Image.Resampling.LANCZOS)
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if flip else img


def _cache_file(name: str, side: int, flip: bool) -> Path | None:
    """Where the drawing of this icon is kept: named by everything that draws it (its shapes,
    the drawing code's version, Pillow's), so a changed icon is never read back stale."""
    if _cache_dir is None or side > MAX_CACHED_SIDE:
        return None
    recipe = repr((ICONS[name], SUPERSAMPLE, DRAWING_VERSION, PIL.__version__))
    # Python's own hash of source files: stable across runs, and loaded already (hashlib and
    # OpenSSL are not: ~3 ms before the first frame)
    digest = source_hash(recipe.encode()).hex()
    return _cache_dir / f"{name}-{side}{'-rtl' if flip else ''}-{digest}.rgba"


def _drawn_pixels(name: str, side: int, flip: bool) -> bytes:
    """The icon's RGBA pixels, white, bottom row first (Kivy's order): read back from the
    cache, or drawn and kept there. A cache that cannot be read or written is only slower."""
    path = _cache_file(name, side, flip)
    size = side * side * 4
    if path is not None:
        try:
            pixels = path.read_bytes()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("icon cache unreadable, drawing %s again: %s", path.name, exc)
        else:
            if len(pixels) == size:
                return pixels
            log.warning("icon cache damaged, drawing %s again", path.name)
    img = draw_icon(ICONS[name], side, WHITE, flip)
    pixels = img.transpose(Image.Transpose.FLIP_TOP_BOTTOM).tobytes()
    if path is not None:
        _write_atomically(path, pixels)
    return pixels


def _write_atomically(path: Path, data: bytes) -> None:
    """Written whole or not at all: two processes drawing the same icon, or a power cut, never
    leave half a drawing that a later start would read."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".icon-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        log.warning("icon cache not written (%s): %s", path.parent, exc)


def rendered_icon(name: str, side: int, flip: bool) -> Texture:
    """The texture of an icon (white: the widget tints it), made the first time it is asked
    for in this process."""
    key = (name, side, flip)
    texture = _RENDERED.get(key)
    if texture is not None:
        _RENDERED.move_to_end(key)
        return texture
    texture = Texture.create(size=(side, side), colorfmt="rgba")
    texture.blit_buffer(_drawn_pixels(name, side, flip), colorfmt="rgba", bufferfmt="ubyte")
    _RENDERED[key] = texture
    while len(_RENDERED) > MAX_RENDERED:
        _RENDERED.popitem(last=False)
    return texture


class IconView(Widget):
    name = StringProperty("")
    colour = ListProperty([0, 0, 0, 1])
    mirrored = StringProperty("no")  # "yes" in RTL for directional icons
    max_side = NumericProperty(0)  # 0: as big as the widget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # One quad, updated in place: a new quad per change would be a new vertex buffer each
        # time (the GL driver keeps memory per upload), and a layout pass changes pos and
        # size one after the other, so the redraw waits for the frame (once, with the final
        # geometry, never an icon drawn at a size it is only passing through).
        with self.canvas:
            self._tint = Color(1, 1, 1, 1)
            self._quad = Rectangle(size=(0, 0))
        self._trigger_redraw = Clock.create_trigger(self._redraw, -1)
        for prop in ("pos", "size", "name", "colour", "mirrored", "max_side", "disabled"):
            self.fbind(prop, self._trigger_redraw)
        self._trigger_redraw()

    def _redraw(self, *_args: Any) -> None:
        quad = self._quad
        side = int(min(self.width, self.height, self.max_side or 1e9))
        if not ICONS.get(self.name) or side < 1:
            quad.texture, quad.size = None, (0, 0)
            return
        flip = self.mirrored == "yes" and self.name in DIRECTIONAL
        # in a disabled button, the grey of its words (as KLabel's disabled_color)
        self._tint.rgba = ui.palette.on_disabled if self.disabled else self.colour
        quad.texture = rendered_icon(self.name, side, flip)
        quad.pos = (round(self.x + (self.width - side) / 2),
                    round(self.y + (self.height - side) / 2))
        quad.size = (side, side)
