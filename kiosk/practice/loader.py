"""Load a procedure file: YAML (with line numbers), JSON Schema, then typed dataclasses.

Any problem is a :class:`Finding` naming the file, the line and what to do, in French (the
people writing procedures are mediators). :func:`load_procedure` raises
:class:`ProcedureError` with every finding at once, so a mediator fixes a file in one pass.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.i18n import _
from kiosk.practice import yamlines
from kiosk.practice.model import (
    Branch,
    Field,
    FieldType,
    Hint,
    Level,
    Logo,
    Memo,
    Operator,
    Option,
    Page,
    Persona,
    PersonaValue,
    Procedure,
    Sample,
    Table,
    Trap,
    TrapKind,
    ValidatorSpec,
)
from kiosk.practice.text import Text
from kiosk_wire.schema import Theme

if TYPE_CHECKING:
    import jsonschema
    from jsonschema.exceptions import ValidationError

SCHEMA_FILE = "procedure.schema.json"


class Severity(Enum):
    """An ERROR keeps the procedure away from every kiosk; a WARNING (a missing translation)
    leaves it a draft: mediators can try it, residents do not see it yet."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem in a procedure file: where it is and what to do about it."""

    file: Path
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        if self.severity is Severity.WARNING:
            return f"{where}: {_('attention')} : {self.message}"
        return f"{where}: {self.message}"


class ProcedureError(Exception):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(str(f) for f in findings))
        self.findings = findings


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    text = resources.files("kiosk.practice").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every local ``$ref`` replaced by its definition (the format has no
    recursion), so validation does not resolve references thousands of times per file."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1:
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    # Imported for a refused file only: the quick validator says yes to valid ones, and
    # jsonschema (~8 MB resident) stays out of a kiosk whose catalogue is sound.
    import jsonschema

    full = schema()
    return jsonschema.Draft202012Validator(_inline_refs(full, full.get("$defs", {})))


# --- schema errors in plain French ----------------------------------------------------------
_PATTERN_ADVICE = {
    "^[a-z0-9][a-z0-9_-]{0,63}$": "un identifiant s'écrit en minuscules, sans accent ni espace "
                                  "(lettres, chiffres, - et _), par exemple « etat-civil »",
    "^#[0-9a-fA-F]{6}$": "une couleur s'écrit # suivi de 6 chiffres ou lettres A-F, "
                         "par exemple #1d4e89",
    "^[a-z0-9.-]+\\.exemple$": "l'adresse du site fictif se termine par « .exemple » "
                               "(jamais une vraie adresse), par exemple « titres.exemple »",
    "^https://[a-z0-9.-]+\\.[a-z]{2,}(/.*)?$": "une adresse de site commence par https:// , par "
                                             "exemple « https://www.service-public.fr »",
    "^20[0-9]{2}-[01][0-9]-[0-3][0-9]$": "une date de vérification s'écrit année-mois-jour, "
                                         "par exemple « 2026-12-05 »",
}


