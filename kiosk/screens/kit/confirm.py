"""Asking before an irreversible action: "Terminer et tout effacer ?", "Quitter l'exercice ?".

A modal card over the whole window: a question in plain words, what will be lost, and two
buttons. The safe choice ("Non, continuer") is the big primary button on top, where the finger
already is; the irreversible one is smaller, below it, in the danger colour. Nothing underneath
reacts while it is open. It closes itself when the screen changes under it (the session ended
by idle, a mediator took over): an answer must never apply to a screen nobody sees any more.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.properties import StringProperty

from kiosk.i18n import _
from kiosk.screens.kit.dialog import ModalCard
from kiosk.screens.kit.rules import load_kv
from kiosk.screens.kit.state import ui

Action = Callable[[], None]


class ConfirmDialog(ModalCard):
    """On the kit's modal card (kit/dialog.py): the same veil, gutters and titled header as
    the idle warning."""

    body = StringProperty("")
    safe_txt = StringProperty("")
    confirm_txt = StringProperty("")

    def __init__(self, on_confirm: Action, on_safe: Action | None = None, **kwargs: Any) -> None:
        self.on_confirm_action = on_confirm
        self.on_safe_action = on_safe
        self._manager: Any = None
        super().__init__(**kwargs)

    # --- showing ---------------------------------------------------------------------------------
    def open(self, parent: Any = None) -> ConfirmDialog:
        """Show over ``parent`` (default: the running app's root, i.e. the whole window)."""
        if parent is None:
            from kivy.app import App

            app = App.get_running_app()
            parent = app.root
            self._manager = getattr(app, "sm", None)
        if self._manager is not None:
            self._manager.bind(current=self._screen_changed)
        parent.add_widget(self)
        if ui.read_aloud:
            ui.speak(self.speech_text())
        return self

    def speech_text(self) -> str:
        return "\n".join(t for t in (self.title, self.body, self.safe_txt, self.confirm_txt) if t)

    def dismiss(self) -> None:
        if self._manager is not None:
            self._manager.unbind(current=self._screen_changed)
            self._manager = None
        if self.parent is not None:
            self.parent.remove_widget(self)

    def _screen_changed(self, *_args: Any) -> None:
        self.dismiss()

    # --- answers ---------------------------------------------------------------------------------
    def choose_safe(self) -> None:
        self.dismiss()
        if self.on_safe_action is not None:
            self.on_safe_action()

    def choose_confirm(self) -> None:
        self.dismiss()
        self.on_confirm_action()


def confirm(title: str, body: str, confirm_txt: str, on_confirm: Action,
            safe_txt: str = "", on_safe: Action | None = None, parent: Any = None
            ) -> ConfirmDialog:
    """Ask, in the current language (texts already translated), before ``on_confirm``."""
    dialog = ConfirmDialog(on_confirm, on_safe, title=title, body=body,
                           safe_txt=safe_txt or _("Non, continuer"), confirm_txt=confirm_txt)
    return dialog.open(parent)


def open_dialog(root: Any) -> ConfirmDialog | None:
    """The confirmation shown over ``root``, if any (tests, the scripted demo)."""
    return next((w for w in getattr(root, "children", []) if isinstance(w, ConfirmDialog)), None)


load_kv(Path(__file__).with_suffix(".kv"))
