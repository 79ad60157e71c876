"""The widget kit every kiosk screen uses (practice and scan screens included).

Importing it registers the DejaVu Sans font (it has Arabic glyphs; Kivy's Roboto does not) as
Kivy's default font and loads ``kit.kv`` once.
"""
from __future__ import annotations

import sys
from pathlib import Path

from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.factory import Factory
from kivy.lang import Builder

from kiosk.screens.kit.form import FieldBox, FormField
from kiosk.screens.kit.hint import HintBubble
from kiosk.screens.kit.icons import IconView
from kiosk.screens.kit.keyboard import KeyButton, KioskKeyboard
from kiosk.screens.kit.state import UiState, ui
from kiosk.screens.kit.text import FONT_BOLD, FONT_REGULAR, tr
from kiosk.screens.kit.widgets import (
    BigButton,
    DirBox,
    KioskScreen,
    KLabel,
    ScreenHeader,
    SpeakButton,
    Tile,
    ToggleOption,
)

__all__ = ["BigButton", "DirBox", "FieldBox", "FormField", "HintBubble", "IconView", "KeyButton",
           "KioskKeyboard", "KioskScreen", "KLabel", "ScreenHeader", "SpeakButton", "Tile",
           "ToggleOption", "UiState", "ui", "tr", "load_kv"]

KV_FILE = Path(__file__).with_name("kit.kv")

LabelBase.register(DEFAULT_FONT, FONT_REGULAR, fn_bold=FONT_BOLD)
for _cls in (DirBox, KLabel, BigButton, Tile, ToggleOption, SpeakButton, ScreenHeader, KioskScreen,
             FieldBox, FormField, KioskKeyboard, KeyButton, HintBubble, IconView):
    if _cls.__name__ not in Factory.classes:
        Factory.register(_cls.__name__, cls=_cls)


def load_kv(path: Path) -> None:
    """Load a kv file once (screens call this for their own .kv)."""
    if str(path) not in Builder.files:
        Builder.load_file(str(path))


# kit.kv imports names from this package ("#:import ui kiosk.screens.kit.state.ui"); Kivy
# resolves those with getattr from the top package, which would fail while this module is
# still being imported, so expose the package on its parent before loading the kv.
setattr(sys.modules["kiosk.screens"], "kit", sys.modules[__name__])
load_kv(KV_FILE)
