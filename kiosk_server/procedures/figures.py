"""How residents did with each version of a procedure: the comparison the activity record's
``procedure_version`` exists for (ids and counts only, never a text).

Read from the raw activities (kept ``server.retention_months``) of the place shown, because the
aggregates have no version dimension: a procedure written in the console has few versions and
few attempts, and the query is limited to one procedure.
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
    a, r = t.activities.c, t.session_records.c
    q = (sa.select(a.procedure_version, sa.func.count(), sa.func.sum(
            sa.case((a.completed, 1), else_=0)), sa.func.avg(a.steps_reached))
         .select_from(t.activities.join(t.session_records, r.event_id == a.event_id))
         .where(a.procedure_id == procedure_id)
         .group_by(a.procedure_version).order_by(a.procedure_version))
    if scope.site_id is not None:
        q = q.where(r.site_id == scope.site_id)
    elif scope.territory_id is not None:
        q = q.where(r.territory_id == scope.territory_id)
    return [VersionFigures(None if v is None else int(v), int(n), int(done or 0),
                           float(avg or 0)) for v, n, done, avg in conn.execute(q)]
