"""Heartbeats, commands riding on their replies, and help requests (SQLite and PostgreSQL)."""
from __future__ import annotations

import uuid

from kiosk_server import live, tenancy
from kiosk_wire.schema import CommandKind, HelpState, PushedSettings

BEAT = {"state": "active", "procedure_id": "caf-trimestrielle", "step": 3,
        "devices": {"printer": "paper_out", "scanner": "ready"}, "app_version": "0.1.0",
        "queue_length": 12}


def beat(client, tenant, **overrides):
    return client.post("/api/v1/heartbeat", json=BEAT | overrides, headers=tenant.headers)


def test_heartbeat_state_is_stored_for_the_live_view(client, tenant, engine):
    assert beat(client, tenant).status_code == 200
    with engine.connect() as conn:
        [status] = live.kiosk_statuses(conn, heartbeat_s=30)
    assert status["online"] is True
    assert (status["state"], status["procedure_id"], status["step"]) \
        == ("active", "caf-trimestrielle", 3)
    assert status["devices"] == {"printer": "paper_out", "scanner": "ready"}
    assert status["queue_length"] == 12


def test_kiosk_never_heard_from_is_offline(engine, tenant):
    with engine.connect() as conn:
        [status] = live.kiosk_statuses(conn)
    assert status["online"] is False and status["last_seen"] is None


def test_heartbeat_with_free_text_is_refused(client, tenant):
    assert beat(client, tenant, state="en pause café").status_code == 422
    assert beat(client, tenant, devices={"printer": "Plus de papier !"}).status_code == 422
    assert beat(client, tenant, note="hello").status_code == 422


def test_reply_carries_pushed_settings(client, tenant, engine):
    with engine.begin() as conn:
        tenancy.set_pushed_settings(conn, tenant.kiosk_id, PushedSettings(
            idle_timeout_s=60, print_quota_pages=5, enabled_procedures=["caf-trimestrielle"],
            banner="Fermeture à 16 h"))
    settings = beat(client, tenant).json()["settings"]
    # Empty settings are left out: a kiosk older than a setting still reads the reply.
    assert settings == {"idle_timeout_s": 60, "print_quota_pages": 5,
                        "enabled_procedures": ["caf-trimestrielle"], "banner": "Fermeture à 16 h"}


def test_commands_are_resent_until_the_kiosk_confirms_them(client, tenant, engine):
    with engine.begin() as conn:
        end_id = live.queue_command(conn, tenant.kiosk_id, CommandKind.END_SESSION)
        ooo_id = live.queue_command(conn, tenant.kiosk_id, CommandKind.OUT_OF_ORDER)
    first = beat(client, tenant).json()["commands"]
    assert first == [{"id": end_id, "kind": "end_session"}, {"id": ooo_id, "kind": "out_of_order"}]
    assert beat(client, tenant).json()["commands"] == first  # not confirmed yet: sent again
    assert beat(client, tenant, acked_commands=[end_id]).json()["commands"] == [first[1]]
    assert beat(client, tenant, acked_commands=[ooo_id]).json()["commands"] == []
    with engine.connect() as conn:
        rows = live.commands_of(conn, tenant.kiosk_id)
    assert all(r["delivered_at"] is not None and r["acked_at"] is not None for r in rows)


def test_a_kiosk_cannot_confirm_another_kiosks_commands(client, tenant, engine):
    from server.helpers import make_tenant
    other = make_tenant(engine, site="EPN Roubaix", kiosk="borne-2")
    with engine.begin() as conn:
        cid = live.queue_command(conn, other.kiosk_id, CommandKind.OUT_OF_ORDER)
    beat(client, tenant, acked_commands=[cid])
    assert beat(client, other).json()["commands"] == [{"id": cid, "kind": "out_of_order"}]


def test_help_request_is_stored_once_and_its_acknowledgement_reaches_the_kiosk(
        client, tenant, engine):
    rid = str(uuid.uuid4())
    body = {"request_id": rid, "procedure_id": "caf-trimestrielle", "step": 2}
    first = client.post("/api/v1/help-requests", json=body, headers=tenant.headers)
    again = client.post("/api/v1/help-requests", json=body, headers=tenant.headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == {"request_id": rid, "status": "open"}
    with engine.connect() as conn:
        assert [r["request_id"] for r in live.open_help_requests(conn)] == [rid]
    with engine.begin() as conn:
        assert live.acknowledge_help(conn, rid) is True
    reply = beat(client, tenant, help_requests=[rid]).json()
    assert reply["help_requests"] == [{"request_id": rid, "status": HelpState.ACKNOWLEDGED.value}]
    poll = client.get(f"/api/v1/help-requests/{rid}", headers=tenant.headers)
    assert poll.json()["status"] == "acknowledged"


def test_help_request_of_another_kiosk_is_not_visible(client, tenant, engine):
    from server.helpers import make_tenant
    other = make_tenant(engine, site="EPN Roubaix", kiosk="borne-2")
    rid = str(uuid.uuid4())
    client.post("/api/v1/help-requests", json={"request_id": rid}, headers=tenant.headers)
    assert client.get(f"/api/v1/help-requests/{rid}", headers=other.headers).status_code == 404
    assert beat(client, other, help_requests=[rid]).json()["help_requests"] == []
    forged = client.post("/api/v1/help-requests", json={"request_id": rid}, headers=other.headers)
    assert forged.status_code == 422


def test_a_frozen_or_restarting_kiosk_is_stored_and_an_older_kiosk_still_beats(client, tenant,
                                                                               engine):
    assert beat(client, tenant, ui_stalled_s=42, restarts=3).status_code == 200
    with engine.connect() as conn:
        [status] = live.kiosk_statuses(conn, heartbeat_s=30)
    assert (status["ui_stalled_s"], status["restarts"]) == (42, 3)
    # A kiosk from before these fields: accepted, and nothing stale is kept from the last beat.
    assert beat(client, tenant).status_code == 200
    with engine.connect() as conn:
        [status] = live.kiosk_statuses(conn, heartbeat_s=30)
    assert (status["ui_stalled_s"], status["restarts"]) == (None, None)
    assert beat(client, tenant, restarts=-1).status_code == 422
    assert beat(client, tenant, ui_stalled_s="long").status_code == 422


def test_an_update_state_is_one_of_the_known_ones_with_a_package_version(client, tenant):
    assert beat(client, tenant, update_state="rolled_back",
                update_tried="0.2.0-1").status_code == 200
    assert beat(client, tenant, update_state="on fire").status_code == 422
    assert beat(client, tenant, update_state="failed", update_tried="0.2 beta").status_code == 422


def test_a_pinned_version_goes_only_to_kiosks_that_say_their_package_version(client, tenant,
                                                                             engine):
    from kiosk_server import version_pins
    from kiosk_server.version_pins import PinPlace

    with engine.begin() as conn:
        version_pins.set_pin(conn, PinPlace.TERRITORY, tenant.territory_id, "0.2.0-1")
    # An older kiosk (no package_version) refuses unknown fields: the key is not even sent.
    assert "pinned_version" not in beat(client, tenant).json()["settings"]
    newer = beat(client, tenant, package_version="0.1.0-1").json()["settings"]
    assert newer["pinned_version"] == "0.2.0-1"
