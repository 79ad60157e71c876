"""Home: a few big tiles (icon + word). A tile shows only when its feature is switched on,
its device is present and its screen is installed."""
from __future__ import annotations

from typing import Any

from kiosk.devices.printer import PrinterState
from kiosk.devices.scanner import ScannerState
from kiosk.i18n import _
from kiosk.runtime import Feature
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.sessions.end_words import RunningWork, end_confirmation_body
from kiosk_wire.schema import EndReason

# tile id -> (feature, screen it leads to)
TILE_ROUTES: dict[str, tuple[Feature | None, str]] = {
    "practice": (Feature.PRACTICE, "practice_catalogue"),
    "online": (Feature.BROWSER, "official_sites"),
    "scan": (Feature.SCAN, "scan"),
    "print": (Feature.PRINT, "print"),
    "help": (Feature.HELP, "help_call"),
    "done": (None, ""),
}


class HomeScreen(AppScreen):
    _tiles: dict[str, Any] | None = None

    def visible_tiles(self) -> list[str]:
        shown = []
        for tile, (feature, screen) in TILE_ROUTES.items():
            if feature is None or (self.runtime.feature_available(feature)
                                   and self.app.has_screen(screen)):
                shown.append(tile)
        return shown

    def refresh_tiles(self) -> None:
        grid = self.ids.tiles
        if self._tiles is None:
            # The tiles themselves, not the weak proxies ``ids`` holds: a tile left out of the
            # grid (its device unplugged, its feature off) has no other owner, and the garbage
            # collector would free it before it is shown again (ReferenceError on the way home).
            self._tiles = {name: self.ids[f"tile_{name}"].__self__ for name in TILE_ROUTES}
        grid.clear_widgets()
        shown = self.visible_tiles()
        for name in shown:
            grid.add_widget(self._tiles[name])
        grid.cols = 3 if len(shown) > 4 else 2

    def on_pre_enter(self, *args: Any) -> None:
        self.refresh_tiles()

    def open_tile(self, name: str) -> None:
        _feature, screen = TILE_ROUTES[name]
        if name == "done":
            self.ask_to_end()
        else:
            self.go(screen)

    def ask_to_end(self) -> None:
        """ "J'ai terminé": a resident following a parcours is first offered the progress card
        (kiosk.screens.practice.parcours_card), whose "Terminer" comes back to the confirmation."""
        card = "practice_parcours_card"
        if self.app.has_screen(card) and self.app.screen(card).offer_from(self.name):
            return
        self.confirm_end()

    def confirm_end(self) -> None:
        """ "J'ai terminé" wipes everything: asked first, the safe answer as the big button."""
        from kiosk.screens.kit.confirm import confirm

        confirm(_("Terminer et tout effacer ?"), end_confirmation_body(self.running_work()),
                _("Oui, terminer et tout effacer"), self.end_session,
                safe_txt=_("Non, je continue"))

    def running_work(self) -> RunningWork:
        """A scan or a print still running (the confirmation says it will stop)."""
        scanner, printer = self.runtime.scanner, self.runtime.printer
        return RunningWork(
            scanning=scanner is not None and scanner.state is ScannerState.BUSY,
            printing=printer is not None and printer.state is PrinterState.PRINTING)

    def end_session(self) -> None:
        if self.runtime.core.in_session:
            self.runtime.core.end(EndReason.FINISHED)


load_screen_kv(__file__)
