"""How `kiosk-server admin ... list` prints: a table with a header for people (aligned columns),
or TSV with a header line, or JSON, for scripts (``--format``)."""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

import click


class Format(str, Enum):
    TABLE = "table"
    TSV = "tsv"
    JSON = "json"


def format_option() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "fmt", type=click.Choice([f.value for f in Format]),
                        default=Format.TABLE.value, show_default=True,
                        help="table for people; tsv or json for scripts.")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if hasattr(value, "isoformat"):
        return str(value.isoformat(timespec="seconds"))
    return str(value).replace("\t", " ").replace("\n", " ")


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 1 for ch in text)


def render(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], fmt: str) -> str:
    """``rows`` as ``fmt``; ``columns`` are (key, header) pairs, in order."""
    if Format(fmt) is Format.JSON:
        return json.dumps([{k: row.get(k) for k, _h in columns} for row in rows],
                          default=str, ensure_ascii=False, indent=2)
    lines = [[header for _k, header in columns]]
    lines += [[_cell(row.get(key)) for key, _h in columns] for row in rows]
    if Format(fmt) is Format.TSV:
        return "\n".join("\t".join(line) for line in lines)
    widths = [max(_width(line[i]) for line in lines) for i in range(len(columns))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell + " " * (w - _width(cell))
                             for cell, w in zip(line, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    if len(lines) == 1:
        out.append("(aucune ligne)")
    return "\n".join(out)
