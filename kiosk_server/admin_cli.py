"""`kiosk-server admin territory|site|kiosk|token|user`: tenancy of the central server;
`kiosk-server admin rebuild-aggregates`: recompute the console's aggregates from the raw records.

These commands work directly on the server database (``server.database_url`` or the SQLite file
in ``kiosk.data_dir``), migrating it first, so they run on the server host. A kiosk token is
printed once, at creation or rotation, and never again (only its hash is stored).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import db, live, rebuild, retention, tenancy
from kiosk_server.cli import load_settings
from kiosk_server.cli_table import format_option, render
from kiosk_server.tenancy import Role, TenancyError
from kiosk_wire import config
from kiosk_wire.schema import CommandKind, PushedSettings


@contextlib.contextmanager
def _connection(ctx: click.Context) -> Iterator[Connection]:
    settings = load_settings(ctx)
    try:
        engine = db.open_engine(db.database_url(settings))
        db.migrate(engine)
    except db.DatabaseError as err:
        raise click.ClickException(str(err)) from None
    try:
        with engine.begin() as conn:
            yield conn
    except TenancyError as err:
        raise click.ClickException(str(err)) from None
    finally:
        engine.dispose()


def _run(ctx: click.Context, fn: Callable[[Connection], Any]) -> Any:
    with _connection(ctx) as conn:
        return fn(conn)


# --- territory --------------------------------------------------------------------------------
@click.group("territory")
def territory() -> None:
    """Territories (a department, an agglomeration): they group sites."""


@territory.command("create")
@click.argument("name")
@click.pass_context
def territory_create(ctx: click.Context, name: str) -> None:
    """Create a territory."""
    tid = _run(ctx, lambda c: tenancy.create_territory(c, name))
    click.echo(f"territory {tid} created: {name}")


@territory.command("list")
@format_option()
@click.pass_context
def territory_list(ctx: click.Context, fmt: str) -> None:
    """List territories, their sites and kiosks."""
    click.echo(render(_run(ctx, tenancy.list_tree), [
        ("territory_id", "territoire"), ("territory", "nom du territoire"), ("site_id", "site"),
        ("site", "nom du site"), ("kiosk_id", "borne"), ("kiosk", "nom de la borne")], fmt))


# --- site --------------------------------------------------------------------------------------
@click.group("site")
def site() -> None:
    """Sites (a France Services, an EPN): they hold kiosks."""


@site.command("create")
@click.option("--territory", "territory_", required=True, help="Territory id or name.")
@click.argument("name")
@click.pass_context
def site_create(ctx: click.Context, territory_: str, name: str) -> None:
    """Create a site in a territory."""
    sid = _run(ctx, lambda c: tenancy.create_site(c, territory_, name))
    click.echo(f"site {sid} created: {name}")


# --- kiosk --------------------------------------------------------------------------------------
@click.group("kiosk")
def kiosk() -> None:
    """Kiosks of a site: create (prints the token once), list, push settings, send commands."""


@kiosk.command("create")
@click.option("--site", "site_", required=True, help="Site id or name.")
@click.argument("name")
@click.pass_context
def kiosk_create(ctx: click.Context, site_: str, name: str) -> None:
    """Create a kiosk and print its token once (put it in the kiosk's sync.token)."""
    kid, token = _run(ctx, lambda c: tenancy.create_kiosk(c, site_, name))
    click.echo(f"kiosk {kid} created: {name}", err=True)
    click.echo("token (shown once, store it in the kiosk's [sync] token):", err=True)
    click.echo(token)


@kiosk.command("list")
@format_option()
@click.option("--json", "as_json", is_flag=True, help="Same as --format json (every field).")
@click.pass_context
def kiosk_list(ctx: click.Context, fmt: str, as_json: bool) -> None:
    """List kiosks with their last heartbeat."""
    rows = _run(ctx, lambda c: live.kiosk_statuses(c, load_settings(ctx).get("sync.heartbeat_s")))
    if as_json:
        click.echo(json.dumps(rows, default=str, indent=2))
        return
    for r in rows:
        r["link"] = "en ligne" if r["online"] else "hors ligne"
    click.echo(render(rows, [("kiosk_id", "borne"), ("name", "nom"), ("site_id", "site"),
                             ("link", "liaison"), ("state", "état"),
                             ("last_seen", "dernier signal")], fmt))


@kiosk.command("settings")
@click.argument("kiosk_ref", metavar="KIOSK")
@click.option("--idle-timeout", type=int, default=None, help="Seconds before the idle warning.")
@click.option("--idle-warning", type=int, default=None, help="Seconds of idle countdown.")
@click.option("--print-quota", type=int, default=None, help="Pages a session may print.")
@click.option("--procedures", default=None,
              help="Comma-separated procedure ids to enable (empty string: all).")
@click.option("--banner", default=None, help="Message shown on the kiosk ('' removes it).")
@click.option("--browser-sites", default=None,
              help="Comma-separated national official site keys its browser allows (caf, "
                   "ameli...; empty string: the kiosk's own setting).")
@click.option("--local-sites", default=None,
              help="Comma-separated domains of this place its browser allows too "
                   "(empty string: the kiosk's own setting).")
@click.pass_context
def kiosk_settings(ctx: click.Context, kiosk_ref: str, idle_timeout: int | None,
                   idle_warning: int | None, print_quota: int | None, procedures: str | None,
                   banner: str | None, browser_sites: str | None = None,
                   local_sites: str | None = None) -> None:
    """Settings pushed to a kiosk with its next heartbeat reply."""
    def apply(conn: Connection) -> PushedSettings:
        kid = tenancy.resolve_kiosk(conn, kiosk_ref)
        current = tenancy.own_pushed_settings(conn, kid).model_dump(exclude_none=True)
        changes: dict[str, Any] = {"idle_timeout_s": idle_timeout, "idle_warning_s": idle_warning,
                                   "print_quota_pages": print_quota}
        if procedures is not None:
            changes["enabled_procedures"] = [p for p in procedures.split(",") if p] or None
            if changes["enabled_procedures"] is None:
                current.pop("enabled_procedures", None)
        if banner is not None:
            changes["banner"] = banner or None
            if not banner:
                current.pop("banner", None)
        for key, raw in (("browser_sites", browser_sites), ("browser_local_sites", local_sites)):
            if raw is not None:
                changes[key] = [v.strip().lower() for v in raw.split(",") if v.strip()] or None
                if changes[key] is None:
                    current.pop(key, None)
        merged = current | {k: v for k, v in changes.items() if v is not None}
        try:
            pushed = PushedSettings.model_validate(merged)
        except ValueError as err:
            raise click.ClickException(f"invalid settings: {err}") from None
        tenancy.set_pushed_settings(conn, kid, pushed)
        return pushed
    pushed = _run(ctx, apply)
    click.echo(pushed.model_dump_json(exclude_none=True))


@kiosk.command("command")
@click.argument("kiosk_ref", metavar="KIOSK")
@click.argument("kind", type=click.Choice([k.value for k in CommandKind]))
@click.pass_context
def kiosk_command(ctx: click.Context, kiosk_ref: str, kind: str) -> None:
    """Queue a command (end_session, out_of_order, back_in_service) for a kiosk."""
    cid = _run(ctx, lambda c: live.queue_command(c, tenancy.resolve_kiosk(c, kiosk_ref),
                                                 CommandKind(kind)))
    click.echo(f"command {cid} queued: {kind} (delivered with the kiosk's next heartbeat)")


# --- token ---------------------------------------------------------------------------------
@click.group("token")
def token() -> None:
    """Kiosk tokens: rotate (new token printed once), revoke (the kiosk gets 401), or a
    one-time installation token for `kiosk setup`."""


@token.command("rotate")
@click.argument("kiosk_ref", metavar="KIOSK")
@click.pass_context
def token_rotate(ctx: click.Context, kiosk_ref: str) -> None:
    """Revoke a kiosk's token and print a new one once."""
    new = _run(ctx, lambda c: tenancy.rotate_token(c, kiosk_ref))
    click.echo("new token (shown once; the old one no longer works):", err=True)
    click.echo(new)


@token.command("enrolment")
@click.argument("kiosk_ref", metavar="KIOSK")
@click.pass_context
def token_enrolment(ctx: click.Context, kiosk_ref: str) -> None:
    """Print a one-time installation token for `kiosk setup --token` (48 h, one use)."""
    from kiosk_server import enrolment

    new, expires = _run(ctx, lambda c: enrolment.create(c, kiosk_ref))
    click.echo(f"installation token (shown once; one use, until {expires:%Y-%m-%d %H:%M} UTC):",
               err=True)
    click.echo(new)


@token.command("revoke")
@click.argument("kiosk_ref", metavar="KIOSK")
@click.pass_context
def token_revoke(ctx: click.Context, kiosk_ref: str) -> None:
    """Revoke every token of a kiosk."""
    n = _run(ctx, lambda c: tenancy.revoke_tokens(c, kiosk_ref))
    click.echo(f"{n} token(s) revoked")


# --- user ----------------------------------------------------------------------------------
@click.group("user")
def user() -> None:
    """Console users: admin (national), manager (territories and sites), mediator (sites)."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _describe(places: list[tenancy.UserPlace]) -> str:
    return ",".join(p.code for p in places) or "national"


@user.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--territory", "territories", multiple=True,
              help="Territory id or name given to a manager (repeatable).")
@click.option("--site", "sites", multiple=True,
              help="Site id or name given to a manager or a mediator (repeatable).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def user_create(ctx: click.Context, username: str, role: str, territories: tuple[str, ...],
                sites: tuple[str, ...], password_stdin: bool) -> None:
    """Create a console user with their places (password hashed with argon2)."""
    password = _read_password(password_stdin)
    uid = _run(ctx, lambda c: tenancy.create_user(c, username, password, role,
                                                  territories=territories, sites=sites))
    click.echo(f"user {uid} created: {username} ({role})")


@user.command("list")
@format_option()
@click.pass_context
def user_list(ctx: click.Context, fmt: str) -> None:
    """List console users, their places (t:<territory id>, s:<site id>) and state."""
    rows = [{**u, "where": _describe(u["places"]),
             "state": "disabled" if u["disabled_at"] else "active"}
            for u in _run(ctx, tenancy.list_users)]
    click.echo(render(rows, [("id", "id"), ("username", "identifiant"), ("role", "rôle"),
                             ("where", "lieux"), ("state", "état")], fmt))


@user.group("places")
def places() -> None:
    """Give or take a place (territory or site) of a manager or a mediator."""


def _place_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--site", "site_", default=None, help="Site id or name.")(fn)
    return click.option("--territory", "territory_", default=None,
                        help="Territory id or name.")(fn)


def _one_place(conn: Connection, territory_: str | None, site_: str | None) -> tenancy.UserPlace:
    if (territory_ is None) == (site_ is None):
        raise click.UsageError("give exactly one of --territory or --site")
    found = tenancy.resolve_places(conn, [territory_] if territory_ else [],
                                   [site_] if site_ else [])
    return found[0]


PlaceChange = Callable[[Connection, str, tenancy.UserPlace], list[tenancy.UserPlace]]


def _places_command(name: str, change: PlaceChange, about: str) -> click.Command:
    """``user places add|remove USERNAME --territory|--site``: one place changed, the user's
    places printed."""

    @places.command(name, help=about)
    @click.argument("username")
    @_place_option
    @click.pass_context
    def command(ctx: click.Context, username: str, territory_: str | None,
                site_: str | None) -> None:
        now_has = _run(ctx, lambda c: change(c, username, _one_place(c, territory_, site_)))
        click.echo(f"{username}: {_describe(now_has)}")

    return command


places_add = _places_command(
    "add", tenancy.add_place,
    "Give a place to a user (a mediator: sites only); it applies at their next request.")
places_remove = _places_command(
    "remove", tenancy.remove_place,
    "Take a place from a user (never their last one); it applies at their next request.")


@user.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def user_set_password(ctx: click.Context, username: str, password_stdin: bool) -> None:
    """Change a console user's password."""
    password = _read_password(password_stdin)
    _run(ctx, lambda c: tenancy.set_password(c, username, password))
    click.echo(f"password changed for {username}")


@user.command("disable")
@click.argument("username")
@click.pass_context
def user_disable(ctx: click.Context, username: str) -> None:
    """Disable a console user (they can no longer log in; open sessions end)."""
    _run(ctx, lambda c: tenancy.disable_user(c, username))
    click.echo(f"user {username} disabled")


@user.command("enable")
@click.argument("username")
@click.pass_context
def user_enable(ctx: click.Context, username: str) -> None:
    """Re-enable a disabled console user (same password and places)."""
    _run(ctx, lambda c: tenancy.enable_user(c, username))
    click.echo(f"user {username} enabled")


# --- aggregates ------------------------------------------------------------------------------
@click.command("rebuild-aggregates")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="First day to rebuild (YYYY-MM-DD; widened to its month). Default: the "
                   "oldest raw record kept.")
