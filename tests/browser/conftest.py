"""Browser fixtures: the fake official sites, and the kiosk's browser service on Debian's
Chromium (headless, driven by Playwright; never a downloaded browser)."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from browser.fake_sites import FakeSites, start_fake_sites
from kiosk.browser.allowlist import Allowlist
from kiosk.browser.profile import BrowserProfile
from kiosk.browser.service import CHROMIUM, BrowserService

STEP_TIMEOUT_S = 30


def eventually(check: Callable[[], bool], timeout_s: float = STEP_TIMEOUT_S,
               every_s: float = 0.05) -> bool:
    """Poll ``check`` until true (the browser works in its own thread); never a timing claim."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every_s)
    return check()


@pytest.fixture(scope="session")
def fake_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeSites]:
    sites = start_fake_sites(tmp_path_factory.mktemp("fake-sites"))
    yield sites
    sites.stop()


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    pytest.importorskip("playwright.sync_api")


def new_service(profile_root: Path, sites: FakeSites, **kw: object) -> BrowserService:
    require_chromium()
    profile = BrowserProfile(profile_root)
    profile.create()
    return BrowserService(Allowlist(), profile, extra_switches=sites.switches(),
                          viewport=(1024, 700), **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory,
            fake_sites: FakeSites) -> Iterator[BrowserService]:
    """One running browser for a module's tests (Chromium starts in ~1-2 s here)."""
    service = new_service(tmp_path_factory.mktemp("browser") / "b", fake_sites)
    service.start().result(timeout=STEP_TIMEOUT_S * 2)
    yield service
    service.close()
