"""The fictional operator's look on the practice screens: its drawn logo, its banner, the fake
browser address bar, and its card in the catalogue. Colours come from the procedure file; text
on them is black or white, whichever reads better.
"""
from __future__ import annotations

import math
from typing import Any

from kivy.factory import Factory
from kivy.graphics import Color, Ellipse, Mesh, Rectangle, RoundedRectangle, Triangle
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import N_, translate_to
from kiosk.practice.model import LEVEL_LABELS, Procedure
from kiosk.screens.base import load_screen_kv
from kiosk.screens.practice.widgets import tx
from kiosk.theme import contrast_ratio, hex_rgba


def hex_colour(code: str) -> list[float]:
    return list(hex_rgba(code))


def readable_on(code: str) -> list[float]:
    """Black or white, whichever reads better on the colour ``code``."""
    bg = hex_rgba(code)
    white, black = (1.0, 1.0, 1.0, 1.0), (0.08, 0.08, 0.08, 1.0)
    return list(white if contrast_ratio(white, bg) >= contrast_ratio(black, bg) else black)


def level_and_duration(procedure: Procedure, lang: str) -> str:
    # Through the catalogue (Arabic writes "دقيقة"; the Latin "min" in an Arabic line reads
    # reversed once the line is drawn right to left).
    minutes = translate_to(lang, N_("{n} min")).format(n=procedure.duration_min)
    return f"{LEVEL_LABELS[procedure.level].get(lang)} · {minutes}"


class OperatorLogo(Widget):
    """A neutral logo we draw ourselves: a plain shape in the operator's colour with initials.
    Never an official emblem."""

    shape = StringProperty("rounded")
    colour = ColorProperty([0.2, 0.2, 0.4, 1])
    initials = StringProperty("")
    ink = ColorProperty([1, 1, 1, 1])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in ("pos", "size", "shape", "colour"):
            self.fbind(name, self._redraw)
        self._redraw()

    def _redraw(self, *_args: Any) -> None:
        self.canvas.before.clear()
        side = min(self.width, self.height)
        # From x/y/width/height, not center_x/center_y: when a move is announced (a
        # right-to-left box mirroring the logo) Kivy has not updated the centre yet, and the
        # shape stayed at the old place, the initials alone on the card's band.
        cx, cy = self.x + self.width / 2, self.y + self.height / 2
        x = cx - side / 2
        y = cy - side / 2
        with self.canvas.before:
            Color(*self.colour)
            if self.shape == "circle":
                Ellipse(pos=(x, y), size=(side, side))
            elif self.shape == "square":
                Rectangle(pos=(x, y), size=(side, side))
            elif self.shape == "triangle":
                Triangle(points=[x, y, x + side, y, x + side / 2, y + side])
            elif self.shape == "hexagon":
                r = side / 2
                pts = []
                for i in range(6):
                    a = math.pi / 6 + i * math.pi / 3
                    pts += [cx + r * math.cos(a), cy + r * math.sin(a)]
                vertices = [cx, cy, 0, 0]
                for i in range(0, 12, 2):
                    vertices += [pts[i], pts[i + 1], 0, 0]
                vertices += [pts[0], pts[1], 0, 0]
                Mesh(vertices=vertices, indices=list(range(8)), mode="triangle_fan")
            elif self.shape == "shield":
                RoundedRectangle(pos=(x, y + side * 0.35), size=(side, side * 0.65),
                                 radius=[(side * 0.12, side * 0.12)] * 2 + [(0, 0)] * 2)
                Triangle(points=[x, y + side * 0.36, x + side, y + side * 0.36,
                                 x + side / 2, y])
            else:
                RoundedRectangle(pos=(x, y), size=(side, side), radius=[side * 0.22])


class AddressBar(BoxLayout):
    """A fake browser bar: back button and the fictional site's address (never a real URL).

    One label per address, kept and swapped in: going back and forth between pages then
    never re-renders text (the slowest part of a frame on a software renderer)."""

    address = StringProperty("")
    can_go_back = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._labels: dict[str, Any] = {}

    def on_address(self, _inst: Any, address: str) -> None:
        label = self._labels.get(address)
        if label is None:
            label = self._labels[address] = Factory.AddressWords(txt=address)
        box = self.ids.address_box
        if label.parent is not box:
            box.clear_widgets()
            box.add_widget(label)

    def words(self) -> str:
        return self.address

    __events__ = ("on_back",)

    def on_back(self) -> None:
        pass


class OperatorHeader(BoxLayout):
    """The operator's banner: logo, name and tagline in its colours."""

    name_txt = StringProperty("")
    tagline = StringProperty("")
    primary = ColorProperty([0, 0, 0.5, 1])
    ink = ColorProperty([1, 1, 1, 1])
    logo_shape = StringProperty("rounded")
    logo_colour = ColorProperty([0, 0, 0.5, 1])
    initials = StringProperty("")

    def show(self, procedure: Procedure) -> None:
        op = procedure.operator
        self.name_txt = op.name
        self.tagline = tx(op.tagline)
        self.primary = hex_colour(op.primary)
        self.ink = hex_colour(op.text) if contrast_ratio(
            hex_rgba(op.text), hex_rgba(op.primary)) >= 4.5 else readable_on(op.primary)
        self.logo_shape = op.logo.shape
        self.logo_colour = hex_colour("#ffffff") if op.logo.colour.lower() == \
            op.primary.lower() else hex_colour(op.logo.colour)
        self.initials = op.logo.initials


class ProcedureCard(ButtonBehavior, BoxLayout):
    """One procedure in the catalogue: the operator's look, title, level and duration."""

    procedure_id = StringProperty("")
    title = StringProperty("")
    operator = StringProperty("")
    details = StringProperty("")
    primary = ColorProperty([0, 0, 0.5, 1])
    ink = ColorProperty([1, 1, 1, 1])
    logo_shape = StringProperty("rounded")
    initials = StringProperty("")
    natural_height = NumericProperty(0)   # what its text needs; the grid gives a row the max

    def show(self, procedure: Procedure, lang: str, theme: str = "") -> None:
        self.procedure_id = procedure.id
        self.title = procedure.title.get(lang)
        self.operator = procedure.operator.name
        details = level_and_duration(procedure, lang)
        self.details = f"{theme}\n{details}" if theme else details
        self.primary = hex_colour(procedure.operator.primary)
        self.ink = readable_on(procedure.operator.primary)
        self.logo_shape = procedure.operator.logo.shape
        self.initials = procedure.operator.logo.initials


load_screen_kv(__file__)
