"""Widgets that only the practice pages need: the SIMULATION ribbon, the persona card, the
simulated phone, the captcha and QR pictures, the site's button and alert boxes, the overlay,
and a frame that highlights the next thing to touch.

The fictional operator's look (logo, banner, address bar, catalogue card) is in
:mod:`kiosk.screens.practice.operator`; generic pieces (labels, buttons, form fields, keyboard,
hint bubble) come from the kit.
"""
from __future__ import annotations

import random
from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk.practice.model import Procedure
from kiosk.practice.text import Text
from kiosk.screens.base import load_screen_kv
from kiosk.screens.kit import ui
from kiosk.screens.kit.widgets import Collapsible


def tx(text: Text | None, lang: str | None = None) -> str:
    """A procedure's string in the person's language (French when missing)."""
    return text.get(lang or ui.language) if text is not None else ""


def dock_keyboard(container: Any, keyboard: Any, field: Any) -> None:
    """Show the on-screen keyboard at the bottom of ``container``, typing into ``field``."""
    keyboard.attach(field)
    field.focused = True
    if keyboard.parent is None:
        container.add_widget(keyboard)  # added first = drawn last in a vertical box: bottom


class SimulationRibbon(BoxLayout):
    """The permanent "SIMULATION — rien n'est envoyé" band on every practice page."""


class PersonaCard(BoxLayout):
    """ "Vos informations pour cet exercice": the fictional person and every value to type."""

    card = StringProperty("")
    rows = ListProperty([])   # [(label, value), ...]

    def show(self, procedure: Procedure) -> None:
        persona = procedure.persona
        self.card = tx(persona.card)
        # A value chosen from a list is shown with the words of the list, not its code.
        shown: dict[tuple[str, str], str] = {}
        for page in procedure.pages:
            for fld in page.fields:
                if fld.persona:
                    for option in fld.options:
                        shown[(fld.persona, option.value)] = tx(option.label)
        self.rows = [(tx(v.label), shown.get((v.key, v.value), v.value))
                     for v in persona.values if v.value]
        table = self.ids.value_grid
        table.clear_widgets()
        from kivy.factory import Factory

        from kiosk.screens.kit import KLabel

        for label, value in self.rows:
            table.add_widget(KLabel(txt=label))
            table.add_widget(Factory.PageBold(txt=value))


class SmsPhone(Collapsible, BoxLayout):
    """The simulated phone: where the SMS code arrives (collapsed on pages without one)."""

    messages = ListProperty([])   # newest last, already in the person's language
    has_messages = BooleanProperty(False)

    __events__ = ("on_resend",)

    def on_messages(self, _inst: Any, messages: list[str]) -> None:
        self.has_messages = bool(messages)

    def on_resend(self) -> None:
        pass


class CaptchaView(Widget):
    """The captcha picture: the expected characters, tilted, over noise lines, as real sites
    draw them (only readable enough for a person)."""

    text = StringProperty("")
    seed = NumericProperty(7)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name in ("pos", "size", "text"):
            self.fbind(name, self._redraw)

    def _redraw(self, *_args: Any) -> None:
        from kivy.core.text import Label as CoreLabel

        from kiosk.screens.kit.text import FONT_BOLD

        self.canvas.clear()
        rng = random.Random(self.seed)
        with self.canvas:
            Color(0.93, 0.92, 0.86, 1)
            Rectangle(pos=self.pos, size=self.size)
            Color(0.5, 0.45, 0.4, 1)
            for _ in range(7):
                Line(points=[self.x + rng.random() * self.width,
                             self.y + rng.random() * self.height,
                             self.x + rng.random() * self.width,
                             self.y + rng.random() * self.height],
                     width=1.3)
            if not self.text:
                return
            step = self.width / (len(self.text) + 1)
            from kivy.graphics import PopMatrix, PushMatrix, Rotate

            for i, ch in enumerate(self.text):
                core = CoreLabel(text=ch, font_name=FONT_BOLD, font_size=self.height * 0.5)
                core.refresh()
                tex = core.texture
                cx = self.x + step * (i + 1)
                cy = self.center_y + (rng.random() - 0.5) * self.height * 0.2
                PushMatrix()
                Rotate(angle=rng.uniform(-25, 25), origin=(cx, cy))
                Color(0.15, 0.15 + 0.1 * (i % 2), 0.3, 1)
                Rectangle(texture=tex, pos=(cx - tex.width / 2, cy - tex.height / 2),
                          size=tex.size)
                PopMatrix()


