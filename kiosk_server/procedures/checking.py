"""The practice checker (kiosk.practice.checker) run on a version's YAML text.

This is the one place the server uses the terminal's code: the checker *is* the definition of
a valid procedure, and the server must refuse to publish what a kiosk would refuse to show.
It is imported on first use, so the rest of the server loads without it (tests/test_layering.py
allows this module alone). The `server` extra installs the checker's libraries (pyyaml,
jsonschema); a server installed without them gets :class:`CheckerUnavailable`, said plainly.
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any


class FindingSeverity(str, Enum):
    ERROR = "error"      # keeps the version from being submitted or published
    WARNING = "warning"  # a missing translation: the kiosk keeps it for mediators' test mode


@dataclass(frozen=True)
class CheckFinding:
    line: int
    message: str  # French, for the author
    severity: FindingSeverity = FindingSeverity.ERROR

    def to_json(self) -> dict[str, Any]:
        return {"line": self.line, "message": self.message, "severity": self.severity.value}


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


def findings_from_json(raw: str) -> list[CheckFinding]:
    return [CheckFinding(int(f["line"]), str(f["message"]), FindingSeverity(f["severity"]))
            for f in json.loads(raw or "[]")]


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
                     if f.severity is Severity.WARNING else FindingSeverity.ERROR)
        for f in found])
