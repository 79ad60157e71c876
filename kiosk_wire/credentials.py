"""Secrets read from files rather than the settings file: systemd credentials
(``LoadCredential=`` puts them in ``$CREDENTIALS_DIRECTORY``, readable by the service alone) or
the root-only directory named by ``kiosk.credentials_dir``. kiosk_wire.config applies them above
the settings file and below ``KIOSK_*`` variables (docs/configuration.md)."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kiosk_wire.config import ConfigError

CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"
# Settings that may come from a credential file named after them (``server.secret_key``...):
# the unit passes them with LoadCredential= from a root-only file, so the settings file itself
# need not hold them (nor be readable by the service's dynamic user).
CREDENTIALS: tuple[str, ...] = ("server.secret_key", "server.database_url", "sync.token",
                                "server.catalogue_signing_key", "practice.card_key")
# A unit loading a whole directory (``LoadCredential=kiosk:/etc/kiosk-server/credentials``) gets
# each file as ``kiosk_<file name>``: both spellings are read.
CREDENTIAL_DIR_PREFIX = "kiosk_"


def read(env: Mapping[str, str], configured_dir: str) -> dict[str, tuple[str, Path]]:
    """The credential files present in ``$CREDENTIALS_DIRECTORY`` (systemd makes them readable
    by the service alone), else in ``kiosk.credentials_dir`` (whose files must be readable by
    their owner only): one value per file, its trailing newline dropped."""
    directory = env.get(CREDENTIALS_ENV)
    from_setting = not directory
    if from_setting:
        directory = configured_dir
    if not directory:
        return {}
    found: dict[str, tuple[str, Path]] = {}
    for name in CREDENTIALS:
        path = Path(directory) / name
        if not path.exists():
            path = Path(directory) / f"{CREDENTIAL_DIR_PREFIX}{name}"
        try:
            if from_setting and path.stat().st_mode & 0o077:
                raise ConfigError(f"{path}: other users may read this secret; "
                                  f"make it readable by its owner only (chmod 600).")
            raw = path.read_text(encoding="utf-8").rstrip("\r\n")
        except FileNotFoundError:
            continue
        except (PermissionError, UnicodeDecodeError) as err:
            raise ConfigError(
                f"{path}: credential cannot be read ({type(err).__name__}).") from None
        found[name] = (raw, path)
    return found
