"""Before a practice: what it is about, the persona card, and the choice of mode
(guided: the next thing to touch is shown with its hint; alone: hints only on request)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.properties import ObjectProperty, StringProperty

from kiosk.practice.engine import Mode
from kiosk.practice.flow import PracticeFlow
from kiosk.practice.model import Procedure
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import ui
from kiosk.screens.practice.operator import level_and_duration
from kiosk.screens.practice.widgets import tx

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime


class PracticeStartScreen(AppScreen):
    procedure: Procedure | None = ObjectProperty(None, allownone=True)
    title_txt = StringProperty("")
    summary = StringProperty("")
    details = StringProperty("")

    def __init__(self, flow: PracticeFlow, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        ui.fbind("language", self._language_changed)

    def show_procedure(self, procedure: Procedure) -> None:
        self.procedure = procedure
        self._fill()

    def _fill(self) -> None:
        procedure = self.procedure
        if procedure is None:
            return
        self.title_txt = tx(procedure.title)
        self.summary = tx(procedure.summary)
        self.details = level_and_duration(procedure, ui.language)
        self.ids.operator.show(procedure)
        self.ids.persona.show(procedure)

    def _language_changed(self, *_args: Any) -> None:
        self._fill()

    def on_enter(self, *args: Any) -> None:
        self.ids.scroller.scroll_y = 1
        super().on_enter(*args)

    def page_back(self) -> None:  # "Retour": choose another exercise
        self.go("practice_catalogue")

    def begin(self, mode: str) -> None:
        """Start the run in the chosen mode and show its first page."""
        if self.procedure is None:
            return
        self.flow.start(self.procedure, Mode(mode))
        page = self.manager.get_screen("practice_page")
        page.begin()
        self.go("practice_page")


def build_screen(runtime: KioskRuntime, flow: PracticeFlow) -> PracticeStartScreen:
    return PracticeStartScreen(flow, name="practice_start")


load_screen_kv(__file__)
