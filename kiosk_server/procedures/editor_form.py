"""The console's procedure editor as form data: a procedure's parsed YAML flattened into one
form control per value, and the posted form turned back into the procedure and its YAML text.

The YAML text stays the one source of truth (a save is a new version of the text, through
:mod:`kiosk_server.procedures.store`); this module only translates. A control's name is the
value's path in the procedure, the one the checker's findings carry (``pages.3.next``), so a
finding is shown beside the control it concerns (:func:`findings_by_control`). Values that are
not text keep their type in the name (``duration_min#int``); an empty list or mapping is kept
as a marker (``pages.0.fields#list``) so a round trip gives the same procedure.

Order is kept (the form posts its controls in document order); comments at the top of the file
are carried over to the new text, and those further down above the value they precede
(kiosk_server.procedures.yaml_comments), and those at the end of a line after their value.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kiosk_server.procedures.checking import CheckerUnavailable, CheckFinding

PathStep = str | int
_TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool}
LANGUAGES = ("fr", "en", "ar")  # a text's translations (kiosk_wire.schema.Language)


class EditorRefused(ValueError):
    """The posted form cannot make a procedure (French, shown on the page)."""


class Unparsed(str):
    """A value typed in a number's control that is not one: kept as typed (the form shows it
    again with the error; nothing is lost), never written to a file."""

    kind: str = ""
    where: str = ""


def _yaml() -> Any:
    try:
        import yaml
    except ImportError as err:  # the server extra installs it
        raise CheckerUnavailable(
            f"le vérificateur de démarches n'est pas installé sur ce serveur ({err.name})"
        ) from None
    return yaml


def parse(text: str) -> dict[str, Any]:
    """The procedure's structure from its YAML text (a mapping, or EditorRefused)."""
    yaml = _yaml()
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise EditorRefused("Le fichier de cette version est illisible : corrigez-le en "
                            "important un fichier, ou restaurez une version précédente.") from None
    if not isinstance(data, dict):
        raise EditorRefused("Le fichier de cette version ne décrit pas une démarche.")
    return data


def _escape(step: PathStep) -> str:
    """A key as one step of a control name: "." and "#" are the name's own marks, and a key
    made of digits would read as a list index."""
    if isinstance(step, int):
        return str(step)
    key = step.replace("~", "~0").replace(".", "~1").replace("#", "~3")
    return "~2" + key if key.isdigit() else key


def _unescape(step: str) -> str:
    return step.removeprefix("~2").replace("~1", ".").replace("~3", "#").replace("~0", "~")


def control_name(path: Iterable[PathStep]) -> str:
    return ".".join(_escape(step) for step in path)


def flatten(data: Any, path: tuple[PathStep, ...] = ()) -> list[tuple[str, str]]:
    """(control name, value as text) for every value of the procedure, in document order."""
    if isinstance(data, dict):
        if not data:
            return [(control_name(path) + "#dict", "")]
        pairs = [pair for key, value in data.items()
                 for pair in flatten(value, (*path, str(key)))]
        if isinstance(data.get("fr"), str) and set(data) <= set(LANGUAGES):
            # A text: its missing translations get a control too, left out when left empty.
            pairs += [(control_name((*path, lang)) + "#opt", "") for lang in LANGUAGES
                      if lang not in data]
        return pairs
    if isinstance(data, list):
        if not data:
            return [(control_name(path) + "#list", "")]
        return [pair for n, value in enumerate(data) for pair in flatten(value, (*path, n))]
    name = control_name(path)
    if isinstance(data, Unparsed):
        return [(f"{name}#{data.kind}", str(data))]
    if data is None:
        return [(name + "#none", "")]
    if isinstance(data, bool):
        return [(name + "#bool", "oui" if data else "non")]
    if isinstance(data, int):
        return [(name + "#int", str(data))]
    if isinstance(data, float):
        return [(name + "#float", repr(data))]
    return [(name, str(data))]


def _value(kind: str, raw: str, name: str) -> Any:
    if kind == "":
        return raw.replace("\r\n", "\n")  # browsers post a textarea's lines with CRLF
    if kind == "none":
        return None
    if kind == "list":
        return []
    if kind == "dict":
        return {}
    if kind == "bool":
        return raw.strip().lower() in ("oui", "true", "1", "on")
    try:
        return _TYPES[kind](raw.strip())
    except (KeyError, ValueError):
        kept = Unparsed(raw)
        kept.kind, kept.where = (kind if kind in _TYPES else "int"), _where(name)
        return kept


