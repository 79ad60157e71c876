"""Out of order: a calm message and where to go instead.

``where`` is the ``kiosk.where_to_go`` setting, written in French by the site. It is shown
through the catalogue: the default (``DEFAULT_WHERE``) reads in the resident's language; a
place the site typed itself has no translation and is shown as typed."""
from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from kiosk.i18n import N_
from kiosk.screens.base import AppScreen, load_screen_kv

# The default of kiosk.where_to_go (kiosk_wire/config.py), so that it is in the catalogues.
DEFAULT_WHERE = N_("l'accueil")


class OutOfOrderScreen(AppScreen):
    where = StringProperty("")

    def on_pre_enter(self, *args: Any) -> None:
        self.where = self.runtime.settings.get("kiosk.where_to_go")


load_screen_kv(__file__)
