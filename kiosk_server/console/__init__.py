"""The web console of the kiosk server, under ``/console`` (see docs/console.md).

- mediators: the live view of their site's kiosks, help requests ("J'arrive") and commands;
- managers: dashboards of their territory or site, CSV/XLSX exports, a printable summary,
  the monthly PDF reports of their sites;
- everyone: the practice procedures written by mediators, their versions, review and
  publication to the kiosks (managers and admins approve and publish where they have the right);
- admins: all of that nationally, plus fleet settings (sites, kiosks, tokens, users, settings
  pushed to kiosks).

Server-rendered HTML (Jinja2), charts as SVG drawn by the server (pygal), a small script for
live updates (server-sent events), confirmations and the audible alert. Nothing is loaded from
outside the server: the console works on a network without internet.
"""
from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk_wire.config import Settings


def mount(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """Add the console's routes, static files and error pages to the server app."""
    from kiosk_server import disclosure
    from kiosk_server.console import (
        routes_admin,
        routes_admin_sites,
        routes_auth,
        routes_browser_sites,
        routes_live,
        routes_parcours,
        routes_procedure_editor,
        routes_procedures,
        routes_reports,
        routes_stats,
        routes_versions,
    )
    from kiosk_server.console.auth import Lockout, Sessions, console_secret
    from kiosk_server.console.web import HERE, Console, install_crash_page, install_error_pages

    disclosure.set_secret(console_secret(settings))
    app.state.console = Console(engine=engine, settings=settings,
                                sessions=Sessions(console_secret(settings)),
                                lockout=Lockout(engine))
    for module in (routes_auth, routes_live, routes_stats, routes_reports, routes_admin,
                   routes_admin_sites, routes_procedure_editor, routes_procedures,
                   routes_browser_sites, routes_versions, routes_parcours):
        app.include_router(module.router)
    app.mount("/console/static", StaticFiles(directory=str(HERE / "static")),
              name="console-static")
    install_error_pages(app)
    install_crash_page(app)

    app.add_middleware(SecurityHeaders)


_HEADERS = [
    # Everything comes from this server; pygal's inline SVG styles need inline styles.
    (b"content-security-policy",
     (b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
      b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """Pure ASGI (unlike BaseHTTPMiddleware it leaves the event stream alone)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/console"):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + _HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
