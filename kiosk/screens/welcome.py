"""Welcome / attract: start a session, pick a language, pick comfort options."""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from kiosk import i18n
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import ui

if TYPE_CHECKING:  # the wire schema (pydantic) loads after the first frame
    from kiosk_wire.schema import Accessibility


class WelcomeScreen(AppScreen):
    languages: ClassVar[list[str]] = list(i18n.LANGUAGES)

    def choose_language(self, lang: str) -> None:
        # Only the display changes: the session starts in this language (start()), and the
        # kiosk's default language (settings) stays for the next resident.
        ui.set_language(lang)
        if ui.read_aloud:
            self.read_aloud()

    def speech_text(self) -> str:
        return "\n".join(label.txt for label in (self.ids.start, self.ids.title)
                         if label.txt)

    def toggle_contrast(self) -> None:
        ui.high_contrast = not ui.high_contrast

    def toggle_read_aloud(self) -> None:
        ui.read_aloud = not ui.read_aloud
        if ui.read_aloud:
            self.read_aloud()
        else:
            self.runtime.speaker.stop()

    def accessibility(self) -> set[Accessibility]:
        from kiosk_wire.schema import Accessibility

        chosen = set()
        if ui.text_scale > 1.0:
            chosen.add(Accessibility.LARGE_TEXT)
        if ui.high_contrast:
            chosen.add(Accessibility.HIGH_CONTRAST)
        if ui.read_aloud:
            chosen.add(Accessibility.READ_ALOUD)
        return chosen

    def start(self) -> None:
        """Start the session; the app moves to the home screen when the core says ACTIVE."""
        from kiosk_wire.schema import Language

        self.app.start_session(Language(ui.language), self.accessibility())


load_screen_kv(__file__)
