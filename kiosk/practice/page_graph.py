"""The page graph of a procedure, checked for `kiosk procedures check`.

A procedure is a graph of pages joined by their ``next:`` ways; a resident can only finish what
the graph lets them finish. Checked here, each with its line: an end page with a way on, a page
with none; a conditional list that can leave the person stuck; a condition testing a case not
filled yet, or a value the case cannot take; a page never reached from the start; a page from
which no end can be reached (a loop with no way out). The short first-timer version's graph is
checked by the same function (kiosk.practice.variants).
"""
from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from kiosk.i18n import _
from kiosk.practice.loader import Finding
from kiosk.practice.model import FieldType, Procedure


def check_graph(procedure: Procedure, data: Any, file: Path) -> list[Finding]:
    """Every way on leads somewhere and ends: the findings, with their lines."""
    findings: list[Finding] = []
    edges = {p.id: [b.page for b in p.next] for p in procedure.pages}
    for page in procedure.pages:
        if page.end and page.next:
            findings.append(Finding(file, page.line, _(
                "la page « {id} » est une fin (end: true) mais a aussi next: : enlevez l'un des "
                "deux").format(id=page.id)))
        if not page.end and not page.next:
            findings.append(Finding(file, page.line, _(
                "la page « {id} » ne mène nulle part : ajoutez next: (la page suivante) ou "
                "end: true si c'est la dernière").format(id=page.id)))
        conditional = [b for b in page.next if b.field is not None]
        if conditional and page.next[-1].field is not None:
            fld = next((f for p in procedure.pages for f in p.fields
                        if f.id == conditional[0].field), None)
            covered = {b.equals for b in conditional if b.field == conditional[0].field}
            if fld is None or fld.type is not FieldType.CHOICE or \
                    {o.value for o in fld.options} - covered:
                findings.append(Finding(file, page.next[-1].line, _(
                    "sur la page « {id} », si aucune condition n'est vraie la personne est "
                    "bloquée : terminez la liste next: par une ligne sans condition "
                    "(- page: ...)").format(id=page.id)))
    findings += _branch_values(procedure, edges, file)
    reachable = _reachable(procedure.start, edges)
    for page in procedure.pages:
        if page.id not in reachable:
            findings.append(Finding(file, page.line, _(
                "la page « {id} » n'est jamais atteinte : aucune page n'y mène. Ajoutez-la "
                "dans le next: d'une autre page, ou supprimez-la").format(id=page.id)))
    ends = {p.id for p in procedure.pages if p.end}
    if not ends:
        findings.append(Finding(file, data.line_of("pages"), _(
            "aucune page n'a end: true : la démarche ne se termine jamais")))
        return findings
    reverse: dict[str, list[str]] = {p.id: [] for p in procedure.pages}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    can_finish = set()
    for end in ends:
        can_finish |= _reachable(end, reverse)
    for page in procedure.pages:
        if page.id in reachable and page.id not in can_finish and page.next:
            findings.append(Finding(file, page.line, _(
                "depuis la page « {id} », on ne peut jamais arriver à la fin (une boucle sans "
                "sortie) : faites mener un de ses chemins vers une page end: true"
            ).format(id=page.id)))
    return findings


def _branch_values(procedure: Procedure, edges: dict[str, list[str]], file: Path
                   ) -> list[Finding]:
    """A condition must test a field already filled (this page or one before) against a value
    the field can take; otherwise that way is never taken."""
    findings: list[Finding] = []
    reverse: dict[str, list[str]] = {p.id: [] for p in procedure.pages}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    where = {f.id: (p, f) for p in procedure.pages for f in p.fields}
    for page in procedure.pages:
        before = _reachable(page.id, reverse)  # this page and every page that can lead here
        for branch in page.next:
            if branch.field is None or branch.field not in where:
                continue
            owner, fld = where[branch.field]
            if owner.id not in before:
                findings.append(Finding(file, branch.line, _(
                    "la condition teste la case « {ref} », qui est sur la page « {owner} », "
                    "jamais remplie avant d'arriver ici : testez une case de cette page ou "
                    "d'une page précédente").format(ref=fld.id, owner=owner.id)))
            elif fld.type is FieldType.CHOICE and \
                    branch.equals not in {o.value for o in fld.options}:
                findings.append(Finding(file, branch.line, _(
                    "« {value} » n'est pas une des options de la case « {ref} » ({known}) : ce "
                    "chemin ne serait jamais pris").format(
                        value=branch.equals, ref=fld.id,
                        known=", ".join(o.value for o in fld.options))))
    return findings


def _reachable(start: str, edges: dict[str, list[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for target in edges.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen
