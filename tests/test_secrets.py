"""No secret is ever printed or logged: every command of both programs is run with recognisable
secrets in its settings, and a journey (a real server on the real PostgreSQL with a password in
its URL, a kiosk syncing and heartbeating with its token, a refused token) is logged to files;
none of the secrets appears anywhere."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest

from kiosk.cli import main as kiosk_main
from kiosk_server.cli import main as server_main
from kiosk_wire.secrets import MASK, mask_url

ROOT = Path(__file__).parents[1]
DB_PASSWORD = "Pw-9f3Kq7xZ"
SECRET_KEY = "sk-1f2e3d4c5b6a7988"
TOKEN = "tok-8c7b6a5d4e3f2a1b"
PIN_HASH = ("kiosk-pin-6:$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$"
            "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA")
PROXY_PASSWORD = "Px-77aa66bb"
SECRETS = (DB_PASSWORD, SECRET_KEY, TOKEN, PIN_HASH, PIN_HASH.split("$")[-1], PROXY_PASSWORD)


def secret_env(tmp_path: Path, database_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update({
        "KIOSK_KIOSK_DATA_DIR": str(tmp_path / "data"),
        "KIOSK_KIOSK_LOG_DIR": str(tmp_path / "logs"),
        "KIOSK_SERVER_DATABASE_URL": database_url or
        f"postgresql+psycopg://kiosk:{DB_PASSWORD}@127.0.0.1:1/stats",
        "KIOSK_SERVER_SECRET_KEY": SECRET_KEY,
        "KIOSK_SYNC_TOKEN": TOKEN,
        "KIOSK_SYNC_SERVER_URL": "http://127.0.0.1:1",
        "KIOSK_MEDIATOR_PIN_HASH": PIN_HASH,
        "HTTPS_PROXY": f"http://agent:{PROXY_PASSWORD}@127.0.0.1:3",
        "KIOSK_DEVICES_PRINTER_BACKEND": "demo", "KIOSK_DEVICES_SCANNER_BACKEND": "demo",
        "KIOSK_DEVICES_READER_BACKEND": "demo", "KIOSK_DEVICES_HOTPLUG_BACKEND": "demo",
    })
    return env


def assert_no_secret(text: str, where: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert leaked == [], f"{where} shows {leaked}"


def leaves(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        found.append((*path, name))
        if isinstance(command, click.Group):
            found.extend(leaves(command, (*path, name)))
    return found


# Read-only commands that print what they know, run for real; every command's help is run too.
RUNS = {
    "kiosk": [("config", "show"), ("config", "show", "--all"), ("doctor",),
              ("doctor", "--json"), ("procedures", "list"), ("admin", "badge", "list")],
    "kiosk_server": [("config", "show"), ("config", "show", "--all"),
                     ("admin", "territory", "list"), ("admin", "kiosk", "list"),
                     ("admin", "user", "list"), ("run", "--migrate-only")],
}


@pytest.mark.slow
def test_no_command_of_either_program_prints_a_secret(tmp_path):
    env = secret_env(tmp_path)
    commands = {"kiosk": [(*c, "--help") for c in leaves(kiosk_main)] + RUNS["kiosk"],
                "kiosk_server": [(*c, "--help") for c in leaves(server_main)]
                + RUNS["kiosk_server"]}
    for program, argvs in commands.items():
        module = "kiosk.cli" if program == "kiosk" else "kiosk_server.cli"
        for argv in argvs:
            done = subprocess.run([sys.executable, "-m", module, *argv], env=env, cwd=ROOT,
                                  capture_output=True, text=True, timeout=120, check=False)
            assert_no_secret(done.stdout + done.stderr, f"{program} {' '.join(argv)}")
            assert "Traceback" not in done.stderr, (argv, done.stderr[-1500:])
    for log in (tmp_path / "logs").glob("*.log"):
        assert_no_secret(log.read_text(), str(log))


def test_config_show_is_valid_toml_with_secrets_masked(tmp_path):
    env = secret_env(tmp_path)
    for module in ("kiosk.cli", "kiosk_server.cli"):
        done = subprocess.run([sys.executable, "-m", module, "config", "show", "--all"], env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
        shown = tomllib.loads(done.stdout)
        if module == "kiosk.cli":
            assert shown["sync"]["token"] == MASK and shown["mediator"]["pin_hash"] == MASK
            assert shown["ui"]["fullscreen"] is True
            assert "server" not in shown  # the terminal shows what it reads
        else:
            assert shown["server"]["secret_key"] == MASK
            assert shown["server"]["database_url"] == (
                f"postgresql+psycopg://kiosk:{MASK}@127.0.0.1:1/stats")


def test_url_passwords_are_masked_wherever_they_appear():
    assert mask_url("connect postgresql://u:p4ss@db:5432/x failed; http://a:b@c/") == \
        f"connect postgresql://u:{MASK}@db:5432/x failed; http://a:{MASK}@c/"
    assert mask_url("https://stats.example.org/api") == "https://stats.example.org/api"


@pytest.mark.postgres
@pytest.mark.slow
def test_a_journey_logs_no_secret(tmp_path, pg_cluster, pg_url):
    """The server on PostgreSQL with a password in its URL (trust auth ignores it), a kiosk
    syncing and heartbeating with its token, then a refused token: every log line checked."""
    from kiosk.sessions import open_core
    from kiosk.sessions.clock import ManualClock
    from kiosk.sync import connect
    from kiosk_server import db, tenancy
    from kiosk_server.demo import spawn_server
    from kiosk_wire import config
    from kiosk_wire.logs import configure_logging
    from kiosk_wire.schema import EndReason

    url = pg_url.replace("postgresql+psycopg://postgres@", f"postgresql+psycopg://postgres:"
                         f"{DB_PASSWORD}@")
    engine = db.open_engine(url)
    db.migrate(engine)
    with engine.begin() as conn:
        site = tenancy.create_site(conn, tenancy.create_territory(conn, "T"), "S")
        _kid, token = tenancy.create_kiosk(conn, site, "borne")
    engine.dispose()
    env = secret_env(tmp_path, url)
    server = spawn_server(tmp_path / "server", database_url=url,
                          env={k: v for k, v in env.items() if k.startswith("KIOSK_")
                               and k not in ("KIOSK_KIOSK_DATA_DIR",)})
    kiosk_log = tmp_path / "kiosk-journey.log"
    handler = logging.FileHandler(kiosk_log)
    logging.getLogger().addHandler(handler)
    try:
        settings = config.load(environ={**env, "KIOSK_SYNC_SERVER_URL": server.url,
                                        "KIOSK_SYNC_TOKEN": token,
                                        "KIOSK_KIOSK_LOG_DIR": str(tmp_path / "kiosk-logs")})
        configure_logging(settings)
        logging.getLogger("kiosk").setLevel(logging.DEBUG)
        core = open_core(settings, clock=ManualClock())
        connection = connect(settings, core)
        core.start()
        core.end(EndReason.FINISHED, offer_survey=False)
        assert connection.sync is not None and connection.heartbeat is not None
        connection.sync.sync_once()
        with connection.heartbeat.link.client() as client:
            connection.heartbeat.beat_once(client)
        refused = connect(settings.with_overrides({"sync.token": TOKEN}), core)
        assert refused.sync is not None
        refused.sync.sync_once()  # 401, logged
        logging.getLogger("kiosk.test").error("while connecting to %s", url)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
        server.stop()
    texts = {"kiosk log": kiosk_log.read_text(), "server output": "\n".join(server.output)}
    for log in [*(tmp_path / "logs").glob("*.log"), *(tmp_path / "kiosk-logs").glob("*.log")]:
        texts[str(log)] = log.read_text()
    assert "while connecting to" in texts["kiosk log"]  # the journey did log
    for where, text in texts.items():
        assert_no_secret(text, where)
