"""A procedure written in the console, as tests need it: a shipped file under another id."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.practice.catalogue import SHIPPED_DIR
from kiosk_server.tenancy import Role


def procedure_yaml(procedure_id: str = "mairie-lille-rdv", title: str = "Rendez-vous à Lille",
                   source: str = "mairie-rendez-vous") -> str:
    """A valid procedure (the checker passes): a shipped one with its own id and French title."""
    text = (SHIPPED_DIR / f"{source}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"id: {source}", f"id: {procedure_id}", 1)
    return re.sub(r'^(title: \{fr: ")[^"]*"', lambda m: f'{m.group(1)}{title}"', text, count=1,
                  flags=re.MULTILINE)


def broken_yaml(procedure_id: str = "mairie-lille-rdv") -> str:
    """The same procedure with a page leading nowhere (a checker error)."""
    return procedure_yaml(procedure_id).replace("next: ", "next: page-qui-n-existe-pas-", 1)


@dataclass(frozen=True)
class Person:
    """Who acts, as the console's ConsoleUser gives it to kiosk_server.procedures."""

    id: int
    role: Role
    site_ids: frozenset[int] = frozenset()
    territory_ids: frozenset[int] = frozenset()
