"""Parcours files: an ordered list of practice procedures with a goal ("Parcours initiation").

A parcours is data, like a procedure: one YAML file in ``kiosk/practice/parcours/`` (or the
site's ``practice.extra_dir``), its title and goal translated inline ({fr, en, ar}), its steps
procedure ids of the catalogue. :func:`check_parcours` gives every problem as a
:class:`~kiosk.practice.loader.Finding` (file, line, what to do, in French for the mediator who
wrote it): an unknown procedure id is named with its line, as the procedure checker does.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.i18n import _
from kiosk.practice import yamlines
from kiosk.practice.loader import Finding, Severity
from kiosk.practice.text import LANGUAGES, Text

SHIPPED_PARCOURS_DIR = Path(__file__).parent / "parcours"
PARCOURS_SUFFIXES = (".yaml", ".yml")
# The progress card keeps which steps are done as the bits of one number (parcours_card.py).
MAX_STEPS = 24
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_KEYS = {"format", "id", "title", "goal", "procedures"}


@dataclass(frozen=True)
class Parcours:
    id: str
    title: Text
    goal: Text
    steps: tuple[str, ...]        # procedure ids, in the order they are suggested
    source: Path | None = None

    def step_of(self, procedure_id: str) -> int | None:
        """The 0-based index of ``procedure_id`` in the parcours, None if it is not a step."""
        return self.steps.index(procedure_id) if procedure_id in self.steps else None


@dataclass
class ParcoursReport:
    parcours: list[Parcours] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


def parcours_files(root: Path) -> list[Path]:
    if root.is_dir():
        return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in PARCOURS_SUFFIXES)
    return [root] if root.exists() else []


def _text(data: Any, key: str, file: Path, findings: list[Finding]) -> Text:
    node = data.get(key)
    line = data.line_of(key) if isinstance(data, yamlines.LineDict) else 0
    if not isinstance(node, dict) or not str(node.get("fr") or "").strip():
        findings.append(Finding(file, line, _(
            "« {key} » doit être un texte traduit : {key}: {{fr: \"...\", en: \"...\", "
            "ar: \"...\"}}").format(key=key)))
        return Text("")
    for lang in LANGUAGES:
        if not str(node.get(lang) or "").strip():
            findings.append(Finding(file, line, _(
                "traduction manquante ({lang}) pour « {key} » : ajoutez {lang}: \"...\" (d'ici "
                "là, le parcours n'est pas proposé)").format(lang=lang, key=key)))
    return Text.from_data(node)


def check_file(file: Path, procedures: Iterable[str]) -> tuple[Parcours | None, list[Finding]]:
    """The parcours of ``file`` (None when it has a problem) and its findings; ``procedures``
    are the ids of the catalogue its steps may name."""
    known = set(procedures)
    try:
        data = yamlines.load_path(file)
    except yamlines.YamlSyntaxError as err:
        return None, [Finding(file, err.line, err.advice or yamlines.explain(str(err)))]
    except (OSError, UnicodeDecodeError) as err:
        return None, [Finding(file, 0, _("fichier illisible : {error}").format(error=err))]
    if not isinstance(data, yamlines.LineDict):
        return None, [Finding(file, 1, _("le fichier doit décrire un parcours (des clés id:, "
                                         "title:, goal:, procedures:)"))]
    findings: list[Finding] = []
    for key in sorted(set(data) - _KEYS):
        findings.append(Finding(file, data.line_of(key), _(
            "« {key} » n'est pas un mot connu ici : vérifiez l'orthographe. Mots possibles : "
            "{allowed}").format(key=key, allowed=", ".join(sorted(_KEYS)))))
    for key in ("id", "title", "goal", "procedures"):
        if key not in data:
            findings.append(Finding(file, data.line, _(
                "il manque « {key} » : ajoutez-le (voir docs/writing-a-procedure.md)"
            ).format(key=key)))
    parcours_id = str(data.get("id", ""))
    if "id" in data and not _ID.match(parcours_id):
        findings.append(Finding(file, data.line_of("id"), _(
            "« {value} » n'a pas la bonne forme : un identifiant s'écrit en minuscules, sans "
            "accent ni espace (lettres, chiffres, - et _)").format(value=parcours_id)))
    title = _text(data, "title", file, findings) if "title" in data else Text("")
    goal = _text(data, "goal", file, findings) if "goal" in data else Text("")
    steps = data.get("procedures")
    if "procedures" in data and (not isinstance(steps, yamlines.LineList) or not steps):
        findings.append(Finding(file, data.line_of("procedures"), _(
            "« procedures » est une liste d'identifiants de démarches, une par ligne "
            "commençant par « - »")))
        steps = yamlines.LineList()
    steps = steps if isinstance(steps, yamlines.LineList) else yamlines.LineList()
    if len(steps) > MAX_STEPS:
        findings.append(Finding(file, data.line_of("procedures"), _(
            "un parcours compte au plus {max} exercices : partagez-le en deux parcours"
        ).format(max=MAX_STEPS)))
    seen: dict[str, int] = {}
    for index, step in enumerate(steps):
        line = steps.line_of(index)
        step = str(step)
        if step not in known:
            findings.append(Finding(file, line, _(
                "« {id} » n'est pas une démarche du catalogue : vérifiez l'identifiant (la "
                "liste : `kiosk procedures list`)").format(id=step)))
        elif step in seen:
            findings.append(Finding(file, line, _(
                "« {id} » est déjà l'exercice de la ligne {other} : un exercice n'apparaît "
                "qu'une fois dans un parcours").format(id=step, other=seen[step])))
        seen.setdefault(step, line)
    if findings:
        return None, findings
    return Parcours(parcours_id, title, goal, tuple(str(s) for s in steps), file), []


def check_parcours(paths: Iterable[Path], procedures: Iterable[str]) -> ParcoursReport:
    """Check every parcours file under ``paths`` against the catalogue's ``procedures``."""
    known = list(procedures)
    report = ParcoursReport()
    seen: dict[str, Path] = {}
    for root in paths:
        for file in parcours_files(root):
            parcours, findings = check_file(file, known)
            report.findings.extend(findings)
            if parcours is None:
                continue
            if parcours.id in seen:
                report.findings.append(Finding(file, 1, _(
                    "l'identifiant « {id} » est déjà pris par {other} : choisissez-en un autre"
                ).format(id=parcours.id, other=seen[parcours.id])))
                continue
            seen[parcours.id] = file
            report.parcours.append(parcours)
    return report


def parcours_paths(parcours_dir: str = "") -> list[Path]:
    """The shipped parcours, then the site's own folder (``practice.parcours_dir``)."""
    paths = [SHIPPED_PARCOURS_DIR]
    if parcours_dir:
        paths.append(Path(parcours_dir).expanduser())
    return paths
