"""Console users with several places, in process on both engines: a mediator of two sites watches
both on one live page and answers either site's help calls; a manager of a territory and of a
site outside it sees the dashboards of both and nothing else; places given and taken by an admin
(CSRF, audited) apply at the user's next request and to their open live streams.

Seed (tests/console/seed.py): Nord = FS Lille + FS Roubaix, Bretagne = FS Rennes."""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from html import unescape
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from console.conftest import InProcess
from console.seed import PASSWORD
from kiosk_server import tables as t
from kiosk_server import tenancy
from kiosk_server.console import routes_live


def _as(app: InProcess, username: str) -> tuple[InProcess, str]:
    """Another browser with its own cookies, logged in as ``username``."""
    other = InProcess(TestClient(app.client.app, base_url="http://testserver",
                                 raise_server_exceptions=False), app.engine, app.seed)
    return other, other.login(username)


def _user(app: InProcess, name: str, role: str, *, sites: tuple[str, ...] = (),
          territories: tuple[str, ...] = ()) -> int:
    with app.engine.begin() as conn:
        return tenancy.create_user(conn, name, PASSWORD, role,
                                   sites=[app.seed.sites[s] for s in sites],
                                   territories=[app.seed.territories[x] for x in territories])


def _places(app: InProcess, user_id: int) -> list[str]:
    with app.engine.connect() as conn:
        return [p.code for p in tenancy.user_places(conn, user_id)]


def _help(app: InProcess, site: str, kiosk: str = "borne-1") -> str:
    """A resident's call from a kiosk, through the kiosk API with the kiosk's own token."""
    rid = str(uuid.uuid4())
    token = app.seed.kiosks[(site, kiosk)][1]
    sent = app.client.post("/api/v1/help-requests", json={"request_id": rid},
                           headers={"Authorization": f"Bearer {token}"})
    assert sent.status_code == 201, sent.text
    return rid


def _help_status(app: InProcess, site: str, rid: str, kiosk: str = "borne-1") -> str:
    token = app.seed.kiosks[(site, kiosk)][1]
    answer = app.client.get(f"/api/v1/help-requests/{rid}",
                            headers={"Authorization": f"Bearer {token}"})
    return str(answer.json()["status"])


def _sites_shown(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'<section class="live-site" data-site="(\d+)"', html)]


