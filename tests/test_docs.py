"""Docs stay true to the code: every setting and every CLI command is documented."""
from __future__ import annotations

import re
from pathlib import Path

import click

from kiosk.cli import main
from kiosk_server.cli import main as server_main
from kiosk_wire import config

DOCS = Path(__file__).parents[1] / "docs"


def all_commands(group: click.Group, prefix: str = "kiosk") -> list[str]:
    ctx = click.Context(group)
    names = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{prefix} {name} is listed but cannot be loaded"
        path = f"{prefix} {name}"
        names.append(path)
        if isinstance(command, click.Group):
            names.extend(all_commands(command, path))
    return names


def test_every_setting_is_documented_with_its_section():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [s.name for s in config.SETTINGS if f"| {s.name} |" not in text]
    assert missing == [], f"settings missing from docs/configuration.md: {missing}"
    for section in config.SECTIONS:
        assert f"## [{section}]" in text


def test_documented_settings_all_exist():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| ([a-z]+\.[a-z0-9_]+) \|", text, flags=re.MULTILINE))
    known = {s.name for s in config.SETTINGS}
    assert documented - known == set(), "docs/configuration.md documents settings that do not exist"


def test_every_cli_command_is_documented():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^###\s+(kiosk[^\n]*?)\s*$", text, flags=re.MULTILINE))
    commands = all_commands(main) + all_commands(server_main, "kiosk-server")
    missing = [c for c in commands if c not in headings]
    assert missing == [], f"commands missing from docs/cli.md (as '### <command>'): {missing}"


def test_fixed_commands_of_the_product_exist():
    commands = set(all_commands(main))
    for fixed in ("kiosk config show", "kiosk doctor"):
        assert fixed in commands
    server_commands = set(all_commands(server_main, "kiosk-server"))
    for fixed in ("kiosk-server run", "kiosk-server config show",
                  "kiosk-server admin kiosk create"):
        assert fixed in server_commands
