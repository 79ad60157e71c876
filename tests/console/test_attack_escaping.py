"""Everything an admin can type is shown as text on every page that shows it: territory, site,
kiosk and user names made of markup are escaped in the HTML (in process, every page) and run
nothing in a real browser (Chromium, the pages a mediator and an admin open)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from console.conftest import ConsoleServer, InProcess, log_in
from console.test_attack_routes import ROUTES, url_for
from kiosk_server import tables as t

PAYLOADS = {"territory": "<script>alert('t')</script>",
            "site": '"><img src=x onerror=alert(1)>',
            "kiosk": "<svg onload=alert(2)>",
            "user": "<b onmouseover=alert(3)>"}


def hostile_names(engine: sa.Engine, seed) -> None:
    """The names as an admin could have typed them (the forms store any text)."""
    with engine.begin() as conn:
        conn.execute(t.territories.update().where(t.territories.c.name == "Nord")
                     .values(name=PAYLOADS["territory"]))
        conn.execute(t.sites.update().where(t.sites.c.id == seed.sites["FS Lille"])
                     .values(name=PAYLOADS["site"]))
        conn.execute(t.kiosks.update().where(t.kiosks.c.id == seed.kiosks[("FS Lille",
                                                                          "borne-1")][0])
                     .values(name=PAYLOADS["kiosk"]))
        conn.execute(t.users.update().where(t.users.c.id == seed.users["resp-lille"])
                     .values(username=PAYLOADS["user"]))


def test_typed_names_are_escaped_on_every_page(console_app: InProcess):
    hostile_names(console_app.engine, console_app.seed)
    seen = set()
    for who in ("admin", "med-lille"):
        console_app.client.cookies.clear()
        console_app.login(who)
        for (method, path), _rule in ROUTES.items():
            if method != "GET" or not path.startswith("/console") or path.endswith("events") \
                    or "export" in path:
                continue
            answer = console_app.client.get(url_for(path, console_app))
            if answer.status_code != 200:
                continue
            for name, payload in PAYLOADS.items():
                assert payload not in answer.text, (who, path, name)
                if "&lt;" + payload[1:4] in answer.text or "&#34;&gt;&lt;img" in answer.text:
                    seen.add(name)
    assert {"territory", "site", "kiosk", "user"} <= seen  # shown, as text, somewhere


@pytest.mark.browser
def test_typed_names_run_nothing_in_a_browser(console_server: ConsoleServer, browser_page):
    hostile_names(console_server.engine, console_server.seed)
    dialogs: list[str] = []
    browser_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(browser_page, "admin")
    seed = console_server.seed
    for path in ("/console/admin", f"/console/live/{seed.sites['FS Lille']}",
                 f"/console/stats/synthese?lieu=s:{seed.sites['FS Lille']}",
                 f"/console/admin/users/{seed.users['resp-lille']}",
                 f"/console/admin/kiosks/{seed.kiosks[('FS Lille', 'borne-1')][0]}"):
        browser_page.goto(path)
        browser_page.wait_for_load_state("load")
        browser_page.mouse.move(200, 300)
        assert dialogs == [], (path, dialogs)
    assert PAYLOADS["kiosk"] in browser_page.inner_text("body")  # the kiosk page: as text
