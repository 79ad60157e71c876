"""POST /api/v1/events: idempotent, all-or-nothing, and nothing outside the schema gets in.

Run in-process (FastAPI TestClient) on SQLite and on PostgreSQL.
"""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from kiosk_server import tables as t
from kiosk_server import tenancy
from server.helpers import count, record, stored_event_ids, total_sessions_aggregated


def post(client, tenant, records):
    return client.post("/api/v1/events", json={"records": records}, headers=tenant.headers)


def test_batch_sent_three_times_is_stored_once(client, tenant, engine):
    batch = [record(), record(hour=11), record(hour=12)]
    answers = [post(client, tenant, batch) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["stored"] for a in answers] == [3, 0, 0]
    assert [a.json()["duplicates"] for a in answers] == [0, 3, 3]
    assert all(set(a.json()["accepted"]) == {r["event_id"] for r in batch} for a in answers)
    assert sorted(stored_event_ids(engine)) == sorted(r["event_id"] for r in batch)
    assert count(engine, t.activities) == 9
    assert total_sessions_aggregated(engine) == 3  # the re-sends were not counted again


def test_record_repeated_inside_one_batch_is_stored_once(client, tenant, engine):
    r = record()
    assert post(client, tenant, [r, r]).json()["stored"] == 1
    assert stored_event_ids(engine) == [r["event_id"]]


@pytest.mark.parametrize("spoil", [
    pytest.param(lambda r: r.update(name="Dupont"), id="extra field: a name"),
    pytest.param(lambda r: r["activities"][0].update(typed_value="1 rue de la Paix"),
                 id="extra field in an activity"),
    pytest.param(lambda r: r.update(language="français"), id="string where an enum belongs"),
    pytest.param(lambda r: r["activities"][0].update(theme="Jean Dupont"), id="theme free text"),
    pytest.param(lambda r: r["activities"][0].update(procedure_id="Mme Durand 0612345678"),
                 id="free text as procedure id"),
    pytest.param(lambda r: r.update(hour=24), id="hour out of range"),
    pytest.param(lambda r: r.update(duration_min=7), id="duration not rounded to 5"),
    pytest.param(lambda r: r.update(help_requests=-1), id="negative count"),
    pytest.param(lambda r: r.update(schema_version=99), id="unknown schema version"),
    pytest.param(lambda r: r.update(event_id=str(uuid.uuid1())), id="not a random uuid"),
    pytest.param(lambda r: r.update(survey={"age_bracket": "42 ans"}), id="survey free text"),
    pytest.param(lambda r: r.update(accessibility=["braille"]), id="unknown accessibility"),
])
def test_a_spoilt_record_refuses_the_whole_batch_and_nothing_is_stored(client, tenant, engine,
                                                                        spoil):
    good, bad = record(), record(hour=9)
    spoil(bad)
    answer = post(client, tenant, [good, bad])
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid"
    assert body["details"] and all(d["loc"][:3] == ["body", "records", "1"]
                                   for d in body["details"])
    assert "Dupont" not in answer.text and "Durand" not in answer.text  # never echoed back
    assert stored_event_ids(engine) == []
    assert count(engine, t.activities) == 0
    assert total_sessions_aggregated(engine) == 0


def test_empty_and_oversized_batches_are_refused(client, tenant):
    assert post(client, tenant, []).status_code == 422
    assert post(client, tenant, [record() for _ in range(501)]).status_code == 422


def test_body_that_is_not_json_is_a_clear_400(client, tenant):
    answer = client.post("/api/v1/events", content=b"{records: [", headers=tenant.headers
                         | {"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_json"
    assert "Traceback" not in answer.text


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer "}, {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Basic dXNlcjpwYXNz"},
], ids=["none", "empty", "unknown", "basic"])
def test_missing_or_bad_token_is_401(client, tenant, headers, engine):
    answer = client.post("/api/v1/events", json={"records": [record()]}, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized"
    assert answer.headers["www-authenticate"] == "Bearer"
    assert stored_event_ids(engine) == []


def test_revoked_token_is_401_and_rotated_token_works(client, tenant, engine):
    with engine.begin() as conn:
        new_token = tenancy.rotate_token(conn, tenant.kiosk_id)
    assert post(client, tenant, [record()]).status_code == 401
    answer = client.post("/api/v1/events", json={"records": [record()]},
                         headers={"Authorization": f"Bearer {new_token}"})
    assert answer.status_code == 200
    with engine.begin() as conn:
        assert tenancy.revoke_tokens(conn, tenant.kiosk_id) == 1
    answer = client.post("/api/v1/events", json={"records": [record()]},
                         headers={"Authorization": f"Bearer {new_token}"})
    assert answer.status_code == 401


def test_tokens_are_stored_only_as_hashes(tenant, engine):
    with engine.connect() as conn:
        hashes = conn.execute(sa.select(t.kiosk_tokens.c.token_hash)).scalars().all()
    assert hashes == [tenancy.hash_token(tenant.token)]
    assert tenant.token not in hashes[0]
    assert len(tenant.token) >= 43  # 32 random bytes, url-safe base64


def test_records_are_stored_against_the_token_kiosk_not_the_payload(client, tenant, engine):
    r = record()
    assert post(client, tenant, [r | {"kiosk_id": 999}]).status_code == 422  # not a field
    assert post(client, tenant, [r]).status_code == 200
    with engine.connect() as conn:
        row = conn.execute(sa.select(t.session_records)).one()
    assert (row.kiosk_id, row.site_id, row.territory_id) == (
        tenant.kiosk_id, tenant.site_id, tenant.territory_id)


def test_health_says_which_schema_versions_are_accepted(client):
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200
    assert answer.json()["schema_versions"] == [1]
    assert answer.json()["status"] == "ok"


def test_openapi_document_lists_the_kiosk_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/events", "/api/v1/heartbeat", "/api/v1/help-requests",
                 "/api/v1/health"):
        assert path in paths


def test_unknown_path_is_a_json_404(client):
    answer = client.get("/api/v1/nothing")
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


def test_a_record_with_official_sites_is_stored_and_a_spoilt_site_refused(client, tenant,
                                                                         engine):
    """Newer kiosks send the official sites used (allowlist keys + minutes); the server takes
    them (not stored yet: no table) and refuses an address in their place."""
    good = record(official_sites=[{"site": "caf", "minutes": 12}])
    assert post(client, tenant, [good]).json()["stored"] == 1
    bad = record(official_sites=[{"site": "https://www.caf.fr/mon-compte", "minutes": 1}])
    assert post(client, tenant, [bad]).status_code == 422
    assert stored_event_ids(engine) == [good["event_id"]]
