"""The help desk: sent at once, acknowledged by a mediator, or honestly not delivered."""
from __future__ import annotations

import threading

from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.sync.help import HelpDesk, HelpStatus
from kiosk.sync.link import ServerLink
from kiosk_server import live
from kiosk_wire.schema import EndReason


def test_help_request_is_sent_then_acknowledged_by_a_mediator(live_server, core):
    statuses: list[HelpStatus] = []
    done = threading.Event()
    desk = HelpDesk(core, live_server.link(), position=lambda: ("caf-trimestrielle", 3))
    desk.add_listener(statuses.append)
    desk.add_listener(lambda s: s is HelpStatus.SENT and done.set())
    core.start()
    desk.request()
    assert done.wait(15)
    desk.wait_idle()
    assert desk.status is HelpStatus.SENT
    with live_server.engine.begin() as conn:
        [open_request] = live.open_help_requests(conn)
        assert (open_request["procedure_id"], open_request["step"]) == ("caf-trimestrielle", 3)
        assert open_request["request_id"] == str(desk.request_id)
        live.acknowledge_help(conn, open_request["request_id"])  # "J'arrive" in the console
    hb = HeartbeatClient(core, live_server.link(), help_desk=desk)
    assert hb.status().help_requests == [desk.request_id]
    hb.beat_once()
    assert desk.status is HelpStatus.ACKNOWLEDGED
    assert statuses == [HelpStatus.SENDING, HelpStatus.SENT, HelpStatus.ACKNOWLEDGED]
    core.end(EndReason.FINISHED, offer_survey=False)
    [record] = list(core.store.iter_all())
    assert record.payload["help_requests"] == 1
    assert [a["kind"] for a in record.payload["activities"]] == ["help"]
    assert desk.status is None  # the next resident starts afresh


def test_poll_learns_the_acknowledgement_too(live_server, core):
    desk = HelpDesk(core, live_server.link())
    core.start()
    desk.request()
    desk.wait_idle()
    assert desk.poll() is HelpStatus.SENT
    with live_server.engine.begin() as conn:
        live.acknowledge_help(conn, str(desk.request_id))
    assert desk.poll() is HelpStatus.ACKNOWLEDGED


def test_no_server_configured_means_not_delivered(core):
    statuses = []
    desk = HelpDesk(core, None)
    desk.add_listener(statuses.append)
    core.start()
    desk.request()
    assert statuses == [HelpStatus.SENDING, HelpStatus.NOT_DELIVERED]
    assert core.session.help_requests == 1  # still counted in the statistics


def test_unreachable_server_means_not_delivered(core):
    desk = HelpDesk(core, ServerLink.checked("http://127.0.0.1:9", "t", timeout_s=2))
    core.start()
    desk.request()
    desk.wait_idle()
    assert desk.status is HelpStatus.NOT_DELIVERED


def test_listeners_run_through_the_injected_scheduler(core):
    ran_on: list[str] = []
    scheduled = []
    desk = HelpDesk(core, None, schedule=lambda fn, delay: scheduled.append(fn))
    desk.add_listener(lambda s: ran_on.append(s.value))
    core.start()
    desk.request()
    assert ran_on == [] and len(scheduled) == 2
    for fn in scheduled:
        fn()
    assert ran_on == ["sending", "not_delivered"]


def test_the_connection_the_kiosk_runtime_builds_works_end_to_end(live_server, core,
                                                                   kiosk_settings):
    """kiosk.sync.connect (what kiosk/runtime.py calls) against a running server."""
    import time

    from kiosk.sessions.state import SessionState
    from kiosk.sync import connect
    from kiosk_wire.schema import CommandKind

    settings = kiosk_settings.with_overrides({
        "sync.server_url": live_server.url, "sync.token": live_server.tenant.token,
        "sync.interval_s": 1, "sync.heartbeat_s": 1})
    ui: list = []
    with live_server.engine.begin() as conn:
        live.queue_command(conn, live_server.tenant.kiosk_id, CommandKind.OUT_OF_ORDER)
    connection = connect(settings, core, schedule=lambda fn, delay: ui.append(fn))
    connection.start()
    sync = connection.sync
    assert sync is not None
    try:
        core.start()
        core.end(EndReason.FINISHED, offer_survey=False)
        for _ in range(300):  # until the heartbeat has brought the command to the "UI"
            if ui and sync.connected:
                break
            time.sleep(0.05)
        while ui:
            ui.pop(0)()
        assert core.state is SessionState.OUT_OF_ORDER
        assert sync.connected is True
    finally:
        connection.stop()
    from server.helpers import stored_event_ids
    assert len(stored_event_ids(live_server.engine)) == 1
