"""A resident cancels a help call: the request leaves the mediators' live view, stays marked
"cancelled", and only the kiosk that made it can cancel it (SQLite and PostgreSQL)."""
from __future__ import annotations

import uuid

from kiosk_server import live
from kiosk_server.console import live_view


def post_help(client, tenant) -> str:
    rid = str(uuid.uuid4())
    assert client.post("/api/v1/help-requests", json={"request_id": rid},
                       headers=tenant.headers).status_code == 201
    return rid


def test_cancelled_call_stops_calling_in_the_mediators_live_view(client, tenant, engine):
    """The call is no longer open: the live view shows it only as cancelled (« appel annulé »,
    for a short while: tests/console/test_live_cancelled_help.py), never as a call to answer."""
    rid = post_help(client, tenant)
    with engine.connect() as conn:
        snap = live_view.snapshot(conn, tenant.site_id, heartbeat_s=30)
        assert [h.request_id for h in snap.help] == [rid]
    answer = client.post(f"/api/v1/help-requests/{rid}/cancel", headers=tenant.headers)
    assert answer.status_code == 200 and answer.json() == {"request_id": rid,
                                                           "status": "cancelled"}
    again = client.post(f"/api/v1/help-requests/{rid}/cancel", headers=tenant.headers)
    assert again.json()["status"] == "cancelled"   # idempotent
    with engine.connect() as conn:
        assert live.open_help_requests(conn) == []
        snap = live_view.snapshot(conn, tenant.site_id, heartbeat_s=30)
        assert [(h.request_id, h.cancelled) for h in snap.help] == [(rid, True)]
        assert not any(k.help_open for k in snap.kiosks)
    poll = client.get(f"/api/v1/help-requests/{rid}", headers=tenant.headers)
    assert poll.json()["status"] == "cancelled"
    # A mediator's "J'arrive" or "close" on a stale page changes nothing any more.
    with engine.begin() as conn:
        assert live.acknowledge_help(conn, rid) is False
        assert live.close_help(conn, rid) is False


def test_an_acknowledged_call_can_still_be_cancelled_but_a_closed_one_stays_closed(
        client, tenant, engine):
    coming, closed = post_help(client, tenant), post_help(client, tenant)
    with engine.begin() as conn:
        live.acknowledge_help(conn, coming)
        live.close_help(conn, closed)
    assert client.post(f"/api/v1/help-requests/{coming}/cancel",
                       headers=tenant.headers).json()["status"] == "cancelled"
    assert client.post(f"/api/v1/help-requests/{closed}/cancel",
                       headers=tenant.headers).json()["status"] == "closed"


def test_only_the_calling_kiosk_can_cancel_its_call(client, tenant, engine):
    from server.helpers import make_tenant

    other = make_tenant(engine, site="EPN Roubaix", kiosk="borne-2")
    rid = post_help(client, tenant)
    refused = client.post(f"/api/v1/help-requests/{rid}/cancel", headers=other.headers)
    assert refused.status_code == 404
    assert client.post(f"/api/v1/help-requests/{uuid.uuid4()}/cancel",
                       headers=tenant.headers).status_code == 404
    with engine.connect() as conn:
        assert [r["request_id"] for r in live.open_help_requests(conn)] == [rid]
