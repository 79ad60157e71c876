"""'Faire ma démarche en ligne': the allowed official sites as big cards (plain name and one
line on what the site is for). A card opens the site in the kiosk's browser screen."""
from __future__ import annotations

from typing import Any

from kiosk.i18n import _
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import BigButton


class OfficialSitesScreen(AppScreen):
    def on_pre_enter(self, *args: Any) -> None:
        self.fill()

    def on_enter(self, *args: Any) -> None:
        super().on_enter(*args)
        browsing = self.runtime.browsing
        if browsing is not None:  # Chromium starts while the resident reads the cards
            browsing.prepare()

    def fill(self) -> None:
        grid = self.ids.cards
        grid.clear_widgets()
        browsing = self.runtime.browsing
        for site in browsing.allowlist.cards() if browsing is not None else ():
            card = BigButton(kind="secondary", txt=f"{site.name}\n{_(site.purpose)}",
                             size_hint_y=None)
            card.site_key = site.key
            card.bind(on_release=lambda _button, home=site.home: self.open_site(home))
            grid.add_widget(card)

    def open_site(self, url: str) -> None:
        self.app.screen("browser").open_url(url)
        self.go("browser")


load_screen_kv(__file__)
