"""Out of order: a calm message and where to go instead.

``where`` is the ``kiosk.where_to_go`` setting, written in French by the site. It is shown
through the catalogue: the default (``DEFAULT_WHERE``) reads in the resident's language; a
place the site typed itself has no translation and is shown as typed.

Nobody has chosen a language in front of a broken kiosk: the message is shown in the kiosk's
language, then repeated in each other language of the kiosk (Arabic shaped, right to left),
under a pictogram that says it without words."""
from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from kiosk import i18n
from kiosk.i18n import N_
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import pictograms  # noqa: F401  (the "out_of_order" pictogram)

# The default of kiosk.where_to_go (kiosk_wire/config.py), so that it is in the catalogues.
DEFAULT_WHERE = N_("l'accueil")
TITLE = N_("Cette borne est momentanément indisponible.")
BODY = N_("Ce n'est pas grave : adressez-vous à {where}, on vous aidera.")


def message_in(lang: str, where: str) -> str:
    """The out-of-order message in ``lang`` (the place translated when the catalogue has it)."""
    place = i18n.translate_to(lang, where)
    return f"{i18n.translate_to(lang, TITLE)} {i18n.translate_to(lang, BODY).format(where=place)}"


def other_languages(where: str) -> str:
    """The message in every language of the kiosk but the one shown above it, one per line."""
    shown = i18n.current_language()
    return "\n".join(message_in(lang, where) for lang in i18n.LANGUAGES if lang != shown)


class OutOfOrderScreen(AppScreen):
    where = StringProperty("")

    def others(self, where: str) -> str:
        return other_languages(where)

    def on_pre_enter(self, *args: Any) -> None:
        self.where = self.runtime.settings.get("kiosk.where_to_go")


load_screen_kv(__file__)
