"""The `kiosk` console script: the terminal's commands.

Sub-commands live in their own modules and are imported only when called (``LAZY_COMMANDS``),
so `kiosk config show` does not pay for Kivy. The central server has its own program,
`kiosk-server` (kiosk_server/cli.py). Every command is documented in docs/cli.md
(tests/test_docs.py checks it).
"""
from __future__ import annotations

import sys
from typing import Any

import click

from kiosk import __version__
from kiosk_wire import cli_common, config

# name -> "module:attribute" of a click command, loaded on first use.
LAZY_COMMANDS: dict[str, str] = {
    "doctor": "kiosk.doctor:doctor",
    "run": "kiosk.app_cli:run",
    "demo": "kiosk.app_cli:demo",
    "procedures": "kiosk.practice.cli:procedures",
    "setup": "kiosk.setup_cli:setup",
}

# `kiosk admin <name>`: this terminal's mediator PIN and badges.
ADMIN_COMMANDS: dict[str, str] = {
    "badge": "kiosk.badge_cli:badge",
    "set-pin": "kiosk.app_cli:set_pin",
}


def load_settings(ctx: click.Context) -> config.Settings:
    """The effective settings for this invocation; a bad file is a plain message, exit 2."""
    return cli_common.load_settings(ctx, program="kiosk")


@click.group(cls=cli_common.lazy_group(LAZY_COMMANDS),
             context_settings={"help_option_names": ["-h", "--help"]})
@cli_common.config_option()
@click.version_option(__version__, prog_name="kiosk")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """kiosk: self-service terminal for France Services and EPN."""
    cli_common.start(ctx, config_path, program="kiosk")


cli_common.add_config_group(main, config.TERMINAL_SECTIONS)


@main.group("admin", cls=cli_common.lazy_group(ADMIN_COMMANDS))
def admin_group() -> None:
    """Administer this terminal: mediator PIN and badges."""


def run_main(argv: list[str] | None = None) -> Any:
    return main.main(args=argv, prog_name="kiosk", standalone_mode=True)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_main())
