"""What the server accepts as ids and dates from kiosks, beyond the schema's shapes.

The schema lets only slugs and enums through; a slug can still carry a name and a phone number
(``jean-dupont-0612345678``) or a social security number. So a procedure id must be one the
server knows: the shipped catalogue (kiosk_wire/catalogue.json) and the site's own procedures
declared in ``server.local_procedures``; a parcours id likewise (``server.local_parcours``). A
record dated in the future (beyond ``server.clock_skew_days``) is refused: it would never be
purged. Anything else refuses the whole request, and nothing of it is stored.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from kiosk_wire import catalogue
from kiosk_wire.config import Settings
from kiosk_wire.schema import EventBatch, Heartbeat, HelpRequest


def known_procedures(settings: Settings) -> frozenset[str]:
    local = {p.strip() for p in settings.get("server.local_procedures").split(",") if p.strip()}
    return frozenset(catalogue.shipped()) | local


def known_parcours(settings: Settings) -> frozenset[str]:
    """The shipped parcours (kiosk_wire/parcours.json) and ``server.local_parcours``: a
    parcours id is a slug like a procedure id, held to the same rule."""
    local = {p.strip() for p in settings.get("server.local_parcours").split(",") if p.strip()}
    return frozenset(catalogue.shipped_parcours()) | local


def unknown(ids: Iterable[str | None], known: frozenset[str]) -> list[dict[str, object]]:
    """The details of a 422 for ids outside ``known`` (their position only, never the id)."""
    return [{"loc": ["body", "procedure_id"], "type": "unknown_procedure",
             "msg": "not a procedure of the catalogue"} for i in ids if i and i not in known]


def batch_problems(batch: EventBatch, known: frozenset[str], today: dt.date,
                   skew_days: int, parcours: frozenset[str] = frozenset()
                   ) -> list[dict[str, object]]:
    latest = today + dt.timedelta(days=skew_days)
    problems: list[dict[str, object]] = []
    for n, record in enumerate(batch.records):
        if record.day > latest:
            problems.append({"loc": ["body", "records", n, "day"], "type": "future_day",
                             "msg": "a session cannot end in the future"})
        for m, activity in enumerate(record.activities):
            if activity.procedure_id and activity.procedure_id not in known:
                problems.append({"loc": ["body", "records", n, "activities", m,
                                         "procedure_id"], "type": "unknown_procedure",
                                 "msg": "not a procedure of the catalogue"})
            if activity.parcours_id and activity.parcours_id not in parcours:
                problems.append({"loc": ["body", "records", n, "activities", m,
                                         "parcours_id"], "type": "unknown_parcours",
                                 "msg": "not a parcours of the catalogue"})
    return problems


def heartbeat_problems(hb: Heartbeat, known: frozenset[str]) -> list[dict[str, object]]:
    return unknown([hb.procedure_id], known)


def help_problems(req: HelpRequest, known: frozenset[str]) -> list[dict[str, object]]:
    return unknown([req.procedure_id], known)
