"""The device layer's own exceptions: what backends raise, what screens show.

Each fault carries two texts: ``resident_message``, plain French marked with ``N_()`` and
translated when shown (never a stack trace, never a code), and ``technical``, for the log and
the mediator panel. Backends map their library's errors here at the boundary
(``raise PaperJam(...) from err``) so nothing above the device layer sees ``cups.IPPError``,
``sane._sane.error`` or ``smartcard.Exceptions``.
"""
from __future__ import annotations

from kiosk.i18n import N_, _


class DeviceError(Exception):
    """A device fault. Subclasses set a default resident message for their fault."""

    resident_message: str = N_("L'appareil ne répond pas. Prévenez un médiateur.")

    def __init__(self, technical: str = "", resident_message: str | None = None) -> None:
        super().__init__(technical or self.__class__.__name__)
        self.technical = technical or self.__class__.__name__
        if resident_message is not None:
            self.resident_message = resident_message

    def shown(self) -> str:
        """The resident message in the current language."""
        return _(self.resident_message)


# --- printer -----------------------------------------------------------------------------------
class PrinterError(DeviceError):
    resident_message = N_("L'imprimante ne répond pas. Prévenez un médiateur.")


class PaperOut(PrinterError):
    resident_message = N_("Plus de papier : prévenez un médiateur.")


class PaperJam(PrinterError):
    resident_message = N_("Le papier est coincé dans l'imprimante : prévenez un médiateur.")


class PrinterCoverOpen(PrinterError):
    resident_message = N_("Un capot de l'imprimante est ouvert : prévenez un médiateur.")


class PrinterStopped(PrinterError):
    resident_message = N_("L'imprimante est arrêtée. Prévenez un médiateur.")


class PrinterOffline(PrinterError):
    resident_message = N_("L'imprimante n'est pas joignable. Prévenez un médiateur.")


class JobRejected(PrinterError):
    resident_message = N_("L'imprimante refuse les impressions pour le moment. "
                          "Prévenez un médiateur.")


class JobFailed(PrinterError):
    resident_message = N_("L'impression n'a pas pu se faire. Prévenez un médiateur.")


class QuotaExceeded(PrinterError):
    resident_message = N_("Vous avez atteint le nombre de pages autorisé pour cette visite. "
                          "Un médiateur peut vous en accorder d'autres.")

    def __init__(self, technical: str = "", requested: int = 0, remaining: int = 0) -> None:
        super().__init__(technical or f"quota: {requested} page(s) asked, {remaining} left")
        self.requested = requested
        self.remaining = remaining


class InvalidDocument(DeviceError):
    resident_message = N_("Ce document ne peut pas être imprimé : il est vide ou abîmé.")


# --- scanner -----------------------------------------------------------------------------------
class ScannerError(DeviceError):
    resident_message = N_("Le scanner ne répond pas. Prévenez un médiateur.")


class ScannerJam(ScannerError):
    resident_message = N_("Le papier est coincé dans le scanner. Prévenez un médiateur.")


class NoDocument(ScannerError):
    resident_message = N_("Aucun document n'est en place. Posez votre document et réessayez.")


class CoverOpen(ScannerError):
    resident_message = N_("Le capot du scanner est ouvert. Fermez-le et réessayez.")


class ScanCancelled(ScannerError):
    resident_message = N_("La numérisation a été annulée.")


# --- any kind ----------------------------------------------------------------------------------
class DeviceBusy(DeviceError):
    resident_message = N_("L'appareil est occupé. Patientez un instant et réessayez.")


class DeviceUnplugged(DeviceError):
    resident_message = N_("L'appareil a été débranché. Prévenez un médiateur.")


class DeviceAbsent(DeviceError):
    resident_message = N_("Cet appareil n'est pas disponible sur cette borne.")


class UnsupportedOption(DeviceError):
    resident_message = N_("Ce réglage n'est pas possible avec cet appareil.")


class CardReadError(DeviceError):
    # Deliberately vague: a refused badge is never explained to whoever holds it.
    resident_message = N_("Badge non reconnu.")