class QrView(Widget):
    """A QR code the page shows (the pré-demande number to bring to the town hall): drawn from
    segno's matrix, square modules, white quiet zone, so a phone (or pyzbar) can read it."""

    data = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._texture: Any = None
        for name in ("pos", "size", "data"):
            self.fbind(name, self._redraw)
        self._redraw()

    def _make_texture(self) -> Any:
        import segno
        from kivy.graphics.texture import Texture

        rows = list(segno.make_qr(self.data, error="m").matrix_iter(scale=1, border=4))
        side = len(rows)
        # RGBA: 4 bytes a pixel keeps every row aligned for OpenGL whatever the size
        pixels = bytes(c for row in reversed(rows) for dark in row
                       for c in ((0, 0, 0, 255) if dark else (255, 255, 255, 255)))
        texture = Texture.create(size=(side, side), colorfmt="rgba")
        texture.blit_buffer(pixels, colorfmt="rgba", bufferfmt="ubyte")
        texture.mag_filter = "nearest"
        texture.min_filter = "nearest"
        return texture

    def _redraw(self, *_args: Any) -> None:
        self.canvas.clear()
        if not self.data:
            return
        if self._texture is None or getattr(self, "_for", None) != self.data:
            self._texture, self._for = self._make_texture(), self.data
        side = min(self.width, self.height)
        with self.canvas:
            Color(1, 1, 1, 1)
            # x/y, not center_x/center_y: the centre lags a move being announced (operator.py)
            Rectangle(texture=self._texture, size=(side, side),
                      pos=(self.x + (self.width - side) / 2, self.y + (self.height - side) / 2))


class FieldFrame(BoxLayout):
    """Holds one field of a practice page; draws the guided-mode highlight around it."""

    field_id = StringProperty("")
    highlighted = BooleanProperty(False)
    error = StringProperty("")


class PageButton(ButtonBehavior, BoxLayout):
    """The site's own main button ("Continuer", "Valider"), in the operator's colour."""

    txt = StringProperty("")
    primary = ColorProperty([0, 0, 0.5, 1])
    ink = ColorProperty([1, 1, 1, 1])
    highlighted = BooleanProperty(False)


class ScamLink(ButtonBehavior, BoxLayout):
    """A lookalike link offered on the page (the scam trap), drawn as a tempting banner."""

    txt = StringProperty("")
    address = StringProperty("")


class Notice(BoxLayout):
    """An alert box of the site (session expired, errors to correct) or of the kiosk."""

    txt = StringProperty("")
    tone = StringProperty("error")   # error | info | warning


class Overlay(FloatLayout):
    """A card over a dimmed page (persona card, explanations); touches never reach the page."""

    title = StringProperty("")
    tone = StringProperty("info")   # info | warning

    __events__ = ("on_close",)

    def open(self, parent: Any, title: str, body: Any, tone: str = "info") -> None:
        self.title = title
        self.tone = tone
        holder = self.ids.body
        holder.clear_widgets()
        holder.add_widget(body)
        if self.parent is None:
            parent.add_widget(self)
        self.ids.scroller.scroll_y = 1

    def close(self) -> None:
        if self.parent is not None:
            self.parent.remove_widget(self)
        self.ids.body.clear_widgets()
        self.dispatch("on_close")

    def on_close(self) -> None:
        pass

    def on_touch_down(self, touch: Any) -> bool:
        super().on_touch_down(touch)
        return True

    def on_touch_move(self, touch: Any) -> bool:
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        super().on_touch_up(touch)
        return True


load_screen_kv(__file__)
