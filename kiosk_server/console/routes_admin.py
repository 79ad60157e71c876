"""Fleet settings, for admins only: territories, sites, kiosks and their tokens, console users
(created here with their first places, edited through kiosk_server.console.accounts: role,
places given and taken, disable, password), and the settings pushed to kiosks
with each heartbeat reply (kiosk_server.tenancy does the work). Every route checks the admin role
and every POST its CSRF token.

A new or rotated token is shown once, on a page that is never cached; only its hash is kept.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from kiosk_server import browser_sites, enrolment, live, tenancy
from kiosk_server import tables as t
from kiosk_server.console import access, accounts, labels, live_view
from kiosk_server.console.auth import ConsoleDenied, ConsoleUser
from kiosk_server.console.web import Console, console, done, in_thread, page, posted_form, user_of
from kiosk_server.tenancy import Role, TenancyError
from kiosk_wire.schema import PushedSettings

router = APIRouter()

_TENANCY_FR = [
    ("already exists", "Ce nom est déjà utilisé."),
    ("at least 10 characters", "Le mot de passe doit comporter au moins 10 caractères."),
    ("needs a name", "Indiquez un nom."),
    ("attached to a site", "Un médiateur doit être rattaché à un site."),
    ("territory or a site", "Un responsable doit être rattaché à un territoire ou à un site."),
    ("not in that territory", "Ce site n'appartient pas à ce territoire."),
    ("unknown", "Élément introuvable."),
]


def french(err: TenancyError) -> str:
    if isinstance(err, tenancy.PlaceError):
        return accounts.place_error_fr(err)
    text = str(err)
    return next((fr for en, fr in _TENANCY_FR if en in text), "Opération impossible.")


def _admin(request: Request) -> tuple[ConsoleUser, Console]:
    user = user_of(request)
    access.require_admin(user)
    return user, console(request)


def _fleet(ctx: Console) -> dict[str, Any]:
    """The fleet page's tree, each kiosk in the words of the live view ("Hors ligne depuis
    2 jours"), and its alerts: every device fault of a kiosk still talking, with its site."""
    with ctx.engine.connect() as conn:
        tree = tenancy.list_tree(conn)
        statuses = {k["kiosk_id"]: k for k in live.kiosk_statuses(conn, ctx.heartbeat_s)}
        users = tenancy.list_users(conn)
        names = accounts.place_names(conn)
    current = dt.datetime.now(dt.UTC)
    offline_after = dt.timedelta(seconds=ctx.heartbeat_s * live.OFFLINE_AFTER_HEARTBEATS)
    territories: dict[int, dict[str, Any]] = {}
    alerts: list[dict[str, Any]] = []
    for r in tree:
        terr = territories.setdefault(r["territory_id"], {"id": r["territory_id"],
                                                         "name": r["territory"], "sites": {}})
        if r["site_id"] is None:
            continue
        site = terr["sites"].setdefault(r["site_id"], {"id": r["site_id"], "name": r["site"],
                                                     "kiosks": []})
        if r["kiosk_id"] is None:
            continue
        st = statuses.get(r["kiosk_id"])
        if st is None:
            state = labels.KIOSK_STATES["never"]
        else:
            view = live_view.kiosk_view(st, current, offline_after)
            state = (f"{view.status_label} depuis {view.offline_for}" if view.offline_for
                     else view.status_label)
            if view.has_fault:
                alerts.extend({"site_id": r["site_id"], "site": r["site"], "kiosk": r["kiosk"],
                               "fault": fault} for fault in view.faults)
        site["kiosks"].append({"id": r["kiosk_id"], "name": r["kiosk"], "state": state})
    for terr in territories.values():
        terr["sites"] = list(terr["sites"].values())
    return {"territories": list(territories.values()), "users": users, "place_names": names,
            "alerts": alerts}


@router.get("/console/admin", include_in_schema=False)
def admin_home(request: Request) -> Response:
    user, ctx = _admin(request)
    return page(request, "admin.html", user, section="admin", error="", **_fleet(ctx))


