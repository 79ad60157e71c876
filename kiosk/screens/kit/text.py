"""Translated, shaped, right-to-left-aware text for the Kivy screens.

``tr`` is the kv-visible translation function: kv files say ``#:import _ kiosk.screens.kit.text.tr``
and write ``txt: _("Touchez l'écran pour commencer")``. Kivy's kv compiler watches ``_(`` calls
through ``tr.fbind("_")``; when the language changes every bound expression is re-evaluated at
once, so the whole screen switches language in one frame.

Arabic needs two more steps that Kivy's text engine does not do: letters must be shaped (joined
forms, arabic-reshaper) and each *visual line* must be reordered right-to-left (python-bidi).
Reordering must happen after wrapping, line by line, or a wrapped paragraph reads bottom-up;
:func:`rtl_lines` wraps with the real font metrics, then reorders each line.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.event import Observable

from kiosk import i18n
from kiosk.screens.kit.fonts import LATIN_BOLD, LATIN_REGULAR

# The kiosk's faces (kit/fonts.py): KLabel swaps to Kiosk Arabic or DejaVu Sans for text
# Atkinson cannot draw.
FONT_REGULAR = LATIN_REGULAR
FONT_BOLD = LATIN_BOLD

Measure = Callable[[str], float]


class Translator(Observable):
    """Callable like ``_()``; re-evaluates every kv expression that used it on a switch.

    Kivy's Builder binds each such expression here (``fbind("_", ...)``) and unbinds it by its
    uid when the widget is freed (``unbind_uid``): a page, a dialog or a form field built and
    dropped all day in one language leaves nothing behind (until Builder unbound by uid, the
    entries of every dropped widget stayed until the next change of language)."""

    def __init__(self) -> None:
        super().__init__()
        self._observers: dict[int, tuple[Any, Any, Any]] = {}
        self._next_uid = 1
        i18n.on_language_change(self._language_changed)

    def __call__(self, message: str) -> str:
        return i18n._(message)

    def fbind(self, name: str, func: Any, *largs: Any, **kwargs: Any) -> Any:
        if name == "_":
            uid = self._next_uid
            self._next_uid += 1
            self._observers[uid] = (func, largs, kwargs)
            return uid
        return super().fbind(name, func, *largs, **kwargs)

    def funbind(self, name: str, func: Any, *largs: Any, **kwargs: Any) -> Any:
        if name == "_":
            key = (func, largs, kwargs)
            for uid in [uid for uid, entry in self._observers.items() if _same(entry, key)]:
                del self._observers[uid]
            return None
        return super().funbind(name, func, *largs, **kwargs)

    def unbind_uid(self, name: str, uid: int) -> Any:
        if name == "_":
            self._observers.pop(uid, None)
            return None
        return super().unbind_uid(name, uid)

    def _language_changed(self, _lang: str) -> None:
        for uid, (func, largs, _kwargs) in list(self._observers.items()):
            try:
                func(*largs, None, None)
            except ReferenceError:  # the widget that used it is gone (not yet unbound)
                self._observers.pop(uid, None)


def _same(entry: tuple[Any, Any, Any], key: tuple[Any, Any, Any]) -> bool:
    """``entry == key``, False when a widget it names is gone (a dead weak proxy raises)."""
    try:
        return bool(entry == key)
    except ReferenceError:
        return False


tr = Translator()


def _reshape(text: str) -> str:
    # Imported on first Arabic text: arabic-reshaper pulls in fontTools, which French and
    # English sessions never need (start-up time and memory).
    import arabic_reshaper

    return str(arabic_reshaper.reshape(text))


def shape(line: str, rtl: bool | None = None) -> str:
    """Arabic letters joined and the line in visual (left-to-right drawing) order.

    ``rtl=True`` reads the line as a right-to-left paragraph even when it starts with Latin
    letters (an Arabic breadcrumb beginning with the site's Latin name would otherwise be
    laid out left to right, its parts in the wrong order); None guesses from the first letter."""
    from bidi.algorithm import get_display

    return str(get_display(_reshape(line), base_dir="R") if rtl else
               get_display(_reshape(line)))


def wrap_words(paragraph: str, width: float, measure: Measure) -> list[str]:
    """Greedy word wrap of one paragraph in logical order; a too-long word gets its own line."""
    lines: list[str] = []
    current = ""
    for word in paragraph.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


ELLIPSIS = "\u2026"


def clamp_lines(lines: list[str], count: int, width: float, measure: Measure) -> list[str]:
    """The first ``count`` of ``lines`` (logical order). When some are left out, the last one
    kept ends with an ellipsis, words taken off its end until it fits ``width``: the reader
    sees the text goes on (Kivy's ``max_lines`` drops the rest without a sign)."""
    if count <= 0 or len(lines) <= count:
        return lines
    kept = lines[:count]
    words = kept[-1].split(" ")
    while len(words) > 1 and measure(" ".join(words) + ELLIPSIS) > width:
        words.pop()
    kept[-1] = " ".join(words).rstrip(" ,;:") + ELLIPSIS
    return kept


def rtl_lines(text: str, width: float, measure: Measure, rtl: bool | None = None,
              max_lines: int = 0) -> list[str]:
    """Wrap ``text`` to ``width`` (measured on shaped text), keep at most ``max_lines`` of them
    (0: all; see :func:`clamp_lines`), then shape and reorder each line (``rtl``: see
    :func:`shape`)."""
    def shaped_width(s: str) -> float:
        return measure(_reshape(s))

    logical: list[tuple[str, bool]] = []
    for paragraph in text.split("\n"):
        arabic = needs_shaping(paragraph)
        for line in wrap_words(paragraph, width, shaped_width) if width > 0 else [paragraph]:
            logical.append((line, arabic))
    if max_lines and len(logical) > max_lines:
        kept = clamp_lines([line for line, _ in logical], max_lines, width, shaped_width)
        logical = [(line, arabic) for line, (_, arabic) in zip(kept, logical, strict=False)]
    return [shape(line, rtl if arabic else None) for line, arabic in logical]


# Arabic the welcome screen draws on its first frame (the language button "العربية", shown in
# every interface language), already joined and in drawing order: shaping it at run time would
# load arabic-reshaper (and fontTools) before the first frame of a French kiosk.
# tests/ui/test_confirmations_and_words.py checks each against shape().
PRESHAPED: dict[str, str] = {
    "العربية": "\ufe94\ufef4\ufe91\ufeae\ufecc\ufedf\ufe8d",
}


def needs_shaping(text: str) -> bool:
    """True when the text holds right-to-left letters (Arabic, Hebrew blocks)."""
    return any("\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufeff" for ch in text)
