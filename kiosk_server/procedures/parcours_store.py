"""Parcours written in the console: their file, checked, saved as versions.

A parcours is an ordered list of procedures with a goal (kiosk.practice.parcours_file). The
console builds its file from a form (:func:`to_yaml`; the file stays the one source of truth,
exported and published as it is), the kiosk's own parcours checker checks it against the
procedures a parcours may name here (the shipped ones and those published from the console),
and every save is a version reviewed and published like a procedure's (the store's actions
with :data:`~kiosk_server.procedures.kinds.PARCOURS`). A published parcours goes into the
signed bundle of each site whose kiosks offer all of its exercises (bundles.py).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server.procedures import store
from kiosk_server.procedures.checking import (
    CheckFinding,
    CheckResult,
    check_parcours_text,
    load_text,
)
from kiosk_server.procedures.kinds import PARCOURS
from kiosk_server.procedures.review import Reviewer, ReviewRefused
from kiosk_wire import catalogue

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LANGS = ("fr", "en", "ar")
MAX_CHARS = 20_000


@dataclass
class ParcoursForm:
    """What the console's form holds: the id, the title and goal in each language, the
    procedure ids in order."""

    id: str = ""
    title: dict[str, str] = field(default_factory=lambda: dict.fromkeys(LANGS, ""))
    goal: dict[str, str] = field(default_factory=lambda: dict.fromkeys(LANGS, ""))
    steps: list[str] = field(default_factory=list)


def _quoted(value: str) -> str:
    return json.dumps(value.strip(), ensure_ascii=False)  # a JSON string is a YAML scalar


def _text(values: dict[str, str]) -> str:
    return "{" + ", ".join(f"{lang}: {_quoted(values.get(lang, ''))}" for lang in LANGS) + "}"


def to_yaml(form: ParcoursForm, previous: str = "") -> str:
    """The parcours file, written as the shipped ones are; the comment lines at the top of
    ``previous`` (the version edited) are kept."""
    head = []
    for line in previous.splitlines():
        if not line.startswith("#"):
            break
        head.append(line)
    lines = [*head, "format: 1", f"id: {form.id.strip()}", f"title: {_text(form.title)}",
             f"goal: {_text(form.goal)}", "procedures:"]
    lines += [f"  - {step.strip()}" for step in form.steps if step.strip()]
    return "\n".join(lines) + "\n"


def from_yaml(text: str) -> ParcoursForm:
    """The form of a saved file (what does not parse is left empty, the checker says why)."""
    data = load_text(text)
    if not isinstance(data, dict):
        return ParcoursForm()

    def texts(key: str) -> dict[str, str]:
        node = data.get(key)
        return {lang: str(node.get(lang) or "") if isinstance(node, dict) else ""
                for lang in LANGS}
    steps = data.get("procedures")
    return ParcoursForm(str(data.get("id") or ""), texts("title"), texts("goal"),
                        [str(s) for s in steps] if isinstance(steps, list) else [])


def step_choices(conn: Connection) -> list[tuple[str, str]]:
    """(id, French title) of the procedures a parcours may name: the shipped ones and those
    published from the console, by title."""
    shipped = [(e.id, e.title_fr) for e in catalogue.shipped().values()]
    published = conn.execute(
        sa.select(t.procedures.c.id, t.procedures.c.title_fr)
        .join(t.procedure_publications,
              t.procedure_publications.c.procedure_id == t.procedures.c.id)).all()
    return sorted([*shipped, *((r.id, r.title_fr or r.id) for r in published)],
                  key=lambda kv: kv[1].lower())


# The checker speaks of the file's keys; the console's form names them so.
_FORM_WORDS = {"« title »": "« Nom du parcours »", "« goal »": "« Objectif »",
               "« procedures »": "« Exercices »"}
_FILE_ADVICE = re.compile(r' : ajoutez (?:fr|en|ar): "\.\.\."')


def plain(message: str) -> str:
    """A parcours checker's message as the form's reader needs it (no YAML advice)."""
    for key, words in _FORM_WORDS.items():
        message = message.replace(key, words)
    return _FILE_ADVICE.sub("", message)


def check_text(conn: Connection, text: str) -> CheckResult:
    """The kiosk's parcours checker on ``text``, its steps checked against
    :func:`step_choices`; a shipped parcours' id is refused (the kiosks have it already)."""
    findings = check_parcours_text(text, [pid for pid, _title in step_choices(conn)])
    form = from_yaml(text)
    if form.id in catalogue.shipped_parcours():
        findings.append(CheckFinding(2, f"l'identifiant « {form.id} » est celui d'un parcours "
                                        f"fourni avec la borne : choisissez-en un autre"))
    return CheckResult(form.id if _SLUG.match(form.id) else None, form.title["fr"], findings)


@dataclass(frozen=True)
class SavedParcours:
    parcours_id: str
    version: int
    check: CheckResult


def save(conn: Connection, person: Reviewer, text: str, parcours_id: str | None = None
         ) -> SavedParcours:
    """A new version of the parcours the text declares (created on its first save); kept as a
    draft even with problems (work in progress), which then cannot be submitted."""
    if len(text) > MAX_CHARS:
        raise ReviewRefused("Fichier trop long pour un parcours.")
    result = check_text(conn, text)
    declared = result.procedure_id
    if not declared:
        raise ReviewRefused("Parcours non enregistré : son identifiant est vide ou mal formé "
                            "(lettres minuscules, chiffres et tirets).")
    if parcours_id is not None and declared != parcours_id:
        raise ReviewRefused(f"Ce fichier décrit le parcours « {declared} », pas « "
                            f"{parcours_id} ».")
    return SavedParcours(declared, store.write_version(conn, PARCOURS, person, declared, text,
                                                       result), result)


def is_new_id(conn: Connection, parcours_id: str) -> bool:
    return bool(_SLUG.match(parcours_id)) and parcours_id not in catalogue.shipped_parcours() \
        and conn.execute(sa.select(t.parcours.c.id)
                         .where(t.parcours.c.id == parcours_id)).first() is None


def versions(conn: Connection, parcours_id: str) -> list[Any]:
    """Every version of a parcours, newest first, with its author's name."""
    return store.versions(conn, parcours_id, PARCOURS)


def listing(conn: Connection) -> list[dict[str, Any]]:
    """Every parcours with its title, its latest version and state, and what is published."""
    return store.listing(conn, PARCOURS)


def known_ids(conn: Connection, ids: list[str]) -> set[str]:
    """Which of ``ids`` are parcours of this server (accepted in records)."""
    if not ids:
        return set()
    return set(conn.execute(sa.select(t.parcours.c.id).where(t.parcours.c.id.in_(ids)))
               .scalars())


def titles(conn: Connection) -> dict[str, str]:
    """The French title of every parcours written here (the console's "Parcours suivis")."""
    return {r.id: r.title_fr or r.id
            for r in conn.execute(sa.select(t.parcours.c.id, t.parcours.c.title_fr))}
