"""Autonomy per procedure as sums of months, for figures kept month by month.

Each site x month x procedure atom row is protected on its own (kiosk_server.disclosure), so
what queries.autonomy_by_procedure publishes for a period is the sum, per procedure and level,
of what it publishes for each month: the console keeps each month's sums per server process
(kiosk_server.console.site_months.each_month) instead of protecting a national year's atoms,
millions at 10 M records, on every view of "Démarches".
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from kiosk_server import queries as q
from kiosk_server.disclosure import Masked


@dataclass
class ProcedureSums:
    """One procedure's attempts over some months: per level the visible ones, the levels
    with a hidden atom, the hidden attempts and all attempts."""

    visible: dict[str, int] = field(default_factory=lambda: dict.fromkeys(q.AUTONOMY_LEVELS, 0))
    hidden_in: set[str] = field(default_factory=set)
    masked: int = 0
    total: int = 0

    def add(self, other: ProcedureSums) -> None:
        for level, n in other.visible.items():
            self.visible[level] += n
        self.hidden_in |= other.hidden_in
        self.masked += other.masked
        self.total += other.total


def month_sums(conn: Connection, scope: q.Scope, month: dt.date, threshold: int
               ) -> dict[str, ProcedureSums]:
    """Per procedure, the protected sums of one month (as autonomy_by_procedure reads it)."""
    out: dict[str, ProcedureSums] = {}
    for r in q.autonomy_by_procedure(conn, scope, q.Period(month, month), threshold):
        sums = out[r["procedure_id"]] = ProcedureSums(masked=r["masked"], total=r["attempts"])
        for level, n in r["levels"].items():
            if isinstance(n, Masked):
                sums.hidden_in.add(level)
            else:
                sums.visible[level] = n
    return out


def add_months(total: dict[str, ProcedureSums], month: dict[str, ProcedureSums]) -> None:
    for procedure_id, sums in month.items():
        total.setdefault(procedure_id, ProcedureSums()).add(sums)


def published(sums: dict[str, ProcedureSums], threshold: int) -> list[dict[str, Any]]:
    """autonomy_by_procedure()'s rows from the sums of the period's months."""
    rows: list[dict[str, Any]] = [
        {"procedure_id": procedure_id, "attempts": s.total, "masked": s.masked,
         "levels": {c: (Masked(threshold) if c in s.hidden_in and not s.visible[c]
                        else s.visible[c]) for c in q.AUTONOMY_LEVELS}}
        for procedure_id, s in sums.items() if s.total]
    rows.sort(key=lambda r: (-r["attempts"], r["procedure_id"]))
    return rows
