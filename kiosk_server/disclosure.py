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
2. Otherwise each cell from 1 to threshold − 1 is hidden (primary suppression), then other
   non-zero cells one by one (secondary suppression) until the hidden cells are *protected*:
   at least two of them, and a sum S >= threshold + (count − 1), so that knowing S (the row
   total is published elsewhere) and that each hidden cell is at least 1, each could be
   anything from 1 to S − (count − 1), which reaches the threshold. The complements are taken
   in an order drawn from a server secret (HMAC of the atom and category), not smallest
   first: an attacker who knows the rule but not the order cannot tell a complement from a
   small count (with "smallest first", a hidden 4 beside a visible 5 is pinned: a complement
   would have been the 5).
3. A figure for any place and period is the sum of its *visible* atoms; the hidden atoms of
   its row are shown together as "Masqué". A figure with only hidden atoms shows "masqué".

So any sum or difference of published figures is a sum of visible atoms or of whole hidden
groups, never one hidden atom: the same atoms are hidden whatever the filter.
"""
from __future__ import annotations

import hashlib
import hmac
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


_secret = b""


def set_secret(secret: str) -> None:
    """The key of the complements' order: every server process derives it from the same
    server secret (kiosk_server.console.auth.console_secret), so all hide the same cells.
    Without it (tests of the queries alone) the order is still fixed, only guessable."""
    global _secret
    _secret = hashlib.sha256(b"kiosk disclosure order\0" + secret.encode()).digest()


def _rank(row_key: object, category: str) -> bytes:
    return hmac.new(_secret, repr((row_key, category)).encode(), hashlib.sha256).digest()


def hidden_cells(counts: Mapping[str, int], threshold: int, row_key: object = ()
                 ) -> frozenset[str]:
    """The categories of one atom row to hide (rules 1 and 2 of the module docstring);
    ``row_key`` names the atom row (site, month...) for the complements' secret order."""
    total = sum(counts.values())
    if total == 0:
        return frozenset()
    if total < threshold:
        return frozenset(counts)
    hidden = {k for k, v in counts.items() if 0 < v < threshold}
    if not hidden:
        return frozenset()
    complements = sorted((k for k, v in counts.items() if v >= threshold),
                         key=lambda k: _rank(row_key, k))
    while not protected([counts[k] for k in hidden], threshold):
        if not complements:
            return frozenset(counts)  # nothing left to add: hide the zeros too
        hidden.add(complements.pop(0))
    return frozenset(hidden)


def protected(values: list[int], threshold: int) -> bool:
    """Whether hidden non-zero cells of these values resist an attacker who knows their sum
    and that each is >= 1: two or more, each free to range from 1 to a value >= threshold."""
    return len(values) >= 2 and sum(values) - (len(values) - 1) >= threshold


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
        hidden = hidden_cells(full, threshold, key)
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


def summed(rows: list[ProtectedRow]) -> ProtectedRow:
    """The published row of a period from its months' rows. Each atom row is protected on its
    own, so the period's visible sums, hidden sum and hidden atoms are its months'; a cell is
    "masqué" when it has hidden atoms and no visible one (the console keeps each month's row
    per server process instead of protecting a national year's atoms on every view)."""
    out = ProtectedRow(cells={})
    visible: dict[str, int] = {}
    masked: dict[str, Masked] = {}
    for row in rows:
        for category, value in row.cells.items():
            visible.setdefault(category, 0)
            if isinstance(value, Masked):
                masked[category] = value
            else:
                visible[category] += value
        out.masked += row.masked
        out.total += row.total
        out.hidden_atoms |= row.hidden_atoms
    out.cells = {c: (masked[c] if c in masked and not n else n) for c, n in visible.items()}
    return out
