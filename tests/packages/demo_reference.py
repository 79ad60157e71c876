"""The demo's screens rendered offscreen on this host, as the booted kiosk must show them, and
where a finger touches them: `python -m tests.packages.demo_reference OUT_DIR` (run in its own
process: Kivy allows one window per process, and pytest's may not have one).

Writes OUT_DIR/welcome.png (the welcome screen), home.png (after "Touchez l'écran pour
commencer"), sites.png (after "Faire ma démarche en ligne"), browser.png (after the CAF card,
www.caf.fr made unreachable: the kiosk's page "Ce site ne répond pas" as Chromium draws it),
and taps.json: the centre of each widget touched, in X11 pixels (origin top left), so that the
container test touches the same places through Xwayland, and "page_box", where the browser
screen draws the page's picture (the container test judges the page there on its own).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.app import start_headless
from kiosk.browser.allowlist import Refusal
from kiosk.browser.refusal import BAND_PX
from kiosk.demo import demo_settings
from kiosk.screens.driver import UiDriver

# As the container makes it: the name does not resolve (there, /etc/hosts sends it to a port
# where nothing listens); either way the kiosk shows its "unreachable" page.
UNREACHABLE_CAF = "--host-resolver-rules=MAP www.caf.fr ~NOTFOUND"
WAIT_S = 60


def centre(driver: UiDriver, widget: Any) -> list[int]:
    x, y = widget.to_window(widget.center_x, widget.center_y)
    width, height = driver.window.size
    if not (0 <= x < width and 0 <= y < height):
        raise SystemExit(f"{widget!r} is off screen at ({x}, {y})")
    return [round(x), round(height - y)]


def until(driver: UiDriver, check: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"never happened: {what}")
        driver.frames(1)


def page_box(driver: UiDriver, browser: Any) -> list[int]:
    """Where the browser screen draws the page's picture: (left, top, right, bottom) in X11
    pixels, as PIL crops."""
    web = browser.ids.web
    left, bottom = web.to_window(web.x, web.y)
    height = driver.window.height
    return [int(left), int(height - bottom - web.height), int(left + web.width),
            int(height - bottom)]


def page_drawn(driver: UiDriver, browser: Any, shot: Path, last: list[bytes]) -> bool:
    """Whether the page's picture in the screenshot ``shot`` has its text (dark pixels under
    the refusal page's band) and is the same as at the last call (the picture has settled)."""
    from PIL import Image

    time.sleep(0.2)  # a picture still coming from the browser's worker arrives meanwhile
    driver.frames(1)
    driver.screenshot(shot)
    left, top, right, bottom = page_box(driver, browser)
    page = Image.open(shot).convert("L").crop((left, top + 2 * BAND_PX, right, bottom))
    darkest, _ = page.getextrema()
    pixels = page.tobytes()
    settled = bool(last) and last[-1] == pixels
    last[:] = [pixels]
    return bool(darkest < 100) and settled


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = start_headless(demo_settings(out / "data"))
    taps: dict[str, list[int]] = {}
    try:
        driver = UiDriver(app)
        driver.screenshot(out / "welcome.png")
        welcome = driver.screen()
        taps["start"] = centre(driver, welcome.ids.start)
        driver.tap(welcome.ids.start)
        home = driver.screen()
        driver.frames(2)
        driver.screenshot(out / "home.png")
        taps["online"] = centre(driver, home.ids.tile_online)
        driver.tap(home.ids.tile_online)
        sites = driver.screen()
        driver.frames(2)
        driver.screenshot(out / "sites.png")
        caf = next(card for card in sites.ids.cards.children if card.site_key == "caf")
        taps["caf"] = centre(driver, caf)
        browsing = app.runtime.browsing
        if browsing is not None:  # no Chromium on this host: no browser picture
            browsing.extra_switches = (UNREACHABLE_CAF,)
            driver.tap(caf)
            browser = driver.screen()
            until(driver, lambda: browser.name == "browser" and browser.service is not None
                  and browser.service.view.refusal is Refusal.UNREACHABLE,
                  "the unreachable page in the browser screen")
            # Chromium's first picture is the blank page; then comes the kiosk's page.
            pictures: list[bytes] = []
            until(driver, lambda: page_drawn(driver, browser, out / "browser.png", pictures),
                  "the unreachable page's picture")
            taps["page_box"] = page_box(driver, browser)
        (out / "taps.json").write_text(json.dumps(taps))
    finally:
        app.runtime.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