async def _create(request: Request, what: str) -> Response:
    user, ctx = _admin(request)
    form = await posted_form(request, user)
    name = str(form.get("name") or "")[:120]

    def run() -> tuple[str, Any]:
        with ctx.engine.begin() as conn:
            if what == "territory":
                return "territory", tenancy.create_territory(conn, name)
            if what == "site":
                return "site", tenancy.create_site(conn, int(str(form.get("territory"))), name)
            return "kiosk", tenancy.create_kiosk(conn, int(str(form.get("site"))), name)
    try:
        kind, result = await in_thread(run)
    except TenancyError as err:
        return page(request, "admin.html", user, status=400, section="admin",
                    error=french(err), **_fleet(ctx))
    except ValueError:
        return page(request, "admin.html", user, status=400, section="admin",
                    error="Choisissez où le créer.", **_fleet(ctx))
    if kind == "kiosk":
        kiosk_id, token = result
        return page(request, "admin_token.html", user, section="admin", kiosk_name=name.strip(),
                    kiosk_id=kiosk_id, token=token, created=True)
    return done(request, "/console/admin", "saved")


@router.post("/console/admin/territories", include_in_schema=False)
async def create_territory(request: Request) -> Response:
    return await _create(request, "territory")


@router.post("/console/admin/sites", include_in_schema=False)
async def create_site(request: Request) -> Response:
    return await _create(request, "site")


@router.post("/console/admin/kiosks", include_in_schema=False)
async def create_kiosk(request: Request) -> Response:
    return await _create(request, "kiosk")


def _kiosk(ctx: Console, kiosk_id: int) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        row = conn.execute(sa.select(t.kiosks.c.id, t.kiosks.c.name, t.kiosks.c.site_id,
                                     t.sites.c.name.label("site"))
                           .select_from(t.kiosks.join(t.sites))
                           .where(t.kiosks.c.id == kiosk_id)).first()
        if row is None:
            raise ConsoleDenied("Borne introuvable.")
        pushed = tenancy.pushed_settings(conn, kiosk_id)
        tokens = conn.execute(sa.select(t.kiosk_tokens.c.created_at, t.kiosk_tokens.c.revoked_at)
                              .where(t.kiosk_tokens.c.kiosk_id == kiosk_id)
                              .order_by(t.kiosk_tokens.c.id)).all()
    return {"kiosk": row, "pushed": pushed, "tokens": tokens,
            "procedures": labels.procedure_choices()}


@router.get("/console/admin/kiosks/{kiosk_id}", include_in_schema=False)
def kiosk_page(request: Request, kiosk_id: int) -> Response:
    user, ctx = _admin(request)
    return page(request, "admin_kiosk.html", user, section="admin", error="",
                **_kiosk(ctx, kiosk_id))


def _pushed_from(form: Any) -> PushedSettings:
    def number(key: str) -> int | None:
        raw = str(form.get(key) or "").strip()
        return int(raw) if raw else None
    values: dict[str, Any] = {
        "idle_timeout_s": number("idle_timeout_s"), "idle_warning_s": number("idle_warning_s"),
        "print_quota_pages": number("print_quota_pages"),
        "banner": str(form.get("banner") or "").strip() or None,
    }
    if form.get("procedures_mode") == "some":
        values["enabled_procedures"] = [str(p) for p in form.getlist("procedure")]
    return PushedSettings.model_validate(values)


_FIELDS_FR = {"idle_timeout_s": "Délai d'inactivité : entre 10 et 3600 secondes.",
              "idle_warning_s": "Avertissement avant fin : entre 5 et 600 secondes.",
              "print_quota_pages": "Quota d'impression : entre 0 et 1000 pages.",
              "banner": "Message : 280 caractères au plus.",
              "enabled_procedures": "Démarches : liste invalide."}


