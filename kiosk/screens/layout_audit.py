"""The layout audit: computed checks on what a screen really draws (the widget tree after
layout), used by the test suite (tests/ui/test_layout_audit.py) and by ``kiosk demo
--headless`` next to its screenshots.

It reports, in plain sentences naming the widget:
- two widgets overlapping (buttons, labels, pictograms, field boxes; inside scrolling areas
  only what is in view counts);
- text that does not fit its box, or that sticks out of its button or of the window;
- the focused field, its label or its message hidden (under the keyboard, out of view);
- a bottom-bar action off screen or cut;
- a touch target smaller than 48 dp, a pictogram below its minimum;
- a touch target a finger cannot reach: a touch at the middle of what is seen of it goes to
  another widget (a hidden one left over it, a disabled one that swallows it);
- Arabic letters drawn unshaped (base letters instead of joined presentation forms).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk import theme
from kiosk.screens.driver import visible_widgets
from kiosk.screens.kit.icons import IconView

# A pictogram on a choice never gets smaller than this (home tiles, bar actions).
MIN_PICTOGRAM_DP = {"Tile": 64.0, "BarButton": 24.0}
TOLERANCE = 1.0  # px: layouts round positions


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def top(self) -> float:
        return self.y + self.h

    def clip(self, other: Box) -> Box:
        x, y = max(self.x, other.x), max(self.y, other.y)
        return Box(x, y, max(0.0, min(self.right, other.right) - x),
                   max(0.0, min(self.top, other.top) - y))

    def overlaps(self, other: Box) -> bool:
        c = self.clip(other)
        return c.w > TOLERANCE and c.h > TOLERANCE

    def contains(self, other: Box) -> bool:
        return (other.x >= self.x - TOLERANCE and other.right <= self.right + TOLERANCE
                and other.y >= self.y - TOLERANCE and other.top <= self.top + TOLERANCE)

    @property
    def empty(self) -> bool:
        return self.w <= TOLERANCE or self.h <= TOLERANCE


def window_box(widget: Widget) -> Box:
    x, y = widget.to_window(widget.x, widget.y)
    return Box(x, y, widget.width, widget.height)


def describe(widget: Widget) -> str:
    words = getattr(widget, "txt", "") or getattr(widget, "text", "") or \
        getattr(widget, "name", "")
    return f"{type(widget).__name__} {str(words)[:40]!r}" if words else type(widget).__name__


@dataclass
class Item:
    widget: Widget
    box: Box        # where it is, in window coordinates
    view: Box       # the part of it that can be seen (scroll viewports applied)


def atoms(root: Widget, screen: Box) -> Iterator[Item]:
    """The visible things a resident sees as one: a button (with what is inside it), a label,
    a pictogram, a field's box. Hidden subtrees (opacity 0, no size) are skipped; inside a
    scroll view only what is in its viewport counts."""
    def visit(w: Widget, view: Box) -> Iterator[Item]:
        if w.opacity == 0 or w.width <= 0 or w.height <= 0:
            return
        box = window_box(w)
        if isinstance(w, (ButtonBehavior, Label, IconView)):
            seen = box.clip(view)
            if not seen.empty:
                yield Item(w, box, seen)
            return
        inner = view.clip(box) if isinstance(w, ScrollView) else view
        for child in w.children:
            yield from visit(child, inner)
    yield from visit(root, screen)


def _related(a: Widget, b: Widget) -> bool:
    for x, y in ((a, b), (b, a)):
        p = x.parent
        for _ in range(60):
            if p is None or p is p.parent:
                break
            if p is y:
                return True
            p = p.parent
    return False


def overlaps(items: list[Item], where: str) -> list[str]:
    problems = []
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if a.view.overlaps(b.view) and not _related(a.widget, b.widget):
                problems.append(f"{where}: {describe(a.widget)} overlaps {describe(b.widget)}")
    return problems


def _button_of(widget: Widget) -> Widget | None:
    p = widget.parent
    for _ in range(8):
        if p is None or p is p.parent:
            return None
        if isinstance(p, ButtonBehavior):
            return p
        p = p.parent
    return None


def text_problems(root: Widget, screen: Box, where: str) -> list[str]:
    """Text larger than its box, a word broken in two, text sticking out of its button."""
    from kiosk.screens.kit import KLabel
    from kiosk.screens.kit.widgets import _measurer

    problems = []
    for w in visible_widgets(root):
        if not isinstance(w, KLabel) or not w.txt:
            continue
        if w.overflows():
            problems.append(f"{where}: text clipped: {w.txt[:50]!r} (text {w.texture_size}, "
                            f"box {[round(v) for v in w.size]})")
            continue
        if w.wrap and w.text == w.txt:  # Kivy wrapped it: a word wider than the box is cut
            measure = _measurer(w.font_name, w.font_size, w.bold)
            room = w.width - w.padding[0] - w.padding[2] + 1
            if any(measure(word) > room for word in w.txt.split()):
                problems.append(f"{where}: a word is cut in {w.txt[:50]!r}")
        button = _button_of(w)
        if button is not None and not window_box(button).contains(window_box(w)):
            problems.append(f"{where}: text outside its button: {w.txt[:50]!r}")
    return problems


def _viewport(widget: Widget, screen: Box) -> Box:
    """The part of the window where ``widget`` can be seen (its scroll views' viewports)."""
    view = screen
    p = widget.parent
    for _ in range(80):
        if p is None or p is p.parent:
            break
        if isinstance(p, ScrollView):
            view = view.clip(window_box(p))
        p = p.parent
    return view


def focus_problems(field: Widget, keyboard: Widget | None, screen: Box, where: str) -> list[str]:
    """The focused field (label, box, message: the whole FormField) in view, above the
    keyboard."""
    box = window_box(field)
    view = _viewport(field, screen)
    if keyboard is not None and keyboard.parent is not None:
        kb = window_box(keyboard)
        view = view.clip(Box(view.x, kb.top, view.w, max(0.0, view.top - kb.top)))
    if not view.contains(box):
        label = getattr(field, "label", "") or describe(field)
        return [f"{where}: the focused field {label[:40]!r} is hidden (field {box}, "
                f"visible area {view})"]
    return []


def bar_problems(root: Widget, screen: Box, where: str) -> list[str]:
    from kiosk.screens.kit.page_bar import BarButton

    problems = []
    for w in visible_widgets(root):
        if isinstance(w, BarButton) and w.offered and not screen.contains(window_box(w)):
            problems.append(f"{where}: bottom-bar action {w.txt!r} is off screen")
    return problems


def target_problems(root: Widget, screen: Box, where: str) -> list[str]:
    problems = []
    minimum = dp(theme.MIN_TOUCH_DP)
    for item in atoms(root, screen):
        w = item.widget
        if isinstance(w, ButtonBehavior) and not w.disabled:
            if min(w.width, w.height) + 0.5 < minimum:
                problems.append(f"{where}: touch target {describe(w)} is "
                                f"{w.width:.0f}x{w.height:.0f} px, under {minimum:.0f}")
            least = MIN_PICTOGRAM_DP.get(type(w).__name__)
            if least is not None:
                for icon in w.walk(restrict=True):
                    if isinstance(icon, IconView) and icon.name and \
                            min(icon.width, icon.height) + 0.5 < dp(least):
                        problems.append(f"{where}: pictogram of {describe(w)} is "
                                        f"{min(icon.width, icon.height):.0f} px, under "
                                        f"{dp(least):.0f}")
    return problems


def _modal(widget: Widget) -> bool:
    """A card that takes every touch while shown (confirmations, idle warning, busy panel,
    the practice's overlay)."""
    from kiosk.screens.kit.busy import BusyPanel
    from kiosk.screens.kit.dialog import ModalCard
    from kiosk.screens.practice.widgets import Overlay

    return isinstance(widget, (ModalCard, BusyPanel, Overlay))


def shown_modal(root: Widget) -> Widget | None:
    """The modal card shown over the screen, if any: it takes every touch and dims what is
    under it, so what the resident sees and can touch is the card alone."""
    for w in visible_widgets(root):
        if _modal(w) and w is not root:
            return w
    return None


def touch_taker(root: Widget, x: float, y: float) -> Widget | None:
    """The widget a touch down at window (x, y) goes to, as Kivy dispatches it: children
    first, the last added (drawn on top) first; a disabled widget swallows a touch on it even
    when it is hidden; a button takes a touch on it; a scroll view passes on only what lands
    in its viewport; a collapsed box of the kit (Collapsible) passes everything on; a modal
    card takes everything."""
    from kiosk.screens.kit.widgets import Collapsible

    def visit(w: Widget) -> Widget | None:
        box = window_box(w)
        inside = box.x <= x <= box.right and box.y <= y <= box.top
        if isinstance(w, Collapsible) and w.collapsed():
            return None
        if isinstance(w, ScrollView) and not inside:
            return None
        if w.disabled and inside:
            return w
        for child in w.children:
            taker = visit(child)
            if taker is not None:
                return taker
        if (inside and isinstance(w, ButtonBehavior)) or _modal(w):
            return w
        return None
    return visit(root)


def reach_problems(root: Widget, screen: Box, where: str) -> list[str]:
    """Every enabled touch target in view gets a touch at the middle of what is seen of it."""
    problems = []
    for item in atoms(root, screen):
        w = item.widget
        if not isinstance(w, ButtonBehavior) or w.disabled:
            continue
        x, y = item.view.x + item.view.w / 2, item.view.y + item.view.h / 2
        taker = touch_taker(root, x, y)
        if taker is not None and taker is not w and not _inside(taker, w):
            problems.append(f"{where}: a touch on {describe(w)} goes to {describe(taker)}"
                            f"{' (disabled)' if taker.disabled else ''}")
    return problems


def _inside(widget: Widget, ancestor: Widget) -> bool:
    p = widget.parent
    for _ in range(60):
        if p is None or p is p.parent:
            return False
        if p is ancestor:
            return True
        p = p.parent
    return False


def unshaped(text: str) -> bool:
    """Arabic base letters left in text that is drawn: shaped text has only the joined
    presentation forms (U+FB50-U+FEFF) of its letters."""
    return any("\u0621" <= ch <= "\u063a" or "\u0641" <= ch <= "\u064a" for ch in text)


def shaping_problems(root: Widget, where: str) -> list[str]:
    return [f"{where}: Arabic drawn unshaped: {w.text[:40]!r}"
            for w in visible_widgets(root) if isinstance(w, Label) and unshaped(w.text)]


def audit(root: Widget, window: Any, where: str, focused: Widget | None = None,
          keyboard: Widget | None = None) -> list[str]:
    """Every problem found on what ``root`` draws (see the module docstring)."""
    screen = Box(0, 0, window.width, window.height)
    root = shown_modal(root) or root
    items = list(atoms(root, screen))
    problems = overlaps(items, where)
    problems += text_problems(root, screen, where)
    problems += bar_problems(root, screen, where)
    problems += target_problems(root, screen, where)
    problems += reach_problems(root, screen, where)
    problems += shaping_problems(root, where)
    if focused is not None:
        problems += focus_problems(focused, keyboard, screen, where)
    return problems
