"""The allowlist enforced by the real Chromium: allowed sites show, everything else is refused
before it is fetched (the fake outside site never sees a request)."""
from __future__ import annotations

import pytest

from browser.conftest import STEP_TIMEOUT_S, eventually
from browser.fake_sites import (
    ALLOWED_HOST,
    BAD_CERT_HOST,
    OUTSIDE_HOST,
    FakeSites,
)
from kiosk.browser.allowlist import Refusal
from kiosk.browser.refusal import MARKER
from kiosk.browser.service import BrowserService

pytestmark = pytest.mark.browser

CAF = f"https://{ALLOWED_HOST}/"


def heading(browser: BrowserService) -> str:
    return browser.on_page(lambda page: page.inner_text("h1")).result(STEP_TIMEOUT_S)


def shows_refusal(browser: BrowserService) -> bool:
    return browser.on_page(
        lambda page: page.locator(f"#{MARKER}").count() == 1).result(STEP_TIMEOUT_S)


def click(browser: BrowserService, selector: str) -> None:
    browser.on_page(lambda page: page.click(selector)).result(STEP_TIMEOUT_S)


def test_an_allowed_official_site_is_shown_with_its_key(browser: BrowserService,
                                                        fake_sites: FakeSites):
    verdict = browser.open(CAF).result(STEP_TIMEOUT_S)
    assert verdict.allowed and verdict.site_key == "caf"
    assert heading(browser) == "Caisse d'allocations familiales"
    assert browser.view.site_key == "caf" and browser.view.refusal is None
    assert "/" in fake_sites.reached(ALLOWED_HOST)


def test_a_link_to_another_listed_site_is_followed(browser: BrowserService):
    browser.open(CAF).result(STEP_TIMEOUT_S)
    click(browser, "#other")
    assert eventually(lambda: heading(browser) == "ameli")
    assert eventually(lambda: browser.view.site_key == "ameli")


def test_a_link_outside_the_list_shows_the_refusal_page_and_back_returns(
        browser: BrowserService, fake_sites: FakeSites):
    browser.open(CAF).result(STEP_TIMEOUT_S)
    click(browser, "#outside")
    assert eventually(lambda: shows_refusal(browser))
    assert heading(browser) == "Ce site n'est pas disponible sur cette borne"
    assert browser.view.refusal is Refusal.NOT_LISTED and browser.view.site_key is None
    assert fake_sites.reached(OUTSIDE_HOST) == []
    browser.back().result(STEP_TIMEOUT_S)  # the kiosk's Back
    assert eventually(lambda: heading(browser) == "Caisse d'allocations familiales")
    click(browser, "#outside")
    assert eventually(lambda: shows_refusal(browser))
    click(browser, "button")  # the page's own "Retour"
    assert eventually(lambda: heading(browser) == "Caisse d'allocations familiales")


def test_a_redirect_to_a_site_outside_the_list_is_refused(browser: BrowserService,
                                                          fake_sites: FakeSites):
    browser.open(CAF).result(STEP_TIMEOUT_S)
    click(browser, "#redirect")
    assert eventually(lambda: shows_refusal(browser))
    assert "/redirect" in fake_sites.reached(ALLOWED_HOST)
    assert fake_sites.reached(OUTSIDE_HOST) == []
    assert browser.open(f"https://{ALLOWED_HOST}/redirect").result(STEP_TIMEOUT_S).allowed
    assert shows_refusal(browser) and fake_sites.reached(OUTSIDE_HOST) == []


def test_frames_outside_the_list_and_data_frames_are_refused(browser: BrowserService,
                                                              fake_sites: FakeSites):
    browser.open(f"https://{ALLOWED_HOST}/frames").result(STEP_TIMEOUT_S)

    def frame_texts(page):
        return {f.name or f.url: f.inner_text("body") for f in page.frames[1:]}

    def frames_settled() -> bool:
        texts = browser.on_page(lambda page: [
            page.frame_locator(f"#{name}").locator("h1").inner_text()
            for name in ("outside", "data", "inlist")]).result(STEP_TIMEOUT_S)
        return texts == ["Ce site n'est pas disponible sur cette borne"] * 2 + ["ameli cadre"]

    assert eventually(frames_settled), browser.on_page(frame_texts).result(STEP_TIMEOUT_S)
    assert fake_sites.reached(OUTSIDE_HOST) == []
    assert browser.view.site_key == "caf"  # the page itself stays


