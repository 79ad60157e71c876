"""`kiosk setup` writes a terminal's settings file (private, complete, keeping what was there)
and its token as a credential file. With a kiosk token given as is (`--kiosk-token`); the
enrolment exchange with a real server is tested in tests/sync/test_enrolment.py."""
from __future__ import annotations

import stat
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli import main
from kiosk.sessions.mediator_pin import PinGate, PinResult
from kiosk_wire import config

ANSWERS = ["--server-url", "https://stats.example.fr/", "--kiosk-token", "tok-123",
           "--name", "Borne accueil", "--pin", "482915", "--no-start"]


def run_setup(path: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["--config", str(path), "setup", "--credentials-dir",
                                     str(path.parent / "credentials"), *args], input=stdin)


def load(path: Path) -> config.Settings:
    """The settings as the kiosk's unit sees them (its credentials loaded by systemd)."""
    return config.load(path, environ={"CREDENTIALS_DIRECTORY": str(path.parent / "credentials")})


def test_setup_writes_a_private_settings_file_the_kiosk_reads(tmp_path):
    path = tmp_path / "etc" / "kiosk.toml"
    result = run_setup(path, *ANSWERS)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    settings = load(path)
    assert settings.get("sync.server_url") == "https://stats.example.fr"
    assert settings.get("sync.token") == "tok-123"
    assert "tok-123" not in path.read_text()  # in the root-only credential file instead
    assert stat.S_IMODE((path.parent / "credentials" / "sync.token").stat().st_mode) == 0o600
    assert settings.get("kiosk.name") == "Borne accueil"
    assert settings.get("kiosk.data_dir") == "/var/lib/kiosk"
    assert PinGate(settings.get("mediator.pin_hash")).check("482915") is PinResult.ACCEPTED
    assert "482915" not in path.read_text()


def test_setup_keeps_the_other_settings_of_an_existing_file(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\ndata_dir = "/srv/kiosk"\n[devices]\nprinter_queue = "Accueil"\n'
                    '[sync]\ntoken = "old-token-in-the-file"\n')
    assert run_setup(path, *ANSWERS).exit_code == 0
    assert "old-token-in-the-file" not in path.read_text()
    settings = load(path)
    assert settings.get("devices.printer_queue") == "Accueil"
    assert settings.get("kiosk.data_dir") == "/srv/kiosk"
    assert settings.get("sync.token") == "tok-123"


def test_setup_asks_the_questions_when_no_option_is_given_but_the_kiosk_token(tmp_path):
    path = tmp_path / "kiosk.toml"
    result = run_setup(path, "--no-start", "--kiosk-token", "tok-9",
                       stdin="https://stats.example.fr\n135792\n135792\nBorne 2\n")
    assert result.exit_code == 0, result.output
    settings = load(path)
    assert (settings.get("sync.token"), settings.get("kiosk.name")) == ("tok-9", "Borne 2")
    assert PinGate(settings.get("mediator.pin_hash")).check("135792") is PinResult.ACCEPTED


def test_setup_refuses_a_short_pin_or_a_bad_url_and_changes_nothing(tmp_path):
    path = tmp_path / "kiosk.toml"
    before = '[kiosk]\nname = "ancienne"\n'
    path.write_text(before)
    short_pin = [*ANSWERS[:-2], "1234", "--no-start"]
    result = run_setup(path, *short_pin)
    assert result.exit_code == 2 and "6 à 8 chiffres" in result.output
    bad_url = ["--server-url", "stats.example.fr", *ANSWERS[2:]]
    result = run_setup(path, *bad_url)
    assert result.exit_code == 2 and "http" in result.output
    assert path.read_text() == before


def test_setup_refuses_to_rewrite_a_broken_settings_file(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text("[kiosk\n")
    result = run_setup(path, *ANSWERS)
    assert result.exit_code == 2 and "rien n'est modifié" in result.output
    assert path.read_text() == "[kiosk\n"