@router.post("/console/admin/kiosks/{kiosk_id}/settings", include_in_schema=False)
async def save_settings(request: Request, kiosk_id: int) -> Response:
    user, ctx = _admin(request)
    form = await posted_form(request, user)
    try:
        pushed = _pushed_from(form)
    except ValueError as err:
        if isinstance(err, ValidationError):
            fields = {str(e["loc"][0]) for e in err.errors() if e.get("loc")}
            message = " ".join(_FIELDS_FR.get(f, "Valeur invalide.") for f in sorted(fields))
        else:
            message = "Les durées et le quota sont des nombres entiers."
        return page(request, "admin_kiosk.html", user, status=400, section="admin",
                    error=message, **_kiosk(ctx, kiosk_id))
    whole_site = form.get("whole_site") == "1"

    def run() -> None:
        with ctx.engine.begin() as conn:
            site_id = conn.execute(sa.select(t.kiosks.c.site_id)
                                   .where(t.kiosks.c.id == kiosk_id)).scalar_one_or_none()
            if site_id is None:
                raise ConsoleDenied("Borne introuvable.")
            targets = [kiosk_id]
            if whole_site:
                targets = list(conn.execute(sa.select(t.kiosks.c.id)
                                            .where(t.kiosks.c.site_id == site_id)).scalars())
            for target in targets:  # a kiosk's own official sites (if any) are kept
                kept = browser_sites.of_kiosk(tenancy.own_pushed_settings(conn, target))
                tenancy.set_pushed_settings(conn, target, browser_sites.with_list(pushed, kept))
    await in_thread(run)
    return done(request, f"/console/admin/kiosks/{kiosk_id}", "saved")


@router.post("/console/admin/kiosks/{kiosk_id}/rotate", include_in_schema=False)
async def rotate(request: Request, kiosk_id: int) -> Response:
    user, ctx = _admin(request)
    await posted_form(request, user)
    info = _kiosk(ctx, kiosk_id)

    def run() -> str:
        with ctx.engine.begin() as conn:
            return tenancy.rotate_token(conn, kiosk_id)
    token = await in_thread(run)
    return page(request, "admin_token.html", user, section="admin", kiosk_name=info["kiosk"].name,
                kiosk_id=kiosk_id, token=token, created=False)


@router.post("/console/admin/kiosks/{kiosk_id}/enrolment", include_in_schema=False)
async def enrolment_token(request: Request, kiosk_id: int) -> Response:
    """A one-time token for `kiosk setup` on the terminal (shown once, valid 48 h)."""
    user, ctx = _admin(request)
    await posted_form(request, user)
    info = _kiosk(ctx, kiosk_id)

    def run() -> tuple[str, Any]:
        with ctx.engine.begin() as conn:
            return enrolment.create(conn, kiosk_id)
    token, expires = await in_thread(run)
    return page(request, "admin_enrolment.html", user, section="admin",
                kiosk_name=info["kiosk"].name, kiosk_id=kiosk_id, token=token, expires=expires,
                server_url=str(request.base_url).rstrip("/"))


@router.post("/console/admin/kiosks/{kiosk_id}/revoke", include_in_schema=False)
async def revoke(request: Request, kiosk_id: int) -> Response:
    user, ctx = _admin(request)
    await posted_form(request, user)
    _kiosk(ctx, kiosk_id)

    def run() -> None:
        with ctx.engine.begin() as conn:
            tenancy.revoke_tokens(conn, kiosk_id)
    await in_thread(run)
    return done(request, f"/console/admin/kiosks/{kiosk_id}", "revoked")


@router.post("/console/admin/users", include_in_schema=False)
async def create_user(request: Request) -> Response:
    """A new account with its first place(s) ("t:<id>" / "s:<id>"); more are given on its
    page, where the admin lands."""
    user, ctx = _admin(request)
    form = await posted_form(request, user)
    role = str(form.get("role") or "")
    codes = [str(c) for c in form.getlist("place") if str(c).strip()]

    def run() -> int:
        if role not in {r.value for r in Role}:
            raise TenancyError("unknown role")
        places = [tenancy.UserPlace.parse(c) for c in codes]
        with ctx.engine.begin() as conn:
            new_id = tenancy.create_user(
                conn, str(form.get("username") or "")[:120], str(form.get("password") or ""),
                role, territories=[p.id for p in places if p.kind is tenancy.PlaceKind.TERRITORY],
                sites=[p.id for p in places if p.kind is tenancy.PlaceKind.SITE])
            accounts.audit.info("admin %s (id %d) created user %s (id %d) role=%r places=%r",
                                user.username, user.id, str(form.get("username") or "").strip(),
                                new_id, role, ",".join(codes))
            return new_id
    try:
        new_id = await in_thread(run)
    except TenancyError as err:
        return page(request, "admin.html", user, status=400, section="admin",
                    error=french(err), **_fleet(ctx))
    return done(request, f"/console/admin/users/{new_id}", "user")


