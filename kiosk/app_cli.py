"""`kiosk run` and `kiosk demo`: the two ways to start the touch UI."""
from __future__ import annotations

from pathlib import Path

import click

from kiosk.cli import load_settings


@click.command("run")
@click.pass_context
def run(ctx: click.Context) -> None:
    """Start the kiosk (fullscreen, locked down) on the effective settings.

    Exit codes: 0 stopped by the system, 10 left for maintenance by a mediator, 78 refused to
    start (the message says why; `kiosk doctor` too)."""
    settings = load_settings(ctx)
    from kiosk.exit_codes import ExitCode
    from kiosk.sessions.workspace import HostileSessionRoot, ensure_private_root, pick_session_root

    try:  # before any window: residents' files must have a safe place
        ensure_private_root(pick_session_root(settings.get("kiosk.session_dir"),
                                              settings.data_dir))
    except HostileSessionRoot as err:
        click.echo(f"La borne ne démarre pas : {err}", err=True)
        ctx.exit(ExitCode.REFUSED_TO_START)
    from kiosk.app import run_kiosk

    ctx.exit(run_kiosk(settings))


@click.command("demo")
@click.option("--headless", is_flag=True,
              help="Run offscreen through the scripted walk even when a display is present.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("demo-output"), show_default=True,
              help="Where the headless walk saves its screenshots.")
def demo(headless: bool, out_dir: Path) -> None:
    """Start the kiosk on embedded defaults (demo devices, local SQLite, PIN 123456).

    With a display, opens the kiosk window; without one (or with --headless), walks through
    every screen offscreen and saves a screenshot of each."""
    from kiosk import demo as demo_mod

    if headless or not demo_mod.has_display():
        shots = demo_mod.run_headless(out_dir.resolve())
        click.echo(f"Parcours de démonstration : {len(shots)} captures d'écran dans "
                   f"{out_dir.resolve()}")
        for shot in shots:
            click.echo(f"  {shot.name}")
        return
    data_dir = Path.home() / ".local" / "share" / "kiosk-demo"
    click.echo(f"Démonstration : données dans {data_dir}, code médiateur {demo_mod.DEMO_PIN}")
    demo_mod.run_windowed(data_dir)


@click.command("set-pin")
@click.option("--pin", prompt="Nouveau code médiateur (6 à 8 chiffres)", hide_input=True,
              confirmation_prompt="Encore une fois", help="The new PIN (asked when missing).")
def set_pin(pin: str) -> None:
    """Print the salted hash of a new mediator PIN, for `pin_hash` in [mediator].

    The PIN itself is never stored: put the printed line in the settings file (or in
    KIOSK_MEDIATOR_PIN_HASH) and restart the kiosk."""
    from kiosk.sessions.mediator_pin import PinFormatError, hash_pin

    try:
        hashed = hash_pin(pin)
    except PinFormatError as err:
        click.echo(f"Code refusé : {err}", err=True)
        raise SystemExit(2) from err
    click.echo("[mediator]")
    click.echo(f'pin_hash = "{hashed}"')


@click.command("compositor-config")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the configuration to this file instead of printing it.")
@click.pass_context
def compositor_config(ctx: click.Context, out_path: Path | None) -> None:
    """The locked-down sway configuration of the kiosk's session, from the settings
    (rotation, idle screen power-off); kiosk-session.service writes it before sway starts."""
    from kiosk import compositor

    settings = load_settings(ctx)
    if out_path is None:
        click.echo(compositor.sway_config(settings, compositor.connected_screens()), nl=False)
        return
    compositor.write_config(settings, out_path)
