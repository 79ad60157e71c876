"""What the two console scripts (``kiosk`` and ``kiosk-server``) share: lazy sub-command groups,
loading the settings once per invocation, and ``config show``.

Sub-commands live in their own modules and are imported only when called, so ``config show``
pays for neither Kivy nor the web server.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

import click

from kiosk_wire import config

if TYPE_CHECKING:
    from click.decorators import FC


class LazyGroup(click.Group):
    """A group whose sub-commands are imported from a table ("module:attribute") on first use."""

    table: ClassVar[dict[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.table))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.table:
            module_name, attr = self.table[name].split(":")
            command: click.Command = getattr(importlib.import_module(module_name), attr)
            return command
        return super().get_command(ctx, name)


def lazy_group(table: dict[str, str]) -> type[LazyGroup]:
    """A LazyGroup class over ``table`` (click wants a class for ``cls=``)."""
    return type("LazyGroupOver", (LazyGroup,), {"table": table})


def load_settings(ctx: click.Context, program: str = "kiosk") -> config.Settings:
    """The effective settings for this invocation; a bad file is a plain message, exit 2."""
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        try:
            obj["settings"] = config.load(obj.get("config_path"))
        except config.ConfigError as err:
            click.echo(f"Erreur de configuration / configuration error: {err}", err=True)
            ctx.exit(2)
        from kiosk_wire.logs import configure_logging

        configure_logging(obj["settings"], program=obj.get("program", program))
        for name in config.unknown_env_vars():
            logging.getLogger("kiosk.config").warning(
                "environment variable %s matches no setting (typo?)", name)
    settings: config.Settings = obj["settings"]
    return settings


def start(ctx: click.Context, config_path: str | None, program: str) -> None:
    """What a program's top-level group does before any sub-command."""
    obj = ctx.ensure_object(dict)
    obj["config_path"] = config_path
    obj["program"] = program
    from kiosk_wire.logs import FORMAT

    logging.basicConfig(level=logging.INFO, format=FORMAT)


def config_option() -> Callable[[FC], FC]:
    return click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                        envvar=config.CONFIG_ENV,
                        help="Settings file (TOML). Default: $KIOSK_CONFIG.")


def add_config_group(main: click.Group, sections: tuple[str, ...]) -> None:
    """``<program> config show``: the settings of ``sections`` with where each value came from."""

    @main.group("config")
    def config_group() -> None:
        """Inspect the settings."""

    @config_group.command("show")
    @click.option("--all", "show_all", is_flag=True,
                  help="Also show the help text of each setting.")
    @click.pass_context
    def config_show(ctx: click.Context, show_all: bool) -> None:
        """Print every effective setting with where its value came from."""
        settings = load_settings(ctx)
        if settings.file:
            click.echo(f"# settings file: {settings.file}")
        section = None
        for value in settings.values.values():
            s = value.setting
            if s.section not in sections:
                continue
            if s.section != section:
                section = s.section
                click.echo(f"\n[{section}]")
            origin = value.source.value + (f" ({value.origin})" if value.origin else "")
            click.echo(f"{s.key} = {value.display()}    # {origin}")
            if show_all:
                click.echo(f"    # {s.help} (env {s.env_var})")
