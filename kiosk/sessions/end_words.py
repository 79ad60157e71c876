"""What the resident is told around the end of a session, in plain words (no Kivy).

- before "J'ai terminé" wipes everything: what will be lost, including work still running (a
  scan on the glass, a page printing), so the confirmation names it;
- after the end: the scanner-glass reminder when something was scanned or copied, and, when
  the session ended by itself after a silence, a sentence saying so on the welcome screen (the
  resident who comes back, or the next one, must not find a blank kiosk without a word).
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.i18n import N_, _

GLASS_REMINDER = N_("Pensez à reprendre votre document sur la vitre du scanner.")
ENDED_BY_IDLE = N_("La visite précédente a été fermée après un long moment sans activité. "
                   "Tout a été effacé.")


@dataclass(frozen=True)
class RunningWork:
    """Work a session end would interrupt."""

    scanning: bool = False
    printing: bool = False


def end_confirmation_body(running: RunningWork) -> str:
    """The confirmation's text before "J'ai terminé": what will be lost, in the current language."""
    parts = [_("Vos documents et tout ce que vous avez tapé seront effacés. "
               "On ne pourra pas les retrouver.")]
    if running.scanning:
        parts.append(_("La numérisation en cours sera arrêtée."))
    if running.printing:
        parts.append(_("L'impression en cours sera annulée."))
    return " ".join(parts)


def glass_reminder(scans: int) -> str:
    """The reminder to take the original back, when the session scanned or copied something."""
    return _(GLASS_REMINDER) if scans > 0 else ""


def after_idle_notice(ended_by_idle: bool, scans: int) -> str:
    """On the welcome screen after a session closed by itself ("" otherwise)."""
    if not ended_by_idle:
        return ""
    parts = [_(ENDED_BY_IDLE)]
    if scans > 0:
        parts.append(_(GLASS_REMINDER))
    return " ".join(parts)
