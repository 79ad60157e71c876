"""Parcours built in the console: the list, a form (name, goal, exercises in order, in French,
English and Arabic), each parcours' versions and review, export of its file
(kiosk_server.procedures.parcours_store).

The form writes the parcours file (the one source of truth); every save is a version, checked
by the kiosk's parcours checker, whose findings are shown beside the control they concern
(kiosk_server.procedures.parcours_findings). Review and
publication are the procedures' (the store's actions with the PARCOURS kind): mediators write
and submit, a second person with the right approves, someone with the right publishes. CSRF
checked on every form, as everywhere; refusals shown on the page, in French.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from kiosk_server import tables as t
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
from kiosk_server.procedures import checking, parcours_findings, parcours_store, store
from kiosk_server.procedures.checking import CheckerUnavailable
from kiosk_server.procedures.kinds import PARCOURS
from kiosk_server.procedures.parcours_store import LANGS, ParcoursForm
from kiosk_server.procedures.review import (
    LABELS,
    SCOPE_LABELS,
    PublicationScope,
    ReviewRefused,
    ReviewState,
)
from kiosk_server.tenancy import Role

router = APIRouter()
DONE = {**REVIEW_DONE,
        "publish": "Publié : les bornes concernées le reçoivent entre deux sessions.",
        "unpublish": "Parcours retiré des bornes (entre deux sessions).",
        "saved": "Version enregistrée."}
LANG_NAMES = {"fr": "français", "en": "anglais", "ar": "arabe"}
EMPTY_STEPS = 2  # empty exercise rows under the chosen ones, to add exercises


def _form_of(posted: FormData) -> ParcoursForm:
    return ParcoursForm(
        str(posted.get("id") or "").strip()[:64],
        {lang: str(posted.get(f"title_{lang}") or "")[:200] for lang in LANGS},
        {lang: str(posted.get(f"goal_{lang}") or "")[:1000] for lang in LANGS},
        [str(s) for s in posted.getlist("step") if str(s).strip()][:50])


def _page(request: Request, ctx: Console, user: ConsoleUser, form: ParcoursForm,
          parcours_id: str | None, *, error: str = "", status: int = 200,
          findings: list[checking.CheckFinding] | None = None) -> Response:
    """The parcours page: its form, the checker's findings, and (once saved) its versions."""
    with ctx.engine.connect() as conn:
        choices = parcours_store.step_choices(conn)
        versions = parcours_store.versions(conn, parcours_id) if parcours_id else []
        checked = _latest_text(conn, parcours_id) if versions and parcours_id else ""
        publication = conn.execute(sa.select(t.parcours_publications).where(
            t.parcours_publications.c.parcours_id == parcours_id)).first() \
            if parcours_id else None
        places = publication_places(conn)
    if findings is None:
        findings = checking.findings_from_json(versions[0].findings) if versions else []
    shown = {*(f"{key}-{lang}" for key in ("title", "goal") for lang in LANGS),
             parcours_findings.STEPS,
             *(f"step-{i}" for i in range(1, len(form.steps) + EMPTY_STEPS + 1))}
    if parcours_id is None:
        shown.add("parcours-id")
    # The findings name lines of the latest version's file.
    beside, elsewhere = parcours_findings.beside_controls(checked, findings, shown)
    return page(request, "parcours_edit.html", user, status=status, section="procedures",
                form=form, parcours_id=parcours_id, choices=choices,
                titles=dict(choices), rows=[*form.steps, *[""] * EMPTY_STEPS],
                versions=versions, publication=publication, findings=findings,
                beside=beside, elsewhere=elsewhere,
                langs=LANGS, lang_names=LANG_NAMES, error=error,
                reviewer=user.role is not Role.MEDIATOR,
                labels=LABELS, scope_labels=SCOPE_LABELS, State=ReviewState,
                Scope=PublicationScope, plain=parcours_store.plain,
                flash=DONE.get(request.query_params.get("msg") or "", ""), **places)


@router.get("/console/parcours", include_in_schema=False)
def parcours_list(request: Request) -> Response:
    user = user_of(request)
    with console(request).engine.connect() as conn:
        rows = parcours_store.listing(conn)
    return page(request, "parcours.html", user, section="procedures", rows=rows,
                labels=LABELS, State=ReviewState)


