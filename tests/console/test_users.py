"""Console accounts edited by an admin, in process on both engines: role and places, disable and
re-enable, password reset shown once; refused for anyone else, refused without CSRF, audited."""
from __future__ import annotations

import json
import logging
import re
from html import unescape

import pytest
import sqlalchemy as sa

from console.conftest import InProcess
from console.seed import PASSWORD
from kiosk_server import tables as t
from kiosk_server import tenancy
from kiosk_server.console import routes_live


def _user(app: InProcess, name: str):
    with app.engine.connect() as conn:
        return conn.execute(sa.select(t.users).where(t.users.c.username == name)).first()


def _as(app: InProcess, username: str, password: str = PASSWORD) -> tuple[InProcess, str]:
    """A second browser: its own cookies, logged in as ``username``."""
    from fastapi.testclient import TestClient

    other = InProcess(TestClient(app.client.app, base_url="http://testserver",
                                 raise_server_exceptions=False), app.engine, app.seed)
    return other, other.login(username, password)


def _places(app: InProcess, name: str) -> list[str]:
    with app.engine.connect() as conn:
        return [p.code for p in tenancy.user_places(conn, _user(app, name).id)]


def _signed_in(app: InProcess) -> bool:
    answer = app.client.get("/console/live", headers={"Accept": "text/html"},
                            follow_redirects=False)
    return "/console/login" not in answer.headers.get("location", "/console/login")


def _new_user(app: InProcess, name: str, role: str = "mediator", site: str = "FS Lille") -> int:
    with app.engine.begin() as conn:
        return tenancy.create_user(conn, name, PASSWORD, role,
                                   site=app.seed.sites[site] if site else None)


def test_admin_moves_a_mediator_to_another_site_which_applies_at_once(console_app: InProcess,
                                                                     caplog):
    seed = console_app.seed
    lille, rennes = seed.sites["FS Lille"], seed.sites["FS Rennes"]
    uid = _new_user(console_app, "med-mobile")
    mediator, _ = _as(console_app, "med-mobile")
    assert mediator.client.get(f"/console/live/{lille}").status_code == 200

    csrf = console_app.login("admin")
    page = console_app.client.get(f"/console/admin/users/{uid}")
    assert page.status_code == 200 and "Compte med-mobile" in page.text
    assert page.headers["cache-control"] == "no-store"
    with caplog.at_level(logging.INFO, logger="kiosk_server.console.audit"):
        saved = console_app.client.post(f"/console/admin/users/{uid}", data={
            "csrf": csrf, "role": "mediator", "place": f"s:{rennes}"}, follow_redirects=False)
    assert saved.status_code == 303
    assert _places(console_app, "med-mobile") == [f"s:{rennes}"]
    # The mediator's open session follows the new scope on its next request.
    assert mediator.client.get(f"/console/live/{lille}").status_code == 403
    assert mediator.client.get(f"/console/live/{rennes}").status_code == 200
    assert mediator.client.get("/console/live", follow_redirects=False).headers[
        "location"] == f"/console/live/{rennes}"
    [line] = [r.getMessage() for r in caplog.records if "med-mobile" in r.getMessage()]
    assert line.startswith("admin admin (id ") and "changed user med-mobile" in line
    assert f"s:{lille}" in line and f"s:{rennes}" in line


def test_a_mediator_moved_away_stops_receiving_the_old_sites_live_stream(
        console_app: InProcess, monkeypatch):
    monkeypatch.setattr(routes_live, "RECHECK_S", 0.0)  # re-read the user at every poll
    seed = console_app.seed
    uid = _new_user(console_app, "med-flux")
    mediator, _ = _as(console_app, "med-flux")
    events = []
    with mediator.client.stream("GET", f"/console/live/{seed.sites['FS Lille']}/events") as s:
        for line in s.iter_lines():
            if line.startswith("event:"):
                events.append(line[6:].strip())
                if events == ["live"]:
                    with console_app.engine.begin() as conn:
                        conn.execute(t.user_places.update().where(t.user_places.c.user_id == uid)
                                     .values(site_id=seed.sites["FS Rennes"]))
                if events[-1] == "logout":
                    break
    assert events == ["live", "logout"]  # the page reloads into "Accès refusé"


def test_role_and_scope_follow_the_rules_in_french(console_app: InProcess):
    seed = console_app.seed
    uid = _new_user(console_app, "med-regles")
    csrf = console_app.login("admin")
    url = f"/console/admin/users/{uid}"
    for form, words in [
        ({"role": "mediator", "place": f"t:{seed.territories['Nord']}"}, "choisissez un site"),
        ({"role": "chef", "place": ""}, "Rôle inconnu"),
        ({"role": "manager", "place": "t:99999"}, "territoire n'existe pas"),
        ({"role": "manager", "place": "s:99999"}, "site n'existe pas"),
        ({"role": "manager", "place": "x:1"}, "Lieu invalide"),
    ]:
        answer = console_app.client.post(url, data={"csrf": csrf, **form})
        assert answer.status_code == 400 and words in unescape(answer.text), form
        assert "Traceback" not in answer.text
    assert _places(console_app, "med-regles") == [f"s:{seed.sites['FS Lille']}"]  # unchanged
    assert _user(console_app, "med-regles").role == "mediator"

    promoted = console_app.client.post(url, data={
        "csrf": csrf, "role": "manager", "place": f"t:{seed.territories['Nord']}"},
        follow_redirects=False)
    assert promoted.status_code == 303
    assert _user(console_app, "med-regles").role == "manager"
    assert _places(console_app, "med-regles") == [f"t:{seed.territories['Nord']}"]
    manager, _ = _as(console_app, "med-regles")
    assert manager.client.get("/console/stats/synthese").status_code == 200
    console_app.client.post(url, data={"csrf": csrf, "role": "admin",
                                       "place": f"s:{seed.sites['FS Lille']}"})
    assert _user(console_app, "med-regles").role == "admin"
    assert _places(console_app, "med-regles") == []  # an admin sees everything


