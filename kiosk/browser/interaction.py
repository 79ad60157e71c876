"""What a resident does to the page, as the kiosk forwards it: taps, scrolls, typing from the
kiosk's own keyboard, text size, printing. Functions of a Playwright page, run in the browser's
worker thread through :meth:`BrowserService.on_page`.
"""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

ZOOM_STEPS = (1.0, 1.25, 1.5, 1.75)


class FieldKind(str, Enum):
    """The focused element, as far as the kiosk's keyboard cares."""
    NONE = "none"          # nothing to type into: the keyboard hides
    TEXT = "text"          # AZERTY
    EMAIL = "email"        # the e-mail layout
    NUMERIC = "numeric"    # the numeric pad
    DATE = "date"


# The focused element, through same-origin frames; its kind from type and inputmode.
FOCUSED_KIND_JS = """() => {
  let el = document.activeElement;
  while (el && (el.tagName === 'IFRAME' || el.tagName === 'FRAME')) {
    try { el = el.contentDocument.activeElement; } catch (e) { return 'text'; }
  }
  if (!el) return 'none';
  const tag = el.tagName;
  const editable = el.isContentEditable || tag === 'TEXTAREA' || (tag === 'INPUT' &&
    !['button','submit','reset','checkbox','radio','file','image','range','color','hidden']
      .includes((el.type || 'text').toLowerCase()));
  if (!editable || el.disabled || el.readOnly) return 'none';
  const mode = (el.getAttribute('inputmode') || '').toLowerCase();
  const type = (el.type || '').toLowerCase();
  if (mode === 'email' || type === 'email') return 'email';
  if (['numeric','decimal','tel'].includes(mode) || ['number','tel'].includes(type)) {
    return 'numeric';
  }
  if (type === 'date') return 'date';
  return 'text';
}"""


def tap(page: Any, x: float, y: float, clicks: int = 1) -> FieldKind:
    """A tap at viewport CSS pixels; returns what now has the focus (for the keyboard).
    ``clicks``: the tap's rank in a quick series on one spot, as a mouse's click count (2: a
    double click, which selects the word under the finger; 3: its paragraph), so a resident
    can select text by touch for read aloud."""
    page.mouse.move(x, y)
    page.mouse.down(click_count=clicks)
    page.mouse.up(click_count=clicks)
    return focused_kind(page)


def scroll(page: Any, x: float, y: float, dy: float) -> None:
    page.mouse.move(x, y)
    page.mouse.wheel(0, dy)


def focused_kind(page: Any) -> FieldKind:
    try:
        return FieldKind(page.evaluate(FOCUSED_KIND_JS))
    except Exception:  # noqa: BLE001 - navigating: nothing focused yet
        return FieldKind.NONE


def type_text(page: Any, text: str) -> None:
    """Text from the kiosk's keyboard, inserted as an IME would (every character, accents)."""
    page.keyboard.insert_text(text)


def press(page: Any, key: str) -> None:
    """'Backspace', 'Enter', 'Tab'."""
    page.keyboard.press(key)


# What read aloud says: the selected text, else the page's main heading, else its title.
READABLE_JS = """() => {
  const selected = String(window.getSelection() || '').trim();
  if (selected) return selected.slice(0, 2000);
  const heading = document.querySelector('main h1, h1');
  if (heading && heading.innerText.trim()) return heading.innerText.trim().slice(0, 500);
  return (document.title || '').slice(0, 500);
}"""


def readable_text(page: Any) -> str:
    """The text read aloud: the selection, or the main heading."""
    try:
        return str(page.evaluate(READABLE_JS) or "")
    except Exception:  # noqa: BLE001 - navigating: nothing to read yet
        return ""


def set_zoom(page: Any, factor: float) -> None:
    """The kiosk's text size as page zoom (CSS zoom on the root: the layout reflows)."""
    page.evaluate("(z) => { document.documentElement.style.zoom = z; }", factor)


def print_to_pdf(page: Any, path: Path) -> Path:
    """The page as a PDF (A4), for the kiosk's print service."""
    page.pdf(path=str(path), format="A4", print_background=True)
    return path
