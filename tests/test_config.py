"""Settings: declared once, read from TOML and KIOSK_* variables, errors name file and key."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kiosk_wire import config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_apply_without_file_or_environment():
    settings = config.load(environ={})
    assert settings.session.idle_timeout_s == 180
    assert settings.session.idle_warning_s == 30
    assert settings.values["session.idle_timeout_s"].source is config.Source.DEFAULT


def test_file_overrides_default_and_environment_overrides_file(tmp_path):
    path = write(tmp_path, "[session]\nidle_timeout_s = 120\nidle_warning_s = 20\n")
    settings = config.load(path, environ={"KIOSK_SESSION_IDLE_TIMEOUT_S": "90"})
    assert settings.session.idle_timeout_s == 90
    assert settings.values["session.idle_timeout_s"].source is config.Source.ENV
    assert settings.session.idle_warning_s == 20
    assert settings.values["session.idle_warning_s"].origin == str(path)


def test_config_file_can_come_from_kiosk_config_variable(tmp_path):
    path = write(tmp_path, '[kiosk]\nname = "borne-accueil"\n')
    settings = config.load(environ={"KIOSK_CONFIG": str(path)})
    assert settings.kiosk.name == "borne-accueil"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[session]\nidle_timeout_s = \"trois\"\n", "'session.idle_timeout_s' must be int"),
        ("[session]\nidle_timeout_s = 1\n", "must be at least 10"),
        ("[session]\nidle_timout_s = 100\n", "unknown key 'idle_timout_s' in [session]"),
        ("[sesion]\nidle_timeout_s = 100\n", "unknown section [sesion]"),
        ("[devices]\nprinter_backend = \"hp\"\n", "must be one of auto, cups, demo"),
        ("[session\nidle_timeout_s = 100\n", "not valid TOML"),
    ],
)
def test_bad_settings_file_names_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(config.ConfigError) as err:
        config.load(path, environ={})
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_bad_environment_value_names_the_variable():
    with pytest.raises(config.ConfigError, match="KIOSK_KIOSK_PRINT_ENABLED"):
        config.load(environ={"KIOSK_KIOSK_PRINT_ENABLED": "peut-être"})


def test_booleans_accept_the_usual_spellings():
    for raw, expected in [("yes", True), ("0", False), ("ON", True), ("false", False)]:
        settings = config.load(environ={"KIOSK_UI_FULLSCREEN": raw})
        assert settings.ui.fullscreen is expected


def test_overrides_are_checked_like_any_other_source():
    settings = config.defaults().with_overrides({"session.idle_timeout_s": 60})
    assert settings.session.idle_timeout_s == 60
    with pytest.raises(config.ConfigError):
        config.defaults().with_overrides({"session.idle_timeout_s": "soon"})
    with pytest.raises(config.ConfigError, match="unknown setting"):
        config.defaults().with_overrides({"session.nope": 1})


def test_every_setting_has_help_and_a_default_of_its_type():
    for s in config.SETTINGS:
        assert s.help.strip(), s.name
        assert isinstance(s.default, s.type), s.name
        assert "_" not in s.section, "section names must not contain '_' (env var parsing)"


def test_unknown_kiosk_variables_are_reported_as_likely_typos():
    assert config.unknown_env_vars({"KIOSK_SESION_IDLE": "1", "KIOSK_CONFIG": "x"}) == [
        "KIOSK_SESION_IDLE"]


def _kiosk(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True,
                          text=True, env=env, timeout=60, check=False)


def test_config_show_prints_value_and_source(tmp_path):
    path = write(tmp_path, "[session]\nidle_timeout_s = 120\n")
    result = _kiosk("--config", str(path), "config", "show")
    assert result.returncode == 0, result.stderr
    assert f"idle_timeout_s = 120    # file ({path})" in result.stdout
    assert "idle_warning_s = 30    # default" in result.stdout


def test_config_show_masks_secrets(tmp_path):
    path = write(tmp_path, '[sync]\ntoken = "s3cr3t-token"\n')
    result = _kiosk("--config", str(path), "config", "show")
    assert "s3cr3t-token" not in result.stdout
    assert 'token = "********"' in result.stdout


def test_bad_settings_file_exits_2_with_plain_message_and_no_traceback(tmp_path):
    path = write(tmp_path, "[session]\nidle_timeout_s = \"x\"\n")
    result = _kiosk("--config", str(path), "config", "show")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr and "idle_timeout_s" in result.stderr


def test_log_dir_setting_writes_a_log_file(tmp_path):
    path = write(tmp_path, f'[kiosk]\nlog_dir = "{tmp_path / "logs"}"\n'
                           f'data_dir = "{tmp_path / "d"}"\n')
    result = _kiosk("--config", str(path), "doctor")
    assert (tmp_path / "logs" / "kiosk.log").exists(), result.stderr
