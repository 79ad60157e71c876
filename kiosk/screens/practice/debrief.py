"""The debrief after a practice: what went well, where the person erred or hesitated, what to
remember for the real site, the memo sheet's steps and a button to print it."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty

from kiosk.devices.errors import DeviceError
from kiosk.i18n import _
from kiosk.practice.debrief import Debrief, build_debrief
from kiosk.practice.flow import PracticeFlow
from kiosk.practice.model import Procedure
from kiosk.practice.progress import progress
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import KLabel, ui
from kiosk.screens.kit.busy import BusyWork
from kiosk.screens.practice.widgets import tx

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)


class PracticeDebriefScreen(BusyWork, AppScreen):
    title_txt = StringProperty("")
    summary = StringProperty("")
    print_status = StringProperty("")
    can_print = BooleanProperty(False)
    printed = BooleanProperty(False)
    real_address = StringProperty("")   # the official site, as a person types it
    can_go_real = BooleanProperty(False)  # the kiosk's browser can open it
    busy = BooleanProperty(False)   # the memo sheet is being built and sent
    parcours_txt = StringProperty("")   # "Parcours initiation : exercices faits : 2 sur 5"
    parcours_next = StringProperty("")  # the next exercise of the parcours, "" when none
    card_offered = BooleanProperty(False)  # the progress card can be printed from here

    def __init__(self, flow: PracticeFlow, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        self._panel: Any = None
        self._worker: Any = None
        self.debrief: Debrief | None = None
        ui.fbind("language", self._language_changed)

    def show_run(self) -> None:
        run = self.flow.run
        if run is None:
            return
        self.debrief = build_debrief(run, ui.language, self._catalogue())
        self.printed = False
        self.print_status = ""
        self.can_print = self.flow.can_print()
        self._fill()

    def _fill(self) -> None:
        run, debrief = self.flow.run, self.debrief
        if run is None or debrief is None:
            return
        self.title_txt = _("Votre bilan : {title}").format(title=tx(run.procedure.title))
        if run.completed:
            self.summary = _("Vous avez fait tout l'exercice. Bravo !")
        else:
            where = progress(run)  # the step counter the person saw on the pages
            self.summary = _("L'exercice s'est arrêté à l'étape {reached} sur {total}.").format(
                reached=where.step, total=where.total)
        self._list("well", debrief.went_well, _("Rien à signaler ici cette fois."))
        self._list("work", debrief.to_work_on, _("Rien : aucune erreur, aucune hésitation."))
        self._list("remember", debrief.remember, "")
        self._list("next_steps", debrief.next_steps, "")
        self.real_address = _("Le vrai site : {address}").format(
            address=debrief.real_address) if debrief.real_address else ""
        self.can_go_real = self._real_site_openable(debrief.real_site)
        browsing = self.runtime.browsing if self.can_go_real else None
        if browsing is not None:  # Chromium starts while the resident reads the debrief
            browsing.prepare()
        self._fill_parcours()
        memo = debrief.memo
        self.ids.memo_title.txt = tx(memo.title)
        self._list("memo", [f"{n}. {tx(step)}" for n, step in enumerate(memo.steps, 1)], "",
                   bullet="")

    def _fill_parcours(self) -> None:
        """When the exercise is a step of the parcours followed: where the parcours stands and
        the next exercise it suggests."""
        from kiosk.screens.practice.parcours import progress_words

        run, follow = self.flow.run, self.flow.parcours
        progress = follow.progress
        self._update_card_offer()
        if run is None or progress is None or follow.step_of(run.procedure.id) is None:
            self.parcours_txt = self.parcours_next = ""
            return
        words = progress_words(progress.done_count, progress.total)
        if progress.complete:
            words += " " + _("Parcours terminé. Bravo !")
        self.parcours_txt = f"{tx(progress.parcours.title)} : {words}"
        following = progress.next_procedure()
        catalogue = self.runtime.practice
        self.parcours_next = _("Exercice suivant : {title}").format(
            title=tx(catalogue.get(following).title)) \
            if following is not None and catalogue is not None else ""

    def _update_card_offer(self) -> None:
        self.card_offered = self.app.has_screen("practice_parcours_card") and \
            self.flow.parcours.card_worth_printing()

    def offer_card(self) -> None:
        """ "Imprimer ma carte de progression": the card screen, "Retour" coming back here."""
        self.app.screen("practice_parcours_card").offer_from(self.name)

    def next_in_parcours(self) -> None:
        """The parcours' next exercise, on its start screen."""
        progress = self.flow.parcours.progress
        following = progress.next_procedure() if progress is not None else None
        if following is None or self.runtime.practice is None:
            return
        self.flow.leave()
        start = self.manager.get_screen("practice_start")
        start.show_procedure(self.runtime.practice.get(following))
        self.go("practice_start")

    def _catalogue(self) -> list[Procedure]:
        catalogue = self.runtime.practice
        return catalogue.procedures if catalogue is not None else []

    def _list(self, box_id: str, items: Any, empty: str, bullet: str = "• ") -> None:
        box = self.ids[box_id]
        box.clear_widgets()
        for item in items or ([empty] if empty else []):
            box.add_widget(KLabel(txt=f"{bullet}{item}", padding=(dp(8), dp(2))))

    def _language_changed(self, *_args: Any) -> None:
        if self.flow.run is not None and self.debrief is not None:
            self.debrief = build_debrief(self.flow.run, ui.language, self._catalogue())
            self._fill()

    def on_enter(self, *args: Any) -> None:
        self.ids.scroller.scroll_y = 1
        self._update_card_offer()  # printed meanwhile from the card screen: no longer offered
        super().on_enter(*args)

    def print_memo(self) -> None:
        """The memo sheet as a PDF (a session file, wiped at the end), sent to the printer.
        Built on a worker thread (a second or two): meanwhile the busy panel says so."""
        self.run_busy("kiosk-memo", _("Préparation de votre fiche mémo…"),
                      lambda lang=ui.language: self.flow.print_memo(lang), self._memo_sent,
                      self._memo_failed)

    def _memo_sent(self, _job: Any) -> None:
        self._not_busy()
        self.printed = True
        self.print_status = _("La fiche mémo est envoyée à l'imprimante. Prenez-la en partant.")

    def _real_site_openable(self, url: str | None) -> bool:
        if not url:
            return False
        browsing = self.runtime.browsing
        return browsing is not None and browsing.allowlist.judge(url).allowed

    def go_real(self) -> None:
        """'Faire la vraie démarche maintenant': the official site in the kiosk's browser."""
        if self.debrief is None or not self.debrief.real_site:
            return
        url = self.debrief.real_site
        self.flow.leave()
        self.app.screen("browser").open_url(url)
        self.go("browser")

    def _memo_failed(self, err: BaseException) -> None:
        self._not_busy()
        if isinstance(err, DeviceError):  # the printer's own plain message (quota, paper...)
            log.warning("memo sheet not printed: %s", err.technical)
            self.print_status = err.shown()
        else:
            log.warning("memo sheet not printed: %s", err)
            self.print_status = _("La fiche n'a pas pu être imprimée. Demandez à un médiateur.")

    def again(self) -> None:
        run = self.flow.run
        if run is None:
            return
        self.flow.start(run.procedure, run.mode)
        self.manager.get_screen("practice_page").begin()
        self.go("practice_page")

    def other(self) -> None:
        self.flow.leave()
        self.go("practice_catalogue")

    def page_back(self) -> None:  # the page template's "Retour": the catalogue
        self.other()

    def page_home(self) -> None:
        self.flow.leave()
        self.go("home")


def build_screen(runtime: KioskRuntime, flow: PracticeFlow) -> PracticeDebriefScreen:
    return PracticeDebriefScreen(flow, name="practice_debrief")


load_screen_kv(__file__)