# --- one console account: role and places, disable / re-enable, password reset --------------
def _account_page(request: Request, user: ConsoleUser, ctx: Console, user_id: int,
                  error: str = "", status: int = 200) -> Response:
    try:
        with ctx.engine.connect() as conn:
            account = accounts.get_account(conn, user_id)
    except accounts.AccountError as err:
        raise ConsoleDenied(err.message) from None
    fleet = _fleet(ctx)
    return page(request, "admin_user.html", user, status=status, section="admin", error=error,
                account=account, roles=accounts.ROLE_LABELS, territories=fleet["territories"],
                place_names=fleet["place_names"])


@router.get("/console/admin/users/{user_id}", include_in_schema=False)
def user_page(request: Request, user_id: int) -> Response:
    user, ctx = _admin(request)
    return _account_page(request, user, ctx, user_id)


async def _change_account(request: Request, user_id: int, change: Any, msg: str,
                          answer: Any = None) -> Response:
    """Apply ``change(conn, admin, form)`` to an account in one transaction; a refused change
    shows the account's page again with the reason, in French. ``answer(admin, result)``, if
    given, builds the reply once the change is committed."""
    user, ctx = _admin(request)
    form = await posted_form(request, user)

    def run() -> Any:
        with ctx.engine.begin() as conn:
            return change(conn, user, form)
    try:
        result = await in_thread(run)
    except accounts.AccountError as err:
        return _account_page(request, user, ctx, user_id, error=err.message, status=400)
    if answer is not None:
        return answer(user, result)  # type: ignore[no-any-return]
    return done(request, f"/console/admin/users/{user_id}", msg)


@router.post("/console/admin/users/{user_id}", include_in_schema=False)
async def edit_user(request: Request, user_id: int) -> Response:
    return await _change_account(request, user_id, lambda conn, admin, form: (
        accounts.change_role_and_scope(conn, admin, user_id, str(form.get("role") or ""),
                                       str(form.get("place") or ""))), "saved")


@router.post("/console/admin/users/{user_id}/disable", include_in_schema=False)
async def disable_user(request: Request, user_id: int) -> Response:
    return await _change_account(request, user_id, lambda conn, admin, _form: (
        accounts.set_enabled(conn, admin, user_id, enabled=False)), "disabled")


@router.post("/console/admin/users/{user_id}/enable", include_in_schema=False)
async def enable_user(request: Request, user_id: int) -> Response:
    return await _change_account(request, user_id, lambda conn, admin, _form: (
        accounts.set_enabled(conn, admin, user_id, enabled=True)), "saved")


@router.post("/console/admin/users/{user_id}/password", include_in_schema=False)
async def reset_password(request: Request, user_id: int) -> Response:
    def shown_once(admin: ConsoleUser, result: tuple[accounts.Account, str]) -> Response:
        # Shown once, on this never-cached page, after the commit; only its hash is kept.
        return page(request, "admin_password.html", admin, section="admin",
                    account=result[0], password=result[1])
    return await _change_account(request, user_id, lambda conn, admin, _form: (
        accounts.reset_password(conn, admin, user_id)), "", answer=shown_once)


@router.post("/console/admin/users/{user_id}/places/add", include_in_schema=False)
async def give_place(request: Request, user_id: int) -> Response:
    return await _change_account(request, user_id, lambda conn, admin, form: (
        accounts.give_place(conn, admin, user_id, str(form.get("place") or ""))),
        "place_added")


@router.post("/console/admin/users/{user_id}/places/remove", include_in_schema=False)
async def take_place(request: Request, user_id: int) -> Response:
    return await _change_account(request, user_id, lambda conn, admin, form: (
        accounts.take_place(conn, admin, user_id, str(form.get("place") or ""))),
        "place_removed")
