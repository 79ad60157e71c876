"""GET /metrics: Prometheus text format, reflecting heartbeats, ingests and live gauges; only for
the addresses of server.metrics_allow_ips (404 for anyone else, or for everyone when empty)."""
from __future__ import annotations

import re

from fastapi.testclient import TestClient

from kiosk_server.app import create_app
from server.helpers import record, server_settings

MONITOR = ("127.0.0.1", 40000)


def sample(text: str, name: str, labels: str = "") -> float:
    """The value of one sample of the text format (the line ``name{labels} value``)."""
    pattern = re.escape(name) + (r"\{" + re.escape(labels) + r"\}" if labels else "") + r" (\S+)$"
    found = [m.group(1) for line in text.splitlines() if (m := re.match(pattern, line))]
    assert len(found) == 1, (name, labels, text)
    return float(found[0])


def test_metrics_reflect_a_heartbeat_and_an_ingest(client, tenant):
    monitor = TestClient(client.app, client=MONITOR)
    before = monitor.get("/metrics")
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert sample(before.text, "kiosk_server_kiosks", 'state="offline"') == 1
    assert sample(before.text, "kiosk_server_heartbeats_total") == 0

    beat = {"state": "idle", "app_version": "0.1.0", "queue_length": 7}
    assert client.post("/api/v1/heartbeat", json=beat, headers=tenant.headers).status_code == 200
    batch = [record(), record(hour=15), record(hour=16)]
    stored = client.post("/api/v1/events", json={"records": batch}, headers=tenant.headers)
    assert stored.json()["stored"] == 3
    client.post("/api/v1/events", json={"records": batch}, headers=tenant.headers)  # duplicates

    text = monitor.get("/metrics").text
    assert sample(text, "kiosk_server_heartbeats_total") == 1
    assert sample(text, "kiosk_server_records_ingested_total") == 3
    assert sample(text, "kiosk_server_kiosks", 'state="online"') == 1
    assert sample(text, "kiosk_server_kiosks", 'state="offline"') == 0
    assert sample(text, "kiosk_server_kiosk_queue_length_sum") == 7
    assert sample(text, "kiosk_server_kiosk_queue_length_max") == 7
    assert sample(text, "kiosk_server_help_requests_open") == 0
    assert sample(text, "kiosk_server_http_requests_total",
                  'method="POST",route="/api/v1/events",status="200"') == 2
    assert sample(text, "kiosk_server_http_requests_total",
                  'method="POST",route="/api/v1/heartbeat",status="200"') == 1


def test_metrics_are_refused_to_an_address_not_allowed(client):
    elsewhere = TestClient(client.app, client=("203.0.113.7", 40000))
    answer = elsewhere.get("/metrics")
    assert answer.status_code == 404 and "kiosk_server" not in answer.text
    assert TestClient(client.app, client=MONITOR).get("/metrics").status_code == 200


def test_metrics_can_be_turned_off_or_opened_to_a_network(tmp_path, engine, db_url):
    off = create_app(server_settings(tmp_path, db_url, **{"server.metrics_allow_ips": ""}),
                     engine, run_migrations=False)
    assert TestClient(off, client=MONITOR).get("/metrics").status_code == 404
    network = create_app(
        server_settings(tmp_path, db_url, **{"server.metrics_allow_ips": "10.0.5.0/24"}),
        engine, run_migrations=False)
    assert TestClient(network, client=("10.0.5.9", 1)).get("/metrics").status_code == 200
    assert TestClient(network, client=MONITOR).get("/metrics").status_code == 404