def _explain(error: ValidationError) -> tuple[list[Any], str]:
    """(path to point at, French message) for one schema error."""
    path = list(error.absolute_path)
    kind = error.validator
    if kind == "oneOf" and error.context:
        # A branch of another type ("not an object") says nothing useful when a branch of the
        # instance's own type exists: explain why that one failed (an unknown validator name
        # is "not one of ...", not "a text must be translated").
        from jsonschema.exceptions import best_match

        relevant = [e for e in error.context if e.validator != "type"] or list(error.context)
        return _explain(best_match(relevant))
    if kind == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else "?"
        return path, _("il manque « {key} » : ajoutez-le (voir docs/writing-a-procedure.md)"
                       ).format(key=missing)
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        key = extra[0] if extra else "?"
        if key.strip(TYPOGRAPHIC_QUOTES) != key:
            return path + [key], _(
                "« {key} » est entouré de guillemets typographiques (“ ” ou ‘ ’, ajoutés par un "
                "traitement de texte) : YAML ne les comprend pas, remplacez-les par des "
                "guillemets droits \"...\" ou enlevez-les").format(key=key)
        if key in _known_words():
            return path + [key], _(
                "« {key} » est bien un mot des fichiers de démarche, mais pas à cet endroit : "
                "la ligne est sans doute mal décalée (vérifiez le nombre d'espaces au début de "
                "la ligne et de celles du bloc). Mots possibles ici : {allowed}").format(
                    key=key, allowed=", ".join(allowed))
        return path + [key], _("« {key} » n'est pas un mot connu ici : vérifiez l'orthographe. "
                               "Mots possibles : {allowed}").format(key=key,
                                                                    allowed=", ".join(allowed))
    if kind == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        if "validators" in path:
            return path, _("« {value} » n'est pas un contrôle connu. Contrôles possibles : "
                           "{choices}").format(value=error.instance, choices=choices)
        return path, _("« {value} » n'est pas une valeur possible. Valeurs possibles : {choices}"
                       ).format(value=error.instance, choices=choices)
    if kind == "const":
        return path, _("la valeur doit être {value}").format(value=error.validator_value)
    if kind == "type":
        expected = error.validator_value
        if expected == "string":
            return path, _("cette valeur doit être du texte : mettez-la entre guillemets, "
                           "par exemple \"{value}\"").format(value=error.instance)
        if expected == "object" and isinstance(error.instance, str):
            return path, _("un texte affiché doit être traduit : écrivez "
                           "{{fr: \"...\", en: \"...\", ar: \"...\"}}").format()
        names = {"integer": _("un nombre entier"), "number": _("un nombre"),
                 "boolean": _("true ou false"), "array": _("une liste (lignes commençant par -)"),
                 "object": _("un bloc de clés")}
        return path, _("ici il faut {what}").format(what=names.get(expected, expected))
    if kind == "pattern":
        advice = _PATTERN_ADVICE.get(error.validator_value, error.validator_value)
        return path, _("« {value} » n'a pas la bonne forme : {advice}").format(
            value=error.instance, advice=advice)
    if kind in ("minItems", "minLength"):
        return path, _("cette liste ou ce texte est vide : complétez-le")
    if kind in ("minimum", "maximum"):
        return path, _("la valeur {value} est hors des limites permises ({kind} {limit})"
                       ).format(value=error.instance, kind=kind, limit=error.validator_value)
    if kind == "dependentRequired":
        return path, _("« field » et « equals » vont ensemble dans un embranchement : "
                       "mettez les deux ou aucun")
    # Never the validator's English: name the key and point at the guide.
    return path, _("cette valeur ne convient pas ici : comparez avec l'exemple de "
                   "docs/writing-a-procedure.md")


TYPOGRAPHIC_QUOTES = "“”‘’„‟"


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    """Every key the format knows, at any level (to tell a shifted block from a typo)."""
    words: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            words.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema())
    return frozenset(words)


@lru_cache(maxsize=1)
def _quick_validator() -> Any:
    import jsonschema_rs  # Rust: the yes/no of a whole catalogue in milliseconds

    return jsonschema_rs.validator_for(schema())


def schema_findings(data: Any, file: Path) -> list[Finding]:
    """The schema's complaints about one procedure, in plain French. A valid file (nearly
    every one) is told so by the quick validator; only a file it refuses goes through
    ``jsonschema``, whose errors carry the paths and kinds the French messages are made from
    (tests check that both say yes to the same files)."""
    if _quick_validator().is_valid(data):
        return []
    findings = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.path))):
        path, message = _explain(error)
        findings.append(Finding(file, yamlines.line_at(data, path), message))
    return findings


