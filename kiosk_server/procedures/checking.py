"""The practice checker (kiosk.practice.checker) run on a version's YAML text.

This is the one place the server uses the terminal's code: the checker *is* the definition of
a valid procedure, and the server must refuse to publish what a kiosk would refuse to show; and
the shipped procedures' files, which a new procedure may start from (:func:`shipped_text`).
It is imported on first use, so the rest of the server loads without it (tests/test_layering.py
allows this module alone). The `server` extra installs the checker's libraries (pyyaml,
jsonschema); a server installed without them gets :class:`CheckerUnavailable`, said plainly.
"""
from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class FindingSeverity(str, Enum):
    ERROR = "error"      # keeps the version from being submitted or published
    WARNING = "warning"  # a missing translation: the kiosk keeps it for mediators' test mode


PathStep = str | int


@dataclass(frozen=True)
class CheckFinding:
    line: int
    message: str  # French, for the author
    severity: FindingSeverity = FindingSeverity.ERROR
    # Where in the procedure (keys and list indexes: ("pages", 2, "next")), for an editor to
    # show the finding beside its field; () when the line names no key (the whole file).
    path: tuple[PathStep, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message, "severity": self.severity.value,
                "path": list(self.path)}

    @property
    def where(self) -> str:
        """The path as a person reads it: « pages › 3 › next » (list items counted from 1)."""
        return " › ".join(str(s + 1) if isinstance(s, int) else s for s in self.path)


@dataclass
class CheckResult:
    procedure_id: str | None  # the id the text declares, once it parses
    title_fr: str = ""
    findings: list[CheckFinding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is FindingSeverity.ERROR)

    def findings_json(self) -> str:
        return json.dumps([f.to_json() for f in self.findings], ensure_ascii=False)


class CheckerUnavailable(RuntimeError):
    """The server lacks the checker's libraries."""


def shipped_text(procedure_id: str) -> str | None:
    """The file of a procedure shipped with the kiosk (to start a new one from it), or None."""
    try:
        from kiosk.practice.catalogue import SHIPPED_DIR
    except ImportError as err:
        raise CheckerUnavailable(
            f"le vérificateur de démarches n'est pas installé sur ce serveur ({err.name})"
        ) from None
    path = SHIPPED_DIR / f"{procedure_id}.yaml"
    if not _SLUG.match(procedure_id) or not path.is_file():
        return None
    return path.read_text(encoding="utf-8")


def findings_from_json(raw: str) -> list[CheckFinding]:
    return [CheckFinding(int(f["line"]), str(f["message"]), FindingSeverity(f["severity"]),
                         tuple(f.get("path", ())))
            for f in json.loads(raw or "[]")]


def path_at_line(data: Any, line: int) -> tuple[PathStep, ...]:
    """The deepest key or list item written on ``line`` (the checker's findings name lines)."""
    best: tuple[PathStep, ...] = ()

    def walk(node: Any, path: tuple[PathStep, ...]) -> None:
        nonlocal best
        steps: list[tuple[PathStep, int, Any]] = []
        if isinstance(node, dict):
            lines = getattr(node, "key_lines", {})
            steps = [(k, lines.get(k, 0), v) for k, v in node.items()]
        elif isinstance(node, list):
            lines_of = getattr(node, "item_lines", [])
            steps = [(i, lines_of[i] if i < len(lines_of) else 0, v)
                     for i, v in enumerate(node)]
        for step, at, value in steps:
            here = (*path, step)
            if at == line and len(here) > len(best):
                best = here
            walk(value, here)
    walk(data, ())
    return best


def check_yaml(text: str) -> CheckResult:
    """Every finding of the checker on ``text``, as the kiosk would see it in a file."""
    try:
        from kiosk.practice.checker import check_file
        from kiosk.practice.loader import Severity
        from kiosk.practice.yamlines import YamlSyntaxError, load
    except ImportError as err:  # a server installed without the checker's libraries
        raise CheckerUnavailable(
            f"le vérificateur de démarches n'est pas installé sur ce serveur ({err.name})"
        ) from None
    declared: str | None = None
    title = ""
    data: Any = None
    try:
        data = load(text)
        if isinstance(data, dict):
            declared = data.get("id") if isinstance(data.get("id"), str) else None
            raw_title = data.get("title")
            title = (str(raw_title.get("fr", "")) if isinstance(raw_title, dict)
                     else str(raw_title or ""))
    except YamlSyntaxError:
        pass  # check_file names the line
    with tempfile.TemporaryDirectory(prefix="kiosk-procedure-") as tmp:
        path = Path(tmp) / "procedure.yaml"
        path.write_text(text, encoding="utf-8")
        _procedure, found = check_file(path)
    return CheckResult(declared, title, [
        CheckFinding(f.line, f.message, FindingSeverity.WARNING
                     if f.severity is Severity.WARNING else FindingSeverity.ERROR,
                     path_at_line(data, f.line) if data is not None and f.line else ())
        for f in found])


def load_text(text: str) -> Any:
    """The YAML text's data, or None when it does not parse (the checkers say where)."""
    try:
        from kiosk.practice.yamlines import YamlSyntaxError, load
    except ImportError as err:
        raise CheckerUnavailable(
            f"le vérificateur de démarches n'est pas installé sur ce serveur ({err.name})"
        ) from None
    try:
        return load(text)
    except YamlSyntaxError:
        return None


def check_parcours_text(text: str, procedures: list[str]) -> list[CheckFinding]:
    """The kiosk's parcours checker on a parcours file's text, its exercises checked against
    ``procedures`` (the ids it may name)."""
    try:
        from kiosk.practice.parcours_file import check_file as check_parcours_file
    except ImportError as err:
        raise CheckerUnavailable(
            f"le vérificateur de parcours n'est pas installé sur ce serveur ({err.name})"
        ) from None
    with tempfile.TemporaryDirectory(prefix="kiosk-parcours-") as tmp:
        path = Path(tmp) / "parcours.yaml"
        path.write_text(text, encoding="utf-8")
        _parcours, found = check_parcours_file(path, procedures)
    return [CheckFinding(f.line, f.message) for f in found]
