"""The live view's content, in process: states derived from heartbeats (offline after three
missed ones), device faults, pending commands, help requests kept to their own site."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from html import unescape

import sqlalchemy as sa

from console.conftest import InProcess
from kiosk_server import live
from kiosk_server import tables as t
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import CommandKind, Heartbeat, HelpRequest, KioskState


def _identity(app: InProcess, site: str, kiosk: str) -> KioskIdentity:
    seed = app.seed
    return KioskIdentity(seed.kiosks[(site, kiosk)][0], seed.sites[site],
                         seed.territories[seed.site_territory[site]], kiosk)


def _card(html: str, kiosk_id: int) -> str:
    start = html.index(f'data-kiosk="{kiosk_id}"')
    return unescape(html[start:html.index("</li>", start)])


def test_states_faults_and_offline_after_three_missed_heartbeats(console_app: InProcess):
    seed = console_app.seed
    one, two = _identity(console_app, "FS Lille", "borne-1"), _identity(console_app, "FS Lille",
                                                                          "borne-2")
    with console_app.engine.begin() as conn:
        live.record_heartbeat(conn, one, Heartbeat(
            state=KioskState.ACTIVE, procedure_id="cv-guide", step=2, app_version="0.1.0",
            devices={"printer": "paper_out", "scanner": "ready"}, queue_length=3))
        live.record_heartbeat(conn, two, Heartbeat(state=KioskState.IDLE, app_version="0.1.0"))
        # borne-2 then fell silent for longer than 3 heartbeats of 30 s.
        conn.execute(t.kiosk_status.update().where(t.kiosk_status.c.kiosk_id == two.kiosk_id)
                     .values(last_seen=dt.datetime.now(dt.UTC)
                             - dt.timedelta(seconds=91)))
        live.queue_command(conn, one.kiosk_id, CommandKind.END_SESSION)
    console_app.login("med-lille")
    html = console_app.client.get(f"/console/live/{seed.sites['FS Lille']}").text
    active = _card(html, one.kiosk_id)
    assert 'data-status="active"' in active and "En session" in active
    assert ("Faire son CV pas à pas et l'imprimer · étape 2 sur 8 : "
            "Quel métier cherchez-vous ?") in active
    assert "Imprimante : plus de papier" in active and "Scanner" not in active
    assert '<dd class="queue">3</dd>' in active
    assert "Commande en attente de la borne : Terminer la session" in active
    offline = _card(html, two.kiosk_id)
    assert 'data-status="offline"' in offline and "Hors ligne" in offline


def test_help_requests_show_on_their_own_site_only(console_app: InProcess):
    seed = console_app.seed
    lille = _identity(console_app, "FS Lille", "borne-1")
    rennes = _identity(console_app, "FS Rennes", "borne-1")
    rid_lille, rid_rennes = uuid.uuid4(), uuid.uuid4()
    with console_app.engine.begin() as conn:
        live.open_help_request(conn, lille, HelpRequest(request_id=rid_lille,
                                                        procedure_id="cv-guide", step=4))
        live.open_help_request(conn, rennes, HelpRequest(request_id=rid_rennes))
    csrf = console_app.login("med-lille")
    client = console_app.client
    html = client.get(f"/console/live/{seed.sites['FS Lille']}").text
    assert str(rid_lille) in html and str(rid_rennes) not in html
    assert "borne-1 demande de l’aide" in html and "étape 4 sur 8 : Votre formation" in html
    # Acknowledging Rennes' request through Lille's page is refused; nothing changes.
    refused = client.post(f"/console/live/{seed.sites['FS Lille']}/help/{rid_rennes}/ack",
                          data={"csrf": csrf})
    assert refused.status_code == 403
    answer = client.post(f"/console/live/{seed.sites['FS Lille']}/help/{rid_lille}/ack",
                         data={"csrf": csrf}, headers={"Accept": "application/json"})
    assert answer.json()["message"].startswith("C'est noté")
    with console_app.engine.connect() as conn:
        statuses = dict(conn.execute(sa.select(t.help_requests.c.request_id,
                                               t.help_requests.c.status)).all())
        acked_by = conn.execute(sa.select(t.help_requests.c.acknowledged_by).where(
            t.help_requests.c.request_id == str(rid_lille))).scalar_one()
    assert statuses == {str(rid_lille): "acknowledged", str(rid_rennes): "open"}
    assert acked_by == seed.users["med-lille"]
    html = unescape(client.get(f"/console/live/{seed.sites['FS Lille']}").text)
    assert "un médiateur est en route" in html and "C'est réglé" in html
    client.post(f"/console/live/{seed.sites['FS Lille']}/help/{rid_lille}/close",
                data={"csrf": csrf})
    assert str(rid_lille) not in client.get(f"/console/live/{seed.sites['FS Lille']}").text


def test_event_stream_sends_the_panel_and_the_open_calls(console_app: InProcess):
    seed = console_app.seed
    lille = _identity(console_app, "FS Lille", "borne-2")
    rid = uuid.uuid4()
    with console_app.engine.begin() as conn:
        live.open_help_request(conn, lille, HelpRequest(request_id=rid))
    console_app.login("med-lille")
    with console_app.client.stream("GET", f"/console/live/{seed.sites['FS Lille']}/events"
                                   ) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in stream.iter_lines():
            if line.startswith("data:"):
                event = json.loads(line[5:])
                break
    assert event is not None
    assert event["open_help"] == [str(rid)]
    assert re.search(r'data-kiosk="\d+"', event["html"])
    assert event["counts"]["total"] == 2


def test_a_disabled_user_is_logged_out_at_once(console_app: InProcess):
    from kiosk_server import tenancy

    console_app.login("med-lille")
    site = console_app.seed.sites["FS Lille"]
    assert console_app.client.get(f"/console/live/{site}").status_code == 200
    with console_app.engine.begin() as conn:
        tenancy.disable_user(conn, "med-lille")
    answer = console_app.client.get(f"/console/live/{site}", follow_redirects=False,
                                    headers={"Accept": "text/html"})
    assert answer.status_code == 303 and "/console/login" in answer.headers["location"]


def test_the_server_stops_by_itself_with_a_live_view_open(tmp_path):
    """An endless event stream must not keep `kiosk-server run` from stopping (it is closed after
    the graceful delay); the stop is not forced by the harness's SIGKILL."""
    import signal
    import threading

    import httpx
    from server.helpers import open_migrated

    from console.seed import seed
    from kiosk_server.demo import spawn_server

    engine = open_migrated(f"sqlite:///{tmp_path / 'server.sqlite'}")
    data = seed(engine, per_kiosk=2)
    engine.dispose()
    server = spawn_server(tmp_path)
    client = httpx.Client(base_url=server.url, follow_redirects=True)
    form = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    client.post("/console/login", data={"username": "med-lille", "csrf": token,
                                        "password": "motdepasse-solide-1"})
    streaming = threading.Event()

    def watch() -> None:
        try:
            with client.stream("GET", f"/console/live/{data.sites['FS Lille']}/events",
                               timeout=None) as stream:
                for _line in stream.iter_lines():
                    streaming.set()
        except httpx.HTTPError:
            pass

    threading.Thread(target=watch, daemon=True).start()
    assert streaming.wait(10)
    server.stop(timeout=30)
    # uvicorn ends on the SIGTERM it was sent (-15) after a clean shutdown; -9 would be the kill.
    assert server.process.returncode == -signal.SIGTERM, server.output[-5:]
    assert any("Finished server process" in line for line in server.output)
    client.close()


