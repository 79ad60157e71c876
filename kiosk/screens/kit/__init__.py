"""The widget kit every kiosk screen uses (practice and scan screens included).

Importing it registers DejaVu Sans (it has Arabic glyphs; Kivy's Roboto does not) as Kivy's
default font, for Kivy's own labels (KLabels draw in Atkinson Hyperlegible when it has every
letter, Arabic in the shipped Kiosk Arabic: kit/fonts.py) and loads the basic widgets' rules
(``kit.kv``) once. The input widgets (form fields, on-screen keyboard, hint bubble) are
imported, with their rules, the first time something names them
(``from kiosk.screens.kit import FormField`` or a kv file): the welcome screen's first frame
does not pay for them.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any

from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.factory import Factory

from kiosk.screens.kit.fonts import WIDE_BOLD, WIDE_REGULAR
from kiosk.screens.kit.icons import IconView
from kiosk.screens.kit.label_memory import release_surfaces_after_rendering
from kiosk.screens.kit.rule_calls import skip_rules_of_freed_widgets
from kiosk.screens.kit.rules import BASIC_KV, load_kv
from kiosk.screens.kit.state import UiState, ui
from kiosk.screens.kit.text import FONT_BOLD, FONT_REGULAR, tr
from kiosk.screens.kit.widgets import (
    BigButton,
    CheckMark,
    CheckOption,
    DirBox,
    KioskScreen,
    KLabel,
    PictoButton,
    RadioOption,
    ScreenHeader,
    SpeakButton,
    Tile,
    ToggleOption,
)

__all__ = [
    "FONT_BOLD",
    "FONT_REGULAR",
    "BigButton",
    "CheckMark",
    "CheckOption",
    "DirBox",
    "ErrorSummary",
    "FieldBox",
    "FormField",
    "HintBubble",
    "IconView",
    "KLabel",
    "KeyButton",
    "KioskKeyboard",
    "KioskScreen",
    "PageTemplate",
    "PictoButton",
    "RadioOption",
    "ScreenHeader",
    "SpeakButton",
    "Tile",
    "ToggleOption",
    "UiState",
    "load_kv",
    "tr",
    "ui",
]

# Input widgets: name -> module under kiosk.screens.kit, imported on first use.
LAZY_WIDGETS = {"FieldBox": "form", "FormField": "form", "KioskKeyboard": "keyboard",
                "KeyButton": "keyboard", "HintBubble": "hint", "PageTemplate": "page",
                "BarButton": "page_bar", "StepBar": "page", "InlineHint": "page",
                "TextSizeButton": "page", "ErrorSummary": "errors"}

release_surfaces_after_rendering()
skip_rules_of_freed_widgets()  # before any widget binds a rule (rule_calls.py says why)
# Kivy's own labels (no KLabel) get the wide face: it draws every script the kiosk shows.
LabelBase.register(DEFAULT_FONT, WIDE_REGULAR, fn_bold=WIDE_BOLD)
for _cls in (DirBox, KLabel, BigButton, PictoButton, RadioOption, CheckOption, CheckMark, Tile,
             ToggleOption, SpeakButton, ScreenHeader, KioskScreen, IconView):
    if _cls.__name__ not in Factory.classes:
        Factory.register(_cls.__name__, cls=_cls)
for _name, _module in LAZY_WIDGETS.items():
    if _name not in Factory.classes:  # kv files naming them import the module (and its rules)
        Factory.register(_name, module=f"kiosk.screens.kit.{_module}")


def __getattr__(name: str) -> Any:
    module = LAZY_WIDGETS.get(name)
    if module is None:
        raise AttributeError(f"module 'kiosk.screens.kit' has no attribute {name!r}")
    return getattr(importlib.import_module(f"kiosk.screens.kit.{module}"), name)


# kit.kv imports names from this package ("#:import ui kiosk.screens.kit.state.ui"); Kivy
# resolves those with getattr from the top package, which would fail while this module is
# still being imported, so expose the package on its parent before loading the kv.
sys.modules["kiosk.screens"].kit = sys.modules[__name__]  # type: ignore[attr-defined]
load_kv(BASIC_KV)