@router.get("/console/parcours/new", include_in_schema=False)
def new_parcours(request: Request) -> Response:
    return _page(request, console(request), user_of(request), ParcoursForm(), None)


def _latest_text(conn: Any, parcours_id: str) -> str:
    text = conn.execute(sa.select(t.parcours_versions.c.yaml)
                        .where(t.parcours_versions.c.parcours_id == parcours_id)
                        .order_by(t.parcours_versions.c.version.desc()).limit(1)).scalar()
    if text is None:
        raise ConsoleDenied("Parcours introuvable.")
    return str(text)


def _latest(ctx: Console, parcours_id: str) -> str:
    with ctx.engine.connect() as conn:
        return _latest_text(conn, parcours_id)


@router.get("/console/parcours/{parcours_id}", include_in_schema=False)
def parcours_page(request: Request, parcours_id: str) -> Response:
    user = user_of(request)
    ctx = console(request)
    return _page(request, ctx, user, parcours_store.from_yaml(_latest(ctx, parcours_id)),
                 parcours_id)


@router.post("/console/parcours/save", include_in_schema=False)
async def save(request: Request) -> Response:
    """A new version from the form: of a new parcours, or of ``editing`` (the id cannot
    change once saved)."""
    user = user_of(request)
    ctx = console(request)
    posted = await posted_form(request, user)
    form = _form_of(posted)
    editing = str(posted.get("editing") or "") or None
    if editing:
        form.id = editing

    def run() -> parcours_store.SavedParcours:
        with ctx.engine.begin() as conn:
            if editing is None and not parcours_store.is_new_id(conn, form.id):
                raise ReviewRefused(f"L'identifiant « {form.id} » est déjà pris ou mal formé "
                                    f"(lettres minuscules, chiffres et tirets) : choisissez-"
                                    f"en un autre.")
            previous = _latest_text(conn, editing) if editing else ""
            return parcours_store.save(conn, user, parcours_store.to_yaml(form, previous),
                                       editing)
    try:
        saved = await in_thread(run)
    except (ReviewRefused, CheckerUnavailable) as err:
        message = err.message if isinstance(err, ReviewRefused) else str(err)
        return _page(request, ctx, user, form, editing, error=message, status=400)
    return done(request, f"/console/parcours/{saved.parcours_id}", "saved")


@router.get("/console/parcours/{parcours_id}/{version}.yaml", include_in_schema=False)
def export(request: Request, parcours_id: str, version: int) -> Response:
    user_of(request)
    with console(request).engine.connect() as conn:
        try:
            text = store.version_row(conn, parcours_id, version, PARCOURS).yaml
        except ReviewRefused as err:
            raise ConsoleDenied(err.message) from None
    return yaml_download(text, parcours_id, version)


@router.post("/console/parcours/{parcours_id}/{version}/{action}", include_in_schema=False)
async def act(request: Request, parcours_id: str, version: int, action: str) -> Response:
    user = user_of(request)
    ctx = console(request)
    posted = await posted_form(request, user)
    if action not in (*REVIEW_ACTIONS, "restore"):
        raise ConsoleDenied("Action inconnue.")

    def run() -> None:
        with ctx.engine.begin() as conn:
            if action == "restore":
                row = store.version_row(conn, parcours_id, version, PARCOURS)
                parcours_store.save(conn, user, row.yaml, parcours_id)
            else:
                review_action(conn, user, parcours_id, version, action, posted, PARCOURS)
    return await _acted(request, ctx, user, parcours_id, action, run)


@router.post("/console/parcours/{parcours_id}/unpublish", include_in_schema=False)
async def unpublish(request: Request, parcours_id: str) -> Response:
    user = user_of(request)
    ctx = console(request)
    await posted_form(request, user)

    def run() -> None:
        with ctx.engine.begin() as conn:
            store.unpublish(conn, user, parcours_id, PARCOURS)
    return await _acted(request, ctx, user, parcours_id, "unpublish", run)


async def _acted(request: Request, ctx: Console, user: ConsoleUser, parcours_id: str,
                 action: str, run: Any) -> Response:
    try:
        await in_thread(run)
    except ACTION_REFUSED as err:
        return _page(request, ctx, user, parcours_store.from_yaml(_latest(ctx, parcours_id)),
                     parcours_id, error=action_refusal(err), status=400)
    return done(request, f"/console/parcours/{parcours_id}", action)
