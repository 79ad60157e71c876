"""Out of order: a calm message and where to go instead."""
from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.screens.base import AppScreen, load_screen_kv


class OutOfOrderScreen(AppScreen):
    where = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        self.where = self.runtime.settings.get("kiosk.where_to_go")


load_screen_kv(__file__)
