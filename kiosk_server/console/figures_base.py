"""What every dashboard figure is made of: a :class:`Table` (title, columns, rows of French labels
and numbers), drawn as a chart and always shown beside it as a table, and exported; the
connection wrapper a page reads through. Counts below the small-count threshold arrive from the
queries as :class:`Masked` and stay masked everywhere ("masqué"; kiosk_server.disclosure)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from kiosk_server.console.labels import month
from kiosk_server.queries import Masked

Cell = Any  # str | int | float | Masked | None


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    chart: str = "bar"          # bar | hbar | stack | line | heat | none
    value_col: int = 1          # the column the chart draws (the first one for a stack)
    series: int = 1             # stack: how many columns from value_col are stacked
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.rows


class MemoConnection:
    """A connection that runs each distinct statement once per page: several figures share a
    query (the hour-of-week grid feeds three tables; the totals feed four), and every query is
    a read of the aggregates, so within one request its answer cannot change."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._memo: dict[tuple[str, str], Any] = {}

    def execute(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return self._conn.execute(statement, *args, **kwargs)
        key = _statement_key(statement, self._conn)
        frozen = self._memo.get(key)
        if frozen is None:
            frozen = self._memo[key] = self._conn.execute(statement).freeze()
        return frozen()

    @property
    def direct(self) -> Connection:
        """The connection itself, for a read kept elsewhere (console.site_months)."""
        return self._conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _statement_key(statement: Any, conn: Connection) -> Any:
    """What identifies a statement and its values: SQLAlchemy's own cache key (its structure,
    already computed for its compiled-statement cache) and its bound values, far cheaper than
    compiling it to SQL text (a few milliseconds a statement, a tenth of a page's time)."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:  # a construct SQLAlchemy does not cache: its SQL text instead
        compiled = statement.compile(dialect=conn.dialect)
        return (compiled.string, repr(sorted(compiled.params.items(), key=lambda kv: kv[0])))
    return (cache_key.key, tuple(_hashable(p.effective_value) for p in cache_key.bindparams))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class Day:
    """A day, a week (its Monday) or a month (its 1st) heading a row: shown in French
    ("02/11/2026", "Semaine du 02/11/2026", "Novembre 2026"), a real date in exports (a date
    cell in XLSX, ISO 8601 in CSV). ``partial``: the week or month is not over yet."""

    day: dt.date
    grain: str = "jour"   # jour | semaine | mois
    partial: bool = False

    def __str__(self) -> str:
        if self.grain == "mois":
            text = month(self.day).capitalize()
        elif self.grain == "semaine":
            text = f"Semaine du {self.day:%d/%m/%Y}"
        else:
            text = f"{self.day:%d/%m/%Y}"
        if self.partial:
            text += " (en cours)"
        return text


class Percent(float):
    """A share from 0 to 1: shown "57 %" on pages and in CSV, a number formatted as a
    percentage in XLSX (a manager can sum and chart it)."""

    def __str__(self) -> str:
        return f"{100 * self:.0f} %"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else float.__format__(self, spec)


class Duration(float):
    """A duration in seconds: shown "1 min 30 s", a time cell ([h]:mm:ss) in XLSX."""

    def __str__(self) -> str:
        seconds = round(self)
        return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60:02d} s"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else float.__format__(self, spec)


def pct(part: int, whole: int) -> Percent | str:
    return Percent(part / whole) if whole else "—"


# The line that sums a protected table's hidden atoms (docs/privacy.md).
MASKED_ROW = "Masqué (petits effectifs et compléments)"


def is_masked(cell: Cell) -> bool:
    return isinstance(cell, Masked)


def masking_note(threshold: int) -> str:
    """What a reader of a protected table must know (docs/privacy.md says it in full)."""
    return (f"Petits effectifs protégés : un effectif de moins de {threshold} pour un site et "
            f"un mois est masqué, avec assez d'autres effectifs pour qu'aucun ne puisse être "
            f"retrouvé par soustraction, quel que soit le lieu ou la période choisi. Chaque "
            f"case compte les effectifs publiables ; les masqués sont regroupés dans "
            f"« Masqué ».")