def refusals(data: Any) -> list[str]:
    """Why the form cannot be written as a file yet (French), empty when it can."""
    if isinstance(data, Unparsed):
        return [f"« {str(data)[:40]} » n'est pas un nombre ({data.where})."]
    if isinstance(data, dict):
        return [r for value in data.values() for r in refusals(value)]
    if isinstance(data, list):
        return [r for value in data for r in refusals(value)]
    return []


def _where(name: str) -> str:
    return " › ".join(str(int(s) + 1) if s.isdigit() else _unescape(s)
                      for s in name.split("."))


def unflatten(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The procedure's structure from posted (control name, value) pairs: the inverse of
    :func:`flatten`. List items are kept in the order of their indexes."""
    root: dict[str, Any] = {}
    for raw_name, raw in pairs:
        name, _sep, kind = raw_name.partition("#")
        if kind == "opt":
            if not raw.strip():
                continue  # a translation not written
            kind = ""
        steps = name.split(".") if name else []
        if not steps or any(s == "" for s in steps):
            continue  # not one of the editor's controls (csrf, buttons)
        node: Any = root
        for step in steps[:-1]:
            child = node.get(step)
            if child is None:
                child = {}
                node[step] = child
            if not isinstance(child, dict):
                raise EditorRefused(f"Formulaire incohérent ({_where(name)}).")
            node = child
        node[steps[-1]] = _value(kind, raw, name)
    data = _lists(root)
    return data if isinstance(data, dict) else {"pages": data}


def _lists(node: Any) -> Any:
    """Mappings whose keys are all list indexes become lists, in index order."""
    if not isinstance(node, dict):
        return node
    items = {key: _lists(value) for key, value in node.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return {_unescape(key): value for key, value in items.items()}


def header_comments(text: str) -> str:
    """The comment lines at the top of a file (kept over a save from the form)."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def _dumper() -> Any:
    """PyYAML's safe dumper writing as the shipped files do: a text's translations on one line
    (``title: {fr: ..., en: ..., ar: ...}``), a list of plain values too (keywords)."""
    yaml = _yaml()

    class Dumper(yaml.SafeDumper):  # type: ignore[misc,name-defined]
        pass

    def mapping(dumper: Any, data: dict[str, Any]) -> Any:
        text = bool(data) and set(data) <= set(LANGUAGES) and all(
            isinstance(v, str) for v in data.values())
        if not text:
            return dumper.represent_mapping("tag:yaml.org,2002:map", data.items())
        # Texts between straight double quotes, as docs/writing-a-procedure.md asks.
        return yaml.MappingNode("tag:yaml.org,2002:map", [
            (dumper.represent_data(key), yaml.ScalarNode("tag:yaml.org,2002:str", value,
                                                         style='"'))
            for key, value in data.items()], flow_style=True)

    def sequence(dumper: Any, data: list[Any]) -> Any:
        plain = bool(data) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                   and "\n" not in str(v) for v in data)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=plain)

    Dumper.add_representer(dict, mapping)
    Dumper.add_representer(list, sequence)
    return Dumper


def dump(data: Mapping[str, Any], previous_text: str = "") -> str:
    """The YAML text of the procedure, in its own key order, with the previous text's header
    comments (EditorRefused while a value is not of its type)."""
    problems = refusals(data)
    if problems:
        raise EditorRefused(" ".join(problems))
    body = _yaml().dump(dict(data), Dumper=_dumper(), allow_unicode=True, sort_keys=False,
                        width=4096, default_flow_style=False)
    from kiosk_server.procedures.yaml_comments import keep_comments

    return keep_comments(previous_text, header_comments(previous_text) + str(body))


def findings_by_control(findings: Iterable[CheckFinding], names: Iterable[str]
                        ) -> tuple[dict[str, list[CheckFinding]], list[CheckFinding]]:
    """Each finding under the control it concerns: the control of its path, else the first
    control under that path (a finding on a page goes beside the page's first control). The
    second list holds those no control shows (a finding on the whole file)."""
    bare = [name.partition("#")[0] for name in names]
    beside: dict[str, list[CheckFinding]] = {}
    elsewhere: list[CheckFinding] = []
    for finding in findings:
        where = control_name(finding.path)
        target = next((b for b in bare if where and b == where), None) or next(
            (b for b in bare if where and b.startswith(where + ".")), None)
        if target is None:
            elsewhere.append(finding)
        else:
            beside.setdefault(target, []).append(finding)
    return beside, elsewhere
