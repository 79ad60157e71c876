"""Every screen of the kiosk in one table: its name, its module under ``kiosk.screens`` and what
builds it (kiosk/screens/screen_book.py builds each on its first visit). No Kivy import here."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenEntry:
    """Where a screen lives. ``builder`` is a Screen class of the app (built without
    arguments) or, for an ``optional`` screen, ``build_screen`` (called with the runtime)."""

    module: str                   # under kiosk.screens
    builder: str
    optional: bool = False        # another part's screen: absent or broken hides its tile

    @property
    def module_path(self) -> str:
        return f"kiosk.screens.{self.module}"


# Every screen of the kiosk, by name. Each is built on its first visit.
SCREENS: dict[str, ScreenEntry] = {
    "welcome": ScreenEntry("welcome", "WelcomeScreen"),
    "home": ScreenEntry("home", "HomeScreen"),
    "help_call": ScreenEntry("help_call", "HelpCallScreen"),
    "end": ScreenEntry("end", "EndScreen"),
    "mediator_unlock": ScreenEntry("mediator_unlock", "MediatorUnlockScreen"),
    "mediator_panel": ScreenEntry("mediator_panel", "MediatorPanelScreen"),
    "out_of_order": ScreenEntry("out_of_order", "OutOfOrderScreen"),
    "practice_catalogue": ScreenEntry("practice.catalogue", "build_screen", optional=True),
    "scan": ScreenEntry("scan.scan", "build_screen", optional=True),
    "print": ScreenEntry("print", "build_screen", optional=True),
    "official_sites": ScreenEntry("official_sites", "OfficialSitesScreen"),
    "browser": ScreenEntry("browser", "BrowserScreen"),
}
MEDIATOR_SCREENS = frozenset({"mediator_unlock", "mediator_panel"})
