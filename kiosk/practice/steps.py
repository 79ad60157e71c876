"""The step number of each page of a procedure: what "étape 3 sur 8" and the funnels count.

A procedure is a graph, not a list: branches, pages that explain a wrong choice, "modify" links
going back. Each page's step is its rank on the longest path from the start, so along any path
the step only grows, and a step means the same thing for every resident: the console's funnel
("62 % stop at step 3"), the stop table and kiosk_wire/catalogue.json's step titles
(kiosk.practice.manifest) all rest on it.
"""
from __future__ import annotations

from kiosk.practice.model import Procedure


def page_depths(procedure: Procedure) -> dict[str, int]:
    """Step number of each reachable page: its rank on the longest path from the start.

    Edges going back (loops such as "modify" links) are ignored, so along any path the step
    only grows and the console's funnel ("62 % stop at step 3") is stable per procedure.
    """
    edges = {p.id: [b.page for b in p.next] for p in procedure.pages}
    order: list[str] = []          # reverse post-order = a topological order without back edges
    state: dict[str, int] = {}     # 1 = on the DFS stack, 2 = done
    stack: list[tuple[str, int]] = [(procedure.start, 0)]
    state[procedure.start] = 1
    forward: dict[str, list[str]] = {page: [] for page in edges}
    while stack:
        page, index = stack.pop()
        targets = edges.get(page, [])
        if index < len(targets):
            stack.append((page, index + 1))
            target = targets[index]
            if state.get(target) == 1:
                continue           # a back edge: a loop, not a step forward
            forward[page].append(target)
            if target not in state:
                state[target] = 1
                stack.append((target, 0))
        else:
            state[page] = 2
            order.append(page)
    depths = {procedure.start: 1}
    for page in reversed(order):
        for target in forward[page]:
            depths[target] = max(depths.get(target, 0), depths[page] + 1)
    return depths
