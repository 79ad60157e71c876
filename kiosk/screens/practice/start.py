"""Before a practice: what it is about, the persona card, the choice of version where the
procedure has a short first-timer one ("Version courte (première fois)" or "Version complète",
kiosk.practice.variants), and the choice of mode (guided: the next thing to touch is shown with
its hint; alone: hints only on request)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.practice.engine import Mode
from kiosk.practice.flow import PracticeFlow
from kiosk.practice.model import Procedure
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import ui
from kiosk.screens.kit.widgets import Collapsible
from kiosk.screens.practice.operator import level_and_duration
from kiosk.screens.practice.widgets import tx

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime


class VersionChoice(Collapsible, BoxLayout):
    """The two versions' buttons; collapsed (and passing touches on) for a procedure that has
    only one."""


class PracticeStartScreen(AppScreen):
    procedure: Procedure | None = ObjectProperty(None, allownone=True)  # the full version
    has_short = BooleanProperty(False)
    short_chosen = BooleanProperty(False)
    title_txt = StringProperty("")
    summary = StringProperty("")
    details = StringProperty("")

    def __init__(self, flow: PracticeFlow, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        ui.fbind("language", self._language_changed)

    def show_procedure(self, procedure: Procedure) -> None:
        self.procedure = procedure
        self.short_chosen = False   # the full version until the person picks the short one
        self._fill()

    @property
    def chosen(self) -> Procedure | None:
        """The version the run will play."""
        procedure = self.procedure
        if procedure is not None and self.short_chosen and procedure.short is not None:
            return procedure.short
        return procedure

    def choose_version(self, short: bool) -> None:
        self.short_chosen = short
        self._fill()

    def _fill(self) -> None:
        procedure = self.chosen
        if procedure is None:
            return
        self.has_short = self.procedure is not None and self.procedure.short is not None
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
        if self.chosen is None:
            return
        self.flow.start(self.chosen, Mode(mode))
        page = self.manager.get_screen("practice_page")
        page.begin()
        self.go("practice_page")


def build_screen(runtime: KioskRuntime, flow: PracticeFlow) -> PracticeStartScreen:
    return PracticeStartScreen(flow, name="practice_start")


load_screen_kv(__file__)
