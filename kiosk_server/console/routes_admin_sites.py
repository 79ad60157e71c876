"""A site's page for admins: the identifiers La Coop de la médiation numérique knows it by
(SIRET, code INSEE, id in the national cartography of places), carried by the "Coop" export.
Admin role and CSRF checked as on every admin route."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kiosk_server import site_identifiers
from kiosk_server import tables as t
from kiosk_server.console import access
from kiosk_server.console.auth import ConsoleDenied
from kiosk_server.console.web import Console, console, done, in_thread, page, posted_form, user_of

router = APIRouter()


def _site(ctx: Console, site_id: int) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        row = conn.execute(sa.select(t.sites.c.id, t.sites.c.name, t.sites.c.siret,
                                     t.sites.c.code_insee, t.sites.c.cartography_id,
                                     t.territories.c.name.label("territory"))
                           .select_from(t.sites.join(t.territories))
                           .where(t.sites.c.id == site_id)).first()
    if row is None:
        raise ConsoleDenied("Site introuvable.")
    return {"site": row}


@router.get("/console/admin/sites/{site_id}", include_in_schema=False)
def site_page(request: Request, site_id: int) -> Response:
    user = user_of(request)
    access.require_admin(user)
    return page(request, "admin_site.html", user, section="admin", error="",
                **_site(console(request), site_id))


@router.post("/console/admin/sites/{site_id}/identifiers", include_in_schema=False)
async def save_identifiers(request: Request, site_id: int) -> Response:
    user = user_of(request)
    access.require_admin(user)
    ctx = console(request)
    form = await posted_form(request, user)
    typed = {k: str(form.get(k) or "")[:300] for k in ("siret", "code_insee", "cartography_id")}
    try:
        ids = site_identifiers.checked(**typed)
    except site_identifiers.IdentifierError as err:
        info = _site(ctx, site_id)
        return page(request, "admin_site.html", user, status=400, section="admin",
                    error=str(err), typed=typed, **info)

    def run() -> None:
        with ctx.engine.begin() as conn:
            try:
                site_identifiers.save(conn, site_id, ids)
            except LookupError:
                raise ConsoleDenied("Site introuvable.") from None
    await in_thread(run)
    return done(request, f"/console/admin/sites/{site_id}", "saved")
