"""The kit's kv rules, each file loaded once.

``kit.kv`` (labels, buttons, toggles, header, screen background) loads with the kit;
``choices.kv`` (home tiles, pictogram buttons, radio and check answers) with the first of
them built; ``kit_input.kv`` (form fields, keyboard, hint bubble) with the modules of those
widgets; ``page_bar.kv`` (the page's action bar) with the first bar (page_bar.py): the
welcome screen's first frame parses only what it draws.
"""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder

from kiosk.screens.kv_cache import load_rules

HERE = Path(__file__).parent
BASIC_KV = HERE / "kit.kv"
INPUT_KV = HERE / "kit_input.kv"
CHOICES_KV = HERE / "choices.kv"


def load_kv(path: Path) -> None:
    """Load a kv file once (screens call this for their own .kv), parsed at build time when
    it can be (kiosk/screens/kv_cache.py)."""
    if str(path) not in Builder.files:
        load_rules(path)


def load_input_rules() -> None:
    load_kv(INPUT_KV)


def load_choice_rules() -> None:
    load_kv(CHOICES_KV)
