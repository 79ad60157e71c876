"""What every console route shares: the console's context, the signed-in user, CSRF-checked
forms, French pages for refusals, and the Jinja2 templates."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from kiosk_server.console import charts, labels
from kiosk_server.console.auth import (
    ConsoleDenied,
    ConsoleUser,
    CsrfRefused,
    Lockout,
    LoginRequired,
    Sessions,
    check_csrf,
    load_user,
)
from kiosk_server.procedures import titles
from kiosk_server.queries import Masked
from kiosk_server.ratelimit import RateLimiter
from kiosk_server.tenancy import Role
from kiosk_wire.config import Settings

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
TEMPLATES.env.globals.update(labels=labels, chart=charts.render, heat_level=charts.heat_level,
                             Role=Role)
TEMPLATES.env.tests["numeric"] = lambda v: (
    isinstance(v, (int, float, Masked)) or (isinstance(v, str) and v.endswith(" %")))
TEMPLATES.env.filters["fr_number"] = lambda v: (f"{v:,}".replace(",", "\u202f")
                                                if isinstance(v, int) else str(v))

MESSAGES = {
    "ack": "C'est noté : la borne affiche « Un médiateur arrive ».",
    "closed": "Demande d'aide close.",
    "command": "Commande envoyée : la borne l'applique à son prochain signal (30 s au plus).",
    "saved": "Enregistré.",
    "sites_saved": ("Enregistré : les bornes appliquent cette liste à partir de leur prochaine "
                    "session (jamais pendant celle d'un usager)."),
    "revoked": "Jetons révoqués : la borne ne peut plus se connecter.",
    "user": "Utilisateur créé. Vous pouvez lui donner d'autres lieux ci-dessous.",
    "place_added": "Lieu ajouté : il s'applique dès la page suivante de la personne.",
    "place_removed": "Lieu retiré : la personne n'y a plus accès dès sa page suivante.",
    "disabled": "Compte désactivé.",
    "bye": "Vous êtes déconnecté.",
}


@dataclass
class Console:
    engine: Engine
    settings: Settings
    sessions: Sessions
    lockout: Lockout
    # Password spraying over many user names from one address: 20 tries a minute, burst 10.
    login_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(20, burst=10))

    @property
    def threshold(self) -> int:
        return int(self.settings.get("server.small_count_threshold"))

    @property
    def heartbeat_s(self) -> int:
        return int(self.settings.get("sync.heartbeat_s"))


def console(request: Request) -> Console:
    return request.app.state.console  # type: ignore[no-any-return]


def user_of(request: Request) -> ConsoleUser:
    ctx = console(request)
    user = load_user(ctx.engine, ctx.sessions.read(request))
    titles.refresh(ctx.engine)  # the pages name procedures written in the console by title
    return user


async def posted_form(request: Request, user: ConsoleUser | None = None) -> FormData:
    """The POSTed form, once its CSRF token matches the session's (else CsrfRefused)."""
    form = await request.form()
    given = form.get("csrf") or request.headers.get("x-csrf-token")
    expected = user.csrf if user is not None else console(request).sessions.read(request).get(
        "csrf")
    check_csrf(expected, given if isinstance(given, str) else None)
    return form


async def in_thread(fn: Any, *args: Any) -> Any:
    return await run_in_threadpool(fn, *args)


def page(request: Request, template: str, user: ConsoleUser | None, status: int = 200,
         **context: Any) -> HTMLResponse:
    msg = request.query_params.get("msg")
    context.setdefault("flash", MESSAGES.get(msg or "", ""))
    response = TEMPLATES.TemplateResponse(request, template, {"user": user, **context},
                                          status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def done(request: Request, back: str, msg: str, **payload: Any) -> Response:
    """Answer a POST: JSON for the page's own fetch(), else a redirect (works without JS)."""
    if request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse({"ok": True, "message": MESSAGES.get(msg, msg), **payload})
    sep = "&" if "?" in back else "?"
    return RedirectResponse(f"{back}{sep}{urlencode({'msg': msg})}", status_code=303)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(body: bytes | str, name: str, media_type: str) -> Response:
    """A file to save as ``name`` (an export, a report); like every console page, never kept
    by a cache."""
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def home_of(user: ConsoleUser) -> str:
    """A mediator lands on the live view (their one site, or all their sites together); the
    others on the dashboards."""
    if user.role is Role.MEDIATOR:
        sites = sorted(user.site_ids)
        return f"/console/live/{sites[0]}" if len(sites) == 1 else "/console/live"
    return "/console/stats/synthese"


def install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _err: LoginRequired) -> Response:
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/console/login?{urlencode({'next': target})}",
                                    status_code=303)
        return JSONResponse({"error": "unauthorized",
                             "message": "Session expirée : reconnectez-vous."}, status_code=401)

    @app.exception_handler(ConsoleDenied)
    async def _denied(request: Request, err: ConsoleDenied) -> Response:
        try:
            user: ConsoleUser | None = user_of(request)
        except LoginRequired:
            user = None
        if request.headers.get("accept", "").startswith("application/json"):
            return JSONResponse({"error": "forbidden", "message": err.message}, status_code=403)
        return page(request, "denied.html", user, status=403, message=err.message)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, _err: CsrfRefused) -> Response:
        message = ("Formulaire refusé : il a expiré ou ne vient pas de la console. "
                   "Rechargez la page et recommencez.")
        if request.headers.get("accept", "").startswith("application/json"):
            return JSONResponse({"error": "csrf", "message": message}, status_code=403)
        return page(request, "denied.html", None, status=403, message=message)


def install_crash_page(app: Any) -> None:
    """Console pages that fail (database down...) get a French page, and so does a console
    address that does not exist (a browser showed the API's JSON); the API keeps its JSON."""
    api_handler = app.exception_handlers.get(Exception)
    api_http_handler = app.exception_handlers.get(StarletteHTTPException)

    async def _crash(request: Request, err: Exception) -> Response:
        if not request.url.path.startswith("/console") or api_handler is None:
            if api_handler is None:
                raise err
            response: Response = await api_handler(request, err)
            return response
        log.exception("console page failed")
        if request.headers.get("accept", "").startswith("application/json"):
            return JSONResponse({"error": "unavailable", "message": UNAVAILABLE}, status_code=503)
        return unavailable_page(request)

    async def _http(request: Request, err: StarletteHTTPException) -> Response:
        if (err.status_code == 404 and request.url.path.startswith("/console")
                and "text/html" in request.headers.get("accept", "")):
            return not_found_page(request)
        if api_http_handler is None:
            raise err
        response: Response = await api_http_handler(request, err)
        return response

    app.exception_handlers[Exception] = _crash
    app.exception_handlers[StarletteHTTPException] = _http


UNAVAILABLE = ("La console ne peut pas afficher cette page pour l'instant (base de données "
               "indisponible ou erreur interne). Réessayez dans un moment ; si cela dure, "
               "prévenez l'administrateur.")


def unavailable_page(request: Request) -> Response:
    """The page of a console request that failed (503: the browser may try again)."""
    response = TEMPLATES.TemplateResponse(
        request, "denied.html", {"user": None, "message": UNAVAILABLE, "flash": "",
                                 "title": "Service indisponible"}, status_code=503)
    response.headers["Retry-After"] = "30"
    return response


def not_found_page(request: Request) -> Response:
    return TEMPLATES.TemplateResponse(
        request, "denied.html", {"user": None, "flash": "", "title": "Page introuvable",
                                 "message": "Cette adresse ne correspond à aucune page de la "
                                            "console : le lien est peut-être ancien ou mal "
                                            "recopié."}, status_code=404)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
