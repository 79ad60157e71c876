"""The help desk's cancel: the server is told, even when the request was still on its way."""
from __future__ import annotations

from kiosk.sync.help import HelpDesk, HelpStatus
from kiosk_server import live


def server_status(live_server, request_id) -> str:
    import sqlalchemy as sa

    from kiosk_server import tables as t

    with live_server.engine.connect() as conn:
        return conn.execute(sa.select(t.help_requests.c.status).where(
            t.help_requests.c.request_id == str(request_id))).scalar_one()


def test_a_delivered_call_is_cancelled_on_the_server(live_server, core):
    statuses: list[HelpStatus] = []
    desk = HelpDesk(core, live_server.link())
    desk.add_listener(statuses.append)
    core.start()
    desk.request()
    desk.wait_idle()
    assert desk.status is HelpStatus.SENT
    assert desk.cancel() is True
    desk.wait_idle()
    assert server_status(live_server, desk.request_id) == "cancelled"
    with live_server.engine.connect() as conn:
        assert live.open_help_requests(conn) == []
    assert desk.poll() is HelpStatus.CANCELLED
    assert desk.cancel() is False            # nothing left to cancel
    assert statuses == [HelpStatus.SENDING, HelpStatus.SENT, HelpStatus.CANCELLED]
    assert core.session.help_requests == 1   # the call happened: still counted


def test_a_call_cancelled_while_on_its_way_is_cancelled_once_delivered(live_server, core):
    desk = HelpDesk(core, live_server.link())
    core.start()
    desk.request()
    cancelled = desk.cancel()                 # before (or while) the POST reaches the server
    desk.wait_idle()
    assert cancelled and desk.status is HelpStatus.CANCELLED
    assert server_status(live_server, desk.request_id) == "cancelled"


def test_nothing_to_cancel_without_a_server(core):
    desk = HelpDesk(core, None)
    core.start()
    desk.request()
    assert desk.status is HelpStatus.NOT_DELIVERED
    assert desk.cancel() is False and desk.status is HelpStatus.NOT_DELIVERED
