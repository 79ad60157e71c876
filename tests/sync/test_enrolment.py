"""`kiosk setup --server URL --token T`: the one-time installation token made in the console is
traded with a real `kiosk-server run` for the kiosk's own token, kept in the credentials
directory the kiosk's unit loads; a used, expired or unknown token is refused in plain words and
nothing is written."""
from __future__ import annotations

import datetime as dt
import re
import stat

import httpx
import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.sync.link import ServerLink
from kiosk_server import enrolment, tenancy
from kiosk_server.procedures.bundles import public_key_hex
from kiosk_wire import config

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def installer(tmp_path):
    """Runs `kiosk setup` on a terminal whose files live under tmp_path."""
    etc = tmp_path / "etc-kiosk"

    def run(*args: str, stdin: str | None = None):
        return CliRunner().invoke(main, ["--config", str(etc / "kiosk.toml"), "setup",
                                         "--credentials-dir", str(etc / "credentials"),
                                         "--no-start", *args], input=stdin)
    run.etc = etc
    return run


def console_enrolment_token(server) -> str:
    """An admin makes the installation token on the kiosk's page of the running console."""
    with server.engine.begin() as conn:
        tenancy.create_user(conn, "admin", PASSWORD, "admin")
    with httpx.Client(base_url=server.url, timeout=10, follow_redirects=True) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/console/login").text)[1]
        client.post("/console/login", data={"username": "admin", "password": PASSWORD,
                                            "csrf": csrf})
        page = client.get(f"/console/admin/kiosks/{server.tenant.kiosk_id}").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
        shown = client.post(f"/console/admin/kiosks/{server.tenant.kiosk_id}/enrolment",
                            data={"csrf": csrf})
    assert shown.status_code == 200
    return re.search(r'<code class="token" id="token">([^<]+)</code>', shown.text)[1]


def test_setup_trades_the_consoles_token_for_the_kiosks_own_kept_as_a_credential(
        sqlite_server, installer, core):
    token = console_enrolment_token(sqlite_server)
    result = installer("--server", sqlite_server.url, "--token", token, "--pin", "482915")
    assert result.exit_code == 0, result.output
    assert "borne-1 (FS Lille)" in result.output  # the server named the kiosk

    creds = installer.etc / "credentials"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o700
    assert stat.S_IMODE((creds / "sync.token").stat().st_mode) == 0o600
    settings = config.load(installer.etc / "kiosk.toml",
                           environ={"CREDENTIALS_DIRECTORY": str(creds)})
    assert settings.get("kiosk.name") == "borne-1"
    assert "token" not in (installer.etc / "kiosk.toml").read_text()  # no secret there
    # The server's key for the site's published procedures came with the enrolment.
    assert settings.get("sync.catalogue_public_key") == public_key_hex(
        config.defaults().with_overrides({"kiosk.data_dir": str(sqlite_server.data_dir)}))
    # The kiosk's new token works; the one it had before is revoked.
    link = ServerLink.checked(settings.get("sync.server_url"), settings.get("sync.token"))
    assert HeartbeatClient(core, link).beat_once() is not None
    assert HeartbeatClient(core, sqlite_server.link()).beat_once() is None

    again = installer("--server", sqlite_server.url, "--token", token, "--pin", "482915")
    assert again.exit_code == 1
    assert "Installation refusée, rien n'est modifié" in again.output
    assert "déjà servi" in again.output and "Traceback" not in again.output
    assert (creds / "sync.token").read_text().strip() == settings.get("sync.token")


def test_an_expired_or_unknown_token_is_refused_in_plain_words(sqlite_server, installer):
    with sqlite_server.engine.begin() as conn:
        stale, _ = enrolment.create(conn, sqlite_server.tenant.kiosk_id,
                                    ttl=dt.timedelta(seconds=-1))
    result = installer("--server", sqlite_server.url, "--token", stale, "--pin", "482915")
    assert result.exit_code == 1 and "a expiré" in result.output
    result = installer("--server", sqlite_server.url, "--token", "abcd-0000-ffff-1234",
                       "--pin", "482915")
    assert result.exit_code == 1 and "n'existe pas" in result.output
    assert not installer.etc.exists()  # nothing written


def test_setup_asks_its_questions_and_offers_the_servers_name(sqlite_server, installer):
    with sqlite_server.engine.begin() as conn:
        token, _ = enrolment.create(conn, sqlite_server.tenant.kiosk_id)
    typed = token.upper().replace("-", " ")  # as read aloud or retyped: case and separators
    result = installer(stdin=f"{sqlite_server.url}\n{typed}\n135792\n135792\n\n")
    assert result.exit_code == 0, result.output
    settings = config.load(installer.etc / "kiosk.toml", environ={
        "CREDENTIALS_DIRECTORY": str(installer.etc / "credentials")})
    assert settings.get("kiosk.name") == "borne-1" and settings.get("sync.token")


def test_a_wrong_answer_is_refused_before_the_token_is_spent(sqlite_server, installer):
    with sqlite_server.engine.begin() as conn:
        token, _ = enrolment.create(conn, sqlite_server.tenant.kiosk_id)
    short = installer("--server", sqlite_server.url, "--token", token, "--pin", "1234")
    assert short.exit_code == 2 and "6 à 8 chiffres" in short.output
    assert not installer.etc.exists()
    assert installer("--server", sqlite_server.url, "--token", token,
                     "--pin", "482915").exit_code == 0  # the token still works


def test_an_unreachable_server_is_said_so_and_nothing_is_written(installer):
    result = installer("--server", "http://127.0.0.1:9", "--token", "abcd-0000-ffff-1234",
                       "--pin", "482915")
    assert result.exit_code == 1 and "Serveur injoignable" in result.output
    assert not installer.etc.exists()
