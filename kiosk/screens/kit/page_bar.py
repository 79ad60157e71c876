"""The page template's action bar (kiosk/screens/kit/page.py; rules in page_bar.kv, loaded with
the first bar built): Back, Help, Call a mediator, Home or End, each in its own slot on every
screen."""
from __future__ import annotations

import weakref
from typing import Any

from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior

from kiosk.screens.kit.rules import HERE, load_kv
from kiosk.screens.kit.widgets import DirBox

BAR_KV = HERE / "page_bar.kv"


class BarButton(ButtonBehavior, DirBox):
    """One action of the bottom bar: a pictogram and its word."""

    action = StringProperty("")
    txt = StringProperty("")
    icon = StringProperty("")
    kind = OptionProperty("secondary", options=["primary", "secondary", "danger", "help"])
    offered = BooleanProperty(True)
    natural_height = NumericProperty(0)  # what its words need; the bar takes the tallest


class PageBar(DirBox):
    """The page's action bar: Back, Help, Call a mediator, Home or End, always in these places
    (page_bar.kv). Built by the page only if it offers an action: the welcome screen, the first
    one drawn at every start, makes none of its widgets, words or pictograms, nor parses their
    rules."""

    actions = ListProperty([])
    natural_height = NumericProperty(0)  # the tallest button's, and the bar's padding

    def __init__(self, page: Any, **kwargs: Any) -> None:
        self._page = weakref.ref(page)
        load_kv(BAR_KV)  # before Kivy applies the rules of the class (its buttons' too)
        super().__init__(actions=list(page.actions), **kwargs)

    def chosen(self, action: str) -> None:
        page = self._page()
        if page is not None:
            page.dispatch("on_action", action)


BAR_BUTTONS = ("bar_back", "bar_help", "bar_mediator", "bar_home")
