"""Time in session in the live view: placed on the server's clock from the kiosk's heartbeat,
rendered in the page and in the event stream, gone when the session ends or the kiosk is lost."""
from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape

import pytest
import sqlalchemy as sa

from console.conftest import InProcess
from kiosk_server import live
from kiosk_server import tables as t
from kiosk_server.console.live_view import session_duration
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import Heartbeat, KioskState


def _identity(app: InProcess, site: str, kiosk: str) -> KioskIdentity:
    seed = app.seed
    return KioskIdentity(seed.kiosks[(site, kiosk)][0], seed.sites[site],
                         seed.territories[seed.site_territory[site]], kiosk)


def _card(html: str, kiosk_id: int) -> str:
    """The text a mediator reads on one kiosk's card (tags removed)."""
    start = html.index(f'data-kiosk="{kiosk_id}"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", unescape(html[start:html.index("</li>",
                                                                                       start)])))


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "moins d'une minute"), (59, "moins d'une minute"), (60, "1 min"), (725, "12 min"),
    (3599, "59 min"), (3600, "1 h 00"), (3900, "1 h 05"), (86_400, "24 h 00")])
def test_time_in_session_is_worded_for_a_glance(seconds, words):
    assert session_duration(seconds) == words


def test_live_view_says_how_long_each_session_has_lasted(console_app: InProcess):
    seed = console_app.seed
    one = _identity(console_app, "FS Lille", "borne-1")
    two = _identity(console_app, "FS Lille", "borne-2")
    with console_app.engine.begin() as conn:
        live.record_heartbeat(conn, one, Heartbeat(
            state=KioskState.ACTIVE, procedure_id="cv-guide", step=2, app_version="0.1.0",
            session_seconds=12 * 60 + 20))
        live.record_heartbeat(conn, two, Heartbeat(state=KioskState.IDLE, app_version="0.1.0"))
    console_app.login("med-lille")
    url = f"/console/live/{seed.sites['FS Lille']}"
    html = console_app.client.get(url).text
    active = _card(html, one.kiosk_id)
    assert "en session depuis 12 min" in active
    assert html.count("data-session-since=") == 1  # the page refreshes it every second
    assert "en session depuis" not in _card(html, two.kiosk_id)

    with console_app.client.stream("GET", f"{url}/events") as stream:
        event = next(json.loads(line[5:]) for line in stream.iter_lines()
                     if line.startswith("data:"))
    assert "en session depuis 12 min" in _card(event["html"], one.kiosk_id)

    # The session ended: the next heartbeat clears the start.
    with console_app.engine.begin() as conn:
        live.record_heartbeat(conn, one, Heartbeat(state=KioskState.IDLE, app_version="0.1.0"))
        started = conn.execute(sa.select(t.kiosk_status.c.session_started_at)
                               .where(t.kiosk_status.c.kiosk_id == one.kiosk_id)).scalar_one()
    assert started is None
    assert "en session depuis" not in _card(console_app.client.get(url).text, one.kiosk_id)


def test_a_lost_kiosk_shows_no_time_in_session(console_app: InProcess):
    seed = console_app.seed
    one = _identity(console_app, "FS Lille", "borne-1")
    with console_app.engine.begin() as conn:
        live.record_heartbeat(conn, one, Heartbeat(state=KioskState.ACTIVE, app_version="0.1.0",
                                                   session_seconds=300))
        conn.execute(t.kiosk_status.update().where(t.kiosk_status.c.kiosk_id == one.kiosk_id)
                     .values(last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=91)))
    console_app.login("med-lille")
    card = _card(console_app.client.get(f"/console/live/{seed.sites['FS Lille']}").text,
                 one.kiosk_id)
    assert "Hors ligne" in card and "en session depuis" not in card
