"""Procedures written by mediators: the list, each procedure's versions and review, import and
export of the YAML file, each site's choice of procedures (kiosk_server.procedures).

Every signed-in user sees the procedures and may import a new version (mediators write them);
approving and publishing need the right over the scope asked for (review.has_right), checked
in kiosk_server.procedures.store on every action; a site's choice, the right over the site.
Refusals are shown on the page, in French. CSRF checked on every form, as everywhere.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kiosk_server import tables as t
from kiosk_server.console import access
from kiosk_server.console.auth import ConsoleDenied, ConsoleUser
from kiosk_server.console.review_actions import (
    ACTION_REFUSED,
    REVIEW_ACTIONS,
    REVIEW_DONE,
    action_refusal,
    publication_places,
    review_action,
    yaml_download,
)
from kiosk_server.console.web import Console, console, done, in_thread, page, posted_form, user_of
from kiosk_server.procedures import checking, editor_view, store
from kiosk_server.procedures.checking import CheckerUnavailable
from kiosk_server.procedures.figures import by_version
from kiosk_server.procedures.kinds import PROCEDURE
from kiosk_server.procedures.review import (
    LABELS,
    SCOPE_LABELS,
    PublicationScope,
    ReviewRefused,
    ReviewState,
    has_right,
)
from kiosk_server.tenancy import Role
from kiosk_wire import catalogue
from kiosk_wire.bundle import MAX_YAML_CHARS

router = APIRouter()
DONE = {**REVIEW_DONE,
        "publish": "Publiée : les bornes concernées la reçoivent entre deux sessions.",
        "unpublish": "Démarche retirée des bornes (entre deux sessions).",
        "imported": "Version enregistrée.", "choice": "Catalogue du site enregistré."}


def _context(ctx: Console, procedure_id: str, user: ConsoleUser) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        versions = store.versions(conn, procedure_id)
        if not versions:
            raise ConsoleDenied("Démarche introuvable.")
        publication = conn.execute(sa.select(t.procedure_publications).where(
            t.procedure_publications.c.procedure_id == procedure_id)).first()
        places = publication_places(conn)
        figures, place = [], None
        if user.role is not Role.MEDIATOR:  # mediators have no dashboards
            try:
                place = access.stats_place(conn, user, None, None)  # their first place
            except ConsoleDenied:  # a manager given no place yet
                place = None
            else:
                figures = by_version(conn, procedure_id, place.scope)
    return {"figures": figures, "place": place.label if place else "",
            # Mediators write and submit; approving and publishing are offered to the others
            # (store checks each one's right over the scope on every action).
            "reviewer": user.role is not Role.MEDIATOR,
            "procedure_id": procedure_id, "versions": versions, "publication": publication,
            "findings": checking.findings_from_json(versions[0].findings),
            "labels": LABELS, "scope_labels": SCOPE_LABELS, "State": ReviewState,
            "Scope": PublicationScope, **places}


@router.get("/console/procedures", include_in_schema=False)
def procedures_page(request: Request) -> Response:
    user = user_of(request)
    ctx = console(request)
    return _listing(request, ctx, user,
                    flash=DONE.get(request.query_params.get("msg") or "", ""))


@router.get("/console/procedures/{procedure_id}", include_in_schema=False)
def procedure_page(request: Request, procedure_id: str) -> Response:
    user = user_of(request)
    return page(request, "procedure.html", user, section="procedures", error="",
                flash=DONE.get(request.query_params.get("msg") or "", ""),
                **_context(console(request), procedure_id, user))


@router.get("/console/procedures/{procedure_id}/{version}.yaml", include_in_schema=False)
def export(request: Request, procedure_id: str, version: int) -> Response:
    user_of(request)
    with console(request).engine.connect() as conn:
        try:
            text = store.export_yaml(conn, procedure_id, version)
        except ReviewRefused as err:
            raise ConsoleDenied(err.message) from None
    return yaml_download(text, procedure_id, version)


async def _text_of(form: Any) -> str:
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_YAML_CHARS * 4 + 1)
        try:
            return str(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ReviewRefused("Le fichier n'est pas enregistré en UTF-8 : dans votre éditeur, "
                                "choisissez « Enregistrer sous » et l'encodage UTF-8.") from None
    return str(form.get("yaml") or "")


@router.post("/console/procedures/import", include_in_schema=False)
async def import_yaml(request: Request) -> Response:
    """A new version from a YAML file (or pasted text): of the procedure the file declares."""
    user = user_of(request)
    ctx = console(request)
    form = await posted_form(request, user)
    into = str(form.get("procedure_id") or "") or None

    def run(text: str) -> store.Saved:
        with ctx.engine.begin() as conn:
            return store.save(conn, user, text, into)
    try:
        saved = await in_thread(run, await _text_of(form))
    except (ReviewRefused, CheckerUnavailable) as err:
        message = err.message if isinstance(err, ReviewRefused) else str(err)
        if into:
            return page(request, "procedure.html", user, status=400, section="procedures",
                        error=message, **_context(ctx, into, user))
        return _listing(request, ctx, user, error=message, status=400)
    return done(request, f"/console/procedures/{saved.procedure_id}", "imported")


def _listing(request: Request, ctx: Any, user: Any, *, error: str = "", flash: str = "",
             status: int = 200) -> Response:
    """The procedures' list page, with a refusal (import, copy) or a done message."""
    with ctx.engine.connect() as conn:
        rows = store.listing(conn)
        sites = access.live_sites(conn, user)
    return page(request, "procedures.html", user, status=status, section="procedures",
                rows=rows, labels=LABELS, State=ReviewState, sites=sites,
                shipped=catalogue.shipped(), error=error, flash=flash,
                templates=editor_view.TEMPLATES)


