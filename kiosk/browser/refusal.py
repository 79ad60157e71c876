"""The plain page shown in place of anything the allowlist refuses.

Served by the guard itself (never fetched): for a refused page, frame or redirect, the browser
receives this document instead of the site's. It names no address (a resident cannot act on
one) and offers Back; the kiosk's own Back and Home stay on screen as well.
"""
from __future__ import annotations

import html

from kiosk.browser.allowlist import Refusal
from kiosk.i18n import N_, _, current_language, is_rtl

TITLE = N_("Ce site n'est pas disponible sur cette borne")
REASONS = {
    Refusal.NOT_LISTED: N_("Cette borne ouvre seulement les sites officiels de la liste."),
    Refusal.SCHEME: N_("Cette borne ouvre seulement les sites officiels de la liste."),
    Refusal.ADDRESS: N_("Cette borne ouvre seulement les sites officiels de la liste."),
    Refusal.CERTIFICATE: N_("La sécurité de ce site n'a pas pu être vérifiée. "
                            "Demandez à un médiateur."),
    Refusal.POPUP: N_("Cette fenêtre ne peut pas s'ouvrir sur cette borne."),
    Refusal.UNREACHABLE: N_("Ce site ne répond pas pour le moment. Réessayez plus tard "
                            "ou demandez à un médiateur."),
}
BACK = N_("Retour")
MARKER = "kiosk-refusal"  # lets the service and tests recognise the page
# The page's top band, in the kiosk's blue (DSFR's « bleu France »): the screencast recognises
# the page's pictures by it (kiosk/browser/screencast.py), as no error page has it.
BAND_RGB = (0, 0, 145)
BAND_PX = 8


def refusal_page(reason: Refusal, frame: bool = False) -> str:
    """The HTML document (a frame gets the message without a Back button)."""
    title, reason_text = html.escape(_(TITLE)), html.escape(_(REASONS[reason]))
    back = "" if frame else (f'<p><button onclick="history.back()" style="font-size:1.4em;'
                             f'padding:.5em 2em">{html.escape(_(BACK))}</button></p>')
    lang = current_language()
    direction = "rtl" if is_rtl(lang) else "ltr"
    band = "#{:02x}{:02x}{:02x}".format(*BAND_RGB)
    return (f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            f'<meta name="{MARKER}" content="{reason.value}"><title>{title}</title></head>'
            f'<body style="font-family:sans-serif;font-size:22px;margin:0;padding:2em;'
            f'color:#222;background:#fff;border-top:{BAND_PX}px solid {band}">'
            f'<h1 id="{MARKER}">{title}</h1><p>{reason_text}</p>{back}</body></html>')