def test_a_mediator_of_two_sites_watches_both_and_answers_the_second_sites_call(
        console_app: InProcess):
    seed = console_app.seed
    lille, rennes, roubaix = (seed.sites[s] for s in ("FS Lille", "FS Rennes", "FS Roubaix"))
    uid = _user(console_app, "med-deux", "mediator", sites=("FS Lille", "FS Rennes"))
    call_lille, call_rennes = _help(console_app, "FS Lille"), _help(console_app, "FS Rennes")
    call_roubaix = _help(console_app, "FS Roubaix")

    mediator, csrf = _as(console_app, "med-deux")
    home = mediator.client.get("/console", follow_redirects=False)
    assert home.headers["location"] == "/console/live"
    page = mediator.client.get("/console/live")
    assert page.status_code == 200 and "En direct : vos sites" in page.text
    assert sorted(_sites_shown(page.text)) == sorted([lille, rennes])
    for site, kiosk in [("FS Lille", "borne-1"), ("FS Lille", "borne-2"),
                        ("FS Rennes", "borne-1")]:
        assert f'data-kiosk="{seed.kiosks[(site, kiosk)][0]}"' in page.text
    assert f'data-kiosk="{seed.kiosks[("FS Roubaix", "borne-1")][0]}"' not in page.text
    assert call_lille in page.text and call_rennes in page.text and call_roubaix not in page.text
    opened = json.loads(unescape(re.search(r"data-open-help='([^']*)'", page.text).group(1)))
    assert sorted(opened) == sorted([call_lille, call_rennes])

    # "J'arrive" on the Rennes call, from the page's own form: the Rennes kiosk learns it.
    action = f"/console/live/{rennes}/help/{call_rennes}/ack"
    assert f'action="{action}"' in page.text
    answer = mediator.client.post(action, data={"csrf": csrf},
                                  headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.json()["message"].startswith("C'est noté")
    assert _help_status(console_app, "FS Rennes", call_rennes) == "acknowledged"
    assert _help_status(console_app, "FS Lille", call_lille) == "open"
    with console_app.engine.connect() as conn:
        acked_by = conn.execute(sa.select(t.help_requests.c.acknowledged_by).where(
            t.help_requests.c.request_id == call_rennes)).scalar_one()
    assert acked_by == uid

    # Site C stays out of reach whatever the URL: page, stream, call, command.
    kiosk_c = seed.kiosks[("FS Roubaix", "borne-1")][0]
    for path in (f"/console/live/{roubaix}", f"/console/live/{roubaix}/events",
                 "/console/stats/synthese", f"/console/export.csv?site={lille}"):
        refused = mediator.client.get(path)
        assert refused.status_code == 403 and "Accès refusé" in refused.text, path
    for path, form in [(f"/console/live/{roubaix}/help/{call_roubaix}/ack", {}),
                       (f"/console/live/{rennes}/help/{call_roubaix}/ack", {}),
                       (f"/console/live/{roubaix}/kiosks/{kiosk_c}/command",
                        {"kind": "out_of_order"}),
                       (f"/console/live/{lille}/kiosks/{kiosk_c}/command",
                        {"kind": "out_of_order"})]:
        assert mediator.client.post(path, data={"csrf": csrf, **form}).status_code == 403, path
    assert _help_status(console_app, "FS Roubaix", call_roubaix) == "open"


def test_the_all_sites_stream_pushes_both_sites_calls(console_app: InProcess):
    seed = console_app.seed
    _user(console_app, "med-flux2", "mediator", sites=("FS Lille", "FS Rennes"))
    call = _help(console_app, "FS Rennes")
    mediator, _ = _as(console_app, "med-flux2")
    with mediator.client.stream("GET", "/console/live/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        event: dict[str, Any] | None = None
        for line in stream.iter_lines():
            if line.startswith("data:"):
                event = json.loads(line[5:])
                break
    assert event is not None and event["open_help"] == [call]
    assert sorted(_sites_shown(event["html"])) == sorted([seed.sites["FS Lille"],
                                                          seed.sites["FS Rennes"]])
    assert event["counts"]["total"] == 3  # two kiosks in Lille, one in Rennes


def test_a_manager_of_a_territory_and_a_site_outside_it_sees_both_and_nothing_else(
        console_app: InProcess):
    seed = console_app.seed
    bretagne, nord = seed.territories["Bretagne"], seed.territories["Nord"]
    lille, rennes, roubaix = (seed.sites[s] for s in ("FS Lille", "FS Rennes", "FS Roubaix"))
    _user(console_app, "resp-mixte", "manager", territories=("Bretagne",), sites=("FS Lille",))
    manager, _ = _as(console_app, "resp-mixte")
    client = manager.client

    # The default dashboard is the first place given: the territory.
    first = client.get("/console/stats/synthese")
    assert first.status_code == 200 and "Territoire : Bretagne" in first.text
    for path in (f"/console/stats/synthese?territoire={bretagne}",
                 f"/console/stats/synthese?site={rennes}",
                 f"/console/stats/synthese?site={lille}", f"/console/stats/synthese?lieu=s:{lille}",
                 f"/console/export.csv?site={lille}", f"/console/export.csv?territoire={bretagne}",
                 f"/console/summary?site={lille}", f"/console/live/{lille}",
                 f"/console/live/{rennes}"):
        assert client.get(path).status_code == 200, path
    for path in (f"/console/stats/synthese?site={roubaix}",
                 f"/console/stats/synthese?territoire={nord}",
                 f"/console/stats/synthese?lieu=t:{nord}", f"/console/export.xlsx?site={roubaix}",
                 f"/console/export.csv?territoire={nord}", f"/console/summary?site={roubaix}",
                 f"/console/live/{roubaix}", "/console/admin"):
        refused = client.get(path)
        assert refused.status_code == 403 and "Accès refusé" in refused.text, path
    # The filter offers exactly the places given: Bretagne (whole), Rennes, and Lille alone.
    options = re.findall(r'<option value="([tsk]:\d+)"', first.text)
    places = [o for o in options if not o.startswith("k:")]
    assert sorted(places) == sorted([f"t:{bretagne}", f"s:{rennes}", f"s:{lille}"])
    # The figures of the site outside the territory are that site's.
    start = seed.today - dt.timedelta(days=90)  # the seed's sessions are from the last 80 days
    lille_csv = client.get(f"/console/export.csv?site={lille}&periode=perso&debut={start}"
                           f"&fin={seed.today}")
    lines = [line.split(";") for line in lille_csv.content.decode("utf-8-sig").splitlines()]
    assert ["Totaux", "Sessions", str(len(seed.sessions(["FS Lille"])))] in lines


def test_a_managers_default_dashboard_is_the_first_place_given_and_shown_selected(
        console_app: InProcess):
    seed = console_app.seed
    lille = seed.sites["FS Lille"]
    uid = _user(console_app, "resp-lille-bzh", "manager", sites=("FS Lille",))
    with console_app.engine.begin() as conn:  # given second: not the default
        tenancy.add_place(conn, uid, tenancy.UserPlace.parse(
            f"t:{seed.territories['Bretagne']}"))
    manager, _ = _as(console_app, "resp-lille-bzh")
    page = manager.client.get("/console/stats/synthese")
    assert page.status_code == 200 and "FS Lille (Nord)" in page.text
    [selected] = re.findall(r'<option value="([^"]*)" selected>', page.text.split('id="lieu"')[1]
                            .split("</select>")[0])
    assert selected == f"s:{lille}"
    territory = manager.client.get(
        f"/console/stats/synthese?territoire={seed.territories['Bretagne']}")
    [selected] = re.findall(r'<option value="([^"]*)" selected>',
                            territory.text.split('id="lieu"')[1].split("</select>")[0])
    assert selected == f"t:{seed.territories['Bretagne']}"


def test_an_admin_gives_and_takes_places_which_apply_at_the_next_request(
        console_app: InProcess, caplog):
    seed = console_app.seed
    lille, rennes = seed.sites["FS Lille"], seed.sites["FS Rennes"]
    uid = _user(console_app, "med-multi", "mediator", sites=("FS Lille",))
    mediator, _ = _as(console_app, "med-multi")
    assert mediator.client.get(f"/console/live/{rennes}").status_code == 403

    csrf = console_app.login("admin")
    page = console_app.client.get(f"/console/admin/users/{uid}")
    assert page.status_code == 200 and 'id="places"' in page.text
    with caplog.at_level(logging.INFO, logger="kiosk_server.console.audit"):
        given = console_app.client.post(f"/console/admin/users/{uid}/places/add",
                                        data={"csrf": csrf, "place": f"s:{rennes}"},
                                        follow_redirects=False)
        assert given.status_code == 303 and "place_added" in given.headers["location"]
        assert _places(console_app, uid) == [f"s:{lille}", f"s:{rennes}"]
        assert mediator.client.get(f"/console/live/{rennes}").status_code == 200  # at once
        assert sorted(_sites_shown(mediator.client.get("/console/live").text)) == sorted(
            [lille, rennes])

        taken = console_app.client.post(f"/console/admin/users/{uid}/places/remove",
                                        data={"csrf": csrf, "place": f"s:{lille}"},
                                        follow_redirects=False)
        assert taken.status_code == 303
    assert _places(console_app, uid) == [f"s:{rennes}"]
    assert mediator.client.get(f"/console/live/{lille}").status_code == 403  # next request
    assert mediator.client.get("/console/live", follow_redirects=False).headers[
        "location"] == f"/console/live/{rennes}"
    lines = [r.getMessage() for r in caplog.records if "med-multi" in r.getMessage()]
    assert len(lines) == 2 and all(line.startswith("admin admin (id ") for line in lines)
    assert "gave a place to user med-multi" in lines[0] and f"s:{rennes}" in lines[0]
    assert "took a place from user med-multi" in lines[1] and f"s:{lille}" in lines[1]
    assert all("password" not in line for line in lines)
    shown = unescape(console_app.client.get(f"/console/admin/users/{uid}").text)
    assert "FS Rennes (Bretagne)" in shown and "C'est son seul lieu" in shown
    listing = unescape(console_app.client.get("/console/admin").text)
    assert re.search(r"med-multi</a></th>\s*<td>Médiateur</td>\s*<td class=\"places\">"
                     r"FS Rennes \(Bretagne\)</td>", listing)


@pytest.mark.parametrize("path,form,words", [
    ("places/add", {"place": "t:{Nord}"}, "pas un territoire entier"),
    ("places/add", {"place": "s:{FS Lille}"}, "déjà attribué"),
    ("places/add", {"place": "s:99999"}, "Ce site n'existe pas"),
    ("places/add", {"place": "n'importe quoi"}, "Lieu invalide"),
    ("places/add", {"place": ""}, "Choisissez un lieu"),
    ("places/remove", {"place": "s:{FS Lille}"}, "dernier lieu"),
    ("places/remove", {"place": "s:{FS Rennes}"}, "ne lui est pas attribué"),
])
def test_places_that_break_the_rules_are_refused_in_french(console_app: InProcess, path, form,
                                                            words):
    seed = console_app.seed
    uid = _user(console_app, "med-regle", "mediator", sites=("FS Lille",))
    names = {**seed.territories, **seed.sites}
    place = re.sub(r"\{([^}]+)\}", lambda m: str(names[m.group(1)]), form["place"])
    csrf = console_app.login("admin")
    answer = console_app.client.post(f"/console/admin/users/{uid}/{path}",
                                     data={"csrf": csrf, "place": place})
    assert answer.status_code == 400 and words in unescape(answer.text)
    assert "Traceback" not in answer.text
    assert _places(console_app, uid) == [f"s:{seed.sites['FS Lille']}"]


def test_an_admin_has_no_places_and_a_manager_may_get_territories(console_app: InProcess):
    seed = console_app.seed
    csrf = console_app.login("admin")
    admin_id = seed.users["admin"]
    refused = console_app.client.post(f"/console/admin/users/{admin_id}/places/add",
                                      data={"csrf": csrf, "place": f"s:{seed.sites['FS Lille']}"})
    assert refused.status_code == 400 and "Un administrateur voit tout" in unescape(refused.text)
    manager = seed.users["resp-lille"]
    given = console_app.client.post(f"/console/admin/users/{manager}/places/add", data={
        "csrf": csrf, "place": f"t:{seed.territories['Bretagne']}"}, follow_redirects=False)
    assert given.status_code == 303
    assert _places(console_app, manager) == [f"s:{seed.sites['FS Lille']}",
                                             f"t:{seed.territories['Bretagne']}"]
    # A manager with a territory cannot become a mediator while keeping it.
    demoted = console_app.client.post(f"/console/admin/users/{manager}",
                                      data={"csrf": csrf, "role": "mediator", "place": ""})
    assert demoted.status_code == 400 and "pas un territoire entier" in unescape(demoted.text)


@pytest.mark.parametrize("who", ["resp-nord", "med-lille"])
def test_only_admins_give_or_take_places(console_app: InProcess, who):
    seed = console_app.seed
    target = seed.users["med-rennes"]
    csrf = console_app.login(who)
    for path, place in [("add", f"s:{seed.sites['FS Lille']}"),
                        ("remove", f"s:{seed.sites['FS Rennes']}")]:
        answer = console_app.client.post(f"/console/admin/users/{target}/places/{path}",
                                         data={"csrf": csrf, "place": place})
        assert answer.status_code == 403, path
    assert _places(console_app, target) == [f"s:{seed.sites['FS Rennes']}"]


def test_places_changes_without_the_csrf_token_are_refused(console_app: InProcess):
    seed = console_app.seed
    target = seed.users["med-rennes"]
    console_app.login("admin")
    for path in ("add", "remove"):
        answer = console_app.client.post(
            f"/console/admin/users/{target}/places/{path}",
            data={"place": f"s:{seed.sites['FS Lille']}"}, headers={"Accept": "application/json"})
        assert answer.status_code == 403 and answer.json()["error"] == "csrf", path
    assert _places(console_app, target) == [f"s:{seed.sites['FS Rennes']}"]


def _events(client: TestClient, path: str, on_first_live: Any) -> list[tuple[str, Any]]:
    """The stream's first two events; ``on_first_live`` runs once the first one is in."""
    out: list[tuple[str, Any]] = []
    kind = ""
    with client.stream("GET", path) as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                out.append((kind, json.loads(line[5:])))
                if kind == "live" and len(out) == 1:
                    on_first_live()
                if kind == "logout" or len(out) == 2:
                    break
    return out


def test_a_site_taken_away_leaves_the_open_all_sites_stream(console_app: InProcess,
                                                            monkeypatch):
    monkeypatch.setattr(routes_live, "RECHECK_S", 0.0)  # re-read the user at every poll
    seed = console_app.seed
    lille, rennes, roubaix = (seed.sites[s] for s in ("FS Lille", "FS Rennes", "FS Roubaix"))
    uid = _user(console_app, "med-trois", "mediator",
                sites=("FS Lille", "FS Roubaix", "FS Rennes"))
    mediator, _ = _as(console_app, "med-trois")
    call = _help(console_app, "FS Rennes")

    def take_rennes() -> None:
        with console_app.engine.begin() as conn:
            tenancy.remove_place(conn, uid, tenancy.UserPlace.parse(f"s:{rennes}"))
    events = _events(mediator.client, "/console/live/events", take_rennes)
    assert [kind for kind, _ in events[:2]] == ["live", "live"]
    assert sorted(_sites_shown(events[0][1]["html"])) == sorted([lille, roubaix, rennes])
    assert events[0][1]["open_help"] == [call]
    # The next push, without reloading: Rennes, its kiosk and its call are gone.
    assert sorted(_sites_shown(events[1][1]["html"])) == sorted([lille, roubaix])
    assert events[1][1]["open_help"] == [] and call not in events[1][1]["html"]


def test_a_site_taken_away_ends_its_open_stream_and_down_to_one_site_the_page_reloads(
        console_app: InProcess, monkeypatch):
    monkeypatch.setattr(routes_live, "RECHECK_S", 0.0)
    seed = console_app.seed
    lille, rennes = seed.sites["FS Lille"], seed.sites["FS Rennes"]
    uid = _user(console_app, "med-bis", "mediator", sites=("FS Lille", "FS Rennes"))
    mediator, _ = _as(console_app, "med-bis")
    csrf = console_app.login("admin")

    def admin_takes(site_id: int) -> Any:
        def take() -> None:
            answer = console_app.client.post(f"/console/admin/users/{uid}/places/remove",
                                             data={"csrf": csrf, "place": f"s:{site_id}"})
            assert answer.status_code == 200  # the account page, after the redirect
        return take
    one_site = _events(mediator.client, f"/console/live/{rennes}/events", admin_takes(rennes))
    assert [kind for kind, _ in one_site] == ["live", "logout"]
    assert mediator.client.get(f"/console/live/{rennes}").status_code == 403

    console_app.client.post(f"/console/admin/users/{uid}/places/add",
                            data={"csrf": csrf, "place": f"s:{rennes}"})
    together = _events(mediator.client, "/console/live/events", admin_takes(lille))
    # One site left: the all-sites page has nothing to gather; it reloads into that site.
    assert [kind for kind, _ in together] == ["live", "logout"]
    assert mediator.client.get("/console/live", follow_redirects=False).headers[
        "location"] == f"/console/live/{rennes}"
