"""The French titles of the procedures and parcours written in the console, for the pages that
name them (the live view, the dashboards, the exports, the monthly reports).

Shipped ones are named from kiosk_wire/catalogue.json; these are in the database (the title of
each one's latest save: ``procedures.title_fr``, ``parcours.title_fr``). The console's labels
are plain functions without a connection, so the titles are read here into a small table each
time a page is built (:func:`refresh`, one cheap statement for both; every worker process keeps
its own) and looked up by :func:`procedure` and :func:`parcours`; an id never saved here is
shown as it is.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kiosk_server import tables as t

_procedures: dict[str, str] = {}
_parcours: dict[str, str] = {}


def refresh(conn: Connection | Engine) -> None:
    """Read the titles again (a connection, or an engine to open one with)."""
    if isinstance(conn, Engine):
        with conn.connect() as own:
            refresh(own)
        return
    q = sa.union_all(
        sa.select(sa.literal("p").label("kind"), t.procedures.c.id, t.procedures.c.title_fr),
        sa.select(sa.literal("c").label("kind"), t.parcours.c.id, t.parcours.c.title_fr))
    procedures: dict[str, str] = {}
    parcours_titles: dict[str, str] = {}
    for kind, item_id, title in conn.execute(q):
        if title:
            (procedures if kind == "p" else parcours_titles)[item_id] = title
    global _procedures, _parcours
    _procedures, _parcours = procedures, parcours_titles  # swapped whole: readers see either


def procedure(procedure_id: str) -> str | None:
    return _procedures.get(procedure_id)


def parcours(parcours_id: str) -> str | None:
    return _parcours.get(parcours_id)
