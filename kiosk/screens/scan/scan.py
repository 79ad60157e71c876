"""Scan or copy a document: type -> place it -> scan -> crop/rotate (cards) or add pages ->
watermark purpose -> result, then print, keep for a procedure, or finish.

The flow itself (no Kivy) is :class:`kiosk.documents.scan_flow.ScanFlow`; this screen draws its
steps and runs the slow parts (scanning, building the PDF) on a worker thread
(:mod:`kiosk.screens.scan.worker`) so the screen keeps answering; results come back on the Kivy
clock. The waits (busy panel, preview, stopping a scan) are in :mod:`kiosk.screens.scan.waits`,
the watermark step and the result's actions in :mod:`kiosk.screens.scan.watermark` and
:mod:`kiosk.screens.scan.result`; the drawings in :mod:`kiosk.screens.scan.widgets`.
Device faults are shown in plain words by a :class:`~kiosk.screens.device_fault.FaultBox`,
never as a stack trace.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.screenmanager import Screen

from kiosk.devices.scanner import ScannerState
from kiosk.documents.flow_steps import scan_step
from kiosk.documents.scan_flow import DOC_TYPE_WORDS, DocType, ScanFlow, Step
from kiosk.documents.scanning import Side
from kiosk.i18n import N_, _, ngettext
from kiosk.screens import device_fault
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import FormField, tr
from kiosk.screens.kit.choice_pictograms import DOC_TYPE_PICTOGRAMS
from kiosk.screens.scan import widgets  # noqa: F401  (kv classes)
from kiosk.screens.scan.result import ResultActions
from kiosk.screens.scan.waits import ScanWaits
from kiosk.screens.scan.watermark import WatermarkStep
from kiosk.screens.scan.worker import BackgroundWork
from kiosk.sessions.end_words import GLASS_REMINDER
from kiosk.sessions.state import SessionState

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)

INSTRUCTIONS = {
    Step.TYPE: N_("Quel document voulez-vous scanner ou copier ?"),
    Step.WATERMARK: N_("À qui est destinée cette copie ? Ce nom et la date du jour seront "
                       "écrits en travers de la copie, pour éviter qu'on s'en serve ailleurs."),
    Step.RESULT: N_("Votre document est prêt. Il sera effacé à la fin de votre visite."),
}
PLACE_CARD_FRONT = N_("Posez la carte sur la vitre, face avant contre la vitre, dans le coin "
                      "de la flèche. Fermez le capot, puis touchez « Scanner le document ».")
PLACE_CARD_BACK = N_("Retournez la carte : face arrière contre la vitre, dans le même coin. "
                     "Puis touchez « Scanner le document ».")
PLACE_PAGE = N_("Posez la page {n} sur la vitre, face écrite contre la vitre, dans le coin de "
                "la flèche. Fermez le capot, puis touchez « Scanner le document ».")
CROP_OK = N_("Vérifiez le cadre bleu autour de la carte. Pour l'ajuster, faites glisser les "
             "ronds. Si l'image est à l'envers, touchez « Tourner ».")
CROP_UNSURE = N_("Nous n'avons pas bien trouvé la carte : faites glisser les ronds bleus sur "
                 "ses quatre coins.")
BUSY_SCAN = N_("Numérisation en cours… Ne soulevez pas le capot.")
BUSY_CROP = N_("Un instant…")


class ScanScreen(ScanWaits, WatermarkStep, ResultActions, AppScreen):
    step = StringProperty(Step.TYPE.value)
    body = StringProperty("")
    busy = BooleanProperty(False)
    busy_text = StringProperty("")
    doc_type = StringProperty("")
    face = StringProperty("front")
    pages_txt = StringProperty("")
    can_add_page = BooleanProperty(True)
    has_feeder = BooleanProperty(False)
    colour = BooleanProperty(True)
    can_choose_colour = BooleanProperty(False)  # documents, before their first page
    watermark_on = BooleanProperty(False)
    purpose = StringProperty("")
    watermark_txt = StringProperty("")
    typing = BooleanProperty(False)
    crop_image = ObjectProperty(None, allownone=True)
    crop_box = ListProperty([0, 0, 0, 0])
    cropped_image = ObjectProperty(None, allownone=True)
    page_image = ObjectProperty(None, allownone=True)
    result_image = ObjectProperty(None, allownone=True)
    result_txt = StringProperty("")
    notice = StringProperty("")
    can_print = BooleanProperty(False)
    can_practise = BooleanProperty(False)
    can_go_back = BooleanProperty(True)
    step_intro = StringProperty("")      # the watermark question, inside its scrolling area
    usb_ready = BooleanProperty(False)   # a USB key is plugged in and devices.usb_storage offers it
    # Started from a site's upload picker ("Scanner un document maintenant"): done, or back
    # from the first step, the resident returns to the site's page, left as it was.
    for_site = BooleanProperty(False)
    # the page template's stepper, on this resident's route (kiosk.documents.flow_steps)
    step_n = NumericProperty(0)
    steps_n = NumericProperty(0)
    next_txt = StringProperty("")

    def __init__(self, runtime: KioskRuntime, **kwargs: Any) -> None:
        self._runtime = runtime
        self.flow: ScanFlow | None = None
        self._preview: Any = None
        self._busy_panel: Any = None
        self._stop_dialog: Any = None
        self._scan_stopped = False
        self._worker = BackgroundWork("kiosk-scan")
        self._field: FormField | None = None
        super().__init__(**kwargs)
        runtime.core.add_listener(self._session_changed)
        storage = getattr(runtime.devices, "usb_storage", None)
        if storage is not None:
            storage.add_listener(
                lambda _old, _new: Clock.schedule_once(lambda _dt: self._storage_changed(), 0))
        self._build_choices()

    @property
    def runtime(self) -> KioskRuntime:  # usable before the app runs (tests of the screen alone)
        return self._runtime

    # --- building the lists ---------------------------------------------------------------------
    def _build_choices(self) -> None:
        grid = self.ids.types
        grid.clear_widgets()
        for doc_type in DocType:
            button = Factory.ChoiceButton(txt=tr(DOC_TYPE_WORDS[doc_type]),
                                          icon=DOC_TYPE_PICTOGRAMS[doc_type.value],
                                          kind="primary" if doc_type.is_identity else "secondary")
            button.doc_type = doc_type.value
            button.bind(on_release=lambda b: self.choose(b.doc_type))
            grid.add_widget(button)
        self._build_purposes()
    # --- life of the screen -----------------------------------------------------------------------
    def on_pre_enter(self, *args: Any) -> None:
        self.reset()
        self._build_choices()  # in the session's language
        self.can_print = self.app.has_screen("print") if self.app else False
        self.can_practise = self.app.has_screen("practice_catalogue") if self.app else False
        self._storage_changed()

    def reset(self) -> None:
        """A fresh flow; whatever was in memory (scans, previews) is dropped."""
        self._worker.forget_in_flight()
        if self.busy and self.runtime.scanner is not None:
            self.runtime.scanner.cancel()  # the session ends mid-scan: the scan stops too
        if self.flow is not None:
            self.flow.discard()
        desk = self.runtime.documents
        self.flow = ScanFlow(desk) if desk is not None and desk.scans is not None else None
        self._not_busy()
        self._scan_stopped = False
        self.typing = False
        self.notice = ""
        # What the resident chose or typed must not outlive the flow (nor reach the next person).
        self.purpose = self.watermark_txt = self.result_txt = self.doc_type = ""
        self.watermark_on = False
        self.crop_image = self.cropped_image = self.page_image = self.result_image = None
        self._preview = None
        self.ids.fault.clear()
        self.ids.purpose_area.clear_widgets()
        self.ids.page.undock_keyboard()   # the purpose's keyboard, if it was being typed
        self._field = None
        self._show(Step.TYPE)

    def _session_changed(self, _old: SessionState, new: SessionState) -> None:
        if new in (SessionState.ENDING, SessionState.IDLE, SessionState.OUT_OF_ORDER,
                   SessionState.MAINTENANCE):
            self.for_site = False
            self.reset()

    def on_leave(self, *args: Any) -> None:
        if self.step != Step.RESULT.value:
            self.reset()

    def _show(self, step: Step) -> None:
        flow = self.flow
        self.step = step.value
        if step is Step.PLACE and flow is not None:
            if flow.idcopy is not None:
                front = flow.side is Side.RECTO
                self.face = "front" if front else "back"
                message = PLACE_CARD_FRONT if front else PLACE_CARD_BACK
                self.body = _(message)
            else:
                self.body = _(PLACE_PAGE).format(n=len(flow.pages) + 1)
            self.has_feeder = flow.idcopy is None and flow.has_feeder and not flow.pages
            self.can_choose_colour = flow.idcopy is None and not flow.pages
            self._tell_scanner_state()
        elif step is Step.CROP and flow is not None:
            self.body = _(CROP_OK if flow.detection_confident() else CROP_UNSURE)
        elif step is Step.PAGES and flow is not None:
            n = len(flow.pages)
            self.pages_txt = ngettext("{n} page scannée", "{n} pages scannées", n).format(n=n)
            self.body = _("Ajoutez une page, ou touchez « C'est fini ».")
            self.can_add_page = flow.can_add_page
        elif step is Step.WATERMARK and flow is not None:
            # The question scrolls with the choices (step_intro): large text needs the room.
            self.body = ""
            self.step_intro = _(INSTRUCTIONS[step])
            self.watermark_on = flow.watermark_on
            self._update_watermark_txt()
        else:
            instruction = INSTRUCTIONS.get(step)
            self.body = _(instruction) if instruction else ""
            if step is Step.RESULT:  # every scan and copy ends with the original to take back
                self.body = f"{self.body}\n{_(GLASS_REMINDER)}"
        self.ids.steps.current = step.value
        where = scan_step(flow)
        self.step_n, self.steps_n = where.step, where.total
        self.next_txt = _(where.next_title) if where.next_title else ""
        self.can_go_back = step is Step.TYPE or (flow is not None and flow.can_go_back())
        if self.manager is not None and self.manager.current == self.name:
            self.on_enter()  # read the new step aloud when the option is on

    # --- steps ------------------------------------------------------------------------------------
    def choose(self, doc_type: str) -> None:
        if self.flow is None:
            self.ids.fault.show(device_fault.describe(_no_scanner()))
            return
        self.flow.choose(DocType(doc_type))
        self.doc_type = doc_type
        self.colour = self.flow.colour
        self._show(Step.PLACE)

    def toggle_colour(self) -> None:
        if self.flow is not None:
            self.flow.colour = not self.flow.colour
            self.colour = self.flow.colour

    def scan(self, feeder: bool = False) -> None:
        flow = self.flow
        if flow is None or self.busy:
            return
        self._scan_stopped = False

        def work() -> Any:
            if not feeder:  # the glass has a quick preview pass: show it while the scan runs
                image = flow.preview()
                Clock.schedule_once(lambda _dt: self._show_preview(image), 0)
            flow.scan(feeder)
            if flow.step is Step.CROP:
                return flow.crop_preview(), flow.cropped_preview()
            from kiosk.documents.scan_flow import thumbnail
            return thumbnail(flow.pages[-1], 900)

        self._run(BUSY_SCAN, work, self._scanned, stoppable=True)

    def _scanned(self, result: Any) -> None:
        assert self.flow is not None
        if self._scan_stopped:  # finished before the stop reached the scanner: not kept
            self._scan_stopped = False
            self.flow.retake()
            self._show(self.flow.step)
            return
        if self.flow.step is Step.CROP:
            self._preview, cropped = result
            self.crop_image = self._preview.image
            self.crop_box = list(self._preview.box)
            self.cropped_image = cropped
        else:
            self.page_image = result
        self._show(self.flow.step)

    def crop_changed(self, box: tuple[int, int, int, int]) -> None:
        """The resident moved a corner handle: redo the cropped preview."""
        flow, preview = self.flow, self._preview
        if flow is None or preview is None:
            return
        try:
            flow.adjust_crop(preview, box)
        except ValueError:
            return
        self._run(BUSY_CROP, flow.cropped_preview, self._set_cropped, panel=False)

    def rotate(self) -> None:
        if self.flow is None or self.busy:
            return
        self.flow.rotate()
        self._run(BUSY_CROP, self.flow.cropped_preview, self._set_cropped, panel=False)

    def _set_cropped(self, image: Any) -> None:
        self.cropped_image = image

    def accept_crop(self) -> None:
        if self.flow is None or self.busy:
            return
        self.flow.accept_crop()
        self._show(self.flow.step)

    def retake(self) -> None:
        if self.flow is None or self.busy:
            return
        self.flow.retake()
        self._show(self.flow.step)

    def back(self) -> None:
        """The "Retour" button: one step back, or home from the first step."""
        flow = self.flow
        if self.busy:
            return
        if flow is None or flow.step is Step.TYPE:
            self.finish()
            return
        if not flow.can_go_back():
            return
        self.stop_typing()
        self.ids.fault.clear()
        flow.back()
        self._show(flow.step)

    def add_page(self) -> None:
        if self.flow is not None:
            self.flow.add_page()
            self._show(self.flow.step)

    def pages_done(self) -> None:
        if self.flow is not None and self.flow.pages:
            self.flow.pages_done()
            self._show(self.flow.step)

    def call_mediator(self) -> None:
        self.go("help_call")

    def page_back(self) -> None:  # the page template's "Retour"
        self.back()

    def retry_after_fault(self) -> None:
        self.ids.fault.clear()
        if self.step == Step.PLACE.value:
            self.scan()

    def _tell_scanner_state(self) -> None:
        """Before a scan: a scanner left jammed, open or unplugged is said at once."""
        scanner = self.runtime.scanner
        if scanner is None:
            return
        state = scanner.refresh()
        if state in (ScannerState.READY, ScannerState.BUSY):
            return
        self.ids.fault.show(device_fault.FaultView(scanner.message(), "", True))

    def speech_text(self) -> str:
        parts = [self.ids.header.title, self.busy_text if self.busy else self.body]
        if self.step == Step.WATERMARK.value:
            parts += [self.step_intro, self.ids.wm_warning.txt, self.watermark_txt]
        fault = self.ids.fault
        if fault.message:
            parts += [fault.message, fault.advice]
        return "\n".join(p for p in parts if p)


def _no_scanner() -> Exception:
    from kiosk.devices import errors
    return errors.DeviceAbsent("no scan service")


class StepScreen(Screen):
    """One step of the scan flow (inside the screen's own step manager)."""


load_screen_kv(__file__)


def build_screen(runtime: KioskRuntime) -> ScanScreen:
    return ScanScreen(runtime, name="scan")