def test_disabled_accounts_cannot_log_in_until_re_enabled(console_app: InProcess):
    uid = _new_user(console_app, "med-conge")
    mediator, _ = _as(console_app, "med-conge")
    csrf = console_app.login("admin")
    off = console_app.client.post(f"/console/admin/users/{uid}/disable", data={"csrf": csrf},
                                  follow_redirects=False)
    assert off.status_code == 303
    assert "désactivé" in console_app.client.get(f"/console/admin/users/{uid}").text
    # Logged out at once, and the login form refuses the right password.
    assert not _signed_in(mediator)
    form = mediator.client.get("/console/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    refused = mediator.client.post("/console/login", data={
        "username": "med-conge", "password": PASSWORD, "csrf": token})
    assert refused.status_code == 401 and "incorrect" in refused.text

    on = console_app.client.post(f"/console/admin/users/{uid}/enable", data={"csrf": csrf},
                                 follow_redirects=False)
    assert on.status_code == 303 and _user(console_app, "med-conge").disabled_at is None
    assert _signed_in(_as(console_app, "med-conge")[0])  # logs in again


def test_password_reset_is_generated_shown_once_and_ends_open_sessions(console_app: InProcess):
    uid = _new_user(console_app, "med-oubli")
    mediator, _ = _as(console_app, "med-oubli")
    assert _signed_in(mediator)
    csrf = console_app.login("admin")
    answer = console_app.client.post(f"/console/admin/users/{uid}/password",
                                     data={"csrf": csrf})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    password = re.search(r'<code class="token" id="password">([^<]+)</code>',
                         answer.text).group(1)
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
    assert password not in console_app.client.get(f"/console/admin/users/{uid}").text
    # The session opened with the old password is over; the old password no longer works.
    assert not _signed_in(mediator)
    fresh, _ = _as(console_app, "med-oubli", password)
    assert _signed_in(fresh)
    with console_app.engine.connect() as conn:
        assert tenancy.verify_user(conn, "med-oubli", PASSWORD) is None
    assert password not in _user(console_app, "med-oubli").password_hash


def test_an_admin_cannot_lock_themselves_out(console_app: InProcess):
    me = console_app.seed.users["admin"]
    csrf = console_app.login("admin")
    for url, form, words in [
        (f"/console/admin/users/{me}", {"role": "manager",
                                        "place": f"t:{console_app.seed.territories['Nord']}"},
         "propre rôle"),
        (f"/console/admin/users/{me}/disable", {}, "propre compte"),
        (f"/console/admin/users/{me}/password", {}, "autre administrateur"),
    ]:
        answer = console_app.client.post(url, data={"csrf": csrf, **form})
        assert answer.status_code == 400 and words in unescape(answer.text), url
    row = _user(console_app, "admin")
    assert row.role == "admin" and row.disabled_at is None
    assert console_app.client.get("/console/admin").status_code == 200  # still signed in


@pytest.mark.parametrize("who", ["resp-nord", "resp-lille", "med-lille"])
def test_only_admins_reach_account_pages_whatever_the_url(console_app: InProcess, who):
    target = console_app.seed.users["med-rennes"]
    client_csrf = console_app.login(who)
    client = console_app.client
    assert client.get(f"/console/admin/users/{target}").status_code == 403
    for path, form in [("", {"role": "admin", "place": ""}), ("/disable", {}), ("/enable", {}),
                       ("/password", {})]:
        answer = client.post(f"/console/admin/users/{target}{path}",
                             data={"csrf": client_csrf, **form})
        assert answer.status_code == 403, path
    row = _user(console_app, "med-rennes")
    assert row.role == "mediator" and row.disabled_at is None


def test_account_changes_without_the_csrf_token_are_refused(console_app: InProcess):
    target = console_app.seed.users["med-rennes"]
    console_app.login("admin")
    before = _user(console_app, "med-rennes")
    for path, form in [("", {"role": "admin", "place": ""}), ("/disable", {}),
                       ("/password", {})]:
        answer = console_app.client.post(f"/console/admin/users/{target}{path}", data=form,
                                         headers={"Accept": "application/json"})
        assert answer.status_code == 403 and json.loads(answer.text)["error"] == "csrf", path
    assert _user(console_app, "med-rennes") == before


def test_an_unknown_account_gets_a_french_refusal(console_app: InProcess):
    csrf = console_app.login("admin")
    assert "Utilisateur introuvable" in console_app.client.get("/console/admin/users/99999").text
    answer = console_app.client.post("/console/admin/users/99999/disable", data={"csrf": csrf})
    assert answer.status_code in (400, 403) and "Utilisateur introuvable" in answer.text
