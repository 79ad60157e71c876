"""Welcome / attract: start a session, pick a language, pick comfort options."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from kivy.properties import BooleanProperty, NumericProperty

from kiosk import i18n
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import ui
from kiosk.sessions.end_words import after_idle_notice

if TYPE_CHECKING:  # the wire schema (pydantic) loads after the first frame
    from kiosk_wire.schema import Accessibility


class WelcomeScreen(AppScreen):
    languages: ClassVar[list[str]] = list(i18n.LANGUAGES)
    # Set when the last session ended by itself: "La visite précédente a été fermée…"
    ended_by_idle = BooleanProperty(False)
    idle_scans = NumericProperty(0)

    def on_pre_enter(self, *args: Any) -> None:
        runtime = self.runtime
        core = runtime.core if runtime is not None and runtime.core_ready else None
        if core is None or core.in_session:
            self.ended_by_idle = False
            return
        from kiosk_wire.schema import EndReason

        summary = core.last_summary
        self.idle_scans = summary.scans if summary is not None else 0
        self.ended_by_idle = core.last_end_reason is EndReason.IDLE_TIMEOUT

    def notice_text(self, ended_by_idle: bool, scans: int) -> str:
        """In the language shown now (the kv re-evaluates it when the language changes)."""
        return after_idle_notice(ended_by_idle, scans)

    def choose_language(self, lang: str) -> None:
        # Only the display changes: the session starts in this language (start()), and the
        # kiosk's default language (settings) stays for the next resident.
        ui.set_language(lang)
        if ui.read_aloud:
            self.read_aloud()

    def speech_text(self) -> str:
        return "\n".join(label.txt for label in (self.ids.notice, self.ids.start, self.ids.title)
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

        self.ended_by_idle = False
        self.app.start_session(Language(ui.language), self.accessibility())


load_screen_kv(__file__)