def test_dashboard_shows_how_fast_help_calls_were_answered(console_app: InProcess):
    seed = console_app.seed
    lille = _identity(console_app, "FS Lille", "borne-1")
    asked = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    waits = [30, 90, 400]  # seconds before "J'arrive"; a fourth call is never answered
    ids = [uuid.uuid4() for _ in range(4)]
    with console_app.engine.begin() as conn:
        for rid in ids:
            live.open_help_request(conn, lille, HelpRequest(request_id=rid))
        for rid, wait in zip(ids, [*waits, None], strict=False):
            values: dict = {"created_at": asked}
            if wait is not None:
                values.update(status="acknowledged",
                              acknowledged_at=asked + dt.timedelta(seconds=wait))
            conn.execute(t.help_requests.update()
                         .where(t.help_requests.c.request_id == str(rid)).values(**values))
    console_app.login("resp-nord")
    page = unescape(console_app.client.get(
        f"/console/stats/synthese?site={seed.sites['FS Lille']}&periode=30_jours").text)
    section = page[page.index('id="figure-reponses"'):]
    section = section[:section.index("</section>")]
    cells = re.findall(r"<th scope=\"row\">([^<]+)</th><td[^>]*>([^<]+)</td>", section)
    assert dict(cells) == {"Appels reçus par la console": "4", "Appels pris en charge": "3",
                           "Délai médian de réponse": "1 min 30 s",
                           "Appels pris en charge en moins de 2 min": "67 %"}
    # Another site of the same manager: none of Lille's calls.
    roubaix = console_app.client.get(
        f"/console/stats/synthese?site={seed.sites['FS Roubaix']}&periode=30_jours").text
    assert "Délai médian" not in roubaix
