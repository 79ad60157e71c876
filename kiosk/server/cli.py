"""`kiosk server`: run the central statistics server (uvicorn), after migrating its database."""
from __future__ import annotations

import logging

import click

from kiosk.cli import load_settings

log = logging.getLogger(__name__)


@click.command("server")
@click.option("--host", default=None, help="Listen address (default: server.host).")
@click.option("--port", type=int, default=None, help="Listen port (default: server.port; 0 picks "
              "a free port, printed on the first line).")
@click.option("--migrate-only", is_flag=True, help="Migrate the database and exit.")
@click.pass_context
def server(ctx: click.Context, host: str | None, port: int | None, migrate_only: bool) -> None:
    """Run the central server: API for kiosks and the web console (/console)."""
    import socket

    import uvicorn

    from kiosk.server import db
    from kiosk.server.app import create_app

    settings = load_settings(ctx)
    try:
        engine = db.open_engine(db.database_url(settings))
        db.migrate(engine)
    except db.DatabaseError as err:
        raise click.ClickException(str(err)) from None
    if migrate_only:
        click.echo(f"database at revision {db.current_revision(engine)}")
        return
    app = create_app(settings, engine, run_migrations=False)
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
    config = uvicorn.Config(app, log_level="info", access_log=False, proxy_headers=True,
                            server_header=False, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])
