"""The layout audit's high-contrast half: what a change of palette can break, and only that.

The high-contrast palette changes colours, never places (no kv rule reads ``ui.high_contrast``
for a size or a position), so the geometry checks of :mod:`kiosk.screens.layout_audit` need
not run again under it. What it can break is checked here, on what the screen really draws:
- a widget that moved when the palette changed (the claim above, checked on every
  combination: the boxes of everything a resident sees are compared);
- text whose colour does not stand out from what is painted behind it: the text colour of
  every visible label against the nearest opaque rectangle drawn under it (a button's face, a
  card, a band, else the screen's background), at the palette's minimum ratio (7:1 in high
  contrast). A colour written in a kv rule instead of taken from ``ui.palette`` shows here.
  Disabled labels count too (the colour Kivy draws them in, ``disabled_color``), and a text
  seen through transparency (its colour's alpha, a faded widget) is blended with what is
  behind it first: a faded or disabled button's words must still be read.
"""
from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from kivy.graphics import Color, Ellipse, Mesh, Rectangle, RoundedRectangle, Triangle
from kivy.lang import Builder
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.screens.layout_audit import Box, atoms, describe, window_box
from kiosk.theme import RGBA, Palette, contrast_ratio

# A map of what is seen, to compare before and after a change of palette.
Places = dict[int, tuple[str, Box]]


def places(root: Widget, screen: Box) -> Places:
    """Where every visible atom (button, label, pictogram) is, by widget."""
    return {id(item.widget): (describe(item.widget), item.box)
            for item in atoms(root, screen)}


def moved(before: Places, after: Places, where: str) -> list[str]:
    """What a change of palette moved, showed or hid."""
    problems = []
    for key, (name, box) in before.items():
        now = after.get(key)
        if now is None:
            problems.append(f"{where}: {name} disappears in high contrast")
        elif _far(now[1], box):
            problems.append(f"{where}: {name} moves in high contrast ({box} -> {now[1]})")
    problems += [f"{where}: {name} appears only in high contrast"
                 for key, (name, _box) in after.items() if key not in before]
    return problems


def _far(a: Box, b: Box) -> bool:
    return max(abs(a.x - b.x), abs(a.y - b.y), abs(a.w - b.w), abs(a.h - b.h)) > 1.0


def seen_labels(root: Widget, screen: Box) -> Iterator[Label]:
    """Labels with text, drawn and at least partly in view (inside buttons too)."""
    def visit(w: Widget, view: Box) -> Iterator[Label]:
        if w.opacity == 0 or w.width <= 0 or w.height <= 0:
            return
        box = window_box(w)
        if isinstance(w, Label):
            if w.text.strip() and not box.clip(view).empty:
                yield w
            return
        inner = view.clip(box) if isinstance(w, ScrollView) else view
        for child in w.children:
            yield from visit(child, inner)
    yield from visit(root, screen)


def _extent(shape: Rectangle | RoundedRectangle | Ellipse | Mesh | Triangle) -> tuple[float, ...]:
    """(x, y, width, height) of a shape (a mesh's box: a logo's hexagon)."""
    if isinstance(shape, (Mesh, Triangle)):
        xs, ys = (shape.vertices[0::4], shape.vertices[1::4]) if isinstance(shape, Mesh) \
            else (shape.points[0::2], shape.points[1::2])
        return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)) if xs else (0, 0, 0, 0)
    return (*shape.pos, *shape.size)


def _plain(instruction: Rectangle | RoundedRectangle | Ellipse | Mesh | Triangle) -> bool:
    """A plain colour fill, not a picture (Kivy gives plain fills its default texture)."""
    texture = instruction.texture
    return texture is None or texture.id == _default_texture_id()


@cache
def _default_texture_id() -> int:
    return int(Rectangle().texture.id)


def _painted_under(owner: Widget, x: float, y: float, own_canvas: bool = True) -> RGBA | None:
    """The colour of the last opaque, untextured rectangle ``owner`` paints (canvas.before,
    then its canvas unless ``own_canvas`` is False) that covers window point (x, y); None when
    it paints none there."""
    found: RGBA | None = None
    for canvas in (owner.canvas.before, owner.canvas)[:2 if own_canvas else 1]:
        colour: RGBA | None = None
        for instruction in canvas.children:
            if isinstance(instruction, Color):
                colour = tuple(instruction.rgba)
            elif isinstance(instruction, (Rectangle, RoundedRectangle, Ellipse, Mesh, Triangle)) \
                    and colour is not None and colour[3] >= 0.99 and _plain(instruction):
                left, bottom, w, h = _extent(instruction)
                left, bottom = owner.to_window(left, bottom)
                if left <= x <= left + w and bottom <= y <= bottom + h:
                    found = colour
    return found


def background_of(label: Label, fallback: RGBA) -> RGBA:
    """What is painted behind the middle of ``label``: its own canvas.before, then each
    ancestor's, nearest first."""
    return _behind(label, fallback)[0]


def _behind(label: Label, fallback: RGBA) -> tuple[RGBA, float]:
    """What is painted behind ``label`` (as :func:`background_of`) and the opacity the text is
    seen with over it: the product of the opacities of the label and of its ancestors
    below the widget that paints it."""
    box = window_box(label)
    x, y = box.x + box.w / 2, box.y + box.h / 2
    # a label's own canvas holds its text's texture: only its canvas.before paints under it
    found = _painted_under(label, x, y, own_canvas=False)
    seen = 1.0 if found is not None else float(label.opacity)
    p = label.parent
    for _ in range(80):
        if found is not None or p is None or p is p.parent:
            break
        found = _painted_under(p, x, y)
        if found is None:
            seen *= float(p.opacity)
        p = p.parent
    return (found if found is not None else fallback), seen


def _blend(colour: RGBA, behind: RGBA, alpha: float) -> RGBA:
    """``colour`` drawn at ``alpha`` over opaque ``behind``."""
    return (*(c * alpha + b * (1 - alpha) for c, b in zip(colour[:3], behind[:3], strict=True)),
            1.0)  # type: ignore[return-value]


def text_contrast_problems(root: Widget, screen: Box, palette: Palette,
                           where: str) -> list[str]:
    """Every visible text against what is painted behind it, at ``palette.min_ratio``."""
    # Kivy applies kv expressions of canvas instructions (a face's colour, its place) just
    # before drawing the next frame: applied now, what is read is what that frame shows.
    Builder.sync()
    problems = []
    for label in seen_labels(root, screen):
        colour = tuple(label.disabled_color if label.disabled else label.color)
        behind, opacity = _behind(label, palette.background)
        ratio = contrast_ratio(_blend(colour, behind, colour[3] * opacity), behind)
        if ratio + 0.01 < palette.min_ratio:
            problems.append(f"{where}: text {label.text[:40]!r} is {ratio:.1f}:1 on what is "
                            f"behind it, under {palette.min_ratio:g}:1")
    return problems
