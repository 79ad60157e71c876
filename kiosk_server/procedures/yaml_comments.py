"""Comments of a procedure's file kept over a save from the console's editor.

The editor rebuilds the file from the form (PyYAML, which drops comments: ruamel.yaml, which
keeps them, is not among the project's locked dependencies). So the comments are carried over
by hand: each block of whole-line comments of the previous text is tied to the value written on
the line that follows it (its path in the procedure, a page or any list item with an ``id``
named by that id, so a moved page keeps its comment), and written again above the line where
that value now is, at its indentation. A comment whose value was removed goes with it; comments
at the end of the file stay at the end. A comment at the end of a line (``key: value  # note``)
is tied the same way to the value written on its line and written again at the end of that
value's line (not after a block scalar's ``|``, where it is rare: that one is dropped); if the
text with them would not read as the same procedure, they are left out rather than risk it.
The header comments are kept by editor_form.dump itself.

Why by hand rather than ruamel.yaml (which keeps every comment): the editor builds the file
from a posted form, not by editing a loaded document, so a round-trip library would still need
the form's values matched to its nodes by path, which is what this module does; and it would
be a second YAML library in the server, beside the PyYAML the kiosk's checker uses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk_server.procedures.checking import load_text

Anchor = tuple[Any, ...]  # keys, list indexes, or ("id", value) for a list item with an id


@dataclass(frozen=True)
class Block:
    anchor: Anchor | None  # None: at the end of the file
    lines: tuple[str, ...]  # the comment lines, without their indentation
    at_end_of_line: bool = False  # one comment, written after its value on the same line


def _end_of_line_comments(text: str, inside: set[int]) -> dict[int, str]:
    """0-based line -> the comment ending it (``# note``), for lines holding YAML tokens: what
    follows the last token of the line, after a space, when it starts with ``#``."""
    import yaml

    lines = text.splitlines()
    last: dict[int, int] = {}
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            start, end = token.start_mark, token.end_mark
            if (start.line, start.column) == (end.line, end.column):
                continue  # zero-width (block ends, keys): placed anywhere
            line, column = end.line, end.column
            if column == 0 and line > start.line:  # a block scalar ends at the next line
                line -= 1
                column = len(lines[line]) if line < len(lines) else 0
            last[line] = max(last.get(line, 0), column)
    except yaml.YAMLError:
        return {}
    out: dict[int, str] = {}
    for n, column in last.items():
        if n >= len(lines) or n in inside or lines[n].lstrip().startswith("#"):
            continue
        rest = lines[n][column:]
        if rest[:1] in (" ", "\t") and rest.strip().startswith("#"):
            out[n] = rest.strip()
    return out


def _inside_scalars(text: str) -> set[int]:
    """The 0-based lines inside a multi-line scalar (a ``#`` there is text, not a comment)."""
    import yaml

    inside: set[int] = set()
    try:
        for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if not isinstance(token, yaml.ScalarToken):
                continue
            # A block scalar ends at the start of the line after it (column 0).
            last = token.end_mark.line - (1 if token.end_mark.column == 0 else 0)
            inside.update(range(token.start_mark.line + 1, last + 1))
    except yaml.YAMLError:
        pass
    return inside


def _path_on_line(data: Any, line: int) -> tuple[Any, ...]:
    """The shallowest key or list item written on ``line`` (the value a comment above that line
    speaks of: a page's item rather than its ``id`` key written beside the dash)."""
    best: tuple[Any, ...] = ()

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        nonlocal best
        if best and len(path) >= len(best):
            return
        if isinstance(node, dict):
            lines = getattr(node, "key_lines", {})
            steps = [(k, lines.get(k, 0), v) for k, v in node.items()]
        elif isinstance(node, list):
            item_lines = getattr(node, "item_lines", [])
            steps = [(i, item_lines[i] if i < len(item_lines) else 0, v)
                     for i, v in enumerate(node)]
        else:
            return
        for step, at, _value in steps:
            if at == line and (not best or len(path) + 1 < len(best)):
                best = (*path, step)
        for step, _at, value in steps:
            walk(value, (*path, step))
    walk(data, ())
    return best


def _anchor(data: Any, path: tuple[Any, ...]) -> Anchor:
    out: list[Any] = []
    node = data
    for step in path:
        if isinstance(node, list) and isinstance(step, int) and step < len(node):
            item = node[step]
            out.append(("id", item["id"]) if isinstance(item, dict) and
                       isinstance(item.get("id"), str) else step)
            node = item
        elif isinstance(node, dict) and step in node:
            out.append(step)
            node = node[step]
        else:
            out.append(step)
            node = None
    return tuple(out)


def comment_blocks(text: str) -> list[Block]:
    """The previous text's comment blocks after its header, each tied to what follows it."""
    data = load_text(text)
    if data is None:
        return []
    lines = text.splitlines()
    inside = _inside_scalars(text)
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        start += 1  # the header (editor_form.header_comments)
    blocks: list[Block] = []
    for n, comment in sorted(_end_of_line_comments(text, inside).items()):
        path = _path_on_line(data, n + 1)
        if path and n >= start:
            blocks.append(Block(_anchor(data, path), (comment,), at_end_of_line=True))
    pending: list[str] = []
    for n in range(start, len(lines)):
        stripped = lines[n].strip()
        if n not in inside and stripped.startswith("#"):
            pending.append(stripped)
        elif stripped and pending:
            path = _path_on_line(data, n + 1)
            if path:
                blocks.append(Block(_anchor(data, path), tuple(pending)))
            pending = []
    if pending:
        blocks.append(Block(None, tuple(pending)))
    return blocks


def _line_of(data: Any, anchor: Anchor) -> int:
    """The 1-based line where the anchored value is written in ``data``'s text (0: gone)."""
    node, line = data, 0
    for step in anchor:
        if isinstance(step, tuple) and isinstance(node, list):
            index = next((i for i, item in enumerate(node) if isinstance(item, dict)
                          and item.get("id") == step[1]), None)
            if index is None:
                return 0
            step = index
        if isinstance(node, list) and isinstance(step, int) and step < len(node):
            lines = getattr(node, "item_lines", [])
            line = lines[step] if step < len(lines) else 0
        elif isinstance(node, dict) and not isinstance(step, tuple) and step in node:
            line = getattr(node, "key_lines", {}).get(step, 0)
        else:
            return 0
        node = node[step]
    return line


def keep_comments(previous: str, new: str) -> str:
    """``new`` with ``previous``'s comment blocks written again above their values."""
    blocks = comment_blocks(previous)
    if not blocks:
        return new
    data = load_text(new)
    if data is None:
        return new
    lines = new.splitlines()
    placed: list[tuple[int, Block]] = []
    tail: list[str] = []
    ended = list(lines)
    for block in blocks:
        if block.anchor is None:
            tail.extend(block.lines)
            continue
        line = _line_of(data, block.anchor)
        if line and block.at_end_of_line:
            if not ended[line - 1].rstrip().endswith(("|", "|-", "|+", ">", ">-", ">+")):
                ended[line - 1] = f"{ended[line - 1]}  {block.lines[0]}"
        elif line:
            placed.append((line, block))
    # Appended first (no line moves); kept only if the text still reads as the same procedure.
    if ended != lines and load_text("\n".join(ended) + "\n") == data:
        lines = ended
    # Bottom up, so the lines above keep their numbers; blocks on one line keep their order.
    for line, block in sorted(placed, key=lambda lb: lb[0], reverse=True):
        target = lines[line - 1]
        indent = target[:len(target) - len(target.lstrip(" "))]
        lines[line - 1:line - 1] = [indent + comment for comment in block.lines]
    return "\n".join([*lines, *tail]) + "\n"
