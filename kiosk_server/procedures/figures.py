"""How residents did with each version of a procedure: the comparison the activity record's
``procedure_version`` exists for (ids and counts only, never a text).

Read from ``agg_procedure_versions`` (filled at ingest and by the rebuild, kept like every
aggregate beyond the raw records' ``server.retention_months``): the place's monthly rows of
the procedure, every month summed. Only attempts that carry a version are counted (a kiosk
sends one for every procedure published from the console).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server.queries import Scope


@dataclass(frozen=True)
class VersionFigures:
    version: int | None  # None: practised before the version was recorded
    attempts: int
    completed: int
    steps_reached_avg: float

    @property
    def completion_pct(self) -> int:
        return round(100 * self.completed / self.attempts) if self.attempts else 0


def by_version(conn: Connection, procedure_id: str, scope: Scope) -> list[VersionFigures]:
    g = t.agg_procedure_versions.c
    q = (sa.select(g.procedure_version, sa.func.sum(g.activities), sa.func.sum(g.completed),
                   sa.func.sum(g.steps_reached))
         .where(g.procedure_id == procedure_id)
         .group_by(g.procedure_version).order_by(g.procedure_version))
    if scope.site_id is not None:
        q = q.where(g.grain == "M", g.site_id == scope.site_id)
        if scope.kiosk_id is not None:
            q = q.where(g.kiosk_id == scope.kiosk_id)
    elif scope.territory_id is not None:
        q = q.where(g.grain == "T", g.territory_id == scope.territory_id)
    else:
        q = q.where(g.grain == "T")
    return [VersionFigures(int(v), int(n), int(done or 0), int(steps or 0) / int(n))
            for v, n, done, steps in conn.execute(q) if n]
