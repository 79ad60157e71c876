"""`kiosk setup`: the few answers a freshly installed terminal needs.

Asks (or takes as options, for scripted installs) the central server's URL and the one-time
installation token made in the console (Parc et comptes, the kiosk's page), trades that token
with the server for this kiosk's own token (kiosk/enrol.py) and keeps it in the credentials
directory the kiosk's unit loads (/etc/kiosk/credentials/sync.token, root only, mode 0600); then
the kiosk's name (the server's by default) and the mediator PIN, written into the settings file
(default /etc/kiosk/kiosk.toml, as the Debian package installs it), keeping every other setting
already there. The settings file holds the PIN's argon2 hash only (kiosk/sessions/mediator_pin.py)
and no token: it is written mode 0640, group `kiosk` when that group exists. ``--kiosk-token``
takes a kiosk token as is (from `kiosk-server admin kiosk create`), without the exchange.
A refused installation token (unknown, already used, expired) is said in plain words and nothing
is written.
"""
from __future__ import annotations

import grp
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import click

from kiosk.enrol import CREDENTIALS_DIR, TOKEN_CREDENTIAL, write_credential
from kiosk_wire import config

DEFAULT_PATH = Path("/etc/kiosk/kiosk.toml")
SERVICE_GROUP = "kiosk"
DATA_DIR = "/var/lib/kiosk"
SETUP_PIN_MIN_DIGITS = 6  # the PIN format allows 4; a new installation asks for more
FILE_MODE = 0o640


def check_url(value: str) -> str:
    url = value.strip().rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise click.BadParameter("une adresse http:// ou https:// est attendue "
                                 "(ex. https://stats.example.fr)")
    return url


def check_pin(value: str) -> str:
    from kiosk.sessions.mediator_pin import PIN_MAX_DIGITS, PinFormatError, check_format

    try:
        pin = check_format(value.strip())
    except PinFormatError:
        pin = ""
    if len(pin) < SETUP_PIN_MIN_DIGITS:
        raise click.BadParameter(
            f"le code médiateur doit avoir {SETUP_PIN_MIN_DIGITS} à {PIN_MAX_DIGITS} chiffres")
    return pin


def check_text(value: str) -> str:
    text = value.strip()
    if not text:
        raise click.BadParameter("une valeur est attendue")
    return text


def toml_value(value: Any) -> str:
    """One TOML value; the settings only hold strings, integers and booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # JSON escapes are valid TOML escapes


def render(data: dict[str, dict[str, Any]]) -> str:
    lines = ["# Settings of this kiosk (docs/configuration.md lists every key).",
             "# Written by `kiosk setup`; other keys may be added by hand."]
    for section in config.SECTIONS:
        table = data.get(section)
        if not table:
            continue
        lines += ["", f"[{section}]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def read_existing(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    config.load(path, environ={})  # refuses a broken file before we rewrite it
    import tomllib

    with path.open("rb") as f:
        return tomllib.load(f)


def write_private(path: Path, text: str) -> None:
    """Atomically replace ``path``; never readable by others, not even for an instant."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, FILE_MODE)
        if os.geteuid() == 0:
            try:
                os.chown(tmp, 0, grp.getgrnam(SERVICE_GROUP).gr_gid)
            except KeyError:
                pass  # no service group (not installed from the package): root only
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def restart_service() -> None:
    """Start the terminal's unit when this is an installed, running system (root, systemd)."""
    if os.geteuid() != 0 or not Path("/run/systemd/system").exists() \
            or not shutil.which("systemctl"):
        return
    if subprocess.run(["systemctl", "cat", "kiosk.service"], capture_output=True,
                      check=False).returncode != 0:
        return
    subprocess.run(["systemctl", "restart", "kiosk.service"], check=False)
    click.echo("Service kiosk (re)démarré : journalctl -u kiosk -f pour suivre.")


@click.command("setup")
@click.option("--server", "--server-url", "server_url", default=None,
              help="Base URL of the central server.")
@click.option("--token", default=None,
              help="One-time installation token made in the console (the kiosk's page).")
