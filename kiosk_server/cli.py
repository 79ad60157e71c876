"""The `kiosk-server` console script: the central statistics server and its administration.

`kiosk-server run` serves the kiosks' API and the web console (uvicorn), after migrating the
database; `kiosk-server admin ...` manages territories, sites, kiosks, tokens and console users.
Sub-commands are imported on first use. Every command is documented in docs/cli.md.
"""
from __future__ import annotations

import logging
import sys
from typing import Any

import click

from kiosk_wire import __version__, cli_common, config

log = logging.getLogger(__name__)

# `kiosk-server admin <name>`
ADMIN_COMMANDS: dict[str, str] = {
    "territory": "kiosk_server.admin_cli:territory",
    "site": "kiosk_server.admin_cli:site",
    "kiosk": "kiosk_server.admin_cli:kiosk",
    "token": "kiosk_server.admin_cli:token",
    "user": "kiosk_server.admin_cli:user",
    "rebuild-aggregates": "kiosk_server.admin_cli:rebuild_aggregates",
    "catalogue-key": "kiosk_server.admin_cli:catalogue_key",
}


def load_settings(ctx: click.Context) -> config.Settings:
    """The effective settings for this invocation; a bad file is a plain message, exit 2."""
    return cli_common.load_settings(ctx, program="kiosk-server")


main = cli_common.program_group(
    "kiosk-server", __version__,
    "kiosk-server: the central statistics server of a fleet of kiosks.",
    config.SERVER_SECTIONS, {}, ADMIN_COMMANDS,
    "Administer territories, sites, kiosks, tokens and console users.")


@main.command("run")
@click.option("--host", default=None, help="Listen address (default: server.host).")
@click.option("--port", type=int, default=None, help="Listen port (default: server.port; 0 picks "
              "a free port, printed on the first line).")
@click.option("--migrate-only", is_flag=True, help="Migrate the database and exit.")
@click.pass_context
def run(ctx: click.Context, host: str | None, port: int | None, migrate_only: bool) -> None:
    """Run the central server: API for kiosks and the web console (/console)."""
    import socket

    import uvicorn

    from kiosk_server import db
    from kiosk_server.app import create_app

    settings = load_settings(ctx)
    try:
        engine = db.open_engine(db.database_url(settings))
        db.migrate(engine)
    except db.DatabaseError as err:
        raise click.ClickException(str(err)) from None
    if migrate_only:
        click.echo(f"database at revision {db.current_revision(engine)}")
        return
    host = host or settings.get("server.host")
    port = settings.get("server.port") if port is None else port
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without, a kept-alive connection waits ~40 ms per
    # request on delayed ACKs (Nagle), which halves ingest throughput.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        raise click.ClickException(f"cannot listen on {host}:{port}: {err.strerror}") from None
    bound_port = sock.getsockname()[1]
    # Scripts and tests that asked for port 0 read the real one from this line.
    click.echo(f"kiosk server listening on http://{host}:{bound_port}", err=True)
    # The console's live views are endless event streams: on stop, give requests 5 s to
    # finish, then close the streams (browsers reconnect to the next server by themselves).
    # log_config=None: uvicorn's lines go through the root logger's handlers, which mask the
    # settings' secrets (kiosk_wire.secrets), instead of handlers of its own.
    options: dict[str, Any] = {
        "log_level": "info", "access_log": False, "proxy_headers": True,
        "forwarded_allow_ips": settings.get("server.forwarded_allow_ips"),
        "server_header": False, "timeout_graceful_shutdown": 5, "log_config": None}
    workers: int = settings.get("server.workers")
    if workers == 1:
        app = create_app(settings, engine, run_migrations=False)
        uvicorn.Server(uvicorn.Config(app, **options)).run(sockets=[sock])
        return
    _run_workers(settings, sock, workers, options)


def _run_workers(settings: config.Settings, sock: Any, workers: int,
                 options: dict[str, Any]) -> None:
    """Serve ``sock`` from ``workers`` processes, each building its app from the same settings
    (the file is passed on as KIOSK_CONFIG; credentials and KIOSK_* variables are inherited)."""
    import os

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if settings.file is not None:
        os.environ[config.CONFIG_ENV] = str(settings.file)
    uvicorn_config = uvicorn.Config("kiosk_server.app:app_from_environment", factory=True,
                                    workers=workers, **options)
    Multiprocess(uvicorn_config, sockets=[sock]).run()


def run_main(argv: list[str] | None = None) -> Any:
    return main.main(args=argv, prog_name="kiosk-server", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_main())
