"""Small helpers shared by the UI tests."""
from __future__ import annotations

from typing import Any


def key_button(keyboard: Any, key: str) -> Any:
    return next(w for w in keyboard.walk() if getattr(w, "key", None) == key)


def type_on(driver: Any, keyboard: Any, text: str) -> None:
    """Type ``text`` by tapping the on-screen keyboard, using shift for capitals."""
    for ch in text:
        if ch.isupper() and keyboard.layout == "azerty":
            driver.tap(key_button(keyboard, "{shift}"), draw=False)
            driver.tap(key_button(keyboard, ch), draw=False)
        elif ch == " ":
            driver.tap(key_button(keyboard, "{space}"), draw=False)
        else:
            driver.tap(key_button(keyboard, ch), draw=False)
    driver.frames(1)


def queued_records(app: Any) -> list[dict]:
    return [r.payload for r in app.runtime.core.store.iter_all()]


# A Python prelude (for ``-c`` or a sitecustomize.py) that makes the test frameworks
# unimportable, as on a terminal installed without the test extras.
WITHOUT_TEST_FRAMEWORKS = """
import importlib.abc, sys
class _NoTestFrameworks(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in ('pytest', '_pytest') or name.startswith('kivy.tests'):
            raise ImportError('no test extras on this terminal: ' + name)
sys.meta_path.insert(0, _NoTestFrameworks())
"""


def caf_card(driver: Any) -> Any:
    """From the welcome screen, by touch: start, « Faire ma démarche en ligne », and the CAF
    card of the official sites, scrolled into view (not touched)."""
    driver.tap(driver.screen().ids.start)
    home = driver.screen()
    home.ids.scroller.scroll_to(home.ids.tile_online, animate=False)
    driver.frames(2)
    driver.tap(home.ids.tile_online)
    sites = driver.screen()
    driver.frames(2)
    caf = next(card for card in sites.ids.cards.children if card.site_key == "caf")
    sites.ids.scroller.scroll_to(caf, animate=False)
    driver.frames(2)
    return caf
