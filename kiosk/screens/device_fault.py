"""Device faults told to the resident in plain words, with what to do next.

:func:`describe` turns any error from the device layer or the document pipeline into a
:class:`FaultView` (what happened, what to do, whether trying again makes sense). Anything
unexpected becomes a calm generic message; the details go to the log, never on screen.
:class:`FaultBox` shows it, with "Réessayer" and "Appeler un médiateur" buttons.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.devices import errors
from kiosk.documents.watermark import WatermarkError
from kiosk.i18n import N_, _
from kiosk.screens.base import load_screen_kv
from kiosk.screens.kit.widgets import Collapsible

log = logging.getLogger(__name__)

GENERIC = N_("Quelque chose n'a pas marché. Prévenez un médiateur.")

# What to do after each fault (the fault's own message says what happened).
ADVICE: dict[type[errors.DeviceError], str] = {
    errors.NoDocument: N_("Posez le document sur la vitre, face à copier contre la vitre, "
                          "puis touchez « Réessayer »."),
    errors.CoverOpen: N_("Refermez doucement le capot, puis touchez « Réessayer »."),
    errors.DeviceBusy: N_("Attendez quelques secondes, puis touchez « Réessayer »."),
    errors.ScannerJam: N_("Ne tirez pas sur la feuille. Un médiateur va la retirer."),
    errors.PaperOut: N_("Votre document est gardé : vous pourrez l'imprimer dès que le papier "
                        "sera remis."),
    errors.PaperJam: N_("Ne tirez pas sur la feuille. Votre document est gardé."),
    errors.QuotaExceeded: N_("Vous pouvez choisir moins d'exemplaires, ou demander à un "
                             "médiateur."),
    errors.InvalidDocument: N_("Scannez ce document à nouveau."),
}
PRINTER_ADVICE = N_("Votre document est gardé : vous pourrez l'imprimer plus tard.")
SCANNER_ADVICE = N_("Un médiateur peut vérifier le scanner.")
# Faults a resident can fix alone: "Réessayer" is offered first.
RETRYABLE = (errors.NoDocument, errors.CoverOpen, errors.DeviceBusy, errors.ScanCancelled,
             errors.QuotaExceeded, WatermarkError)


# Device states in plain words for the mediator panel (values of the facades' state Enums).
# Words that agree with no noun ("disponible", not "prêt"): the panel says "Imprimante : …"
# and "Scanner : …" with the same words.
STATE_WORDS: dict[str, str] = {
    "ready": N_("disponible"), "printing": N_("impression en cours"),
    "stopped": N_("file d'impression arrêtée"), "rejecting": N_("refuse les impressions"),
    "paper_out": N_("plus de papier"), "paper_jam": N_("papier coincé"),
    "cover_open": N_("capot ouvert"), "offline": N_("ne répond pas"),
    "absent": N_("absent ou débranché"), "busy": N_("occupé"), "jammed": N_("papier coincé"),
    "error": N_("en erreur"), "card_present": N_("un badge est posé"),
}
# The same value means something else for one kind of device (hotplug's "stopped").
KIND_STATE_WORDS: dict[tuple[str, str], str] = {
    ("hotplug", "watching"): N_("surveille les branchements"),
    ("hotplug", "stopped"): N_("surveillance arrêtée"),
    ("hotplug", "unavailable"): N_("surveillance impossible"),
    ("reader", "busy"): N_("lecture en cours"),
}


def state_words(state: str, kind: str = "") -> str:
    """A device state for the mediator, translated (unknown states shown as they are)."""
    words = KIND_STATE_WORDS.get((kind, state)) or STATE_WORDS.get(state)
    return _(words) if words else state


@dataclass(frozen=True)
class FaultView:
    message: str   # translated
    advice: str    # translated, may be empty
    retry: bool


def describe(err: BaseException) -> FaultView:
    """A plain view of ``err`` in the current language; logs what the resident does not see."""
    if isinstance(err, WatermarkError):
        return FaultView(_(err.resident_message), "", True)
    if isinstance(err, errors.DeviceError):
        log.warning("device fault shown to the resident: %s", err.technical)
        advice = next((text for cls, text in ADVICE.items() if isinstance(err, cls)), "")
        if not advice:
            advice = PRINTER_ADVICE if isinstance(err, errors.PrinterError) else SCANNER_ADVICE
        return FaultView(err.shown(), _(advice), isinstance(err, RETRYABLE))
    log.error("unexpected error behind a device screen", exc_info=err)
    return FaultView(_(GENERIC), "", True)


class FaultBox(Collapsible, BoxLayout):
    """A fault message with its advice; invisible and untouchable while ``message`` is empty."""

    message = StringProperty("")
    advice = StringProperty("")
    retry = BooleanProperty(True)

    __events__ = ("on_retry", "on_help")

    def show(self, view: FaultView) -> None:
        self.advice = view.advice
        self.retry = view.retry
        self.message = view.message

    def clear(self) -> None:
        self.message = ""
        self.advice = ""

    def on_retry(self, *_args: Any) -> None:
        pass

    def on_help(self, *_args: Any) -> None:
        pass


load_screen_kv(__file__)
