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
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


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
            raise YamlSyntaxError("a key must be a simple word", key_node.start_mark.line + 1)
        key = str(key) if not isinstance(key, str) else key
        if key in result:
            raise YamlSyntaxError(f"the key {key!r} appears twice", key_node.start_mark.line + 1)
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
