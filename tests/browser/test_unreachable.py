"""A listed site that does not answer: the resident sees the kiosk's page « Ce site ne répond
pas », in French, and never Chromium's own error page (in English, with a « Reload » that
would only fail again), not even for the moment between the two."""
from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import STEP_TIMEOUT_S, eventually, require_chromium
from browser.fake_sites import ALLOWED_HOST, OTHER_ALLOWED_HOST, FakeSites
from kiosk.browser.allowlist import Allowlist, Refusal
from kiosk.browser.guard import REFUSAL_URL
from kiosk.browser.profile import BrowserProfile
from kiosk.browser.refusal import BAND_PX, MARKER
from kiosk.browser.screencast import shows_refusal_band
from kiosk.browser.service import BrowserService

pytestmark = pytest.mark.browser

CAF = f"https://{ALLOWED_HOST}/"


@pytest.fixture
def browser(tmp_path: Path, fake_sites: FakeSites) -> Iterator[BrowserService]:
    """A browser for which www.caf.fr does not resolve (the other sites are the fakes)."""
    require_chromium()
    profile = BrowserProfile(tmp_path / "b")
    profile.create()
    resolver, *others = fake_sites.switches()
    unreachable = resolver.replace("--host-resolver-rules=",
                                   f"--host-resolver-rules=MAP {ALLOWED_HOST} ~NOTFOUND, ")
    service = BrowserService(Allowlist(), profile, extra_switches=(unreachable, *others),
                             viewport=(1024, 700))
    service.start().result(timeout=STEP_TIMEOUT_S * 2)
    yield service
    service.close()


def ink(jpeg: bytes) -> float:
    """The share of a picture's pixels that are not (nearly) white, under the refusal page's
    top band (that page's first picture may be its band alone, before its text)."""
    from PIL import Image

    grey = Image.open(io.BytesIO(jpeg)).convert("L")
    grey = grey.crop((0, BAND_PX * 2, grey.width, grey.height))
    return sum(1 for level in grey.getdata() if level < 200) / (grey.width * grey.height)


def refusal_shown(browser: BrowserService) -> bool:
    return browser.on_page(
        lambda page: page.locator(f"#{MARKER}").count() == 1).result(STEP_TIMEOUT_S)


@pytest.mark.parametrize("attempt", range(3))  # the error page came first about 1 time in 3
def test_an_unreachable_site_shows_only_the_kiosks_page_never_chromiums(
        browser: BrowserService, attempt: int):
    frames: list[bytes] = []
    browser.watch(frames.append).result(STEP_TIMEOUT_S)
    browser.open(CAF).result(STEP_TIMEOUT_S)
    assert eventually(lambda: browser.view.refusal is Refusal.UNREACHABLE)
    assert eventually(lambda: refusal_shown(browser))
    text = browser.on_page(lambda page: page.inner_text("body")).result(STEP_TIMEOUT_S)
    assert "Ce site ne répond pas" in text
    assert eventually(lambda: bool(frames) and ink(frames[-1]) > 0.001
                      and shows_refusal_band(frames[-1]))
    # Every picture sent to the screen is the blank page or the kiosk's page (its top band:
    # Chromium's error page has none), never Chromium's. The kiosk's page may be painted in
    # more than one picture on a loaded machine (its band, then its words): each has the band.
    seen = [(round(ink(jpeg), 4), shows_refusal_band(jpeg)) for jpeg in list(frames)]
    others = [n for n, (inked, band) in enumerate(seen) if inked > 0.001 and not band]
    assert others == [], f"pictures {others} of {len(seen)} were another page: {seen}"


@pytest.mark.parametrize(("lang", "direction"), [("fr", "ltr"), ("en", "ltr"), ("ar", "rtl")])
def test_the_refusal_page_is_written_in_the_residents_language_and_direction(lang, direction):
    from kiosk.browser.allowlist import Refusal as Why
    from kiosk.browser.refusal import refusal_page
    from kiosk.i18n import current_language, set_language

    before = current_language()
    set_language(lang)
    try:
        page = refusal_page(Why.UNREACHABLE)
    finally:
        set_language(before)
    assert f'<html lang="{lang}" dir="{direction}">' in page
    if lang == "ar":
        assert "Ce site" not in page  # translated, not the French


def test_a_site_that_does_not_answer_is_logged_by_its_name_only(
        browser: BrowserService, caplog: pytest.LogCaptureFixture):
    caplog.set_level("INFO", logger="kiosk.browser.pages")
    browser.open(f"{CAF}mon-compte?numero=123").result(STEP_TIMEOUT_S)
    said = [record.getMessage() for record in caplog.records]
    assert f"browser: {ALLOWED_HOST} did not answer (ERR_NAME_NOT_RESOLVED)" in said
    assert not any("numero" in line or "mon-compte" in line for line in said)


def history_urls(browser: BrowserService) -> list[str]:
    def read(page: Any) -> list[str]:
        cdp = page.context.new_cdp_session(page)
        try:
            history = cdp.send("Page.getNavigationHistory")
        finally:
            cdp.detach()
        return [entry["url"] for entry in history["entries"][: history["currentIndex"] + 1]]
    return browser.on_page(read).result(STEP_TIMEOUT_S)


def test_back_from_an_unreachable_site_returns_to_the_page_before_it(browser: BrowserService):
    ameli = f"https://{OTHER_ALLOWED_HOST}/"
    assert browser.open(ameli).result(STEP_TIMEOUT_S).allowed
    browser.open(CAF).result(STEP_TIMEOUT_S)
    assert eventually(lambda: refusal_shown(browser))
    # the refusal page took the failed address's place: nothing between it and ameli
    assert history_urls(browser)[-2:] == [ameli, f"{REFUSAL_URL}?r=unreachable"]
    assert browser.back().result(STEP_TIMEOUT_S) is True
    assert eventually(lambda: browser.view.site_key == "ameli" and browser.view.refusal is None)
    assert browser.on_page(lambda page: page.url).result(STEP_TIMEOUT_S) == ameli


def test_back_on_the_first_page_of_a_visit_does_nothing_and_says_so(browser: BrowserService):
    """The screen then goes back to the list of sites, instead of showing a blank page."""
    ameli = f"https://{OTHER_ALLOWED_HOST}/"
    assert browser.open(ameli).result(STEP_TIMEOUT_S).allowed
    assert browser.back().result(STEP_TIMEOUT_S) is False
    assert browser.on_page(lambda page: page.url).result(STEP_TIMEOUT_S) == ameli
