"""Print: choose a document of this visit (or the sample page), the number of copies, see the
pages left and the printer's state, print, follow the job to the end ("Impression terminée :
2 pages"), cancel. Faults (paper out, jam, quota...) in plain words with what to do.

Printing goes through the runtime's one print service (quota counted before sending, job
registered with the session so its wipe cancels and purges it).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.devices import errors
from kiosk.devices.printer import BLOCKING, JobState, PrintOptions
from kiosk.documents.flow_steps import print_step
from kiosk.documents.session_documents import DocumentKind
from kiosk.i18n import N_, _, ngettext
from kiosk.screens import device_fault
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import (
    BigButton,
    busy,  # noqa: F401  (BusySpinner, named in print.kv)
    tr,
)
from kiosk.sessions.state import SessionState

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)

POLL_S = 0.4
MAX_COPIES = 10
SAMPLE_ID = DocumentKind.SAMPLE.value  # the sample page's entry in the list (never a doc id)


class PrintScreen(AppScreen):
    phase = StringProperty("choose")       # choose -> job
    selected = StringProperty("")          # doc_id, or SAMPLE_ID
    copies = NumericProperty(1)
    doc_txt = StringProperty("")
    copies_txt = StringProperty("")
    quota_txt = StringProperty("")
    printer_txt = StringProperty("")
    status_txt = StringProperty("")
    body = StringProperty("")
    job_running = BooleanProperty(False)
    job_ok = BooleanProperty(False)
    has_documents = BooleanProperty(False)
    # offered when the queue can and the document has 2+ pages
    can_duplex = BooleanProperty(False)
    can_colour = BooleanProperty(False)
    duplex = BooleanProperty(False)
    colour = BooleanProperty(True)
    # the page template's stepper: choose, then the job (kiosk.documents.flow_steps)
    step_n = NumericProperty(1)
    steps_n = NumericProperty(2)
    next_txt = StringProperty("")

    def __init__(self, runtime: KioskRuntime, **kwargs: Any) -> None:
        self._runtime = runtime
        self._preselected = ""
        self._job: Any = None
        self._poll_event: Any = None
        self._cancel_dialog: Any = None
        super().__init__(**kwargs)
        runtime.core.add_listener(self._session_changed)
        printer = runtime.printer
        if printer is not None:  # plugged out, paper out...: said as soon as the facade knows
            printer.add_listener(
                lambda _old, _new: Clock.schedule_once(lambda _dt: self._printer_changed(), 0))

    def _printer_changed(self) -> None:
        printer = self.runtime.printer
        if printer is not None:
            self.printer_txt = printer.message()

    @property
    def runtime(self) -> KioskRuntime:
        return self._runtime

    @property
    def desk(self) -> Any:
        return self.runtime.documents

    @property
    def service(self) -> Any:
        return getattr(self.desk, "prints", None)

    def on_phase(self, _inst: Any, phase: str) -> None:
        self.ids.phases.current = phase
        where = print_step(job_started=phase == "job")
        self.step_n, self.steps_n = where.step, where.total
        self.next_txt = _(where.next_title) if where.next_title else ""

    # --- life of the screen -----------------------------------------------------------------------
    def preselect(self, doc_id: str) -> None:
        """The scan screen's "Imprimer": open with this document chosen."""
        self._preselected = doc_id

    def on_pre_enter(self, *args: Any) -> None:
        if self._job is not None and self.job_running:
            return  # back to a job still printing: keep following it
        self.phase = "choose"
        self.on_phase(self, self.phase)   # the stepper in this session's language
        self.ids.fault.clear()
        self._stop_polling()
        self._job = None
        self.copies = 1
        self.duplex = False
        self.colour = True
        self.selected = self._preselected
        self._preselected = ""
        self.refresh()

    def _session_changed(self, _old: SessionState, new: SessionState) -> None:
        if new not in (SessionState.ACTIVE, SessionState.IDLE_WARNING):
            self._stop_polling()  # the session's wipe cancels and purges the job itself
            self._job = None
            self.job_running = False
            self.phase = "choose"
            self.selected = ""

    def refresh(self) -> None:
        """The document list, the choice, copies, pages left and the printer's state."""
        docs = self.desk.documents() if self.desk is not None else []
        self.has_documents = any(d.kind is not DocumentKind.SAMPLE for d in docs)
        if self.selected and self.selected != SAMPLE_ID and not any(
                d.doc_id == self.selected for d in docs):
            self.selected = ""
        if not self.selected and docs:
            self.selected = docs[0].doc_id
        box = self.ids.docs
        box.clear_widgets()
        for doc in docs:
            if doc.kind is DocumentKind.SAMPLE:
                continue
            words = ngettext("{title} ({n} page)", "{title} ({n} pages)", doc.pages).format(
                title=tr(doc.title), n=doc.pages)
            box.add_widget(self._doc_button(doc.doc_id, words))
        box.add_widget(self._doc_button(SAMPLE_ID, _("Une page d'exemple (pour essayer)")))
        if not self.selected:
            self.selected = SAMPLE_ID
        self.body = _("Choisissez le document à imprimer.") if self.has_documents else _(
            "Vous n'avez pas encore scanné de document. Vous pouvez imprimer une page "
            "d'exemple pour essayer.")
        self._update_choice()

    def _doc_button(self, doc_id: str, words: str) -> BigButton:
        button = BigButton(txt=words, kind="primary" if doc_id == self.selected else "secondary")
        button.doc_id = doc_id
        button.bind(on_release=lambda b: self.select(b.doc_id))
        self.ids[f"doc_{doc_id}"] = button
        return button

    def select(self, doc_id: str) -> None:
        self.selected = doc_id
        for button in self.ids.docs.children:
            button.kind = "primary" if button.doc_id == doc_id else "secondary"
        self.ids.fault.clear()
        self._update_choice()

    def _document(self) -> Any:
        if self.selected == SAMPLE_ID:
            return None
        return self.desk.get(self.selected) if self.desk is not None else None

    def _pages(self) -> int:
        doc = self._document()
        return doc.pages if doc is not None else 1

    def _update_choice(self) -> None:
        doc = self._document()
        title = tr(doc.title) if doc is not None else _("Page d'exemple")
        self.doc_txt = title
        self.copies_txt = ngettext("{n} exemplaire", "{n} exemplaires", self.copies).format(
            n=self.copies)
        remaining = self.desk.remaining_pages() if self.desk is not None else None
        if remaining is None:
            self.quota_txt = ""
        else:
            needed = self._pages() * self.copies
            self.quota_txt = ngettext("Il vous reste {n} page à imprimer.",
                                      "Il vous reste {n} pages à imprimer.", remaining).format(
                n=remaining) + " " + ngettext("Ce choix utilise {n} page.",
                                              "Ce choix utilise {n} pages.", needed).format(
                n=needed)
        printer = self.runtime.printer
        if printer is not None:
            printer.refresh()
            self.printer_txt = printer.message()
            try:
                caps = printer.capabilities()
            except errors.DeviceError:
                caps = None
            self.can_duplex = bool(caps and caps.duplex and self._pages() > 1)
            self.can_colour = bool(caps and caps.colour)

    def toggle_duplex(self) -> None:
        self.duplex = not self.duplex

    def toggle_colour(self) -> None:
        self.colour = not self.colour

    def more(self) -> None:
        if self.copies < MAX_COPIES:
            self.copies += 1
            self._update_choice()

    def fewer(self) -> None:
        if self.copies > 1:
            self.copies -= 1
            self._update_choice()

    # --- printing ---------------------------------------------------------------------------------
    def print_now(self) -> None:
        service = self.service
        if service is None or self.job_running:
            return
        self.ids.fault.clear()
        try:
            doc = self.desk.sample() if self.selected == SAMPLE_ID else self._document()
            if doc is None:
                raise errors.InvalidDocument("document gone")
            options = PrintOptions(copies=int(self.copies),
                                   duplex=self.duplex and self.can_duplex,
                                   colour=self.colour or not self.can_colour)
            self._job = service.submit(doc.path, options)
        except Exception as err:  # noqa: BLE001  faults and the quota, in plain words
            self.ids.fault.show(device_fault.describe(err))
            self._update_choice()
            return
        self.phase = "job"
        self.job_running = True
        self.job_ok = False
        self.status_txt = _("Votre impression attend son tour…")
        self.body = _("Votre document part à l'imprimante. Restez près de l'imprimante.")
        self._poll_event = Clock.schedule_interval(lambda _dt: self.poll(), POLL_S)
        self.poll()

    def poll(self) -> None:
        """Follow the job: its state in plain words, a fault while it waits, its end."""
        if self._job is None or self.service is None:
            return
        try:
            status = self.service.status(self._job)
        except Exception as err:  # noqa: BLE001  shown in plain words, logged by describe()
            self.ids.fault.show(device_fault.describe(err))
            return
        self.status_txt = status.message()
        if not status.state.finished and status.printer_state in BLOCKING:
            fault = BLOCKING[status.printer_state](f"while printing: {status.printer_state.value}")
            self.ids.fault.show(device_fault.describe(fault))
        elif self.ids.fault.message and not status.state.finished:
            self.ids.fault.clear()  # the mediator fixed it: the job goes on
        if status.state.finished:
            self._close_cancel_dialog()
            self._stop_polling()
            self.job_running = False
            self.job_ok = status.state is JobState.COMPLETED
            self.ids.fault.clear()
            self.body = _("Vous pouvez reprendre vos feuilles dans l'imprimante.") \
                if self.job_ok else _("Vous pouvez réessayer ou revenir à l'accueil.")
            self.on_enter()  # read the outcome aloud when the option is on

    def ask_to_cancel(self) -> None:
        """ "Annuler l'impression": asked first (the pages already out are counted and the
        document must be sent again); letting it print is the big button."""
        from kiosk.screens.kit.confirm import confirm

        if self._job is None or not self.job_running:
            return
        self._cancel_dialog = confirm(
            _("Annuler l'impression ?"),
            _("Les pages pas encore imprimées ne sortiront pas. Pour les avoir, il faudra "
              "relancer l'impression."),
            _("Oui, annuler l'impression"), self.cancel,
            safe_txt=_("Non, continuer l'impression"))

    def _close_cancel_dialog(self) -> None:
        """The job ended while the question was open: there is nothing left to cancel."""
        dialog, self._cancel_dialog = self._cancel_dialog, None
        if dialog is not None:
            dialog.dismiss()

    def cancel(self) -> None:
        self._cancel_dialog = None
        if self._job is None or self.service is None or not self.job_running:
            return
        try:
            self.service.cancel(self._job)
        except Exception as err:  # noqa: BLE001  shown in plain words, logged by describe()
            self.ids.fault.show(device_fault.describe(err))
            return
        self._stop_polling()
        self.job_running = False
        self.job_ok = False
        self.status_txt = _("Impression annulée.")
        self.body = _("Vous pouvez réessayer ou revenir à l'accueil.")

    def again(self) -> None:
        self._job = None
        self.phase = "choose"
        self.copies = 1
        self.refresh()

    def _stop_polling(self) -> None:
        if self._poll_event is not None:
            self._poll_event.cancel()
            self._poll_event = None

    def retry_after_fault(self) -> None:
        self.ids.fault.clear()
        self._update_choice()

    def call_mediator(self) -> None:
        self.go("help_call")

    def speech_text(self) -> str:
        parts = [self.ids.header.title, self.body]
        if self.phase == "job":
            parts.append(self.status_txt)
        fault = self.ids.fault
        if fault.message:
            parts += [fault.message, fault.advice]
        return "\n".join(p for p in parts if p)


N_("Imprimer")  # the header, also the home tile's word
load_screen_kv(__file__)


def build_screen(runtime: KioskRuntime) -> PrintScreen:
    return PrintScreen(runtime, name="print")
