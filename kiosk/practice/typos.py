"""Mistakes of hand-edited procedure files that YAML accepts but a mediator did not mean.

A word processor turns straight quotes into typographic ones (“ ”): YAML then takes them as
part of the text, which the kiosk would show with its quotes. A list item copied twice gives
two persona values with one key, or two options with one value: YAML cannot see it (each is
its own mapping) and the engine would silently take the first.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kiosk.i18n import _
from kiosk.practice.loader import TYPOGRAPHIC_QUOTES, Finding
from kiosk.practice.yamlines import LineDict, LineList


def _quoted_strings(data: Any) -> list[tuple[str, int]]:
    """Every scalar text in ``data`` that starts and ends with a typographic quote, with its
    line, in file order. A loop with a stack, not recursive generators: it visits every text
    of every procedure at each catalogue load (a tenth of its time before)."""
    found: list[tuple[str, int]] = []
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, line = stack.pop()
        if isinstance(node, LineDict):
            stack.extend((value, node.line_of(key)) for key, value in node.items())
        elif isinstance(node, LineList):
            stack.extend((value, node.line_of(index)) for index, value in enumerate(node))
        elif isinstance(node, str):
            stripped = node.strip()
            if stripped[:1] in TYPOGRAPHIC_QUOTES and stripped[-1:] in TYPOGRAPHIC_QUOTES:
                found.append((stripped, line))
    return sorted(found, key=lambda pair: pair[1])


def typographic_quotes(data: Any, file: Path) -> list[Finding]:
    return [Finding(file, line, _(
        "ce texte est entouré de guillemets typographiques (“ ” ou ‘ ’, ajoutés par un "
        "traitement de texte) : la borne les afficherait ({text}). Remplacez-les par des "
        "guillemets droits \"...\"").format(text=_short(stripped)))
        for stripped, line in _quoted_strings(data)]


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _repeated(items: Any, key: str, what: str, file: Path) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    if not isinstance(items, LineList):
        return
    for index, item in enumerate(items):
        if not isinstance(item, LineDict) or key not in item:
            continue
        value = str(item[key])
        line = items.line_of(index)
        if value in seen:
            yield Finding(file, line, _(
                "« {value} » apparaît deux fois comme {what} (la première fois ligne {first}) : "
                "la borne ne prendrait que la première. Gardez-en une seule, ou changez le nom"
            ).format(what=what, value=value, first=seen[value]))
        else:
            seen[value] = line


def duplicates(data: Any, file: Path) -> list[Finding]:
    """Keys that must be unique inside a list: persona values, a field's options and samples.
    (Page and field ids are checked with the page graph.)"""
    findings = list(_repeated(data.get("persona", {}).get("values"), "key",
                              _("clé de la fiche persona (key:)"), file))
    for page in data.get("pages") or ():
        for fld in page.get("fields") or ():
            findings += _repeated(fld.get("options"), "value",
                                  _("valeur d'une option (value:)"), file)
            findings += _repeated(fld.get("samples"), "id",
                                  _("identifiant d'exemple (id:)"), file)
    return findings
