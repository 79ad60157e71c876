"""The allowlist's verdicts on addresses (no browser)."""
from __future__ import annotations

import pytest

from kiosk.browser.allowlist import Allowlist, AllowlistError, Refusal
from kiosk.browser.sites import LOCAL_KEY, SITE_KEYS
from kiosk_wire import config


@pytest.mark.parametrize("url,key", [
    ("https://www.caf.fr/", "caf"),
    ("https://caf.fr/aides?x=1", "caf"),
    ("https://wwwd.caf.fr/wps/portal", "caf"),
    ("https://www.impots.gouv.fr/accueil", "impots"),
    ("https://app.franceconnect.gouv.fr/api/v1/authorize", "franceconnect"),
    ("https://WWW.AMELI.FR./", "ameli"),
    ("https://www.caf.fr:443/", "caf"),
])
def test_official_sites_and_their_subdomains_are_allowed_with_their_key(url, key):
    verdict = Allowlist().judge(url)
    assert verdict.allowed and verdict.site_key == key


@pytest.mark.parametrize("url", [
    "https://caf.fr.evil.example/", "https://notcaf.fr/", "https://www.evil.example/",
    "https://gouv.fr/", "https://evil.example/?u=https://www.caf.fr/",
])
def test_look_alike_and_other_hosts_are_not_listed(url):
    assert Allowlist().judge(url).refusal is Refusal.NOT_LISTED


@pytest.mark.parametrize("url", [
    "http://www.caf.fr/", "file:///etc/passwd", "chrome://settings", "devtools://devtools/x",
    "view-source:https://www.caf.fr/", "data:text/html,<h1>x</h1>", "javascript:alert(1)",
    "mailto:a@caf.fr", "tel:0123456789", "intent://x#Intent;end", "ftp://caf.fr/",
    "chrome-extension://abc/x.html",
])
def test_other_schemes_are_refused(url):
    assert Allowlist().judge(url).refusal is Refusal.SCHEME


@pytest.mark.parametrize("url", [
    "https://user@www.caf.fr/", "https://www.caf.fr:8443/", "https://127.0.0.1/",
    "https://[::1]/", "https://www.caf.fr:99999/",
])
def test_odd_addresses_are_refused(url):
    assert Allowlist().judge(url).refusal is Refusal.ADDRESS


def test_blob_documents_follow_their_origin():
    allowlist = Allowlist()
    assert allowlist.judge("blob:https://www.caf.fr/5b1e").allowed
    assert not allowlist.judge("blob:https://www.evil.example/5b1e").allowed
    assert allowlist.judge("about:blank").allowed


def test_default_settings_allow_the_national_list_and_local_additions():
    settings = config.defaults()
    allowlist = Allowlist.from_setting_values(settings.get("browser.sites"),
                                              "mairie-exemple.fr, Ville-Test.FR")
    assert {s.key for s in allowlist.sites} == set(SITE_KEYS)
    assert allowlist.judge("https://www.mairie-exemple.fr/rdv").site_key == LOCAL_KEY
    assert allowlist.judge("https://ville-test.fr/").site_key == LOCAL_KEY


def test_a_site_can_narrow_the_national_list():
    allowlist = Allowlist.from_setting_values("caf,ameli", "")
    assert allowlist.judge("https://www.caf.fr/").allowed
    assert allowlist.judge("https://www.impots.gouv.fr/").refusal is Refusal.NOT_LISTED


@pytest.mark.parametrize("sites,local", [
    ("caf,facebook", ""), ("", "https://mairie.fr/"), ("", "127.0.0.1"), ("", "localhost"),
])
def test_bad_settings_are_refused_with_a_plain_message(sites, local):
    with pytest.raises(AllowlistError) as err:
        Allowlist.from_setting_values(sites, local)
    assert "Traceback" not in str(err.value) and str(err.value)
