"""The presentation state every widget binds to: language, direction, text size, palette.

One ``ui`` object, importable from kv (``#:import ui kiosk.screens.kit.state.ui``), so the
widget kit works without the App (practice and scan screens, tests) and a change of language,
text size or contrast re-evaluates every bound widget at once.
"""
from __future__ import annotations

from collections.abc import Callable

from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk import i18n, theme


class UiState(EventDispatcher):
    language = StringProperty("fr")
    rtl = BooleanProperty(False)
    text_scale = NumericProperty(1.0)
    high_contrast = BooleanProperty(False)
    read_aloud = BooleanProperty(False)
    # rebind: kv expressions like "ui.palette.text" re-evaluate when the palette is replaced
    palette = ObjectProperty(theme.STANDARD, rebind=True)
    # Set by the app: speak(text) reads aloud in the current language; None when unavailable.
    speak_hook: Callable[[str], None] | None = None

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        i18n.on_language_change(self._on_i18n_language)

    def _on_i18n_language(self, lang: str) -> None:
        self.language = lang
        self.rtl = i18n.is_rtl(lang)

    def set_language(self, lang: str) -> None:
        i18n.set_language(lang)  # listeners update language/rtl and every translated string
        self.language = lang
        self.rtl = i18n.is_rtl(lang)

    def on_high_contrast(self, _inst, value: bool) -> None:
        self.palette = theme.palette_for(value)

    def speak(self, text: str) -> None:
        if self.speak_hook is not None and text.strip():
            self.speak_hook(text)

    def reset(self, language: str = "fr") -> None:
        """Back to the defaults for the next resident."""
        self.set_language(language)
        self.text_scale = 1.0
        self.high_contrast = False
        self.read_aloud = False


ui = UiState()
