"""The kiosk software version of a site or a whole territory, for admins and the managers of
those places (kiosk_server.version_pins). One page lists the places the user manages, each with
its pinned version (empty: the newest of the site's repository); the live view shows the kiosks
not yet on it. CSRF is checked as on every console form."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kiosk_server import tables as t
from kiosk_server import version_pins
from kiosk_server.console import access
from kiosk_server.console.auth import ConsoleDenied, ConsoleUser
from kiosk_server.console.web import Console, console, done, in_thread, page, posted_form, user_of
from kiosk_server.tenancy import Role
from kiosk_server.version_pins import PinPlace

router = APIRouter()


def _manager(request: Request) -> tuple[ConsoleUser, Console]:
    user = user_of(request)
    if user.role not in (Role.ADMIN, Role.MANAGER):
        raise ConsoleDenied("Accès refusé : réservé aux responsables et administrateurs.")
    return user, console(request)


def _places(ctx: Console, user: ConsoleUser) -> list[dict[str, Any]]:
    """The territories and sites the user manages, with their pins."""
    q = (sa.select(t.territories.c.id.label("territory_id"),
                   t.territories.c.name.label("territory"),
                   t.territories.c.pinned_version.label("territory_pin"),
                   t.sites.c.id.label("site_id"), t.sites.c.name.label("site"),
                   t.sites.c.pinned_version.label("site_pin"))
         .select_from(t.territories.outerjoin(t.sites))
         .order_by(t.territories.c.name, t.sites.c.name))
    out: dict[int, dict[str, Any]] = {}
    with ctx.engine.connect() as conn:
        for r in conn.execute(q):
            whole = access.may_see_territory(user, r.territory_id)
            site_ok = r.site_id is not None and (
                whole or (user.role is Role.MANAGER and r.site_id in user.site_ids))
            if not whole and not site_ok:
                continue
            entry = out.setdefault(r.territory_id, {"id": r.territory_id, "name": r.territory,
                                                    "pin": r.territory_pin or "",
                                                    "editable": whole, "sites": []})
            if site_ok:
                entry["sites"].append({"id": r.site_id, "name": r.site, "pin": r.site_pin or ""})
    return list(out.values())


def _may_pin(ctx: Console, user: ConsoleUser, place: PinPlace, place_id: int) -> bool:
    if place is PinPlace.TERRITORY:
        return access.may_see_territory(user, place_id)
    with ctx.engine.connect() as conn:
        territory = conn.execute(sa.select(t.sites.c.territory_id)
                                 .where(t.sites.c.id == place_id)).scalar_one_or_none()
    return territory is not None and (access.may_see_territory(user, territory)
                                      or (user.role is Role.MANAGER and place_id in user.site_ids))


@router.get("/console/versions", include_in_schema=False)
def versions_page(request: Request) -> Response:
    user, ctx = _manager(request)
    return page(request, "versions.html", user, section="versions", error="",
                places=_places(ctx, user))


@router.post("/console/versions/{place}/{place_id}", include_in_schema=False)
async def pin_version(request: Request, place: str, place_id: int) -> Response:
    user, ctx = _manager(request)
    form = await posted_form(request, user)
    try:
        kind = PinPlace(place)
    except ValueError:
        raise ConsoleDenied() from None
    if not _may_pin(ctx, user, kind, place_id):
        raise ConsoleDenied()  # an unknown place and another's get the same answer
    try:
        version = version_pins.checked(str(form.get("version") or "")[:100])
    except version_pins.PinError as err:
        return page(request, "versions.html", user, status=400, section="versions",
                    error=str(err), places=_places(ctx, user))

    def run() -> None:
        with ctx.engine.begin() as conn:
            try:
                version_pins.set_pin(conn, kind, place_id, version)
            except LookupError:
                raise ConsoleDenied() from None
    await in_thread(run)
    return done(request, "/console/versions", "saved")
