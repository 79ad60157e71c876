"""`kiosk-server admin territory|site|kiosk|token|user` on both engines, checked through the API."""
from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kiosk_server import tables as t
from kiosk_server import tenancy
from kiosk_server.app import create_app
from kiosk_server.cli import main
from server.helpers import open_migrated, record, server_settings


def run(monkeypatch, tmp_path, db_url, *args, input=None):
    monkeypatch.setenv("KIOSK_KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_SERVER_DATABASE_URL", db_url)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["admin", *args], input=input)
    return result


def test_admin_builds_the_tenancy_and_prints_a_working_token_once(monkeypatch, tmp_path, db_url):
    assert run(monkeypatch, tmp_path, db_url, "territory", "create", "Nord").exit_code == 0
    assert run(monkeypatch, tmp_path, db_url, "site", "create", "--territory", "Nord",
               "FS Lille").exit_code == 0
    created = run(monkeypatch, tmp_path, db_url, "kiosk", "create", "--site", "FS Lille",
                  "borne-1")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    engine = open_migrated(db_url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(t.kiosk_tokens.c.token_hash)).scalar_one() == \
            tenancy.hash_token(token)
    app = create_app(server_settings(tmp_path, db_url), engine)
    with TestClient(app) as client:
        def send(tok):
            return client.post("/api/v1/events", json={"records": [record()]},
                               headers={"Authorization": f"Bearer {tok}"}).status_code
        assert send(token) == 200
        rotated = run(monkeypatch, tmp_path, db_url, "token", "rotate", "borne-1")
        new_token = rotated.stdout.strip().splitlines()[-1]
        assert (send(token), send(new_token)) == (401, 200)
        assert run(monkeypatch, tmp_path, db_url, "token", "revoke", "borne-1").exit_code == 0
        assert send(new_token) == 401
        # A one-time installation token, traded once for a working kiosk token.
        printed = run(monkeypatch, tmp_path, db_url, "token", "enrolment", "borne-1")
        assert printed.exit_code == 0, printed.output
        enrolment_token = printed.stdout.strip().splitlines()[-1]
        traded = client.post("/api/v1/enrol", json={"enrolment_token": enrolment_token})
        assert traded.status_code == 200 and send(traded.json()["token"]) == 200
        again = client.post("/api/v1/enrol", json={"enrolment_token": enrolment_token})
        assert (again.status_code, again.json()["error"]) == (403, "enrolment_used")
    listing = run(monkeypatch, tmp_path, db_url, "territory", "list")
    assert "FS Lille" in listing.output and "borne-1" in listing.output
    assert token not in listing.output
    engine.dispose()


def test_admin_errors_are_plain_messages(monkeypatch, tmp_path, db_url):
    result = run(monkeypatch, tmp_path, db_url, "site", "create", "--territory", "Nulle-part",
                 "X")
    assert result.exit_code == 1
    assert "unknown territory: Nulle-part" in result.output
    assert "Traceback" not in result.output
    run(monkeypatch, tmp_path, db_url, "territory", "create", "Nord")
    again = run(monkeypatch, tmp_path, db_url, "territory", "create", "Nord")
    assert again.exit_code == 1 and "already exists" in again.output


def test_console_users_get_argon2_hashes_and_scopes(monkeypatch, tmp_path, db_url):
    run(monkeypatch, tmp_path, db_url, "territory", "create", "Nord")
    run(monkeypatch, tmp_path, db_url, "site", "create", "--territory", "Nord", "FS Lille")
    ok = run(monkeypatch, tmp_path, db_url, "user", "create", "marie", "--role", "mediator",
             "--site", "FS Lille", "--password-stdin", input="un mot de passe long\n")
    assert ok.exit_code == 0, ok.output
    no_site = run(monkeypatch, tmp_path, db_url, "user", "create", "paul", "--role", "mediator",
                  "--password-stdin", input="un mot de passe long\n")
    assert no_site.exit_code == 1 and "site" in no_site.output
    short = run(monkeypatch, tmp_path, db_url, "user", "create", "zoe", "--role", "admin",
                "--password-stdin", input="court\n")
    assert short.exit_code == 1
    engine = open_migrated(db_url)
    with engine.begin() as conn:
        stored = conn.execute(sa.select(t.users.c.password_hash)).scalar_one()
        assert stored.startswith("$argon2id$") and "un mot de passe long" not in stored
        user = tenancy.verify_user(conn, "marie", "un mot de passe long")
        assert user is not None and user["role"] == "mediator"
        assert tenancy.user_places(conn, user["id"]) == [
            tenancy.UserPlace(tenancy.PlaceKind.SITE, 1)]
        assert tenancy.verify_user(conn, "marie", "wrong password!") is None
    run(monkeypatch, tmp_path, db_url, "user", "disable", "marie")
    with engine.begin() as conn:
        assert tenancy.verify_user(conn, "marie", "un mot de passe long") is None
    engine.dispose()


