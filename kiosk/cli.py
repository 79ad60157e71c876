"""The `kiosk` console script.

Sub-commands live in their own modules and are imported only when called (``LAZY_COMMANDS``),
so `kiosk config show` does not pay for Kivy or the web server. Every command documented in
docs/cli.md (tests/test_docs.py checks it).
"""
from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from kiosk import __version__, config

# name -> "module:attribute" of a click command, loaded on first use.
LAZY_COMMANDS: dict[str, str] = {
    "doctor": "kiosk.doctor:doctor",
    "run": "kiosk.app_cli:run",
    "demo": "kiosk.app_cli:demo",
    "procedures": "kiosk.practice.cli:procedures",
    "server": "kiosk.server.cli:server",
}


# `kiosk admin <name>`: server-side (sites, kiosks, tokens, users) and kiosk-side (PIN, badges).
ADMIN_COMMANDS: dict[str, str] = {
    "territory": "kiosk.server.admin_cli:territory",
    "site": "kiosk.server.admin_cli:site",
    "kiosk": "kiosk.server.admin_cli:kiosk",
    "token": "kiosk.server.admin_cli:token",
    "user": "kiosk.server.admin_cli:user",
    "rebuild-aggregates": "kiosk.server.admin_cli:rebuild_aggregates",
    "badge": "kiosk.devices.admin_cli:badge",
    "set-pin": "kiosk.app_cli:set_pin",
}


class LazyGroup(click.Group):
    """A group whose sub-commands are imported from a table on first use."""

    table: dict[str, str] = LAZY_COMMANDS

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.table))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.table:
            module_name, attr = self.table[name].split(":")
            return getattr(importlib.import_module(module_name), attr)
        return super().get_command(ctx, name)


class LazyAdminGroup(LazyGroup):
    table = ADMIN_COMMANDS


def load_settings(ctx: click.Context) -> config.Settings:
    """The effective settings for this invocation; a bad file is a plain message, exit 2."""
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        try:
            obj["settings"] = config.load(obj.get("config_path"))
        except config.ConfigError as err:
            click.echo(f"Erreur de configuration / configuration error: {err}", err=True)
            ctx.exit(2)
        from kiosk.logs import configure_logging

        configure_logging(obj["settings"])
        for name in config.unknown_env_vars():
            logging.getLogger("kiosk.config").warning(
                "environment variable %s matches no setting (typo?)", name)
    return obj["settings"]


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              envvar=config.CONFIG_ENV, help="Settings file (TOML). Default: $KIOSK_CONFIG.")
@click.version_option(__version__, prog_name="kiosk")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """kiosk: self-service terminal for France Services and EPN."""
    ctx.ensure_object(dict)["config_path"] = config_path
    from kiosk.logs import FORMAT

    logging.basicConfig(level=logging.INFO, format=FORMAT)


@main.group("config")
def config_group() -> None:
    """Inspect the settings."""


@config_group.command("show")
@click.option("--all", "show_all", is_flag=True, help="Also show the help text of each setting.")
@click.pass_context
def config_show(ctx: click.Context, show_all: bool) -> None:
    """Print every effective setting with where its value came from."""
    settings = load_settings(ctx)
    if settings.file:
        click.echo(f"# settings file: {settings.file}")
    section = None
    for value in settings.values.values():
        s = value.setting
        if s.section != section:
            section = s.section
            click.echo(f"\n[{section}]")
        origin = value.source.value + (f" ({value.origin})" if value.origin else "")
        click.echo(f"{s.key} = {value.display()}    # {origin}")
        if show_all:
            click.echo(f"    # {s.help} (env {s.env_var})")


@main.group("admin", cls=LazyAdminGroup)
def admin_group() -> None:
    """Administer sites, kiosks, tokens, console users, mediator PIN and badges."""


def run_main(argv: list[str] | None = None) -> Any:
    return main.main(args=argv, prog_name="kiosk", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_main())
