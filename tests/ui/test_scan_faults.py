"""Device faults in plain words with what to do next, for every fault the scan and print
screens can meet; anything unexpected becomes a calm generic message, never a trace."""
from __future__ import annotations

import pytest

from kiosk import i18n
from kiosk.devices import errors
from kiosk.documents.watermark import WatermarkError
from kiosk.screens.device_fault import describe, state_words


@pytest.fixture(autouse=True)
def french():
    i18n.set_language("fr")


@pytest.mark.parametrize("fault,message,advice_has,retry", [
    (errors.PaperOut, "Plus de papier : prévenez un médiateur.", "papier sera remis", False),
    (errors.PaperJam, "Le papier est coincé dans l'imprimante : prévenez un médiateur.",
     "Ne tirez pas", False),
    (errors.NoDocument, "Aucun document n'est en place. Posez votre document et réessayez.",
     "Réessayer", True),
    (errors.CoverOpen, "Le capot du scanner est ouvert. Fermez-le et réessayez.", "capot", True),
    (errors.DeviceBusy, "L'appareil est occupé. Patientez un instant et réessayez.",
     "quelques secondes", True),
    (errors.ScannerJam, "Le papier est coincé dans le scanner. Prévenez un médiateur.",
     "médiateur", False),
    (errors.DeviceUnplugged, "L'appareil a été débranché. Prévenez un médiateur.",
     "vérifier le scanner", False),
    (errors.PrinterStopped, "L'imprimante est arrêtée. Prévenez un médiateur.",
     "plus tard", False),
])
def test_each_fault_says_what_happened_and_what_to_do(fault, message, advice_has, retry):
    view = describe(fault("technical details that stay in the log"))
    assert view.message == message
    assert advice_has in view.advice
    assert view.retry is retry
    assert "technical" not in view.message + view.advice


def test_quota_refusal_offers_fewer_copies():
    view = describe(errors.QuotaExceeded(requested=3, remaining=2))
    assert view.message.startswith("Vous avez atteint le nombre de pages autorisé")
    assert "moins d'exemplaires" in view.advice and view.retry


def test_unexpected_error_is_a_calm_message_without_a_trace():
    view = describe(KeyError("Traceback (most recent call last): boom"))
    assert view.message == "Quelque chose n'a pas marché. Prévenez un médiateur."
    assert "Traceback" not in view.message + view.advice


def test_watermark_purpose_error_is_shown_as_is():
    view = describe(WatermarkError("too long", "Le texte est trop long : 100 caractères au plus."))
    assert view.message == "Le texte est trop long : 100 caractères au plus." and view.retry


def test_device_states_in_plain_words_for_the_mediator():
    assert state_words("paper_out") == "plus de papier"
    assert state_words("absent") == "absent ou débranché"
    assert state_words("ready", "printer") == "disponible"   # agrees with every device's name
    assert state_words("watching", "hotplug") == "surveille les branchements"
    assert state_words("stopped", "hotplug") != state_words("stopped", "printer")
    assert state_words("spinning") == "spinning"  # a state without words shows as it is
