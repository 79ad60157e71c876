"""A site manager sets the official sites of their site's kiosks in the console (issue #12):
kept for the site (or the whole territory, for a territory's manager) and sent with every
kiosk's heartbeat reply, a kiosk or a site added later included; refused to mediators and
outside one's places; a badly typed domain gets a plain French message and loses nothing."""
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


def _heartbeat_sites(app: InProcess, token: str) -> tuple[list[str] | None, list[str] | None]:
    reply = app.client.post("/api/v1/heartbeat", json={"state": "idle", "app_version": "0.1.0"},
                            headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200, reply.text
    settings = reply.json()["settings"]
    return settings.get("browser_sites"), settings.get("browser_local_sites")


def test_a_kiosk_or_site_added_after_the_list_was_saved_gets_it(console_app: InProcess):
    app, seed = console_app, console_app.seed
    _save(app, app.login("resp-lille"), "FS Lille", site=["caf"], local="mairie-lille.fr")
    with app.engine.begin() as conn:
        _kid, token = tenancy.create_kiosk(conn, seed.sites["FS Lille"], "borne-neuve")
    assert _heartbeat_sites(app, token) == (["caf"], ["mairie-lille.fr"])

    # A list applied to the whole territory reaches a site created in it afterwards.
    _save(app, app.login("resp-nord"), "FS Roubaix", site=["ants", "msa"], scope="territory")
    with app.engine.begin() as conn:
        site = tenancy.create_site(conn, seed.territories["Nord"], "EPN Tourcoing")
        _kid, newcomer = tenancy.create_kiosk(conn, site, "borne-1")
    assert _heartbeat_sites(app, newcomer) == (["ants", "msa"], [])
    assert _heartbeat_sites(app, token) == (["ants", "msa"], [])  # the site's own list replaced
    rennes = seed.kiosks[("FS Rennes", "borne-1")][1]
    assert _heartbeat_sites(app, rennes) == (None, None)  # another territory: its own settings

    # A site's own list wins over its territory's; "back to the territory's" follows it again.
    csrf = app.login("resp-lille")
    _save(app, csrf, "FS Lille", site=["impots"])
    assert _heartbeat_sites(app, token) == (["impots"], [])
    assert _heartbeat_sites(app, newcomer) == (["ants", "msa"], [])
    page = unescape(app.client.get(f"/console/sites/{seed.sites['FS Lille']}/browser").text)
    assert "La liste du territoire Nord" in page
    _save(app, csrf, "FS Lille", mode="own")
    assert _heartbeat_sites(app, token) == (["ants", "msa"], [])
    assert "Ce site suit la liste du territoire Nord" in unescape(
        app.client.get(f"/console/sites/{seed.sites['FS Lille']}/browser").text)


def test_a_list_set_for_one_kiosk_alone_wins_until_the_site_list_is_saved(
        console_app: InProcess):
    app, seed = console_app, console_app.seed
    csrf = app.login("resp-lille")
    _save(app, csrf, "FS Lille", site=["caf"])
    kiosk_id, token = seed.kiosks[("FS Lille", "borne-2")]
    with app.engine.begin() as conn:  # as `kiosk-server admin kiosk settings --browser-sites`
        tenancy.set_pushed_settings(conn, kiosk_id, PushedSettings(
            browser_sites=[OfficialSite.AMELI], idle_timeout_s=120))
    assert _heartbeat_sites(app, token) == (["ameli"], None)
    page = unescape(app.client.get(f"/console/sites/{seed.sites['FS Lille']}/browser").text)
    assert "1 borne(s) de ce site ont une liste réglée pour elles seules" in page

    _save(app, csrf, "FS Lille", site=["caf", "ants"])  # saving the site's list replaces it
    assert _heartbeat_sites(app, token) == (["ants", "caf"], [])
    with app.engine.connect() as conn:
        own = tenancy.own_pushed_settings(conn, kiosk_id)
        assert own.browser_sites is None and own.idle_timeout_s == 120  # the rest is kept
