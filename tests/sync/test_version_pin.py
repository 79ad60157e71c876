"""A version pinned in the console for a site or its territory reaches the kiosk in the
heartbeat reply; the kiosk hands it to kiosk-update (its update-pin file) only between sessions,
reports the package version it runs, and the console's live view shows the drift. Against a real
`kiosk-server run`; the installing itself is tested in a container (tests/packages/)."""
from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
import sqlalchemy as sa

from kiosk.sessions.state import SessionState
from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.update_pin import PIN_FILE, PinRequester
from kiosk_server import tables as t
from kiosk_server import tenancy, version_pins
from kiosk_server.version_pins import PinPlace
from kiosk_wire.schema import EndReason

DPKG_STATUS = """Package: adduser
Status: install ok installed
Version: 3.134

Package: kiosk
Status: install ok installed
Priority: optional
Version: {version}
Description: self-service terminal
 with a continuation line

"""


def dpkg_status(tmp_path, version: str):
    path = tmp_path / f"dpkg-status-{version}"
    path.write_text(DPKG_STATUS.format(version=version))
    return path


PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def manager(sqlite_server):
    """A territory manager signed in to the running server's console: (client, csrf token)."""
    with sqlite_server.engine.begin() as conn:
        tenancy.create_user(conn, "resp-nord", PASSWORD, "manager",
                            territory=sqlite_server.tenant.territory_id)
    with httpx.Client(base_url=sqlite_server.url, timeout=10) as client:
        form = client.get("/console/login").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        signed = client.post("/console/login", data={"username": "resp-nord",
                                                     "password": PASSWORD, "csrf": csrf})
        assert signed.status_code in (200, 303), signed.text
        page = client.get("/console/versions")
        assert page.status_code == 200
        yield client, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def pin(live_server, place: PinPlace, version: str | None) -> None:
    place_id = (live_server.tenant.site_id if place is PinPlace.SITE
                else live_server.tenant.territory_id)
    with live_server.engine.begin() as conn:
        version_pins.set_pin(conn, place, place_id, version)


def test_the_pin_reaches_the_kiosk_which_asks_for_it_only_between_sessions(
        sqlite_server, core, tmp_path):
    data = tmp_path / "kiosk-data"
    beats = HeartbeatClient(core, sqlite_server.link(), pin_requester=PinRequester(data),
                            dpkg_status=dpkg_status(tmp_path, "0.1.0-1"),
                            update_state_file=tmp_path / "no-update-yet")
    pin(sqlite_server, PinPlace.TERRITORY, "0.2.0-1")
    core.start()  # a resident is at the kiosk
    reply = beats.beat_once()
    assert reply is not None and reply.settings.pinned_version == "0.2.0-1"
    assert not (data / PIN_FILE).exists()  # never during a session
    core.end(EndReason.FINISHED, offer_survey=False)
    core.complete(None)
    assert core.state is SessionState.IDLE
    beats.beat_once()
    assert (data / PIN_FILE).read_text().strip() == "0.2.0-1"
    # The site's own pin wins over its territory's; removing every pin removes the ask.
    pin(sqlite_server, PinPlace.SITE, "0.1.5-1")
    beats.beat_once()
    assert (data / PIN_FILE).read_text().strip() == "0.1.5-1"
    pin(sqlite_server, PinPlace.SITE, None)
    pin(sqlite_server, PinPlace.TERRITORY, None)
    assert beats.beat_once().settings.pinned_version is None
    assert not (data / PIN_FILE).exists()


def test_a_pinned_version_that_failed_here_is_not_asked_again(sqlite_server, core, tmp_path):
    data = tmp_path / "kiosk-data"
    state = tmp_path / "update-state"
    state.write_text("state=rolled_back\nversion=0.1.0-1\ntried=0.2.0-1\n")
    beats = HeartbeatClient(core, sqlite_server.link(), pin_requester=PinRequester(data),
                            dpkg_status=dpkg_status(tmp_path, "0.1.0-1"), update_state_file=state)
    pin(sqlite_server, PinPlace.SITE, "0.2.0-1")
    beats.beat_once()
    assert not (data / PIN_FILE).exists()
    pin(sqlite_server, PinPlace.SITE, "0.2.1-1")  # a fixed version: asked
    beats.beat_once()
    assert (data / PIN_FILE).read_text().strip() == "0.2.1-1"


def test_a_manager_pins_a_version_in_the_console_and_the_live_view_shows_the_drift(
        sqlite_server, core, tmp_path, manager):
    client, csrf = manager
    site = sqlite_server.tenant.site_id
    refused = client.post(f"/console/versions/site/{site}", data={"csrf": csrf,
                                                                   "version": "latest please"})
    assert refused.status_code == 400 and "Version invalide" in refused.text
    saved = client.post(f"/console/versions/site/{site}",
                        data={"csrf": csrf, "version": " 0.2.0-1 "}, follow_redirects=True)
    assert saved.status_code == 200 and f'id="s{site}" name="version"' in saved.text
    assert 'value="0.2.0-1"' in saved.text

    old = HeartbeatClient(core, sqlite_server.link(), dpkg_status=dpkg_status(tmp_path, "0.1.0-1"),
                          update_state_file=tmp_path / "none")
    assert old.beat_once().settings.pinned_version == "0.2.0-1"
    with sqlite_server.engine.connect() as conn:
        assert conn.execute(sa.select(t.kiosk_status.c.package_version)).scalar() == "0.1.0-1"
    card = live_card(client, sqlite_server)
    assert "paquet 0.1.0-1" in card and "version attendue : 0.2.0-1" in card

    updated = HeartbeatClient(core, sqlite_server.link(),
                              dpkg_status=dpkg_status(tmp_path, "0.2.0-1"),
                              update_state_file=tmp_path / "none")
    assert updated.beat_once() is not None
    card = live_card(client, sqlite_server)
    assert "paquet 0.2.0-1" in card and "attendue" not in card


def live_card(client, server) -> str:
    html = client.get(f"/console/live/{server.tenant.site_id}").text
    start = html.index(f'data-kiosk="{server.tenant.kiosk_id}"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(html[start:html.index(
        "</li>", start)])))


def test_after_a_session_made_the_update_wait_the_kiosk_asks_again_soon_not_at_every_beat(
        tmp_path):
    from kiosk_wire.schema import UpdateState

    now = [0.0]
    asker = PinRequester(tmp_path, clock=lambda: now[0])
    waiting = (UpdateState.WAITING, None)
    assert asker.consider("0.2.0-1", "0.1.0-1", in_session=False, last_update=(None, None))
    now[0] += 2  # next heartbeat: the update it asked for is still running
    assert not asker.consider("0.2.0-1", "0.1.0-1", in_session=False, last_update=waiting)
    now[0] += 60  # the update waited for a session that is now over
    assert asker.consider("0.2.0-1", "0.1.0-1", in_session=False, last_update=waiting)
