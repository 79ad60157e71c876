"""`kiosk procedures check`: everything that can be wrong in a procedure file, with its line.

Checks, in order: YAML syntax and the JSON Schema; unique ids; pages and branches that exist;
every page reachable from the start; every path ends (no page from which the end cannot be
reached, no page without a way on); every string translated (fr, en, ar); hints pointing at
real fields; traps pointing at real fields and pages; every field has its answer on the
persona card, and the persona values pass the field's own checks. Messages are in French for
the mediator who writes the file, and each says what to do.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.i18n import _
from kiosk.practice import typos
from kiosk.practice.fields import check_field
from kiosk.practice.loader import Finding, Severity, build, parse_file
from kiosk.practice.messages import MESSAGES, message
from kiosk.practice.model import FieldType, Procedure, TrapKind
from kiosk.practice.page_graph import check_graph
from kiosk.practice.solution import solution
from kiosk.practice.text import LANGUAGES
from kiosk.practice.validators import run_validator
from kiosk.practice.variants import with_short
from kiosk.practice.yamlines import LineDict, LineList

PROCEDURE_SUFFIXES = (".yaml", ".yml")
# Fields whose answer must be on the persona card (or fixed by `expected`).
NEEDS_ANSWER = {FieldType.TEXT, FieldType.DATE, FieldType.NUMBER, FieldType.PASSWORD}
LANGUAGE_NAMES = {"fr": "français", "en": "anglais", "ar": "arabe"}


@dataclass
class Report:
    """``procedures`` are ready for residents; ``drafts`` only lack translations (warnings):
    a mediator can try them in test mode, residents do not see them."""

    procedures: list[Procedure] = field(default_factory=list)
    drafts: list[Procedure] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        """No error (drafts with missing translations are fine to keep working on)."""
        return not self.errors


def _misnamed(path: Path) -> bool:
    """A procedure saved by an editor that added .txt (``demarche.yaml.txt``)."""
    return path.suffix == ".txt" and Path(path.stem).suffix in PROCEDURE_SUFFIXES


def procedure_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and
                      (p.suffix in PROCEDURE_SUFFIXES or _misnamed(p)))
    return [path]


def _file_finding(file: Path) -> Finding | None:
    if file.suffix in PROCEDURE_SUFFIXES:
        return None
    if file.suffix == ".txt":
        return Finding(file, 0, _(
            "ce fichier se termine par .txt (souvent ajouté par le Bloc-notes) : renommez-le "
            "en « {name} » pour qu'il soit lu comme une démarche").format(
                name=Path(file.stem).stem + ".yaml"))
    return Finding(file, 0, _("une démarche est un fichier .yaml : renommez ce fichier en "
                              "« {name} »").format(name=file.stem + ".yaml"))


def check_paths(paths: Iterable[Path], taken: dict[str, str] | None = None,
                packaged: Path | None = None) -> Report:
    """Check files and folders. ``taken`` names the ids already in the catalogue these files
    join (id -> what has it), so a site's file reusing a shipped id is refused here instead
    of being left out of the kiosk without a word. Files under ``packaged`` (the kiosk's own
    shipped catalogue, at its start) skip the JSON Schema pass: they passed it when the package
    was built (`kiosk procedures check` in the tests), cannot change since, and the schema
    validator's library is ~10 MB resident that a kiosk with no other procedure never needs.
    Every other check still runs on them."""
    report = Report()
    seen: dict[str, str] = dict(taken or {})
    for root in paths:
        if not root.exists():
            report.findings.append(Finding(root, 0, _("ce fichier ou dossier n'existe pas")))
            continue
        files = procedure_files(root)
        if root.is_dir() and not files:
            report.findings.append(Finding(root, 0, _(
                "ce dossier ne contient aucune démarche (aucun fichier .yaml) : vérifiez le "
                "dossier, ou le nom des fichiers")))
        for file in files:
            report.files += 1
            misnamed = _file_finding(file)
            if misnamed is not None:
                report.findings.append(misnamed)
                continue
            procedure, findings = check_file(
                file, schema=packaged is None or not file.is_relative_to(packaged))
            report.findings.extend(findings)
            if procedure is None:
                continue
            if procedure.id in seen:
                report.findings.append(Finding(file, _top_key_line(file, "id"), _(
                    "l'identifiant « {id} » est déjà pris par {other} : choisissez-en un autre "
                    "(la borne n'afficherait qu'une des deux démarches)"
                ).format(id=procedure.id, other=seen[procedure.id])))
                continue
            seen[procedure.id] = str(file)
            if procedure.short is not None:  # its statistics id must be nobody else's
                if procedure.short.id in seen:
                    report.findings.append(Finding(file, _top_key_line(file, "short"), _(
                        "la version courte s'appelle « {id} », identifiant déjà pris par "
                        "{other} : changez l'un des deux").format(
                            id=procedure.short.id, other=seen[procedure.short.id])))
                    continue
                seen[procedure.short.id] = _("la version courte de {file}").format(file=file)
            if not findings:
                report.procedures.append(procedure)
            elif all(f.severity is Severity.WARNING for f in findings):
                report.drafts.append(procedure)
    return report


def _top_key_line(file: Path, key: str) -> int:
    """The line of a top-level ``key:`` in a file that already passed the checks (1 if none):
    where a mediator must look to change an id that collides."""
    lines = file.read_text(encoding="utf-8").splitlines()
    return next((n for n, text in enumerate(lines, 1) if text.startswith(f"{key}:")), 1)


def check_file(file: Path, schema: bool = True) -> tuple[Procedure | None, list[Finding]]:
    """The procedure (None when it has errors) and every finding, errors and warnings."""
    data, findings = parse_file(file, schema)
    if data is None or findings:
        return None, findings
    warnings = list(_translations(data, file))
    findings = typos.typographic_quotes(data, file) + typos.duplicates(data, file)
    findings += _structure(data, file)
    if findings:
        return None, findings + warnings
    procedure = build(data, file)
    findings += check_graph(procedure, data, file)
    findings += _answers(procedure, file)
    if not findings:  # the short first-timer version, when the file declares one
        procedure, findings = with_short(procedure, data, file, check_graph)
    return (None if findings else procedure), findings + warnings


# --- translations ---------------------------------------------------------------------------
def _is_text(node: Any) -> bool:
    return isinstance(node, LineDict) and "fr" in node and set(node) <= set(LANGUAGES)


def _walk(node: Any) -> Iterator[LineDict]:
    if _is_text(node):
        yield node
    elif isinstance(node, LineDict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, LineList):
        for item in node:
            yield from _walk(item)


def _translations(data: Any, file: Path) -> Iterator[Finding]:
    """Missing translations are warnings: a French-only draft can be tried by mediators and
    is shown to residents once translated."""
    for text in _walk(data):
        for lang in LANGUAGES:
            if not str(text.get(lang) or "").strip():
                yield Finding(file, text.line, _(
                    "traduction manquante en {language} ({lang}) pour « {fr} » : ajoutez "
                    "{lang}: \"...\" (d'ici là, la démarche reste un brouillon que seuls les "
                    "médiateurs peuvent essayer)").format(
                        language=LANGUAGE_NAMES[lang], lang=lang, fr=_short(text["fr"])),
                    Severity.WARNING)


def _short(text: str, width: int = 50) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- ids and references -----------------------------------------------------------------------
def _structure(data: Any, file: Path) -> list[Finding]:
    findings: list[Finding] = []
    pages = data["pages"]
    page_ids: dict[str, int] = {}
    field_ids: dict[str, int] = {}
    persona_keys = {v["key"] for v in data["persona"]["values"]}
    for page in pages:
        if page["id"] in page_ids:
            findings.append(Finding(file, page.line_of("id"), _(
                "deux pages s'appellent « {id} » : chaque page a un id différent"
            ).format(id=page["id"])))
        page_ids[page["id"]] = page.line
    for page in pages:
        local = set()
        for fld in page.get("fields", ()):
            if fld["id"] in field_ids:
                findings.append(Finding(file, fld.line_of("id"), _(
                    "deux cases s'appellent « {id} » dans cette démarche (ligne {other}) : "
                    "donnez-leur des id différents").format(id=fld["id"],
                                                            other=field_ids[fld["id"]])))
            field_ids[fld["id"]] = fld.line
            local.add(fld["id"])
            if fld.get("persona") and fld["persona"] not in persona_keys:
                findings.append(Finding(file, fld.line_of("persona"), _(
                    "la case « {id} » renvoie à « {key} », absent de la fiche persona : "
                    "ajoutez-le dans persona: values:").format(id=fld["id"], key=fld["persona"])))
            codes = (FieldType.SMS_CODE, FieldType.EMAIL_CODE)
            if fld.get("digits") is not None and fld["type"] not in codes:
                findings.append(Finding(file, fld.line_of("digits"), _(
                    "digits: ne sert qu'aux cases sms_code ou email_code (la longueur du code "
                    "reçu) : pour un nombre de chiffres à taper, écrivez validators: [{{name: "
                    "digits, count: {n}}}]").format(n=fld["digits"])))
            if fld.get("same_as") and fld["same_as"] not in local:
                findings.append(Finding(file, fld.line_of("same_as"), _(
                    "same_as: « {ref} » doit nommer une case placée avant, sur la même page"
                ).format(ref=fld["same_as"])))
            if fld["type"] == "choice":
                values = [o["value"] for o in fld["options"]]
                for key in ("expected",):
                    if fld.get(key) is not None and fld[key] not in values:
                        findings.append(Finding(file, fld.line_of(key), _(
                            "« {value} » n'est pas une des options de la case « {id} »"
                        ).format(value=fld[key], id=fld["id"])))
        if page.get("fields") and not page.get("hints"):
            findings.append(Finding(file, page.line_of("fields"), _(
                "la page « {id} » a des cases mais aucune aide : ajoutez hints: avec au moins "
                "une aide qui pointe vers une case (le mode guidé l'affiche)").format(
                    id=page["id"])))
        for fld in page.get("fields", ()):
            for key in (fld.get("errors") or {}):
                if key not in MESSAGES:
                    findings.append(Finding(file, fld["errors"].line_of(key), _(
                        "« {key} » n'est pas un nom de message connu : voir la liste dans "
                        "docs/writing-a-procedure.md (par exemple required, persona.mismatch, "
                        "expected.mismatch, date.format)").format(key=key)))
        for hint in page.get("hints", ()):
            if hint.get("field") and hint["field"] not in local:
                findings.append(Finding(file, hint.line_of("field"), _(
                    "l'aide pointe vers la case « {ref} », qui n'est pas sur la page « {page} ». "
                    "Cases de cette page : {known}").format(
                        ref=hint["field"], page=page["id"],
                        known=", ".join(sorted(local)) or _("aucune"))))
        for trap in page.get("traps", ()):
            if trap.get("field") and trap["field"] not in local:
                findings.append(Finding(file, trap.line_of("field"), _(
                    "le piège vise la case « {ref} », qui n'est pas sur cette page"
                ).format(ref=trap["field"])))
            if trap.get("format"):
                try:
                    re.compile(trap["format"])
                except re.error as err:
                    findings.append(Finding(file, trap.line_of("format"), _(
                        "format: n'est pas une expression valable ({error})").format(error=err)))
    refs = [("start", data.line_of("start"), data.get("start"))] if data.get("start") else []
    for page in pages:
        nxt = page.get("next")
        if isinstance(nxt, str):
            refs.append(("next", page.line_of("next"), nxt))
        for branch in nxt if isinstance(nxt, list) else ():
            refs.append(("page", branch.line_of("page"), branch["page"]))
            if branch.get("field") and branch["field"] not in field_ids:
                findings.append(Finding(file, branch.line_of("field"), _(
                    "l'embranchement dépend de la case « {ref} », qui n'existe pas"
                ).format(ref=branch["field"])))
        for trap in page.get("traps", ()):
            if trap.get("restart"):
                refs.append(("restart", trap.line_of("restart"), trap["restart"]))
    for _key, line, target in refs:
        if target not in page_ids:
            findings.append(Finding(file, line, _(
                "la page « {ref} » n'existe pas. Pages existantes : {known}").format(
                    ref=target, known=", ".join(page_ids))))
    return findings


# --- the persona card -------------------------------------------------------------------------
def _answers(procedure: Procedure, file: Path) -> list[Finding]:
    findings: list[Finding] = []
    for value in procedure.persona.values:
        for spec in value.validators:
            problem = run_validator(spec.name, value.value, spec.params)
            if problem:
                findings.append(Finding(file, value.line, _(
                    "la valeur de la fiche « {key} » ({value}) est refusée par le contrôle "
                    "{check} : {why}").format(key=value.key, value=value.value,
                                              check=spec.name, why=message(problem))))
    for page in procedure.pages:
        for fld in page.fields:
            if fld.type in NEEDS_ANSWER and fld.required and not fld.persona \
                    and fld.expected is None:
                findings.append(Finding(file, fld.line, _(
                    "la case « {id} » n'a pas de réponse sur la fiche : ajoutez persona: <clé> "
                    "(ou expected:) pour que la personne sache quoi taper").format(id=fld.id)))
                continue
            answer = solution(fld, procedure, sms_code="000000")
            if fld.same_as:
                answer_other = solution(page.field(fld.same_as), procedure)  # type: ignore[arg-type]
                page_values = {fld.same_as: answer_other}
            else:
                page_values = None
            wrong_format = next((t for t in page.traps if t.kind is TrapKind.WRONG_FORMAT
                                 and t.field == fld.id), None)
            problem = check_field(fld, answer, page_values=page_values,
                                  strict_format=wrong_format, sms_code="000000")
            if problem:
                why = (_("elle ne respecte pas le format: du piège")
                       if problem.key == "trap.wrong_format" else message(problem))
                why = why.rstrip(". ")
                card = next((v for v in procedure.persona.values if v.key == fld.persona), None)
                if card is not None:
                    findings.append(Finding(file, card.line, _(
                        "la valeur de la fiche « {key} » ({value}), à taper dans la case « {id} » "
                        "(ligne {line}), serait refusée : {why}. Corrigez la valeur, ou le "
                        "contrôle de la case").format(key=card.key, value=answer, id=fld.id,
                                                       line=fld.line, why=why)))
                else:
                    findings.append(Finding(file, fld.line, _(
                        "la réponse attendue pour la case « {id} » ({value}) serait refusée : "
                        "{why}. Corrigez expected: ou le contrôle de la case").format(
                            id=fld.id, value=answer, why=why)))
    return findings
