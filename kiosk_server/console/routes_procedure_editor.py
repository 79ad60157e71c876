"""The procedure editor: a procedure's latest version as forms (no YAML shown), the checker's
findings beside the field they concern, a preview of each page as the kiosk draws it, and a
new procedure started from a template.

Every button posts the whole form (no script needed): « Vérifier » and the buttons that change
the structure (add a page, move it...) show the result with the checker's findings, saving
nothing (where scripts run, static/editor_check.js asks « Vérifier » for JSON after a pause in
typing and shows the findings in place); « Enregistrer » writes a new version through the
store, as an imported file would.
The YAML text stays the one source of truth (kiosk_server.procedures.editor_form).
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kiosk_server.console.auth import ConsoleDenied, ConsoleUser
from kiosk_server.console.web import Console, console, done, in_thread, page, posted_form, user_of
from kiosk_server.procedures import checking, editor_form, editor_view, store
from kiosk_server.procedures.checking import CheckerUnavailable, CheckFinding
from kiosk_server.procedures.editor_form import EditorRefused
from kiosk_server.procedures.preview import LANGUAGES, RIBBON, page_preview, word
from kiosk_server.procedures.review import ReviewRefused

router = APIRouter()
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}
SAVED = "Version enregistrée : le vérificateur l'a relue (voir à côté de chaque champ)."


def _latest(ctx: Console, procedure_id: str) -> tuple[int, str, list[CheckFinding]]:
    with ctx.engine.connect() as conn:
        rows = store.versions(conn, procedure_id)
        if not rows:
            raise ConsoleDenied("Démarche introuvable.")
        text = store.export_yaml(conn, procedure_id, rows[0].version)
    return rows[0].version, text, checking.findings_from_json(rows[0].findings)


def _editor(request: Request, user: ConsoleUser, procedure_id: str, version: int,
            data: dict[str, Any], findings: list[CheckFinding], status: int = 200,
            error: str = "", flash: str = "", unsaved: bool = False) -> Response:
    names = [name for name, _value in editor_form.flatten(data)]
    beside, elsewhere = editor_form.findings_by_control(findings, names)
    pages = data.get("pages")
    return page(request, "procedure_edit.html", user, status=status, section="procedures",
                procedure_id=procedure_id, version=version, unsaved=unsaved,
                groups=editor_view.groups(data, beside), elsewhere=elsewhere,
                plain=editor_view.plain, words=editor_view.CHOICE_WORDS,
                errors=sum(1 for f in findings if f.severity.value == "error"),
                page_count=len(pages) if isinstance(pages, list) else 0, error=error, flash=flash)


@router.get("/console/procedures/{procedure_id}/edit", include_in_schema=False)
def edit_page(request: Request, procedure_id: str) -> Response:
    user = user_of(request)
    version, text, findings = _latest(console(request), procedure_id)
    try:
        data = editor_form.parse(text)
    except EditorRefused as err:
        raise ConsoleDenied(str(err)) from None
    flash = SAVED if request.query_params.get("msg") == "saved" else ""
    return _editor(request, user, procedure_id, version, data, findings, flash=flash)


@router.post("/console/procedures/{procedure_id}/edit", include_in_schema=False)
async def edit_post(request: Request, procedure_id: str) -> Response:
    user = user_of(request)
    ctx = console(request)
    form = await posted_form(request, user)
    version, previous, _findings = _latest(ctx, procedure_id)
    op = str(form.get("op") or "check")
    pairs = [(k, v) for k, v in form.multi_items()
             if k not in ("csrf", "op", "langue") and isinstance(v, str)]
    data = editor_form.unflatten(pairs)
    if op.startswith("preview:") and op[8:].isdigit():
        # The page as the form now says, saved nowhere (opened in a new tab by its button);
        # the form rides along in the page, so its language and page buttons post it again.
        pages = data.get("pages")
        number = int(op[8:]) + 1
        if not isinstance(pages, list) or not 1 <= number <= len(pages) \
                or not isinstance(pages[number - 1], dict):
            raise ConsoleDenied("Page introuvable.")
        lang = _lang(str(form.get("langue") or request.query_params.get("langue") or "fr"))
        return page(request, "procedure_preview.html", user, section="procedures",
                    procedure_id=procedure_id, version=None, number=number,
                    page_count=len(pages), view=page_preview(data, number - 1, lang), error="",
                    ribbon=word(RIBBON, lang), lang=lang, languages=LANGUAGE_NAMES,
                    resend=pairs)
    if op == "check" and _wants_json(request):
        return await _findings_json(data, previous)
    try:
        note = editor_view.apply(data, op) if op not in ("check", "save") else ""
        text = editor_form.dump(data, previous)
        if op == "save":
            def run() -> store.Saved:
                with ctx.engine.begin() as conn:
                    return store.save(conn, user, text, procedure_id)
            await in_thread(run)
            return done(request, f"/console/procedures/{procedure_id}/edit", "saved")
        result = await in_thread(checking.check_yaml, text)
    except (EditorRefused, ReviewRefused, CheckerUnavailable) as err:
        message = err.message if isinstance(err, ReviewRefused) else str(err)
        # What was typed is shown again with the reason: nothing is lost.
        return _editor(request, user, procedure_id, version, data, [], status=400,
                       error=message, unsaved=True)
    # The findings of a text not saved name its own lines: read beside the form shown.
    return _editor(request, user, procedure_id, version, data, result.findings,
                   flash=note or "Vérifié (rien n'est enregistré).", unsaved=True)


@router.get("/console/procedures/{procedure_id}/{version}/preview/{number}",
            include_in_schema=False)
def preview(request: Request, procedure_id: str, version: int, number: int) -> Response:
    """Page ``number`` (from 1) of a version as the kiosk draws it, in French, or in English
    or Arabic (``?langue=en``, ``?langue=ar``)."""
    user = user_of(request)
    lang = _lang(request.query_params.get("langue", "fr"))
    with console(request).engine.connect() as conn:
        try:
            text = store.export_yaml(conn, procedure_id, version)
        except ReviewRefused as err:
            raise ConsoleDenied(err.message) from None
    try:
        data = editor_form.parse(text)
    except EditorRefused as err:
        raise ConsoleDenied(str(err)) from None
    pages = data.get("pages")
    if not isinstance(pages, list) or not 1 <= number <= len(pages):
        raise ConsoleDenied("Page introuvable.")
    return page(request, "procedure_preview.html", user, section="procedures",
                procedure_id=procedure_id, version=version, number=number,
                page_count=len(pages), view=page_preview(data, number - 1, lang), error="",
                ribbon=word(RIBBON, lang), lang=lang, languages=LANGUAGE_NAMES, resend=None)


def _wants_json(request: Request) -> bool:
    return request.headers.get("accept", "").startswith("application/json")


async def _findings_json(data: dict[str, Any], previous: str) -> Response:
    """« Vérifier » for the page's script (static/editor_check.js, while the mediator types):
    the checker's findings by control path, worded as beside the fields, saved nowhere."""
    try:
        text = editor_form.dump(data, previous)
        result = await in_thread(checking.check_yaml, text)
    except (EditorRefused, CheckerUnavailable) as err:
        return JSONResponse({"error": "invalid", "message": str(err)}, status_code=400)
    names = [name for name, _value in editor_form.flatten(data)]
    beside, elsewhere = editor_form.findings_by_control(result.findings, names)

    def said(finding: CheckFinding) -> dict[str, str]:
        warning = finding.severity.value == "warning"
        return {"severity": finding.severity.value,
                "message": ("Attention : " if warning else "") + editor_view.plain(
                    finding.message)}
    return JSONResponse({"errors": result.errors,
                         "beside": {path: [said(f) for f in found]
                                    for path, found in beside.items()},
                         "elsewhere": [said(f) for f in elsewhere]})


