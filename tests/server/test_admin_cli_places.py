"""`kiosk-server admin user create --site A --site B`, `user places add|remove`, `user
enable|disable`
on both engines, checked in the database and through a console login."""
from __future__ import annotations

from click.testing import CliRunner

from kiosk_server import tenancy
from kiosk_server.cli import main
from server.helpers import open_migrated

PASSWORD = "un mot de passe long\n"


def run(monkeypatch, tmp_path, db_url, *args, input=None):
    monkeypatch.setenv("KIOSK_KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_SERVER_DATABASE_URL", db_url)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    return CliRunner().invoke(main, ["admin", *args], input=input)


def _tree(monkeypatch, tmp_path, db_url) -> None:
    for args in (("territory", "create", "Nord"), ("territory", "create", "Bretagne"),
                 ("site", "create", "--territory", "Nord", "FS Lille"),
                 ("site", "create", "--territory", "Nord", "FS Roubaix"),
                 ("site", "create", "--territory", "Bretagne", "FS Rennes")):
        assert run(monkeypatch, tmp_path, db_url, *args).exit_code == 0


def _places(db_url: str, username: str) -> list[str]:
    engine = open_migrated(db_url)
    try:
        with engine.connect() as conn:
            user = next(u for u in tenancy.list_users(conn) if u["username"] == username)
            return [p.code for p in user["places"]]
    finally:
        engine.dispose()


def test_a_mediator_gets_several_sites_and_places_are_given_and_taken(monkeypatch, tmp_path,
                                                                        db_url):
    _tree(monkeypatch, tmp_path, db_url)
    made = run(monkeypatch, tmp_path, db_url, "user", "create", "marie", "--role", "mediator",
               "--site", "FS Lille", "--site", "3", "--password-stdin", input=PASSWORD)
    assert made.exit_code == 0, made.output
    assert _places(db_url, "marie") == ["s:1", "s:3"]
    listing = run(monkeypatch, tmp_path, db_url, "user", "list", "--format", "tsv")
    assert "marie\tmediator\ts:1,s:3\tactive" in listing.output

    added = run(monkeypatch, tmp_path, db_url, "user", "places", "add", "marie", "--site",
                "FS Roubaix")
    assert added.exit_code == 0 and added.output.strip() == "marie: s:1,s:3,s:2"
    removed = run(monkeypatch, tmp_path, db_url, "user", "places", "remove", "marie", "--site",
                  "1")
    assert removed.exit_code == 0 and removed.output.strip() == "marie: s:3,s:2"
    assert _places(db_url, "marie") == ["s:3", "s:2"]

    for args, words in [
        (("add", "marie", "--territory", "Nord"), "never to a whole territory"),
        (("add", "marie", "--site", "FS Rennes"), "already has s:3"),
        (("add", "marie", "--site", "Nulle-part"), "unknown site: Nulle-part"),
        (("remove", "marie", "--site", "FS Lille"), "does not have s:1"),
        (("add", "inconnue", "--site", "FS Lille"), "unknown user: inconnue"),
    ]:
        refused = run(monkeypatch, tmp_path, db_url, "user", "places", *args)
        assert refused.exit_code == 1 and words in refused.output, args
        assert "Traceback" not in refused.output
    both = run(monkeypatch, tmp_path, db_url, "user", "places", "add", "marie", "--site", "1",
               "--territory", "1")
    assert both.exit_code == 2 and "exactly one of --territory or --site" in both.output
    run(monkeypatch, tmp_path, db_url, "user", "places", "remove", "marie", "--site", "3")
    last = run(monkeypatch, tmp_path, db_url, "user", "places", "remove", "marie", "--site", "2")
    assert last.exit_code == 1 and "last place" in last.output
    assert _places(db_url, "marie") == ["s:2"]


def test_a_manager_gets_territories_and_sites_and_an_admin_none(monkeypatch, tmp_path, db_url):
    _tree(monkeypatch, tmp_path, db_url)
    made = run(monkeypatch, tmp_path, db_url, "user", "create", "paul", "--role", "manager",
               "--territory", "Bretagne", "--site", "FS Lille", "--password-stdin",
               input=PASSWORD)
    assert made.exit_code == 0, made.output
    assert _places(db_url, "paul") == ["t:2", "s:1"]
    admin = run(monkeypatch, tmp_path, db_url, "user", "create", "alice", "--role", "admin",
                "--site", "FS Lille", "--password-stdin", input=PASSWORD)
    assert admin.exit_code == 0 and _places(db_url, "alice") == []
    assert "alice\tadmin\tnational\tactive" in run(monkeypatch, tmp_path, db_url, "user",
                                                   "list", "--format", "tsv").output
    refused = run(monkeypatch, tmp_path, db_url, "user", "places", "add", "alice", "--site", "1")
    assert refused.exit_code == 1 and "has no places" in refused.output
    no_place = run(monkeypatch, tmp_path, db_url, "user", "create", "zoe", "--role", "manager",
                   "--password-stdin", input=PASSWORD)
    assert no_place.exit_code == 1 and "territory or a site" in no_place.output


def test_disable_then_enable_lets_the_user_log_in_again(monkeypatch, tmp_path, db_url):
    _tree(monkeypatch, tmp_path, db_url)
    run(monkeypatch, tmp_path, db_url, "user", "create", "marie", "--role", "mediator", "--site",
        "1", "--password-stdin", input=PASSWORD)
    engine = open_migrated(db_url)
    try:
        def can_log_in() -> bool:
            with engine.begin() as conn:
                return tenancy.verify_user(conn, "marie", PASSWORD.strip()) is not None
        assert can_log_in()
        off = run(monkeypatch, tmp_path, db_url, "user", "disable", "marie")
        assert off.exit_code == 0 and not can_log_in()
        on = run(monkeypatch, tmp_path, db_url, "user", "enable", "marie")
        assert on.exit_code == 0 and on.output.strip() == "user marie enabled"
        assert can_log_in()
        assert run(monkeypatch, tmp_path, db_url, "user", "enable", "nobody").exit_code == 1
    finally:
        engine.dispose()
