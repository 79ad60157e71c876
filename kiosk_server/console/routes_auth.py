"""Log in, log out, and the console's front door."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kiosk_server.console.auth import (
    LoginRequired,
    end_console_session,
    new_csrf,
    open_console_session,
    signed_in_user,
)
from kiosk_server.console.web import console, home_of, in_thread, page, posted_form, user_of
from kiosk_server.tenancy import verify_user

router = APIRouter()


def _safe_next(target: str | None) -> str | None:
    # Only a path inside the console: never an open redirect to another site.
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return None


@router.get("/console", include_in_schema=False)
@router.get("/console/", include_in_schema=False)
def front(request: Request) -> Response:
    try:
        user = user_of(request)
    except LoginRequired:
        return RedirectResponse("/console/login", status_code=303)
    return RedirectResponse(home_of(user), status_code=303)


@router.get("/console/login", include_in_schema=False)
def login_form(request: Request) -> Response:
    ctx = console(request)
    token, new = ctx.sessions.anonymous_csrf(request)
    response = page(request, "login.html", None, csrf=token, error="", username="",
                    next=_safe_next(request.query_params.get("next")))
    if new:
        ctx.sessions.write(request, response, {"csrf": token})
    return response


@router.post("/console/login", include_in_schema=False)
async def login(request: Request) -> Response:
    ctx = console(request)
    form = await posted_form(request)
    username = str(form.get("username") or "").strip()[:120]
    password = str(form.get("password") or "")[:1024]
    target = _safe_next(str(form.get("next") or ""))
    error = ""
    user = None
    client = request.client.host if request.client else "?"
    allowed, _wait = ctx.login_limiter.allow(f"login:{client}")
    if not allowed:
        return page(request, "login.html", None, status=429, next=target, username=username,
                    error="Trop de tentatives depuis cet appareil : patientez une minute.",
                    csrf=str(ctx.sessions.read(request).get("csrf")))
    if not username or not password:
        error = "Indiquez votre identifiant et votre mot de passe."
    elif await in_thread(ctx.lockout.address_locked, client):
        error = ("Trop d'essais infructueux depuis cet appareil : réessayez dans 15 minutes. "
                 "Un administrateur peut vous aider.")
    elif await in_thread(ctx.lockout.locked, username):
        error = ("Trop d'essais infructueux : ce compte est bloqué pendant 15 minutes. "
                 "Un administrateur peut vous aider.")
    else:
        def check() -> dict[str, Any] | None:
            with ctx.engine.begin() as conn:
                return verify_user(conn, username, password)
        user = await in_thread(check)
        if user is None:
            await in_thread(ctx.lockout.failed, username, client)
            error = "Identifiant ou mot de passe incorrect."
    if user is None:
        return page(request, "login.html", None, status=401, next=target, error=error,
                    username=username, csrf=str(ctx.sessions.read(request).get("csrf")))
    await in_thread(ctx.lockout.succeeded, username)
    signed_in = await in_thread(signed_in_user, ctx.engine, user)
    sid = await in_thread(open_console_session, ctx.engine, int(user["id"]))
    redirect = RedirectResponse(target or home_of(signed_in), status_code=303)
    # A fresh token at login: a token planted before login (session fixation) is worthless.
    ctx.sessions.write(request, redirect, {"uid": user["id"], "sid": sid, "csrf": new_csrf()})
    return redirect


@router.post("/console/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    user = user_of(request)
    await posted_form(request, user)
    ctx = console(request)
    await in_thread(end_console_session, ctx.engine, ctx.sessions.read(request))
    response = RedirectResponse("/console/login?msg=bye", status_code=303)
    ctx.sessions.clear(response)
    return response


@router.get("/", include_in_schema=False)
def server_root() -> Response:
    """A manager who types the server's address lands on the console (its login if needed)."""
    return RedirectResponse("/console/", status_code=303)
