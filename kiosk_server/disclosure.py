"""Small-count protection that arithmetic cannot undo (docs/privacy.md says the rule in words).

Survey answers and autonomy levels cross a place, a month and how a person managed: a count
below ``threshold`` could single someone out. Masking each displayed cell on its own is not
enough: a console account can ask for a territory and each of its sites, for three months and
for each month, and subtract (territory − the other sites, three months − two months). So the
decision is taken once, on the finest cells anyone can ask for, the **atoms** (one site × one
month × one category), and every figure shown at any level is a sum of atoms:

1. In an atom row (the categories of one attribute, or of one procedure's autonomy levels, for
   one site and one month) whose total is below the threshold, every cell is hidden, zeros
   included ("all 3 were guided" is a disclosure too).
2. Otherwise each cell from 1 to threshold − 1 is hidden (primary suppression), then the
   smallest other non-zero cells one by one (secondary suppression) until the hidden cells are
   *protected*: knowing their sum (the row total is published elsewhere), that each is at
   least 1 and at most the smallest visible non-zero cell, no hidden cell's value is pinned
   to one number and none can be proved to be below the threshold.
3. A figure for any place and period is the sum of its *visible* atoms; the hidden atoms of
   its row are shown together as "Masqué". A figure with only hidden atoms shows "masqué".

So any sum or difference of published figures is a sum of visible atoms or of whole hidden
groups, never one hidden atom: the same atoms are hidden whatever the filter.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Masked:
    """A figure made only of hidden atoms: its value is not disclosed ("masqué", never "< 5":
    a complement hidden to protect a small count may well be large)."""

    threshold: int

    def __str__(self) -> str:
        return "masqué"


def hidden_cells(counts: Mapping[str, int], threshold: int) -> frozenset[str]:
    """The categories of one atom row to hide (rules 1 and 2 of the module docstring)."""
    total = sum(counts.values())
    if total == 0:
        return frozenset()
    if total < threshold:
        return frozenset(counts)
    hidden = {k for k, v in counts.items() if 0 < v < threshold}
    if not hidden:
        return frozenset()
    # Complements smallest first (least information lost), ties in category order.
    complements = sorted((v, k) for k, v in counts.items() if v >= threshold)
    while True:
        visible_min = complements[0][0] if complements else math.inf
        if _protected([counts[k] for k in hidden], visible_min, threshold):
            return frozenset(hidden)
        if not complements:
            return frozenset(counts)  # nothing left to add: hide the zeros too
        hidden.add(complements.pop(0)[1])


def _protected(values: list[int], upper: float, threshold: int) -> bool:
    """Whether hidden cells of these values resist an attacker who knows their sum, that each
    is >= 1 and <= ``upper`` (complements are taken smallest first): the range left for each
    cell must hold two values or more and reach the threshold."""
    k, total = len(values), sum(values)
    low = max(1, total - (k - 1) * upper)
    high = min(upper, total - (k - 1))
    return high > low and high >= threshold


@dataclass
class ProtectedRow:
    """One published row: per category the sum of its visible atoms (or :class:`Masked` when
    all its atoms are hidden), the sum of the hidden atoms, and the true total."""

    cells: dict[str, int | Masked]
    masked: int = 0
    total: int = 0
    hidden_atoms: set[tuple[Any, ...]] = field(default_factory=set)


def protect(atoms: Iterable[tuple[Any, str, int]], categories: Iterable[str],
            threshold: int) -> ProtectedRow:
    """Sum atom rows into one published row. ``atoms``: (atom row key, category, count), e.g.
    ((site_id, month), "25_39", 7); every category of ``categories`` is in the result."""
    rows: dict[Any, dict[str, int]] = {}
    for key, category, n in atoms:
        row = rows.setdefault(key, {})
        row[category] = row.get(category, 0) + n
    order = list(categories)
    visible = dict.fromkeys(order, 0)
    hidden_in = dict.fromkeys(order, False)
    out = ProtectedRow(cells={})
    for key, row in rows.items():
        full = {c: row.get(c, 0) for c in order}
        extra = set(row) - set(order)
        if extra:
            raise ValueError(f"unknown categories {sorted(extra)}")
        hidden = hidden_cells(full, threshold)
        for category, n in full.items():
            out.total += n
            if category in hidden:
                out.masked += n
                hidden_in[category] = True
                out.hidden_atoms.add((key, category))
            else:
                visible[category] += n
    out.cells = {c: (Masked(threshold) if hidden_in[c] and not visible[c] else visible[c])
                 for c in order}
    return out
