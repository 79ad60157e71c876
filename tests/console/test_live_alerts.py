"""A silent kiosk says for how long and shows none of its last (maybe stale) device states; a
device fault of a kiosk still talking is listed at the top of the site's live page, of the
all-sites page and of the fleet page, and leaves them when the kiosk reports the device well."""
from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape

import pytest

from console.conftest import InProcess
from kiosk_server import live
from kiosk_server import tables as t
from kiosk_server.console import routes_live
from kiosk_server.console.live_view import offline_duration
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import Heartbeat, KioskState

PAPER_OUT = {"printer": "paper_out", "scanner": "ready", "reader": "ready"}
ALL_FINE = {"printer": "ready", "scanner": "ready", "reader": "ready"}


def _identity(app: InProcess, site: str, kiosk: str) -> KioskIdentity:
    seed = app.seed
    return KioskIdentity(seed.kiosks[(site, kiosk)][0], seed.sites[site],
                         seed.territories[seed.site_territory[site]], kiosk)


def _beat(app: InProcess, who: KioskIdentity, devices: dict[str, str]) -> None:
    with app.engine.begin() as conn:
        live.record_heartbeat(conn, who, Heartbeat(state=KioskState.IDLE, app_version="0.2.0",
                                                   devices=devices))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(html)))


def _card(html: str, kiosk_id: int) -> str:
    start = html.index(f'data-kiosk="{kiosk_id}"')
    return _text(html[start:html.index("</li>", start)])


def _alerts(html: str) -> list[str]:
    return [_text(m).strip() for m in re.findall(r'<p class="fault-alert"[^>]*>(.*?)</p>', html)]


@pytest.mark.parametrize(("seconds", "words"), [
    (30, "moins d'une minute"), (12 * 60 + 59, "12 min"), (2 * 3600 + 5 * 60, "2 h 05"),
    (23 * 3600 + 59 * 60, "23 h 59"), (86400, "1 jour"), (3 * 86400 + 7200, "3 jours")])
def test_an_offline_time_is_worded_for_a_glance(seconds, words):
    assert offline_duration(seconds) == words


def test_an_offline_kiosk_says_since_when_and_no_stale_device_state(console_app: InProcess):
    one = _identity(console_app, "FS Lille", "borne-1")
    _beat(console_app, one, PAPER_OUT)
    with console_app.engine.begin() as conn:  # then silent for 2 h 05 (and a half minute)
        conn.execute(t.kiosk_status.update().where(t.kiosk_status.c.kiosk_id == one.kiosk_id)
                     .values(last_seen=dt.datetime.now(dt.UTC)
                             - dt.timedelta(hours=2, minutes=5, seconds=20)))
    console_app.login("med-lille")
    html = console_app.client.get(f"/console/live/{one.site_id}").text
    card = _card(html, one.kiosk_id)
    assert "hors ligne depuis 2 h 05" in card
    assert "Équipements inconnu (la borne ne répond plus)" in card
    assert "plus de papier" not in card and "tout fonctionne" not in card
    assert _alerts(html) == []  # its last fault may be long mended: no alert for it


def test_a_device_fault_is_an_alert_until_the_kiosk_reports_it_mended(console_app: InProcess):
    one = _identity(console_app, "FS Lille", "borne-1")
    _beat(console_app, one, PAPER_OUT)
    _beat(console_app, _identity(console_app, "FS Lille", "borne-2"), ALL_FINE)
    console_app.login("med-lille")
    page = console_app.client.get(f"/console/live/{one.site_id}").text
    assert _alerts(page) == ["⚠ borne-1 : Imprimante : plus de papier"]
    # The page knows the fault from the start: it rings only for faults that come later.
    known = json.loads(unescape(re.search(r"data-faults='([^']*)'", page).group(1)))
    assert known == [f"{one.kiosk_id}:Imprimante : plus de papier"]

    _beat(console_app, one, ALL_FINE)
    assert _alerts(console_app.client.get(f"/console/live/{one.site_id}").text) == []


def test_a_fault_shows_on_the_all_sites_page_and_on_the_fleet_page(console_app: InProcess):
    lille = _identity(console_app, "FS Lille", "borne-2")
    rennes = _identity(console_app, "FS Rennes", "borne-1")
    _beat(console_app, lille, {"scanner": "jammed"})
    _beat(console_app, rennes, ALL_FINE)
    with console_app.engine.begin() as conn:
        conn.execute(t.kiosk_status.update().where(t.kiosk_status.c.kiosk_id == rennes.kiosk_id)
                     .values(last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(days=3)))
    console_app.login("resp-nord")  # Lille and Roubaix: one page for both
    together = console_app.client.get("/console/live").text
    assert _alerts(together) == ["⚠ borne-2 : Scanner : papier coincé"]

    console_app.client.post("/console/logout", data={"csrf": console_app.login("admin")})
    console_app.login("admin")
    fleet = console_app.client.get("/console/admin").text
    assert _alerts(fleet) == ["⚠ FS Lille · borne-2 : Scanner : papier coincé voir en direct"]
    assert "Hors ligne depuis 3 jours" in _text(fleet)

    _beat(console_app, lille, {"scanner": "ready"})
    assert _alerts(console_app.client.get("/console/admin").text) == []


def test_sites_side_by_side_count_the_faults_of_kiosks_still_talking(console_app: InProcess):
    talking = _identity(console_app, "FS Lille", "borne-1")
    silent = _identity(console_app, "FS Lille", "borne-2")
    _beat(console_app, talking, PAPER_OUT)
    _beat(console_app, silent, PAPER_OUT)
    with console_app.engine.begin() as conn:  # borne-2's paper-out is a day old
        conn.execute(t.kiosk_status.update().where(t.kiosk_status.c.kiosk_id == silent.kiosk_id)
                     .values(last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(days=1)))
    console_app.login("resp-nord")
    page = console_app.client.get(f"/console/stats/synthese?periode=3_mois"
                                  f"&territoire={talking.territory_id}").text
    table = re.search(r'id="table-sites".*?</table>', page, re.DOTALL).group(0)
    lille = re.search(r"<tr>\s*<th scope=\"row\">FS Lille</th>(.*?)</tr>", table, re.DOTALL)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", lille.group(1))
    assert cells[-1] == "1"


def test_the_list_of_sites_says_which_have_a_kiosk_in_fault(console_app: InProcess,
                                                            monkeypatch):
    monkeypatch.setattr(routes_live, "TOGETHER_MAX", 2)  # the admin's 3 sites: a list, then
    lille = _identity(console_app, "FS Lille", "borne-1")
    _beat(console_app, lille, PAPER_OUT)
    _beat(console_app, _identity(console_app, "FS Rennes", "borne-1"), ALL_FINE)
    console_app.login("admin")
    page = console_app.client.get("/console/live").text
    tiles = {m[0]: _text(m[1]) for m in re.findall(
        r'<a class="tile" href="/console/live/(\d+)">(.*?)</a>', page, re.DOTALL)}
    assert len(tiles) == len(console_app.seed.sites)
    assert "1 borne avec un équipement en panne" in tiles[str(lille.site_id)]
    assert [k for k, v in tiles.items() if "panne" in v] == [str(lille.site_id)]
