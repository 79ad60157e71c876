"""A procedure written in the console, as tests need it: a shipped file under another id."""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.practice.catalogue import SHIPPED_DIR
from kiosk_server.tenancy import Role

SOURCE = SHIPPED_DIR / "mairie-rendez-vous.yaml"


def procedure_yaml(procedure_id: str = "mairie-lille-rdv", title: str = "Rendez-vous à Lille"
                   ) -> str:
    """A valid procedure (the checker passes) with its own id and French title."""
    text = SOURCE.read_text(encoding="utf-8")
    text = text.replace("id: mairie-rendez-vous", f"id: {procedure_id}", 1)
    return text.replace('fr: "Prendre rendez-vous en ligne à la mairie"', f'fr: "{title}"', 1)


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
