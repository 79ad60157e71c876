"""`kiosk setup` writes a terminal's settings file: private, complete, keeping what was there."""
from __future__ import annotations

import stat
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli import main
from kiosk.sessions.mediator_pin import PinGate, PinResult
from kiosk_wire import config

ANSWERS = ["--server-url", "https://stats.example.fr/", "--token", "tok-123",
           "--name", "Borne accueil", "--pin", "482915", "--no-start"]


def run_setup(path: Path, *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["--config", str(path), "setup", *args], input=stdin)


def test_setup_writes_a_private_settings_file_the_kiosk_reads(tmp_path):
    path = tmp_path / "etc" / "kiosk.toml"
    result = run_setup(path, *ANSWERS)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    settings = config.load(path, environ={})
    assert settings.get("sync.server_url") == "https://stats.example.fr"
    assert settings.get("sync.token") == "tok-123"
    assert settings.get("kiosk.name") == "Borne accueil"
    assert settings.get("kiosk.data_dir") == "/var/lib/kiosk"
    assert PinGate(settings.get("mediator.pin_hash")).check("482915") is PinResult.ACCEPTED
    assert "482915" not in path.read_text()


def test_setup_keeps_the_other_settings_of_an_existing_file(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\ndata_dir = "/srv/kiosk"\n[devices]\nprinter_queue = "Accueil"\n')
    assert run_setup(path, *ANSWERS).exit_code == 0
    settings = config.load(path, environ={})
    assert settings.get("devices.printer_queue") == "Accueil"
    assert settings.get("kiosk.data_dir") == "/srv/kiosk"
    assert settings.get("sync.token") == "tok-123"


def test_setup_asks_the_questions_when_no_option_is_given(tmp_path):
    path = tmp_path / "kiosk.toml"
    result = run_setup(path, "--no-start",
                       stdin="https://stats.example.fr\ntok-9\nBorne 2\n135792\n135792\n")
    assert result.exit_code == 0, result.output
    settings = config.load(path, environ={})
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
