"""A help call the resident cancelled at the kiosk, on the mediators' live view: marked
« annulé » for ``CANCELLED_SHOWN_FOR`` (not rung, nothing to answer), then gone."""
from __future__ import annotations

import datetime as dt
import uuid

from console.conftest import InProcess
from kiosk_server import live
from kiosk_server.console.live_view import CANCELLED_SHOWN_FOR, snapshot
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import HelpRequest


def test_a_cancelled_call_is_shown_cancelled_for_a_while_then_leaves(console_app: InProcess):
    seed = console_app.seed
    kiosk_id, _token = seed.kiosks[("FS Lille", "borne-1")]
    site = seed.sites["FS Lille"]
    kiosk = KioskIdentity(kiosk_id, site, seed.territories["Nord"], "borne-1")
    call = uuid.UUID("00000000-0000-4000-8000-00000000ca12")
    with console_app.engine.begin() as conn:
        live.open_help_request(conn, kiosk, HelpRequest(request_id=call))
        assert live.cancel_help(conn, kiosk, call)
    with console_app.engine.connect() as conn:
        now = dt.datetime.now(dt.UTC)
        [shown] = snapshot(conn, site, heartbeat_s=30, at=now).help
        later = snapshot(conn, site, heartbeat_s=30,
                         at=now + CANCELLED_SHOWN_FOR + dt.timedelta(seconds=5))
    assert shown.request_id == str(call) and shown.cancelled and not shown.acknowledged
    assert later.help == [] and later.open_help_ids == []

    console_app.login("med-lille")
    html = console_app.client.get(f"/console/live/{site}").text
    assert f'class="help cancelled" data-request="{call}"' in html
    assert "borne-1 : appel annulé par la personne" in html
    assert f"/help/{call}/ack" not in html, "no « J'arrive » for a cancelled call"
