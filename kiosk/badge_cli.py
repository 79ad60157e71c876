"""`kiosk admin badge enrol|list|revoke`: mediator badges, from the kiosk's own console."""
from __future__ import annotations

import datetime as dt

import click

from kiosk.i18n import _


def _registry(ctx: click.Context):  # type: ignore[no-untyped-def]
    from kiosk.cli import load_settings
    from kiosk.sessions.badges import BadgeError, BadgeRegistry, badge_key_path
    from kiosk.storage import LocalStore, StoreError, store_path

    settings = load_settings(ctx)
    try:
        store = LocalStore(store_path(settings.data_dir))
        return settings, BadgeRegistry(store, badge_key_path(settings.data_dir))
    except (StoreError, BadgeError, OSError) as err:
        raise click.ClickException(f"cannot open the badge registry: {err}") from err


@click.group()
def badge() -> None:
    """Mediator badges: enrol (present the badge on the reader), list, revoke."""


@badge.command("enrol")
@click.argument("label")
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(1, 600),
              help="Seconds to wait for the badge on the reader.")
@click.pass_context
def enrol(ctx: click.Context, label: str, timeout: float) -> None:
    """Enrol the next badge presented on the reader under LABEL (e.g. "Camille")."""
    from kiosk.devices import open_reader
    from kiosk.devices.scheduling import TimerScheduler
    from kiosk.sessions.badges import BadgeError

    settings, registry = _registry(ctx)
    scheduler = TimerScheduler()
    reader = open_reader(settings, scheduler)
    if reader.backend is None:  # never enrol on a demo reader behind the installer's back
        scheduler.cancel_all()
        raise click.ClickException(
            "pas de lecteur de badges : le service PC/SC (pcscd) ne répond pas ou aucun lecteur "
            "n'est branché ; lancez `kiosk doctor`" + (f" ({reader.last_error})"
                                                       if reader.last_error else ""))
    try:
        click.echo(f"Présentez le badge sur le lecteur ({reader.backend_name}, "
                   f"{timeout:.0f} s)…")
        uid = reader.wait_for_card(timeout)
    finally:
        reader.close()
        scheduler.cancel_all()
    if uid is None:
        raise click.ClickException(f"no badge presented within {timeout:.0f} s")
    try:
        registry.enrol(uid, label)
    except BadgeError as err:
        raise click.ClickException(_(err.resident_message)) from err
    click.echo(f"Badge « {label} » enregistré.")


@badge.command("list")
@click.pass_context
def list_badges(ctx: click.Context) -> None:
    """List enrolled badges (labels and dates only; UIDs are never stored)."""
    _settings, registry = _registry(ctx)
    badges = registry.list()
    if not badges:
        click.echo("Aucun badge enregistré.")
    for b in badges:
        when = dt.datetime.fromtimestamp(b.enrolled_at).strftime("%Y-%m-%d %H:%M")
        click.echo(f"{b.label}\t{when}")


@badge.command("revoke")
@click.argument("label")
@click.pass_context
def revoke(ctx: click.Context, label: str) -> None:
    """Revoke the badge enrolled under LABEL."""
    _settings, registry = _registry(ctx)
    if not registry.revoke(label):
        raise click.ClickException(f"no badge named {label!r}")
    click.echo(f"Badge « {label} » révoqué.")
