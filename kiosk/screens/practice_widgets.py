"""Widgets that only the practice screens need: the fictional operator's look (logo, header,
fake address bar), the SIMULATION ribbon, procedure cards, the persona card, the simulated
phone, the captcha picture, and a frame that highlights the next thing to touch.

Generic pieces (labels, buttons, toggles, form fields, keyboard, hint bubble) come from the kit.
"""
from __future__ import annotations

import random
from typing import Any

from kivy.graphics import Color, Ellipse, Line, Mesh, Rectangle, RoundedRectangle, Triangle
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

from kiosk.practice.model import LEVEL_LABELS, Procedure
from kiosk.practice.text import Text
from kiosk.screens.base import load_screen_kv
from kiosk.screens.kit import ui
from kiosk.theme import contrast_ratio, hex_rgba


def hex_colour(code: str) -> list[float]:
    return list(hex_rgba(code))


def readable_on(code: str) -> list[float]:
    """Black or white, whichever reads better on the colour ``code``."""
    bg = hex_rgba(code)
    white, black = (1.0, 1.0, 1.0, 1.0), (0.08, 0.08, 0.08, 1.0)
    return list(white if contrast_ratio(white, bg) >= contrast_ratio(black, bg) else black)


def tx(text: Text | None, lang: str | None = None) -> str:
    """A procedure's string in the person's language (French when missing)."""
    return text.get(lang or ui.language) if text is not None else ""


def level_and_duration(procedure: Procedure, lang: str) -> str:
    from kiosk.i18n import translate_to

    minutes = translate_to(lang, "{n} min").format(n=procedure.duration_min)
    return f"{LEVEL_LABELS[procedure.level].get(lang)} · {minutes}"


def dock_keyboard(container: Any, keyboard: Any, field: Any) -> None:
    """Show the on-screen keyboard at the bottom of ``container``, typing into ``field``."""
    keyboard.attach(field)
    field.focused = True
    if keyboard.parent is None:
        container.add_widget(keyboard)  # added first = drawn last in a vertical box: bottom


def undock_keyboard(keyboard: Any) -> None:
    if keyboard.target is not None:
        keyboard.target.focused = False
    if keyboard.parent is not None:
        keyboard.parent.remove_widget(keyboard)


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
        x = self.center_x - side / 2
        y = self.center_y - side / 2
        with self.canvas.before:
            Color(*self.colour)
            if self.shape == "circle":
                Ellipse(pos=(x, y), size=(side, side))
            elif self.shape == "square":
                Rectangle(pos=(x, y), size=(side, side))
            elif self.shape == "triangle":
                Triangle(points=[x, y, x + side, y, x + side / 2, y + side])
            elif self.shape == "hexagon":
                import math
                r = side / 2
                pts = []
                for i in range(6):
                    a = math.pi / 6 + i * math.pi / 3
                    pts += [self.center_x + r * math.cos(a), self.center_y + r * math.sin(a)]
                vertices = [self.center_x, self.center_y, 0, 0]
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


class SimulationRibbon(BoxLayout):
    """The permanent "SIMULATION — rien n'est envoyé" band on every practice page."""


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
        from kivy.factory import Factory

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
                for option in fld.options if fld.persona else ():
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


class SmsPhone(BoxLayout):
    """The simulated phone: where the SMS code arrives."""

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
                Line(points=[self.x + rng.random() * self.width, self.y + rng.random() * self.height,
                             self.x + rng.random() * self.width, self.y + rng.random() * self.height],
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
            Rectangle(texture=self._texture, size=(side, side),
                      pos=(self.center_x - side / 2, self.center_y - side / 2))


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
