"""What is versioned, reviewed and published in the console: procedures and parcours.

Both go through the same review (kiosk_server.procedures.review) and the same store actions
(submit, approve, send back, publish, unpublish: kiosk_server.procedures.store); a
:class:`Kind` names the tables and the id column each uses, and how its text is checked again
at publication (a checker updated since the save may find a problem).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t


@dataclass(frozen=True)
class Kind:
    owners: sa.Table        # one row per id (created_at, created_by, title_fr)
    versions: sa.Table      # every save
    publications: sa.Table  # the one published version of each id, and where
    id_column: str
    errors_now: Callable[[Connection, str], int]

    def vid(self) -> sa.Column:  # type: ignore[type-arg]
        return self.versions.c[self.id_column]

    def pid(self) -> sa.Column:  # type: ignore[type-arg]
        return self.publications.c[self.id_column]


def _procedure_errors(_conn: Connection, text: str) -> int:
    from kiosk_server.procedures.checking import check_yaml

    return check_yaml(text).errors


def _parcours_errors(conn: Connection, text: str) -> int:
    from kiosk_server.procedures.parcours_store import check_text

    return check_text(conn, text).errors


PROCEDURE = Kind(t.procedures, t.procedure_versions, t.procedure_publications, "procedure_id",
                 _procedure_errors)
PARCOURS = Kind(t.parcours, t.parcours_versions, t.parcours_publications, "parcours_id",
                _parcours_errors)
