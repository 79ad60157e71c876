"""A pending help request is polled every few seconds: "Un médiateur arrive" shows as soon as a
mediator answers in the console, not at the next heartbeat (30 s by default)."""
from __future__ import annotations

import threading
import time

from server.helpers import make_tenant, open_migrated

from kiosk.sync import connect
from kiosk.sync.help import HelpDesk, HelpStatus
from kiosk.sync.link import ServerLink
from kiosk_server import live
from kiosk_server.demo import spawn_server
from kiosk_wire.schema import EndReason


def _wait(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_acknowledgement_reaches_the_kiosk_without_waiting_for_a_heartbeat(
        live_server, core, kiosk_settings):
    settings = kiosk_settings.with_overrides({
        "sync.server_url": live_server.url, "sync.token": live_server.tenant.token,
        "sync.heartbeat_s": 3600,  # the next heartbeat is an hour away
        "sync.help_poll_s": 1})
    on_ui_thread: list = []
    ui_lock = threading.Lock()

    def schedule(fn, _delay):  # what the Kivy clock does: run later, on the UI thread
        with ui_lock:
            on_ui_thread.append(fn)

    seen: list[HelpStatus] = []
    connection = connect(settings, core, schedule=schedule)
    connection.start()
    desk = connection.help_desk
    desk.add_listener(seen.append)
    try:
        # The heartbeat's first beat goes at start; wait for it, so that it cannot be the one
        # that brings the acknowledgement.
        assert _wait(lambda: connection.heartbeat.last_reply is not None)
        core.start()
        desk.request()
        assert _wait(lambda: desk.status is HelpStatus.SENT)
        with live_server.engine.begin() as conn:
            assert live.acknowledge_help(conn, str(desk.request_id))  # "J'arrive" in the console
        assert _wait(lambda: desk.status is HelpStatus.ACKNOWLEDGED, timeout=15)
        # The listeners were handed to the UI thread, never called on the network thread.
        assert seen == []
        with ui_lock:
            pending, on_ui_thread[:] = list(on_ui_thread), []
        for fn in pending:
            fn()
        assert seen == [HelpStatus.SENDING, HelpStatus.SENT, HelpStatus.ACKNOWLEDGED]
        poller = desk._poller
        assert poller is not None and _wait(lambda: not poller.is_alive(), timeout=5)
    finally:
        connection.stop()
    core.end(EndReason.FINISHED, offer_survey=False)


def test_polling_stops_when_the_session_ends(live_server, core, kiosk_settings):
    settings = kiosk_settings.with_overrides({
        "sync.server_url": live_server.url, "sync.token": live_server.tenant.token,
        "sync.heartbeat_s": 3600, "sync.help_poll_s": 1})
    connection = connect(settings, core)
    connection.start()
    desk = connection.help_desk
    try:
        core.start()
        desk.request()
        assert _wait(lambda: desk.status is HelpStatus.SENT)
        poller = desk._poller
        assert poller is not None and poller.is_alive()
        core.end(EndReason.FINISHED, offer_survey=False)
        assert desk.status is None  # the next resident starts afresh
        assert _wait(lambda: not poller.is_alive(), timeout=5)
    finally:
        connection.stop()


def test_without_a_server_there_is_no_poll_and_no_http_stack(core, kiosk_settings):
    connection = connect(kiosk_settings, core)
    desk = connection.help_desk
    core.start()
    desk.request()
    assert desk.status is HelpStatus.NOT_DELIVERED
    assert desk._poller is None and connection.heartbeat is None and connection.sync is None
    core.end(EndReason.FINISHED, offer_survey=False)


def test_a_poll_refused_with_retry_after_waits_what_the_server_asked(tmp_path, core):
    """A server past its per-kiosk rate (429 + Retry-After) is asked again only after the wait
    it named, not at the next poll interval."""
    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    engine = open_migrated(f"sqlite:///{data_dir / 'server.sqlite'}")
    tenant = make_tenant(engine)
    server = spawn_server(data_dir, env={"KIOSK_SERVER_RATE_LIMIT_PER_MIN": "1"})
    try:
        # No polling thread: the test asks itself; the interval is what the thread would wait.
        desk = HelpDesk(core, ServerLink.checked(server.url, tenant.token))
        core.start()
        desk.request()  # the one request this minute allows
        desk.wait_idle()
        desk.poll_interval_s = 1.0
        assert desk.status is HelpStatus.SENT and desk.next_poll_delay() == 1.0
        assert desk.poll() is HelpStatus.SENT  # refused: 429, still waiting for a mediator
        assert desk.retry_after is not None and desk.retry_after >= 30
        assert desk.next_poll_delay() == desk.retry_after
        core.end(EndReason.FINISHED, offer_survey=False)
    finally:
        server.stop()
        engine.dispose()
