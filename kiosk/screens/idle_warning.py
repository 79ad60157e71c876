"""The idle warning overlay: a countdown and "Je suis encore là"; at zero the core ends the
session. Shown over whatever screen the resident was on, so nothing is lost if they answer;
on the kit's modal card (kit/dialog.py), as the confirmations."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from kivy.properties import NumericProperty

from kiosk.i18n import ngettext
from kiosk.screens.base import load_screen_kv
from kiosk.screens.kit import ui
from kiosk.screens.kit.dialog import ModalCard

if TYPE_CHECKING:
    from kiosk.sessions.core import SessionCore


class IdleWarning(ModalCard):
    seconds = NumericProperty(0)

    def __init__(self, core: SessionCore, **kwargs: Any) -> None:
        self.core = core
        super().__init__(**kwargs)

    def update(self) -> None:
        self.seconds = math.ceil(self.core.warning_remaining())

    def countdown_text(self, seconds: int) -> str:
        return ngettext("Sans réponse, tout sera effacé dans {n} seconde.",
                        "Sans réponse, tout sera effacé dans {n} secondes.",
                        seconds).format(n=seconds)

    def speech_text(self) -> str:
        return f"{self.ids.title.txt}\n{self.countdown_text(self.seconds)}"

    def still_here(self) -> None:
        self.core.touch()

    # Modal (ModalCard): nothing underneath reacts; any touch counts as "still here"
    # (core.touch() from the window binding), the button just makes it obvious.

    def shown(self) -> None:
        self.update()
        if ui.read_aloud:
            ui.speak(self.speech_text())


load_screen_kv(__file__)
