"""The page template's counterpart for what is asked over a screen: a modal card (the
confirmations, the idle warning).

One look for every question put to the resident over the page: an opaque veil, a centred
card on the surface colour with the template's gutters (32 dp), a header that says what this
is (a pictogram and a bold title at the page title's size, growing with the text size), then
what the subclass's kv puts inside (kv children land in the card, below the header). The card
scrolls when it is taller than the window (Arabic at text x2), so its buttons are always
reachable. Modal: nothing underneath reacts to a touch while it is shown.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.properties import StringProperty
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk.screens.kit import pictograms  # noqa: F401  (registers the "question" icon)
from kiosk.screens.kit.rules import load_kv


class ModalCard(FloatLayout):
    title = StringProperty("")
    icon = StringProperty("question")

    # the veil's own child (the card's scroll view), from the class rule
    OWN_PARTS = 1

    def add_widget(self, widget: Widget, *args: Any, **kwargs: Any) -> None:
        """Children given in a subclass's kv go into the card, below its header."""
        if len(self.children) >= self.OWN_PARTS and "card" in self.ids:
            self.ids.card.add_widget(widget, *args, **kwargs)
        else:
            super().add_widget(widget, *args, **kwargs)

    def on_touch_down(self, touch: Any) -> bool:
        super().on_touch_down(touch)
        return True  # modal: nothing underneath reacts

    def on_touch_move(self, touch: Any) -> bool:
        super().on_touch_move(touch)
        return True

    def on_touch_up(self, touch: Any) -> bool:
        super().on_touch_up(touch)
        return True


load_kv(Path(__file__).with_suffix(".kv"))
