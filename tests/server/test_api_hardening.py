"""The API on hostile input: personal data in every id a kiosk sends is refused whole and stored
nowhere; an oversized body is refused before it is read; records from the future, a boolean
hour; 422s that name the schema's path and never echo the sender's keys; the live tables purged;
no page that loads anything from another host."""
from __future__ import annotations

import datetime as dt
import json
import re
import socket
import uuid

import pytest
import sqlalchemy as sa

from kiosk_server import retention
from kiosk_server import tables as t
from server.helpers import count, record, stored_event_ids

PII = ["jean-dupont-0612345678", "185057800608436", "camille.martin@example.org",
       "0612345678", "mme-durand-12-rue-de-la-paix"]
BEAT = {"state": "active", "procedure_id": "caf-trimestrielle", "step": 3,
        "devices": {"printer": "ready"}, "app_version": "0.1.0", "queue_length": 0}


def every_field_carrying(value: str) -> list[tuple[str, str, dict]]:
    """(endpoint, field, body) for each free-looking field of each kiosk endpoint."""
    practice = record()
    practice["activities"][0]["procedure_id"] = value
    return [
        ("/api/v1/events", "activities.procedure_id", {"records": [record(), practice]}),
        ("/api/v1/events", "unknown key", {"records": [{**record(), value: "x"}]}),
        ("/api/v1/heartbeat", "procedure_id", {**BEAT, "procedure_id": value}),
        ("/api/v1/heartbeat", "app_version", {**BEAT, "app_version": value}),
        ("/api/v1/heartbeat", "devices key", {**BEAT, "devices": {value: "ready"}}),
        ("/api/v1/heartbeat", "devices value", {**BEAT, "devices": {"printer": value}}),
        ("/api/v1/heartbeat", "device_backends", {**BEAT, "device_backends": {"printer": value}}),
        ("/api/v1/help-requests", "procedure_id",
         {"request_id": str(uuid.uuid4()), "procedure_id": value, "step": 1}),
    ]


def everything_stored(engine) -> str:
    """Every row of every table, as text: where a value would be if it had been kept."""
    with engine.connect() as conn:
        return "\n".join(repr(row) for table in t.metadata.sorted_tables
                         for row in conn.execute(sa.select(table)))


@pytest.mark.parametrize("value", PII)
def test_personal_data_in_any_id_is_refused_whole_and_stored_nowhere(client, tenant, engine,
                                                                     value):
    for endpoint, field, body in every_field_carrying(value):
        answer = client.post(endpoint, json=body, headers=tenant.headers)
        assert answer.status_code == 422, (endpoint, field, answer.text)
        assert value not in answer.text, (endpoint, field)  # not even echoed
    assert value not in everything_stored(engine)
    assert stored_event_ids(engine) == []


def test_the_shipped_catalogue_and_declared_local_procedures_are_accepted(client, tenant):
    assert client.post("/api/v1/heartbeat", json=BEAT, headers=tenant.headers).status_code == 200
    local = {**BEAT, "procedure_id": "mairie-de-lille-rdv"}  # declared in the test settings
    assert client.post("/api/v1/heartbeat", json=local, headers=tenant.headers).status_code == 200


def test_a_short_versions_id_is_accepted_and_kept_apart_only_beside_its_procedure(
        client, tenant, engine):
    """A procedure's short first-timer version is recorded as ``<id>-courte`` (the shipped
    ones are in the catalogue's manifest, a declared local one's is derived), so the figures
    keep the two apart; ``-courte`` after an unknown id is no way in."""
    for pid in ("ameli-compte-courte", "mairie-de-lille-rdv-courte"):
        beat = {**BEAT, "procedure_id": pid}
        assert client.post("/api/v1/heartbeat", json=beat, headers=tenant.headers
                           ).status_code == 200, pid
    short = {"kind": "practice", "procedure_id": "ameli-compte-courte",
             "theme": "social_sante", "steps_total": 7, "steps_reached": 7,
             "completed": True, "hints_used": 0, "errors": 0, "pages": 0,
             "autonomy": "autonomous"}
    full = {**short, "procedure_id": "ameli-compte", "steps_total": 12, "steps_reached": 3,
            "completed": False}
    body = {"records": [record(activities=[short, full])]}
    assert client.post("/api/v1/events", json=body, headers=tenant.headers).status_code == 200
    with engine.connect() as conn:
        stored = sorted(conn.execute(sa.select(t.activities.c.procedure_id)).scalars())
    assert stored == ["ameli-compte", "ameli-compte-courte"]
    for pid in ("inconnue-courte", "-courte"):
        beat = {**BEAT, "procedure_id": pid}
        assert client.post("/api/v1/heartbeat", json=beat, headers=tenant.headers
                           ).status_code == 422, pid


