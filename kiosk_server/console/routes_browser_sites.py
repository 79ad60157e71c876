"""The official sites of a site's kiosks, for its managers (and admins): which national sites
the kiosks' browser offers and which local sites the place adds (kiosk_server.browser_sites
does the work). A manager of a whole territory may apply a list to every site in it.
Mediators are refused: they watch kiosks, they do not set them. Every POST checks its CSRF
token; the kiosks apply the list from their next session. The list is kept for the site (or
the territory): a kiosk added later gets it with its first heartbeat.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import Response

from kiosk_server import browser_sites
from kiosk_server.browser_sites import SiteList, SiteListError
from kiosk_server.console import access, labels
from kiosk_server.console.auth import ConsoleDenied, ConsoleUser
from kiosk_server.console.web import console, done, in_thread, page, posted_form, user_of
from kiosk_server.tenancy import Role

router = APIRouter()

MANAGERS_ONLY = ("Accès refusé : les sites officiels des bornes sont réglés par les responsables "
                 "de site et les administrateurs.")


def _managed_site(conn: Connection, user: ConsoleUser, site_id: int) -> Any:
    if user.role is Role.MEDIATOR:
        raise ConsoleDenied(MANAGERS_ONLY)
    return access.live_site(conn, user, site_id)


def _context(conn: Connection, user: ConsoleUser, site_id: int) -> dict[str, Any]:
    site = _managed_site(conn, user, site_id)
    choice = browser_sites.site_list(conn, site_id)
    return {"site": site, "current": choice.sites, "choice": choice,
            "kiosks": len(browser_sites.kiosks_of(conn, [site_id])),
            "national": [(s.value, *labels.OFFICIAL_SITES[s.value])
                         for s in browser_sites.NATIONAL],
            "whole_territory": access.may_see_territory(user, site.territory_id)}


@router.get("/console/sites/browser", include_in_schema=False)
def sites_index(request: Request) -> Response:
    """The sites whose official sites this user may set."""
    user = user_of(request)
    if user.role is Role.MEDIATOR:
        raise ConsoleDenied(MANAGERS_ONLY)
    ctx = console(request)
    with ctx.engine.connect() as conn:
        sites = [{**s, "list": browser_sites.site_list(conn, s["id"]).sites}
                 for s in access.live_sites(conn, user)]
    return page(request, "browser_sites_index.html", user, section="browser", sites=sites)


@router.get("/console/sites/{site_id}/browser", include_in_schema=False)
def site_page(request: Request, site_id: int) -> Response:
    user = user_of(request)
    with console(request).engine.connect() as conn:
        context = _context(conn, user, site_id)
    return page(request, "browser_sites.html", user, section="browser", error="", typed=None,
                **context)


def _list_from(form: Any) -> SiteList:
    if form.get("mode") == "own":
        return browser_sites.KIOSKS_OWN
    national = browser_sites.parse_national(str(k) for k in form.getlist("site"))
    local = browser_sites.parse_local(str(form.get("local") or "")[:20_000])
    if not national and not local:
        raise SiteListError("Choisissez au moins un site, ou « les réglages de chaque borne ».")
    return SiteList(national, local)


@router.post("/console/sites/{site_id}/browser", include_in_schema=False)
async def save(request: Request, site_id: int) -> Response:
    user = user_of(request)
    ctx = console(request)
    form = await posted_form(request, user)
    whole_territory = form.get("scope") == "territory"

    def run() -> None:
        with ctx.engine.begin() as conn:
            site = _managed_site(conn, user, site_id)
            sites = _list_from(form)  # inside: a refused list is checked after the access
            if not whole_territory:
                browser_sites.set_list(conn, [site_id], sites)
                return
            if not access.may_see_territory(user, site.territory_id):
                raise ConsoleDenied()
            # Kept for the territory: a site created in it later gets the list too.
            browser_sites.set_territory_list(conn, site.territory_id, sites)
    try:
        await in_thread(run)
    except SiteListError as err:
        with ctx.engine.connect() as conn:
            context = _context(conn, user, site_id)
        return page(request, "browser_sites.html", user, status=400, section="browser",
                    error=str(err), typed={"sites": [str(k) for k in form.getlist("site")],
                                           "local": str(form.get("local") or "")[:20_000]},
                    **context)
    return done(request, f"/console/sites/{site_id}/browser", "sites_saved")