@click.pass_context
def rebuild_aggregates(ctx: click.Context, since: dt.datetime | None) -> None:
    """Recompute the console's aggregates from the raw records (after an upgrade or a fix).

    Periods whose raw records were purged by retention keep their aggregates untouched."""
    settings = load_settings(ctx)
    cutoff = retention.cutoff_day(dt.date.today(), settings.get("server.retention_months"))
    first = since.date() if since else None
    try:
        engine = db.open_engine(db.database_url(settings))
    except db.DatabaseError as err:
        raise click.ClickException(str(err)) from None
    try:
        db.migrate(engine)
        with engine.begin() as conn:
            start = rebuild.rebuild_start(conn, first, cutoff)
            records = rebuild.rebuild_in(conn, first, cutoff)
    except (db.DatabaseError, sa.exc.OperationalError) as err:
        raise click.ClickException(f"cannot rebuild the aggregates: {err}") from None
    finally:
        engine.dispose()
    if start is None:
        click.echo("nothing to rebuild: no raw records kept from that month on")
    else:
        click.echo(f"aggregates rebuilt from {start.isoformat()}: {records} session records")


# --- catalogue bundles ----------------------------------------------------------------------
@click.command("catalogue-key")
@click.pass_context
def catalogue_key(ctx: click.Context) -> None:
    """Print the public key kiosks check catalogue bundles with (their
    sync.catalogue_public_key); the private key is made once per data_dir when not set."""
    from kiosk_server.procedures import bundles

    try:
        click.echo(bundles.public_key_hex(load_settings(ctx)))
    except (config.ConfigError, OSError, ValueError) as err:
        raise click.ClickException(f"no catalogue signing key: {err}") from None
