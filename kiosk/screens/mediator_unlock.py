"""Mediator unlock: a PIN on the numeric pad, or a badge on the reader.

A refused badge is refused without saying why (unknown, revoked...): the message is the same.
"""
from __future__ import annotations

import math
from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import _, ngettext
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.sessions.mediator_pin import PIN_MAX_DIGITS, PinResult


class MediatorUnlockScreen(AppScreen):
    message = StringProperty("")
    refused = BooleanProperty(False)

    def on_kv_post(self, base_widget: Any) -> None:
        super().on_kv_post(base_widget)
        field = self.ids.pin
        field.max_length = PIN_MAX_DIGITS
        # the pad lives in the page template's dock (docked on entry), not in the content;
        # kept here meanwhile (``ids`` holds a weak proxy: the garbage collector would free it)
        self._pad = self.ids.keyboard.__self__
        self.remove_widget(self.ids.keyboard)
        field.bind(on_submit=lambda *_a: self.submit_pin())

    def on_pre_enter(self, *args: Any) -> None:
        self.ids.pin.clear()
        self.ids.page.dock_keyboard(self.ids.keyboard, self.ids.pin)
        self.refused = False
        gate = self.runtime.pin_gate
        self.message = "" if gate.configured else _(
            "Aucun code n'est configuré sur cette borne : passez votre badge.")
        self._show_lock()

    def _show_lock(self) -> bool:
        remaining = self.runtime.pin_gate.locked_for()
        if remaining <= 0:
            return False
        minutes = max(1, math.ceil(remaining / 60))
        self.message = ngettext("Trop d'essais. Réessayez dans {n} minute.",
                                "Trop d'essais. Réessayez dans {n} minutes.",
                                minutes).format(n=minutes)
        self.refused = True
        return True

    def submit_pin(self) -> None:
        result = self.runtime.pin_gate.check(self.ids.pin.value)
        self.ids.pin.clear()
        if result is PinResult.ACCEPTED:
            self.app.open_mediator_panel()
            return
        self.refused = True
        if result is PinResult.LOCKED:
            self._show_lock()
        elif result is PinResult.NOT_CONFIGURED:
            self.message = _("Aucun code n'est configuré sur cette borne : passez votre badge.")
        else:
            self.message = _("Code incorrect.")

    def badge(self, uid: bytes) -> None:
        if self.runtime.verify_badge(uid):
            self.runtime.pin_gate.reset()
            self.app.open_mediator_panel()
        else:
            self.refused = True
            self.message = _("Badge refusé.")

    def leave(self) -> None:
        self.app.leave_mediator()

    def page_back(self) -> None:  # the page template's « Retour »
        self.leave()


load_screen_kv(__file__)