def _lang(asked: str) -> str:
    """A preview language the kiosk has (French otherwise)."""
    return asked if asked in LANGUAGES else "fr"


@router.post("/console/procedures/from-template", include_in_schema=False)
async def from_template(request: Request) -> Response:
    """A new procedure from one of the editor's templates, opened in the editor."""
    user = user_of(request)
    ctx = console(request)
    form = await posted_form(request, user)
    new_id = str(form.get("new_id") or "").strip()
    template = str(form.get("template") or "")

    def run() -> store.Saved:
        raw = editor_view.template_text(template, new_id)
        # Written through the editor at once, so every finding names its own line.
        text = editor_form.dump(editor_form.parse(raw), raw)
        with ctx.engine.begin() as conn:
            if not store.is_new_id(conn, new_id):
                raise ReviewRefused(f"L'identifiant « {new_id[:64]} » est déjà pris ou "
                                    f"n'en est pas un (lettres minuscules, chiffres et tirets).")
            return store.save(conn, user, text)
    try:
        saved = await in_thread(run)
    except (EditorRefused, ReviewRefused, CheckerUnavailable) as err:
        message = err.message if isinstance(err, ReviewRefused) else str(err)
        return page(request, "denied.html", user, status=400, section="procedures",
                    message=message)
    return done(request, f"/console/procedures/{saved.procedure_id}/edit", "saved")