def test_a_record_from_the_future_is_refused_and_a_day_of_clock_skew_accepted(client, tenant,
                                                                             engine):
    today = dt.date.today()
    for day in ("9999-12-31", str(today + dt.timedelta(days=365))):
        answer = client.post("/api/v1/events", json={"records": [record(day=day)]},
                             headers=tenant.headers)
        assert answer.status_code == 422 and answer.json()["details"][0]["type"] == "future_day"
    assert stored_event_ids(engine) == []
    tomorrow = record(day=str(today + dt.timedelta(days=1)))
    assert client.post("/api/v1/events", json={"records": [tomorrow]},
                       headers=tenant.headers).status_code == 200


def test_an_hour_given_as_a_boolean_is_refused(client, tenant, engine):
    answer = client.post("/api/v1/events", json={"records": [record(hour=True)]},
                         headers=tenant.headers)
    assert answer.status_code == 422 and stored_event_ids(engine) == []


def test_a_422_names_the_schema_path_never_the_senders_key(client, tenant):
    spoilt = {**record(), "camille.martin@example.org": "x"}
    spoilt["activities"][0]["Jean Dupont"] = 1
    answer = client.post("/api/v1/events", json={"records": [spoilt]}, headers=tenant.headers)
    assert answer.status_code == 422
    locs = [d["loc"] for d in answer.json()["details"]]
    assert ["body", "records", "0", "*"] in locs
    assert ["body", "records", "0", "activities", "0", "*"] in locs
    assert "camille" not in answer.text and "Dupont" not in answer.text


def test_the_live_tables_are_purged(engine, tenant):
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=retention.LIVE_RETENTION_DAYS + 1)
    with engine.begin() as conn:
        conn.execute(t.help_requests.insert().values(
            request_id=str(uuid.uuid4()), kiosk_id=tenant.kiosk_id, site_id=tenant.site_id,
            status="closed", created_at=old))
        conn.execute(t.kiosk_commands.insert().values(kiosk_id=tenant.kiosk_id, kind="end_session",
                                                      created_at=old))
    counts = retention.purge_live(engine)
    assert counts["help_requests"] == 1 and counts["kiosk_commands"] == 1
    assert count(engine, t.help_requests) == 0 and count(engine, t.kiosk_commands) == 0


def test_no_page_loads_anything_from_another_host(client):
    assert client.get("/api/docs").status_code == 404  # Swagger UI would come from a CDN
    pages = ["/openapi.json", "/console/login", "/console/static/console.css"]
    for path in pages:
        body = client.get(path).text
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", body), path
        assert "cdn." not in body and "unpkg" not in body, path


@pytest.mark.slow
def test_an_oversized_chunked_body_is_refused_before_anything_is_stored(tmp_path):
    """A valid batch followed by 2.6 MB of whitespace, chunked (no Content-Length), sent to a
    real `kiosk-server run`: 413, and the batch's record is not stored."""
    from kiosk_server.demo import spawn_server
    from server.helpers import make_tenant, open_migrated

    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    engine = open_migrated(url)
    tenant = make_tenant(engine)
    server = spawn_server(tmp_path)
    try:
        host, port = server.url.removeprefix("http://").split(":")
        body = json.dumps({"records": [record()]}).encode() + b" " * 2_600_000
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\n"
                         + f"Authorization: Bearer {tenant.token}\r\n".encode()
                         + b"Transfer-Encoding: chunked\r\n\r\n")
            try:
                for i in range(0, len(body), 65536):
                    chunk = body[i:i + 65536]
                    sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sock.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server stopped reading: refused
            status = sock.recv(4096).split(b"\r\n", 1)[0]
        assert b" 413 " in status
        assert stored_event_ids(engine) == []
    finally:
        server.stop()
        engine.dispose()
