"""Translations through gettext catalogues: French is the source language.

Source strings are written in French and wrapped in ``_()`` (translated now) or ``N_()``
(marked for extraction, translated when shown). Catalogues live in
``kiosk/locale/<lang>/LC_MESSAGES/kiosk.po`` and are compiled to ``.mo`` by ``make i18n``
(``python -m kiosk.i18n_build``). The current language is process-wide: the kiosk serves one
resident at a time. Listeners (the UI) are told when it changes so every string can be redrawn.
"""
from __future__ import annotations

import gettext
from collections.abc import Callable
from pathlib import Path

DOMAIN = "kiosk"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES: tuple[str, ...] = ("fr", "en", "ar")
RTL_LANGUAGES = frozenset({"ar"})
# Each language's name in its own script, for the language picker (not flags only).
NATIVE_NAMES: dict[str, str] = {"fr": "Français", "en": "English", "ar": "العربية"}

_current = "fr"
_translations: dict[str, gettext.NullTranslations] = {}
_listeners: list[Callable[[str], None]] = []


def _catalogue(lang: str) -> gettext.NullTranslations:
    if lang not in _translations:
        _translations[lang] = gettext.translation(
            DOMAIN, localedir=str(LOCALE_DIR), languages=[lang], fallback=True)
    return _translations[lang]


def set_language(lang: str) -> None:
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; supported: {', '.join(LANGUAGES)}")
    if lang == _current:
        return
    _current = lang
    for listener in _listeners:
        listener(lang)


def current_language() -> str:
    return _current


def is_rtl(lang: str | None = None) -> bool:
    return (lang or _current) in RTL_LANGUAGES


def on_language_change(listener: Callable[[str], None]) -> None:
    _listeners.append(listener)


def _(message: str) -> str:
    """Translate a French source string into the current language."""
    if _current == "fr" or not message:
        return message
    return _catalogue(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _current == "fr":
        return singular if n <= 1 else plural  # French: 0 and 1 are singular
    return _catalogue(_current).ngettext(singular, plural, n)


def ngettext_to(lang: str, singular: str, plural: str, n: int) -> str:
    """A plural in a given language without changing the current one."""
    if lang == "fr":
        return singular if n <= 1 else plural
    return _catalogue(lang).ngettext(singular, plural, n)


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction; :func:`ngettext` picks one when shown."""
    return singular, plural


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


def translate_to(lang: str, message: str) -> str:
    """Translate into a given language without changing the current one."""
    if lang == "fr" or not message:
        return message
    return _catalogue(lang).gettext(message)


def reload_catalogues() -> None:
    """Forget cached catalogues (after `make i18n` recompiled them)."""
    _translations.clear()