def test_a_popup_outside_the_list_is_refused_and_one_inside_is_shown(browser: BrowserService,
                                                                     fake_sites: FakeSites):
    browser.open(f"https://{ALLOWED_HOST}/popups").result(STEP_TIMEOUT_S)
    click(browser, "#outside")
    assert eventually(lambda: shows_refusal(browser))
    assert fake_sites.reached(OUTSIDE_HOST) == []
    browser.back().result(STEP_TIMEOUT_S)  # closes the pop-up: back on its opener
    assert eventually(lambda: heading(browser) == "Fenetres")
    click(browser, "#inlist")
    assert eventually(lambda: heading(browser) == "ameli fenetre")
    browser.back().result(STEP_TIMEOUT_S)
    assert eventually(lambda: heading(browser) == "Fenetres")


@pytest.mark.parametrize("url,reason", [
    ("file:///etc/passwd", Refusal.SCHEME),
    ("chrome://settings/", Refusal.SCHEME),
    ("view-source:https://www.caf.fr/", Refusal.SCHEME),
    ("data:text/html,<h1>donnees</h1>", Refusal.SCHEME),
    ("devtools://devtools/bundled/inspector.html", Refusal.SCHEME),
    ("http://www.caf.fr/", Refusal.SCHEME),
    (f"https://{OUTSIDE_HOST}/", Refusal.NOT_LISTED),
])
def test_forbidden_addresses_open_the_refusal_page(browser: BrowserService,
                                                    fake_sites: FakeSites, url, reason):
    verdict = browser.open(url).result(STEP_TIMEOUT_S)
    assert verdict.refusal is reason
    assert shows_refusal(browser) and browser.view.refusal is reason
    assert fake_sites.reached(OUTSIDE_HOST) == []


def test_links_to_files_and_other_programs_lead_nowhere(browser: BrowserService):
    browser.open(CAF).result(STEP_TIMEOUT_S)
    for selector in ("#file", "#mail"):
        click(browser, selector)
        assert heading(browser) in ("Caisse d'allocations familiales",
                                    "Ce site n'est pas disponible sur cette borne")
        assert browser.on_page(lambda page: page.url).result(STEP_TIMEOUT_S).startswith("https://")


def test_a_certificate_error_is_refused(browser: BrowserService, fake_sites: FakeSites):
    verdict = browser.open(f"https://{BAD_CERT_HOST}/").result(STEP_TIMEOUT_S)
    assert verdict.refusal is Refusal.CERTIFICATE
    assert shows_refusal(browser) and browser.view.refusal is Refusal.CERTIFICATE
    assert fake_sites.reached(BAD_CERT_HOST) == []  # the TLS handshake failed: no request


def test_the_trusted_test_certificate_is_the_only_exception(browser: BrowserService):
    """The SPKI exception covers the test leaf only: the untrusted one fails from a link too."""
    browser.open(CAF).result(STEP_TIMEOUT_S)
    browser.on_page(lambda page: page.evaluate(
        f"location.href = 'https://{BAD_CERT_HOST}/x'")).result(STEP_TIMEOUT_S)
    assert eventually(lambda: browser.view.refusal is Refusal.CERTIFICATE)
    assert eventually(lambda: shows_refusal(browser))


def test_chromium_background_calls_to_google_never_leave(browser: BrowserService,
                                                        fake_sites: FakeSites):
    """The fake sites answer every name (MAP *): Chromium's own account and update calls would
    land there if they were not silenced."""
    browser.open(CAF).result(STEP_TIMEOUT_S)
    browser.on_page(lambda page: page.wait_for_timeout(1500)).result(STEP_TIMEOUT_S)
    hosts = {host for host, _path in list(fake_sites.hits)}
    assert not {h for h in hosts if h.endswith(("google.com", "googleapis.com", "gvt1.com"))}
