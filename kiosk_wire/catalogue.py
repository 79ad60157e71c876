"""The shipped practice catalogue as the server knows it: each procedure's id, French title and
theme, from ``catalogue.json`` beside this module.

The server never reads procedure files (they are the terminal's, with the practice engine that
checks them); it needs only their ids, to refuse anything else in a record, and their titles, for
the console, and the title of each step (a step is a page's rank on the longest path from the
start, kiosk.practice.steps.page_depths: the funnels, the stop table and the live view say
"étape 3 sur 7 : Votre adresse"). ``kiosk procedures manifest`` writes the file from the
shipped procedures, and tests/practice/test_catalogue_manifest.py fails when it is out of date.
The shipped parcours likewise, in ``parcours.json`` (their ids are accepted in records, their
titles and steps name the console's "Parcours suivis" rows).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

MANIFEST = Path(__file__).with_name("catalogue.json")


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    title_fr: str
    theme: str
    steps_fr: tuple[str, ...] = ()  # title of step 1, 2...: pages sharing a rank joined by "ou"


def entries_to_json(entries: list[CatalogueEntry]) -> str:
    rows = [{"id": e.id, "title_fr": e.title_fr, "theme": e.theme, "steps_fr": list(e.steps_fr)}
            for e in sorted(entries, key=lambda e: e.id)]
    return json.dumps({"procedures": rows}, ensure_ascii=False, indent=1) + "\n"


@functools.lru_cache(maxsize=1)
def shipped() -> dict[str, CatalogueEntry]:
    """The shipped procedures by id."""
    data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return {row["id"]: CatalogueEntry(row["id"], row["title_fr"], row["theme"],
                                      tuple(row.get("steps_fr", ())))
            for row in data["procedures"]}


# --- parcours --------------------------------------------------------------------------------
PARCOURS_MANIFEST = Path(__file__).with_name("parcours.json")


@dataclass(frozen=True)
class ParcoursEntry:
    """A shipped parcours as the server knows it: its id (accepted in records), its French
    title and its steps' procedure ids (the console's table names each step)."""

    id: str
    title_fr: str
    steps: tuple[str, ...]


def parcours_to_json(entries: list[ParcoursEntry]) -> str:
    rows = [{"id": e.id, "title_fr": e.title_fr, "steps": list(e.steps)} for e in entries]
    return json.dumps({"parcours": rows}, ensure_ascii=False, indent=1) + "\n"


@functools.lru_cache(maxsize=1)
def shipped_parcours() -> dict[str, ParcoursEntry]:
    """The shipped parcours by id, in the kiosk's order (kiosk_wire/parcours.json)."""
    data = json.loads(PARCOURS_MANIFEST.read_text(encoding="utf-8"))
    return {row["id"]: ParcoursEntry(row["id"], row["title_fr"], tuple(row["steps"]))
            for row in data["parcours"]}


# --- a procedure's short first-timer version ---------------------------------------------------
# Recorded under its own id, the full one's and this suffix ("ameli-compte-courte"), so the
# statistics keep the two apart with catalogue ids only (never a text).
SHORT_SUFFIX = "-courte"


def short_id(procedure_id: str) -> str:
    return procedure_id + SHORT_SUFFIX


def full_id_of(procedure_id: str) -> str | None:
    """The full procedure's id of a short version's id, else None."""
    if procedure_id.endswith(SHORT_SUFFIX) and len(procedure_id) > len(SHORT_SUFFIX):
        return procedure_id.removesuffix(SHORT_SUFFIX)
    return None
