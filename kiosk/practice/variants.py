"""A procedure's short first-timer version: the same site, only the pages that matter the first
time.

A procedure file may declare ``short: {pages: [...], summary: ..., duration_min: ...}``. The
short version keeps those pages (the first one listed is where it starts) with everything on
them (fields, hints, traps); nothing is written twice, so the two versions never drift apart.
Where a kept page leads to a page left out:

- a way without condition goes on along the left-out page's own way without condition
  (``next: page``, or the last ``- page:`` of its list), until it meets a kept page;
- a way that depends on a choice is dropped: that choice then follows the page's other ways
  (or, when the card says otherwise, is refused like any wrong choice);
- a "session expired" trap that sent back to a page left out starts this page again.

The short version has its own id (``<id>-courte``, kiosk_wire.catalogue.short_id), so the
statistics, the funnels and the console keep the two apart with catalogue ids only.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.i18n import _
from kiosk.practice.loader import Finding
from kiosk.practice.messages import MESSAGES
from kiosk.practice.model import Branch, Page, Procedure, Variant
from kiosk.practice.text import LANGUAGES, Text
from kiosk_wire.catalogue import short_id

ID_MAX = 64


def short_title(title: Text) -> Text:
    """"<title> — version courte" in each language the full title has."""
    return Text(*(MESSAGES["short.title"].format(lang, title=title.get(lang))
                  if getattr(title, lang) else "" for lang in LANGUAGES))


def _default_way(page: Page) -> str | None:
    """Where a page goes when no condition holds (None: it has no such way)."""
    if page.next and page.next[-1].field is None:
        return page.next[-1].page
    return None


def _onward(full: Procedure, target: str, keep: set[str]) -> str | None:
    """The first kept page met by following left-out pages' ways without condition."""
    seen: set[str] = set()
    while target not in keep:
        if target in seen:
            return None
        seen.add(target)
        way = _default_way(full.page(target))
        if way is None:
            return None
        target = way
    return target


def shorten(full: Procedure, data: Any, file: Path) -> tuple[Procedure | None, list[Finding]]:
    """The short version declared in ``data`` (schema-valid, graph already checked), or None
    and what is wrong, in French with its line. (None, []) when the file declares none."""
    spec = data.get("short")
    if spec is None:
        return None, []
    listed = spec["pages"]
    known = [p.id for p in full.pages]
    findings: list[Finding] = []
    kept: list[str] = []
    for index, page_id in enumerate(listed):
        line = listed.line_of(index)
        if page_id not in known:
            findings.append(Finding(file, line, _(
                "la version courte garde la page « {ref} », qui n'existe pas. Pages "
                "existantes : {known}").format(ref=page_id, known=", ".join(known))))
        elif page_id in kept:
            findings.append(Finding(file, line, _(
                "la page « {ref} » est deux fois dans la version courte : gardez-la une "
                "seule fois").format(ref=page_id)))
        else:
            kept.append(page_id)
    if len(short_id(full.id)) > ID_MAX:
        findings.append(Finding(file, data.line_of("id"), _(
            "avec une version courte, l'identifiant a au plus {n} caractères (la version "
            "courte s'appelle « {id}-courte ») : raccourcissez-le").format(
                n=ID_MAX - len("-courte"), id=full.id)))
    if findings:
        return None, findings
    keep = set(kept)
    pages: list[Page] = []
    for page in full.pages:
        if page.id not in keep:
            continue
        ways: list[Branch] = []
        for branch in page.next:
            if branch.page in keep:
                ways.append(branch)
            elif branch.field is None:
                target = _onward(full, branch.page, keep)
                if target is None:
                    findings.append(Finding(file, listed.line_of(kept.index(page.id)), _(
                        "la version courte saute la page « {left} » qui suit « {page} », mais "
                        "on ne sait pas où aller après elle (elle n'a pas de suite sans "
                        "condition vers une page gardée) : gardez « {left} » ou la page qui "
                        "la suit").format(left=branch.page, page=page.id)))
                else:
                    ways.append(dataclasses.replace(branch, page=target))
        traps = tuple(dataclasses.replace(t, restart=None)
                      if t.restart is not None and t.restart not in keep else t
                      for t in page.traps)
        pages.append(dataclasses.replace(page, next=tuple(ways), traps=traps))
    if findings:
        return None, findings
    short = dataclasses.replace(
        full, id=short_id(full.id), title=short_title(full.title),
        summary=Text.from_data(spec["summary"]), duration_min=int(spec["duration_min"]),
        pages=tuple(pages), start=kept[0], variant=Variant.SHORT, short=None,
        full_id=full.id)
    return short, []


Graph = Callable[[Procedure, Any, Path], list[Finding]]


def with_short(full: Procedure, data: Any, file: Path, graph: Graph
               ) -> tuple[Procedure, list[Finding]]:
    """``full`` with its short version attached, checked like any procedure's pages (the
    checker's ``graph``: every page reached, every path ends), or the findings about it."""
    short, findings = shorten(full, data, file)
    if short is not None:
        findings = [Finding(f.file, f.line or data["short"].line, _(
            "dans la version courte (short:) : {message}").format(message=f.message))
            for f in graph(short, data, file)]
    if findings or short is None:
        return full, findings
    return dataclasses.replace(full, short=short), []
