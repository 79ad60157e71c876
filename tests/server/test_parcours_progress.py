"""Parcours progress on the server: a practice activity made as a step of a parcours carries
only the parcours id and the step's rank; the server refuses a parcours it does not know (a
slug could carry a name), counts each step's attempts and completions per month, and the
console's "Démarches" page shows them in the "Parcours suivis" table. SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt

from kiosk_server.console import figures
from kiosk_server.queries import Period, Scope
from server.helpers import record, stored_event_ids

DAY = dt.date(2026, 11, 12)
MONTH = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def practice(procedure_id: str, step: int | None, completed: bool = True,
             parcours_id: str = "initiation") -> dict:
    activity = {"kind": "practice", "procedure_id": procedure_id, "theme": "email",
                "steps_total": 5, "steps_reached": 5 if completed else 2,
                "completed": completed}
    if step is not None:
        activity |= {"parcours_id": parcours_id, "parcours_step": step}
    return activity


def post(client, tenant, records):
    return client.post("/api/v1/events", json={"records": records}, headers=tenant.headers)


def test_parcours_steps_are_counted_per_step_and_shown_in_the_console(client, tenant, engine):
    records = [
        record(day=DAY, activities=[practice("email-premiere-adresse", 1),
                                    practice("arnaques-reperer", 2)]),
        record(day=DAY, activities=[practice("email-premiere-adresse", 1, completed=False)]),
        record(day=DAY, activities=[practice("cv-guide", None)]),   # outside any parcours
    ]
    assert post(client, tenant, records).json()["stored"] == 3
    with engine.connect() as conn:
        from kiosk_server import queries

        progress = queries.parcours_progress(conn, Scope(site_id=tenant.site_id), MONTH)
        table = figures.parcours_progress(conn, Scope(territory_id=tenant.territory_id), MONTH)
    assert progress == {"initiation": [{"step": 1, "attempts": 2, "completed": 1},
                                       {"step": 2, "attempts": 1, "completed": 1}]}
    assert table.title == "Parcours suivis"
    assert [row[:4] for row in table.rows] == [
        ["Parcours initiation", "1. Créer son adresse e-mail et envoyer un document", 2, 1],
        ["Parcours initiation", "2. Repérer les arnaques par SMS et e-mail", 1, 1]]


def test_an_unknown_parcours_refuses_the_whole_batch(client, tenant, engine):
    good = record(day=DAY, activities=[practice("cv-guide", 1, parcours_id="demarches-emploi")])
    smuggled = record(day=DAY, activities=[
        practice("cv-guide", 1, parcours_id="jean-dupont-0612345678")])
    answer = post(client, tenant, [good, smuggled])
    assert answer.status_code == 422
    assert "jean-dupont" not in answer.text
    assert stored_event_ids(engine) == []
    assert post(client, tenant, [good]).json()["stored"] == 1
