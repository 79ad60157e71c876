"""Resuming a parcours at a new visit: the resident lays the progress card on the scanner's
glass, the kiosk scans it (in memory only: the picture is never saved) and reads its QR code.
A good card opens its parcours with the exercises done ticked; a tampered or unknown card is
refused in plain words."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from kivy.properties import BooleanProperty, StringProperty

from kiosk.devices.errors import DeviceError
from kiosk.devices.scanner import ColourMode, ScanOptions
from kiosk.i18n import _
from kiosk.practice.flow import PracticeFlow
from kiosk.practice.parcours_card import READING_MESSAGES, CardResult
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit.busy import BusyWork

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)
# Enough for a QR code of 45 mm (about 1.3 mm a module), and quick on a flatbed.
CARD_SCAN_DPI = 150


class ParcoursResumeScreen(BusyWork, AppScreen):
    status = StringProperty("")
    refused = BooleanProperty(False)
    busy = BooleanProperty(False)

    def __init__(self, flow: PracticeFlow, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        self._panel: Any = None
        self._worker: Any = None

    def on_pre_enter(self, *args: Any) -> None:
        self.status = ""
        self.refused = False

    @property
    def can_scan(self) -> bool:
        return self.runtime.scanner is not None

    def read_card(self) -> None:
        """Scan the glass and read the card, on a worker thread (a scan takes seconds)."""
        scanner = self.runtime.scanner
        if self.busy:
            return
        if scanner is None:
            self._show_refusal(_("Il n'y a pas de scanner sur cette borne. Demandez à un "
                                 "médiateur."))
            return
        if self._panel is None:
            # A card still being read when the session ends is not resumed in the next one.
            self.runtime.core.add_end_hook(self._session_ending)
        options = ScanOptions(mode=ColourMode.GREY, dpi=CARD_SCAN_DPI)
        self.run_busy("kiosk-card", _("Lecture de votre carte…"),
                      lambda: self.flow.parcours.read_card(scanner.scan(options)),
                      self._read, self._failed)

    def _session_ending(self) -> None:
        if self._worker is not None:
            self._worker.forget_in_flight()
        self._not_busy()

    def _read(self, result: CardResult) -> None:
        self._not_busy()
        if self.flow.parcours.resume(result) is not None:
            parcours = self.manager.get_screen("practice_parcours")
            parcours.status = _("Votre carte est lue : le parcours reprend.")
            self.go("practice_parcours")
            return
        log.info("progress card refused: %s", result.reading.value)
        self._show_refusal(_(READING_MESSAGES[result.reading]))

    def _failed(self, err: BaseException) -> None:
        self._not_busy()
        if isinstance(err, DeviceError):
            log.warning("progress card not scanned: %s", err.technical)
            self._show_refusal(err.shown())
        else:
            log.warning("progress card not read: %s", err)
            self._show_refusal(_("La carte n'a pas pu être lue. Demandez à un médiateur."))

    def _show_refusal(self, words: str) -> None:
        self.refused = True
        self.status = words

    def page_back(self) -> None:
        self.go("practice_catalogue")


def build_screen(runtime: KioskRuntime, flow: PracticeFlow) -> ParcoursResumeScreen:
    return ParcoursResumeScreen(flow, name="practice_parcours_resume")


load_screen_kv(__file__)
