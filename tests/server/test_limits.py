"""Request size limit (413) and per-kiosk rate limit (429), with clear JSON errors."""
from __future__ import annotations

from fastapi.testclient import TestClient

from kiosk_server.app import create_app
from kiosk_server.ratelimit import RateLimiter
from server.helpers import record, server_settings, stored_event_ids


def test_oversize_body_is_refused_with_413_and_nothing_stored(tmp_path, db_url, engine, tenant):
    settings = server_settings(tmp_path, db_url, **{"server.max_body_bytes": 20_000})
    with TestClient(create_app(settings, engine)) as client:
        big = [record() for _ in range(40)]  # about 40 kB of JSON
        answer = client.post("/api/v1/events", json={"records": big}, headers=tenant.headers)
        assert answer.status_code == 413
        assert answer.json()["error"] == "too_large"
        small = client.post("/api/v1/events", json={"records": big[:2]}, headers=tenant.headers)
        assert small.status_code == 200
    assert sorted(stored_event_ids(engine)) == sorted(r["event_id"] for r in big[:2])


def test_chunked_body_without_length_is_also_limited(tmp_path, db_url, engine, tenant):
    settings = server_settings(tmp_path, db_url, **{"server.max_body_bytes": 5_000})

    def chunks():
        for _ in range(20):
            yield b" " * 1000

    with TestClient(create_app(settings, engine)) as client:
        answer = client.post("/api/v1/events", content=chunks(),
                             headers=tenant.headers | {"Content-Type": "application/json"})
    assert answer.status_code == 413


def test_flood_from_one_kiosk_gets_429_and_others_are_served(tmp_path, db_url, engine, tenant):
    from server.helpers import make_tenant
    other = make_tenant(engine, site="EPN Roubaix", kiosk="borne-2")
    settings = server_settings(tmp_path, db_url, **{"server.rate_limit_per_min": 10})
    beat = {"state": "idle", "app_version": "0.1.0"}
    with TestClient(create_app(settings, engine)) as client:
        codes = [client.post("/api/v1/heartbeat", json=beat, headers=tenant.headers).status_code
                 for _ in range(15)]
        assert codes[:10] == [200] * 10
        assert set(codes[10:]) == {429}
        refused = client.post("/api/v1/heartbeat", json=beat, headers=tenant.headers)
        assert refused.json()["error"] == "too_many_requests"
        assert int(refused.headers["retry-after"]) >= 1
        assert client.post("/api/v1/heartbeat", json=beat,
                           headers=other.headers).status_code == 200


def test_token_bucket_refills_with_time():
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert [limiter.allow("k")[0] for _ in range(3)] == [True, True, False]
    now[0] += 1.0
    assert limiter.allow("k")[0] is True
    assert limiter.allow("other")[0] is True