def test_pushed_settings_and_commands_from_the_cli(monkeypatch, tmp_path, db_url):
    run(monkeypatch, tmp_path, db_url, "territory", "create", "Nord")
    run(monkeypatch, tmp_path, db_url, "site", "create", "--territory", "Nord", "FS Lille")
    token = run(monkeypatch, tmp_path, db_url, "kiosk", "create", "--site", "1",
                "borne-1").stdout.strip().splitlines()[-1]
    assert run(monkeypatch, tmp_path, db_url, "kiosk", "settings", "borne-1", "--idle-timeout",
               "60", "--banner", "Fermé lundi").exit_code == 0
    bad = run(monkeypatch, tmp_path, db_url, "kiosk", "settings", "borne-1", "--idle-timeout", "1")
    assert bad.exit_code == 1 and "invalid settings" in bad.output
    assert run(monkeypatch, tmp_path, db_url, "kiosk", "command", "borne-1",
               "out_of_order").exit_code == 0
    engine = open_migrated(db_url)
    with TestClient(create_app(server_settings(tmp_path, db_url), engine)) as client:
        reply = client.post("/api/v1/heartbeat", json={"state": "idle", "app_version": "0.1.0"},
                            headers={"Authorization": f"Bearer {token}"}).json()
    assert reply["settings"]["idle_timeout_s"] == 60
    assert reply["settings"]["banner"] == "Fermé lundi"
    assert [c["kind"] for c in reply["commands"]] == ["out_of_order"]
    engine.dispose()


def test_browser_sites_pushed_from_the_cli_reach_the_heartbeat_reply(monkeypatch, tmp_path,
                                                                     db_url):
    from kiosk_wire.schema import HeartbeatReply, OfficialSite

    run(monkeypatch, tmp_path, db_url, "territory", "create", "Nord")
    run(monkeypatch, tmp_path, db_url, "site", "create", "--territory", "Nord", "FS Lille")
    token = run(monkeypatch, tmp_path, db_url, "kiosk", "create", "--site", "FS Lille",
                "borne-1").stdout.strip().splitlines()[-1]
    for bad in (("--local-sites", "mairie exemple"), ("--browser-sites", "caf,local"),
                ("--browser-sites", "facebook")):
        refused = run(monkeypatch, tmp_path, db_url, "kiosk", "settings", "borne-1", *bad)
        assert refused.exit_code == 1 and "invalid settings" in refused.output
    assert run(monkeypatch, tmp_path, db_url, "kiosk", "settings", "borne-1", "--browser-sites",
               "caf,ameli", "--local-sites", "mairie-exemple.fr").exit_code == 0
    assert run(monkeypatch, tmp_path, db_url, "kiosk", "settings", "borne-1",
               "--idle-timeout", "90").exit_code == 0  # another setting: the list stays
    engine = open_migrated(db_url)
    with TestClient(create_app(server_settings(tmp_path, db_url), engine)) as client:
        reply = client.post("/api/v1/heartbeat", json={"state": "idle", "app_version": "0.1.0"},
                            headers={"Authorization": f"Bearer {token}"}).json()
    engine.dispose()
    pushed = HeartbeatReply.model_validate(reply).settings
    assert pushed.browser_sites == [OfficialSite.CAF, OfficialSite.AMELI]
    assert pushed.browser_local_sites == ["mairie-exemple.fr"] and pushed.idle_timeout_s == 90


def test_listings_have_a_header_for_people_and_tsv_or_json_for_scripts(monkeypatch, tmp_path,
                                                                       db_url):
    import json

    run(monkeypatch, tmp_path, db_url, "territory", "create", "Nord")
    run(monkeypatch, tmp_path, db_url, "site", "create", "--territory", "Nord", "FS Lille")
    run(monkeypatch, tmp_path, db_url, "kiosk", "create", "--site", "FS Lille", "borne-1")
    table = run(monkeypatch, tmp_path, db_url, "kiosk", "list").output.splitlines()
    assert table[0].split() == ["borne", "nom", "site", "liaison", "état", "dernier", "signal"]
    assert set(table[1]) <= {"-", " "} and "borne-1" in table[2] and "hors ligne" in table[2]
    tree = run(monkeypatch, tmp_path, db_url, "territory", "list", "--format", "tsv").output
    header, first = tree.splitlines()[:2]
    assert header.split("\t")[:2] == ["territoire", "nom du territoire"]
    assert first.split("\t")[1:4] == ["Nord", "1", "FS Lille"]
    users = run(monkeypatch, tmp_path, db_url, "user", "list", "--format", "json").output
    assert json.loads(users) == []
    empty = run(monkeypatch, tmp_path, db_url, "user", "list").output
    assert "identifiant" in empty and "(aucune ligne)" in empty