@router.post("/console/procedures/copy", include_in_schema=False)
async def copy(request: Request) -> Response:
    """A new procedure started from a shipped one or one written here, under a new id."""
    user = user_of(request)
    ctx = console(request)
    form = await posted_form(request, user)
    source, new_id = str(form.get("source") or ""), str(form.get("new_id") or "").strip()

    def run() -> store.Saved:
        with ctx.engine.begin() as conn:
            return store.copy(conn, user, source, new_id)
    try:
        saved = await in_thread(run)
    except (ReviewRefused, CheckerUnavailable) as err:
        message = err.message if isinstance(err, ReviewRefused) else str(err)
        return _listing(request, ctx, user, error=message, status=400)
    return done(request, f"/console/procedures/{saved.procedure_id}", "imported")


@router.post("/console/procedures/check", include_in_schema=False)
async def check(request: Request) -> Response:
    """The checker's findings on a text, saved nowhere (for an editor: each finding with its
    line and its path in the procedure, to show beside the field it concerns)."""
    user = user_of(request)
    form = await posted_form(request, user)
    try:
        text = await _text_of(form)
        if len(text) > MAX_YAML_CHARS:
            raise ReviewRefused("Fichier trop long pour une démarche.")
        result = await in_thread(checking.check_yaml, text)
    except (ReviewRefused, CheckerUnavailable) as err:
        message = err.message if isinstance(err, ReviewRefused) else str(err)
        return JSONResponse({"error": "invalid", "message": message}, status_code=400)
    return JSONResponse({"procedure_id": result.procedure_id, "errors": result.errors,
                         "findings": [f.to_json() for f in result.findings]})


@router.post("/console/procedures/{procedure_id}/{version}/{action}", include_in_schema=False)
async def act(request: Request, procedure_id: str, version: int, action: str) -> Response:
    user = user_of(request)
    ctx = console(request)
    form = await posted_form(request, user)
    if action not in (*REVIEW_ACTIONS, "restore"):
        raise ConsoleDenied("Action inconnue.")

    def run() -> None:
        with ctx.engine.begin() as conn:
            if action == "restore":
                store.restore(conn, user, procedure_id, version)
            else:
                review_action(conn, user, procedure_id, version, action, form, PROCEDURE)
    try:
        await in_thread(run)
    except ACTION_REFUSED as err:
        return page(request, "procedure.html", user, status=400, section="procedures",
                    error=action_refusal(err), **_context(ctx, procedure_id, user))
    return done(request, f"/console/procedures/{procedure_id}", action)


@router.post("/console/procedures/{procedure_id}/unpublish", include_in_schema=False)
async def unpublish(request: Request, procedure_id: str) -> Response:
    user = user_of(request)
    ctx = console(request)
    await posted_form(request, user)

    def run() -> None:
        with ctx.engine.begin() as conn:
            store.unpublish(conn, user, procedure_id)
    try:
        await in_thread(run)
    except ReviewRefused as err:
        return page(request, "procedure.html", user, status=400, section="procedures",
                    error=err.message, **_context(ctx, procedure_id, user))
    return done(request, f"/console/procedures/{procedure_id}", "unpublish")


def _site_for(ctx: Console, user: ConsoleUser, site_id: int) -> Any:
    with ctx.engine.connect() as conn:
        site = access.live_site(conn, user, site_id)  # ConsoleDenied when not theirs
        self_ok = conn.execute(sa.select(t.sites.c.self_approval)
                               .where(t.sites.c.id == site_id)).scalar()
    if not has_right(user, PublicationScope.SITE, site.id, site.territory_id):
        raise ConsoleDenied("Accès refusé : le catalogue d'un site est choisi par ses "
                            "responsables.")
    return site, bool(self_ok)


@router.get("/console/procedures/sites/{site_id}", include_in_schema=False)
def site_choice_page(request: Request, site_id: int) -> Response:
    user = user_of(request)
    ctx = console(request)
    site, self_ok = _site_for(ctx, user, site_id)
    with ctx.engine.connect() as conn:
        from kiosk_server.procedures import bundles

        chosen = bundles.site_order(conn, site_id) or []
        published = [pid for pid, _v in bundles.published_for_site(conn, site.id,
                                                                    site.territory_id)]
    return page(request, "procedure_site.html", user, section="procedures", site=site,
                chosen=chosen, published=published, shipped=catalogue.shipped(),
                self_approval=self_ok, error="",
                flash=DONE.get(request.query_params.get("msg") or "", ""))


@router.post("/console/procedures/sites/{site_id}", include_in_schema=False)
async def save_site_choice(request: Request, site_id: int) -> Response:
    """The site's procedures in order (one id a line; empty: every procedure) and whether an
    author may approve alone for this site."""
    user = user_of(request)
    ctx = console(request)
    form = await posted_form(request, user)
    _site_for(ctx, user, site_id)
    ids = [line.strip() for line in str(form.get("order") or "").splitlines() if line.strip()]

    def run() -> None:
        with ctx.engine.begin() as conn:
            store.set_site_choice(conn, site_id, ids[:500])
            store.set_self_approval(conn, site_id, form.get("self_approval") == "on")
    try:
        await in_thread(run)
    except ReviewRefused as err:
        site, self_ok = _site_for(ctx, user, site_id)
        return page(request, "procedure_site.html", user, status=400, section="procedures",
                    site=site, chosen=ids, published=[], shipped=catalogue.shipped(),
                    self_approval=self_ok, error=err.message)
    return done(request, f"/console/procedures/sites/{site_id}", "choice")