@click.option("--kiosk-token", default=None,
              help="This kiosk's own token (kiosk-server admin kiosk create), kept as is.")
@click.option("--name", default=None, help="This kiosk's name, as mediators see it.")
@click.option("--pin", default=None, help="Mediator PIN (6 to 8 digits); asked hidden if absent.")
@click.option("--credentials-dir", type=click.Path(path_type=Path), default=CREDENTIALS_DIR,
              show_default=True, help="Where the kiosk's unit loads its secrets from.")
@click.option("--no-start", is_flag=True, help="Do not (re)start the kiosk service afterwards.")
@click.pass_context
def setup(ctx: click.Context, server_url: str | None, token: str | None,
          kiosk_token: str | None, name: str | None, pin: str | None, credentials_dir: Path,
          no_start: bool) -> None:
    """Enrol this terminal (server, installation token), then its name and mediator PIN."""
    from kiosk.enrol import EnrolmentError, exchange
    from kiosk.sessions.mediator_pin import hash_pin

    path = Path(ctx.obj.get("config_path") or DEFAULT_PATH)
    try:
        data = read_existing(path)
    except config.ConfigError as err:
        click.echo(f"Fichier de réglages illisible, rien n'est modifié : {err}", err=True)
        raise SystemExit(2) from err
    kiosk_table = data.setdefault("kiosk", {})
    sync_table = data.setdefault("sync", {})

    def ask(value: str | None, prompt: str, check: Any, default: str | None = None,
            hide: bool = False) -> str:
        if value is not None:  # given as an option: checked the same way, no question asked
            return str(check(value))
        return str(click.prompt(prompt, default=default or None, hide_input=hide,
                                confirmation_prompt=hide, value_proc=check))

    url = ask(server_url, "Adresse du serveur central", check_url, sync_table.get("server_url"))
    enrolment_token = None
    if kiosk_token is None:
        enrolment_token = ask(token, "Jeton d'installation (console : Parc et comptes, "
                                     "page de la borne)", check_text)
    # Every answer that can be wrong is checked before the one-time token is spent.
    code = ask(pin, "Code médiateur (6 à 8 chiffres)", check_pin, hide=True)
    if name is not None:
        name = check_text(name)
    if enrolment_token is None:
        own_token, server_name = check_text(str(kiosk_token)), None
    else:
        try:
            enrolled = exchange(url, enrolment_token, str(sync_table.get("ca_file") or ""))
        except EnrolmentError as err:
            click.echo(f"Installation refusée, rien n'est modifié : {err}", err=True)
            raise SystemExit(1) from None
        own_token, server_name = enrolled.token, enrolled.kiosk_name
        # The key that proves the site's published procedures come from this server.
        sync_table["catalogue_public_key"] = enrolled.catalogue_public_key
        click.echo(f"Borne reconnue par le serveur : {enrolled.kiosk_name} "
                   f"({enrolled.site_name}).")
    try:  # kept at once: the installation token that gave it cannot be used again
        written = write_credential(credentials_dir, TOKEN_CREDENTIAL, own_token)
    except OSError as err:
        click.echo(f"Impossible d'écrire {err.filename or credentials_dir} : {err.strerror} "
                   "(lancer en root ?)", err=True)
        raise SystemExit(1) from err
    if name is None and token is not None and server_name:
        name = server_name  # a scripted install: the name the console gave the kiosk
    kiosk_name = ask(name, "Nom de cette borne (vu des médiateurs)", check_text,
                     server_name or kiosk_table.get("name"))

    kiosk_table["name"] = kiosk_name
    kiosk_table.setdefault("data_dir", DATA_DIR)
    sync_table["server_url"] = url
    sync_table.pop("token", None)  # an older setup's: the credential file replaces it
    data.setdefault("mediator", {})["pin_hash"] = hash_pin(code)
    try:
        write_private(path, render(data))
    except OSError as err:
        click.echo(f"Impossible d'écrire {err.filename or path} : {err.strerror} "
                   "(lancer en root ?)", err=True)
        raise SystemExit(1) from err
    click.echo(f"Jeton de la borne rangé dans {written} ; réglages écrits dans {path}.")
    if not no_start:
        restart_service()
