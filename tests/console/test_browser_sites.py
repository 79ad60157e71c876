"""A site manager sets the official sites of their site's kiosks in the console (issue #12):
written into every kiosk's pushed settings and sent with its next heartbeat reply; a whole
territory for a territory's manager; refused to mediators and outside one's places; a badly
typed domain gets a plain French message and loses nothing."""
from __future__ import annotations

import re
from html import unescape

from console.conftest import InProcess
from kiosk_server import tenancy
from kiosk_wire.schema import OfficialSite, PushedSettings


def _pushed(app: InProcess, site: str, kiosk: str = "borne-1") -> PushedSettings:
    with app.engine.connect() as conn:
        return tenancy.pushed_settings(conn, app.seed.kiosks[(site, kiosk)][0])


def _save(app: InProcess, csrf: str, place: str, **form: object):
    data = {"csrf": csrf, "mode": "list", **form}
    return app.client.post(f"/console/sites/{app.seed.sites[place]}/browser", data=data,
                           follow_redirects=False)


def test_a_site_manager_sets_the_list_every_kiosk_of_the_site_receives(console_app: InProcess):
    app = console_app
    csrf = app.login("resp-lille")
    page = app.client.get(f"/console/sites/{app.seed.sites['FS Lille']}/browser")
    assert page.status_code == 200 and "Sites nationaux" in page.text
    assert "Tous les sites du territoire" not in page.text  # a site, not its territory

    answer = _save(app, csrf, "FS Lille", site=["caf", "ameli"],
                   local="Mairie-Lille.fr\nccas.lille.fr")
    assert answer.status_code == 303
    for kiosk in ("borne-1", "borne-2"):
        pushed = _pushed(app, "FS Lille", kiosk)
        assert pushed.browser_sites == [OfficialSite.CAF, OfficialSite.AMELI]
        assert pushed.browser_local_sites == ["mairie-lille.fr", "ccas.lille.fr"]
    assert _pushed(app, "FS Roubaix").browser_sites is None  # another site: untouched

    # the heartbeat reply carries it
    token = app.seed.kiosks[("FS Lille", "borne-1")][1]
    reply = app.client.post("/api/v1/heartbeat", json={"state": "idle", "app_version": "0.1.0"},
                            headers={"Authorization": f"Bearer {token}"}).json()
    assert reply["settings"]["browser_sites"] == ["caf", "ameli"]

    shown = unescape(app.client.get(f"/console/sites/{app.seed.sites['FS Lille']}/browser").text)
    assert re.search(r'value="caf" checked', shown) and not re.search(r'value="msa" checked',
                                                                      shown)
    assert "mairie-lille.fr" in shown

    _save(app, csrf, "FS Lille", mode="own")  # back to the kiosks' own settings
    assert _pushed(app, "FS Lille").browser_sites is None
    assert _pushed(app, "FS Lille").browser_local_sites is None


def test_a_badly_typed_domain_is_refused_in_french_and_nothing_is_lost(console_app: InProcess):
    app = console_app
    csrf = app.login("resp-lille")
    _save(app, csrf, "FS Lille", site=["caf"])
    answer = _save(app, csrf, "FS Lille", site=["caf", "impots"],
                   local="mairie-lille.fr\nhttps://www.rdv-lille.fr/prise")
    assert answer.status_code == 400
    text = unescape(answer.text)
    assert "n'est pas un nom de domaine" in text and "Traceback" not in text
    assert "https://www.rdv-lille.fr/prise" in text  # what was typed is still there
    assert re.search(r'value="impots" checked', text)
    assert _pushed(app, "FS Lille").browser_sites == [OfficialSite.CAF]  # unchanged
    nothing = _save(app, csrf, "FS Lille", local="")
    assert nothing.status_code == 400 and "au moins un site" in unescape(nothing.text)


def test_a_territory_manager_applies_a_list_to_every_site_of_the_territory(
        console_app: InProcess):
    app = console_app
    csrf = app.login("resp-nord")
    assert "Tous les sites du territoire" in app.client.get(
        f"/console/sites/{app.seed.sites['FS Lille']}/browser").text
    assert _save(app, csrf, "FS Lille", site=["ants"], scope="territory").status_code == 303
    assert _pushed(app, "FS Roubaix").browser_sites == [OfficialSite.ANTS]
    assert _pushed(app, "FS Lille", "borne-2").browser_sites == [OfficialSite.ANTS]
    assert _pushed(app, "FS Rennes").browser_sites is None  # another territory


def test_mediators_and_other_places_are_refused(console_app: InProcess):
    app = console_app
    csrf = app.login("resp-lille")
    assert _save(app, csrf, "FS Rennes", site=["caf"]).status_code == 403
    assert _save(app, csrf, "FS Lille", site=["caf"], scope="territory").status_code == 403
    assert _pushed(app, "FS Roubaix").browser_sites is None
    assert _pushed(app, "FS Lille").browser_sites is None  # the refused POST changed nothing

    med = app.login("med-lille")
    assert app.client.get(f"/console/sites/{app.seed.sites['FS Lille']}/browser").status_code \
        == 403
    assert _save(app, med, "FS Lille", site=["caf"]).status_code == 403
    assert "Sites officiels" not in app.client.get(f"/console/live/{app.seed.sites['FS Lille']}"
                                                   ).text.split("</nav>")[0]


def test_the_admins_kiosk_settings_keep_the_list_a_manager_set(console_app: InProcess):
    app = console_app
    csrf = app.login("resp-lille")
    _save(app, csrf, "FS Lille", site=["caf"], local="mairie-lille.fr")
    admin = app.login("admin")
    kiosk = app.seed.kiosks[("FS Lille", "borne-1")][0]
    answer = app.client.post(f"/console/admin/kiosks/{kiosk}/settings",
                             data={"csrf": admin, "idle_timeout_s": "90",
                                   "procedures_mode": "all"}, follow_redirects=False)
    assert answer.status_code == 303
    pushed = _pushed(app, "FS Lille")
    assert pushed.idle_timeout_s == 90 and pushed.browser_sites == [OfficialSite.CAF]
    assert pushed.browser_local_sites == ["mairie-lille.fr"]
