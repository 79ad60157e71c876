"""Read YAML while remembering the line of every key and list item.

The checker must tell a mediator *where* a problem is ("ligne 42"), so mappings and lists are
built as :class:`LineDict` / :class:`LineList`, which behave like ``dict``/``list`` and carry
the 1-based line of themselves and of each entry. Uses libyaml when available (fast).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from kiosk.i18n import N_, _

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict[Any, Any]):
    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class YamlSyntaxError(Exception):
    """A file that is not YAML. ``advice`` says in French what is wrong and how to fix it;
    the parser's own English (``problem``) is kept for logs only, never shown to a mediator."""

    def __init__(self, problem: str, line: int, advice: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.advice = advice or explain(problem)


# libyaml's problem texts (stable since 2006) -> what a mediator should check, in French.
_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("mapping values are not allowed",
     N_("un deux-points de trop sur cette ligne (un texte qui contient « : » doit être mis entre "
        "guillemets droits \"...\"), ou la ligne est décalée plus à droite que ses voisines")),
    ("could not find expected ':'",
     N_("il manque le deux-points après le nom de la clé (par exemple « title: »), ou un "
        "guillemet ouvert n'est pas refermé plus haut")),
    ("did not find expected key",
     N_("cette ligne n'est pas alignée avec les lignes de son bloc : décalez-la d'autant "
        "d'espaces que ses voisines (2 espaces par niveau)")),
    ("did not find expected '-' indicator",
     N_("cette ligne n'est pas alignée avec les lignes de son bloc : décalez-la d'autant "
        "d'espaces que ses voisines (2 espaces par niveau)")),
    ("expected <block end>",
     N_("cette ligne n'est pas alignée avec les lignes de son bloc : décalez-la d'autant "
        "d'espaces que ses voisines (2 espaces par niveau)")),
    ("did not find expected ',' or '}'",
     N_("une accolade { n'est pas refermée par }, ou une virgule manque entre deux éléments "
        "(par exemple {fr: \"...\", en: \"...\"})")),
    ("did not find expected ',' or ']'",
     N_("un crochet [ n'est pas refermé par ], ou une virgule manque entre deux éléments")),
    ("found unexpected end of stream",
     N_("un guillemet ouvert n'est jamais refermé : ajoutez le guillemet droit \" de fin")),
    ("found unknown escape character",
     N_("une barre oblique inversée \\ dans un texte entre guillemets : enlevez-la, ou "
        "doublez-la (\\\\)")),
    ("found undefined alias",
     N_("un texte ne peut pas commencer par * : mettez-le entre guillemets droits \"...\"")),
    ("found character that cannot start any token",
     N_("un texte ne peut pas commencer par @ ou ` : mettez-le entre guillemets droits \"...\"")),
    ("found duplicate anchor",
     N_("un texte ne peut pas commencer par & : mettez-le entre guillemets droits \"...\"")),
)


def explain(problem: str) -> str:
    """French advice for a libyaml problem text (a generic one when it is unknown)."""
    if "cannot start any token" in problem:
        problem = "found character that cannot start any token"
    for english, advice in _PROBLEMS:
        if advice and problem.startswith(english):
            return _(advice)
    return _("le fichier n'est pas du YAML valide à cet endroit : vérifiez le décalage des "
             "lignes, les deux-points et les guillemets")


class _LineLoader(_Base):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise YamlSyntaxError("a key must be a simple word", key_node.start_mark.line + 1,
                                  _("une clé doit être un simple mot suivi de deux-points, "
                                    "par exemple « title: »"))
        key = str(key) if not isinstance(key, str) else key
        if key in result:
            raise YamlSyntaxError(
                f"the key {key!r} appears twice", key_node.start_mark.line + 1,
                _("« {key} » est écrit deux fois dans ce bloc (la première fois ligne {first}) : "
                  "gardez-en un seul").format(key=key, first=result.key_lines[key]))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: Any, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_str(loader: Any, node: yaml.ScalarNode) -> str:
    # Dates, yes/no, numbers: a procedure file holds text; types are decided by the schema.
    return str(node.value)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)


def load(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise YamlSyntaxError(str(err.problem or err), (mark.line + 1) if mark else 0) from None
    except yaml.YAMLError as err:
        raise YamlSyntaxError(str(err), 0) from None


def load_path(path: Path) -> Any:
    return load(path.read_text(encoding="utf-8"))


def line_at(data: Any, path: Iterable[Any]) -> int:
    """The line of the deepest node reachable along ``path`` (keys and indexes)."""
    node, line = data, getattr(data, "line", 0)
    for step in path:
        if (isinstance(node, LineDict) and step in node) or (
                isinstance(node, LineList) and isinstance(step, int) and step < len(node)):
            line = node.line_of(step)
            node = node[step]
        else:
            break
    return line
