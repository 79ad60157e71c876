"""A parcours: its goal, its exercises with those done marked, "2 sur 5", and the button that
opens the next exercise. Reached from the catalogue (choosing a parcours follows it) or after
a progress card was read (kiosk.screens.practice.parcours_resume)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty

from kiosk.i18n import _
from kiosk.practice.flow import PracticeFlow
from kiosk.practice.parcours_file import Parcours
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import KLabel, ui
from kiosk.screens.practice.widgets import tx

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime


def progress_words(done: int, total: int) -> str:
    """ "2 sur 5": the words the parcours screen, the debrief and the card screen share."""
    return _("Exercices faits : {done} sur {total}").format(done=done, total=total)


class ParcoursScreen(AppScreen):
    title_txt = StringProperty("")
    goal = StringProperty("")
    progress_txt = StringProperty("")
    next_txt = StringProperty("")
    has_next = BooleanProperty(False)
    status = StringProperty("")       # "Votre carte est lue" after a card was scanned

    def __init__(self, flow: PracticeFlow, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        ui.fbind("language", lambda *_a: self._fill())

    def follow(self, parcours: Parcours) -> None:
        """Follow ``parcours`` (what was done earlier in this session stays done)."""
        self.flow.parcours.follow(parcours)
        self.status = ""
        self._fill()

    def _fill(self) -> None:
        progress = self.flow.parcours.progress
        if progress is None or self.runtime.practice is None:
            return
        catalogue = self.runtime.practice
        parcours = progress.parcours
        self.title_txt = tx(parcours.title)
        self.goal = tx(parcours.goal)
        self.progress_txt = progress_words(progress.done_count, progress.total)
        box = self.ids.steps
        box.clear_widgets()
        for index, procedure_id in enumerate(parcours.steps):
            title = tx(catalogue.get(procedure_id).title)
            state = _("fait") if index in progress.done else _("à faire")
            box.add_widget(KLabel(txt=f"{index + 1}. {title} ({state})", padding=(dp(8), dp(2))))
        following = progress.next_procedure()
        self.has_next = following is not None
        self.next_txt = _("Commencer : {title}").format(
            title=tx(catalogue.get(following).title)) if following else \
            _("Parcours terminé. Bravo !")

    def on_pre_enter(self, *args: Any) -> None:
        self._fill()

    def on_enter(self, *args: Any) -> None:
        self.ids.scroller.scroll_y = 1
        super().on_enter(*args)

    def start_next(self) -> None:
        """The next exercise of the parcours, on its start screen (persona card, mode)."""
        progress = self.flow.parcours.progress
        following = progress.next_procedure() if progress is not None else None
        if following is None or self.runtime.practice is None:
            return
        start = self.manager.get_screen("practice_start")
        start.show_procedure(self.runtime.practice.get(following))
        self.go("practice_start")

    def page_back(self) -> None:  # "Retour": the catalogue
        self.go("practice_catalogue")


def build_screen(runtime: KioskRuntime, flow: PracticeFlow) -> ParcoursScreen:
    return ParcoursScreen(flow, name="practice_parcours")


load_screen_kv(__file__)