def parse_file(path: Path, schema: bool = True) -> tuple[Any, list[Finding]]:
    """The raw data (with lines) and the syntax/schema findings (``schema=False``: the file
    passed the schema when its package was built, see ``check_paths``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Finding(path, 0, _("le fichier n'est pas enregistré en UTF-8 : dans votre "
                                         "éditeur, choisissez « Enregistrer sous » et l'encodage "
                                         "UTF-8"))]
    except OSError as err:
        return None, [Finding(path, 0, _("fichier illisible : {error}").format(error=err))]
    tabs = [n for n, line in enumerate(text.splitlines(), 1)
            if "\t" in line[: len(line) - len(line.lstrip())]]
    if tabs:  # the most common mistake of a hand-edited YAML file, named plainly
        return None, [Finding(path, n, _("une tabulation sert à décaler cette ligne : remplacez-la "
                                         "par des espaces (2 par niveau)")) for n in tabs]
    try:
        data = yamlines.load(text)
    except yamlines.YamlSyntaxError as err:
        return None, [Finding(path, err.line, err.advice)]
    if not isinstance(data, dict):
        return None, [Finding(path, 1, _("le fichier doit décrire une démarche (des clés "
                                         "id:, title:, pages: ...)"))]
    return data, schema_findings(data, path) if schema else []


# --- building the dataclasses ---------------------------------------------------------------
def _text(data: Any) -> Text:
    return Text.from_data(data)


def _opt_text(data: Any) -> Text | None:
    return None if data is None else Text.from_data(data)


def _texts(items: Iterable[Any] | None) -> tuple[Text, ...]:
    return tuple(_text(i) for i in items or ())


def _line(data: Any) -> int:
    return getattr(data, "line", 0)


def _validators(items: Iterable[Any] | None) -> tuple[ValidatorSpec, ...]:
    specs = []
    for item in items or ():
        if isinstance(item, str):
            specs.append(ValidatorSpec(item))
        else:
            params = {k: v for k, v in item.items() if k != "name"}
            specs.append(ValidatorSpec(item["name"], params))
    return tuple(specs)


def _field(data: dict[str, Any]) -> Field:
    return Field(
        id=data["id"], type=FieldType(data["type"]), label=_text(data["label"]),
        help=_opt_text(data.get("help")), required=bool(data.get("required", True)),
        persona=data.get("persona"), expected=data.get("expected"),
        validators=_validators(data.get("validators")), rules=dict(data.get("rules") or {}),
        same_as=data.get("same_as"), digits=int(data.get("digits", 6)),
        options=tuple(Option(str(o["value"]), _text(o["label"])) for o in data.get("options", ())),
        samples=tuple(Sample(s["id"], _text(s["label"])) for s in data.get("samples", ())),
        errors={k: _text(v) for k, v in (data.get("errors") or {}).items()},
        line=_line(data),
    )


def _next(data: Any, line: int) -> tuple[Branch, ...]:
    if data is None:
        return ()
    if isinstance(data, str):
        return (Branch(page=data, line=line),)
    return tuple(Branch(page=b["page"], field=b.get("field"),
                        equals=None if b.get("equals") is None else str(b["equals"]),
                        line=_line(b)) for b in data)


def _page(data: dict[str, Any]) -> Page:
    table = data.get("table")
    return Page(
        id=data["id"], title=_text(data["title"]), intro=_opt_text(data.get("intro")),
        content=_texts(data.get("content")),
        table=Table(_texts(table["header"]), tuple(_texts(r) for r in table["rows"]))
        if table else None,
        fields=tuple(_field(f) for f in data.get("fields", ())),
        hints=tuple(Hint(_text(h["text"]), h.get("field"), _line(h))
                    for h in data.get("hints", ())),
        traps=tuple(Trap(kind=TrapKind(t["kind"]), after_s=float(t.get("after_s", 0)),
                         restart=t.get("restart"), field=t.get("field"), format=t.get("format"),
                         message=_opt_text(t.get("message")), link=t.get("link"),
                         label=_opt_text(t.get("label")), line=_line(t))
                    for t in data.get("traps", ())),
        next=_next(data.get("next"), data.line_of("next") if hasattr(data, "line_of") else 0),
        end=bool(data.get("end", False)), button=_opt_text(data.get("button")),
        qr=data.get("qr"),
        line=_line(data),
    )


def build(data: dict[str, Any], source: Path | None = None) -> Procedure:
    """Typed procedure from schema-valid data."""
    op = data["operator"]
    persona = data["persona"]
    pages = tuple(_page(p) for p in data["pages"])
    return Procedure(
        id=data["id"], title=_text(data["title"]), summary=_text(data["summary"]),
        operator=Operator(
            name=op["name"], tagline=_text(op["tagline"]), primary=op["colours"]["primary"],
            secondary=op["colours"]["secondary"], text=op["colours"]["text"],
            logo=Logo(op["logo"]["shape"], op["logo"]["initials"], op["logo"]["colour"]),
            address=op["address"]),
        theme=Theme(data["theme"]), level=Level(data["level"]),
        duration_min=int(data["duration_min"]),
        persona=Persona(
            name=persona["name"], card=_text(persona["card"]),
            values=tuple(PersonaValue(v["key"], _text(v["label"]), str(v["value"]),
                                      _validators(v.get("validators")), _line(v))
                         for v in persona["values"])),
        pages=pages, start=data.get("start") or pages[0].id,
        remember=_texts(data["debrief"]["remember"]),
        memo=Memo(_text(data["memo"]["title"]), _texts(data["memo"]["steps"]),
                  _texts(data["memo"].get("tips"))),
        keywords=tuple(str(k) for k in data.get("keywords", ())),
        source=source,
        real_service=str(data.get("real_service", "")), real_site=str(data.get("real_site", "")),
        source_page=str(data.get("source_page", "")),
        source_checked=str(data.get("source_checked", "")),
    )


def load_procedure(path: Path) -> Procedure:
    """A procedure ready to run, or :class:`ProcedureError` listing what is wrong."""
    data, findings = parse_file(path)
    if findings:
        raise ProcedureError(findings)
    return build(data, path)
