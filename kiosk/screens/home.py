"""Home: a few big tiles (icon + word). A tile shows only when its feature is switched on,
its device is present and its screen is installed."""
from __future__ import annotations

from typing import Any

from kiosk.runtime import Feature
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk_wire.schema import EndReason

# tile id -> (feature, screen it leads to)
TILE_ROUTES: dict[str, tuple[Feature | None, str]] = {
    "practice": (Feature.PRACTICE, "practice_catalogue"),
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
            self._tiles = {name: self.ids[f"tile_{name}"] for name in TILE_ROUTES}
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
            self.runtime.core.end(EndReason.FINISHED)
        else:
            self.go(screen)


load_screen_kv(__file__)
