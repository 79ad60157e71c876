"""Secrets from systemd credentials (``$CREDENTIALS_DIRECTORY``): defaults < file < credentials
< environment, so a settings file need hold no secret."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk_wire import config


def credentials(tmp_path: Path, **files: str) -> Path:
    directory = tmp_path / "credentials"
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_a_credential_file_overrides_the_settings_file_and_its_newline_is_dropped(tmp_path):
    settings_file = tmp_path / "server.toml"
    settings_file.write_text('[server]\nsecret_key = "from-file"\nport = 9000\n', encoding="utf-8")
    directory = credentials(tmp_path, **{"server.secret_key": "from-credential\n",
                                         "sync.token": "tok-123\n"})
    settings = config.load(settings_file, environ={"CREDENTIALS_DIRECTORY": str(directory)})
    assert settings.get("server.secret_key") == "from-credential"
    assert settings.values["server.secret_key"].source is config.Source.CREDENTIAL
    assert settings.values["server.secret_key"].origin == str(directory / "server.secret_key")
    assert settings.get("sync.token") == "tok-123"
    assert settings.get("server.port") == 9000  # not a credential: the file's value stays
    assert "from-credential" in settings.secrets()


def test_a_directory_loaded_credential_is_read_under_its_prefixed_name(tmp_path):
    directory = credentials(tmp_path, **{"kiosk_server.database_url": "postgresql+psycopg://u:pw@h/db"})
    settings = config.load(environ={"CREDENTIALS_DIRECTORY": str(directory)})
    assert settings.get("server.database_url") == "postgresql+psycopg://u:pw@h/db"
    assert "pw" in settings.secrets()


def test_the_environment_overrides_a_credential(tmp_path):
    directory = credentials(tmp_path, **{"server.secret_key": "from-credential"})
    settings = config.load(environ={"CREDENTIALS_DIRECTORY": str(directory),
                                    "KIOSK_SERVER_SECRET_KEY": "from-env"})
    assert settings.get("server.secret_key") == "from-env"
    assert settings.values["server.secret_key"].source is config.Source.ENV


def test_missing_credentials_leave_the_settings_as_they_were(tmp_path):
    directory = credentials(tmp_path)
    settings = config.load(environ={"CREDENTIALS_DIRECTORY": str(directory)})
    assert settings.get("server.secret_key") == ""
    assert settings.values["server.secret_key"].source is config.Source.DEFAULT


def test_only_declared_secrets_are_read_from_credentials(tmp_path):
    directory = credentials(tmp_path, **{"server.port": "1"})
    settings = config.load(environ={"CREDENTIALS_DIRECTORY": str(directory)})
    assert settings.get("server.port") == 8470


def test_an_unreadable_credential_is_a_config_error_naming_the_file(tmp_path):
    directory = credentials(tmp_path)
    (directory / "sync.token").write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(config.ConfigError, match=r"sync\.token"):
        config.load(environ={"CREDENTIALS_DIRECTORY": str(directory)})


def test_a_configured_credentials_dir_is_read_when_systemd_gives_none(tmp_path):
    directory = credentials(tmp_path, **{"sync.token": "tok-456\n"})
    (directory / "sync.token").chmod(0o600)
    settings_file = tmp_path / "kiosk.toml"
    settings_file.write_text(f'[kiosk]\ncredentials_dir = "{directory}"\n', encoding="utf-8")
    settings = config.load(settings_file, environ={})
    assert settings.get("sync.token") == "tok-456"
    assert settings.values["sync.token"].source is config.Source.CREDENTIAL


def test_a_secret_file_other_users_may_read_is_refused(tmp_path):
    directory = credentials(tmp_path, **{"sync.token": "tok-456\n"})
    (directory / "sync.token").chmod(0o644)
    with pytest.raises(config.ConfigError, match="chmod 600"):
        config.load(environ={"KIOSK_KIOSK_CREDENTIALS_DIR": str(directory)})
