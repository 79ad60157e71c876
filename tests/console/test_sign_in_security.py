"""Console sign-ins end on the server: logout, a password change and disabling the account stop
a copied cookie at once; failed logins are counted in the database, shared by every server
process, per account and per real client address (behind a trusted reverse proxy)."""
from __future__ import annotations

import re
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from server.helpers import server_settings

from console.conftest import PASSWORD, InProcess
from kiosk_server import tenancy
from kiosk_server.app import create_app
from kiosk_server.console import auth
from kiosk_server.demo import spawn_server


def copy_of_cookies(client: TestClient) -> TestClient:
    """A second browser holding a copy of the first one's cookie."""
    other = TestClient(client.app, base_url="http://testserver")
    other.cookies.update(dict(client.cookies))
    return other


def signed_in(client: TestClient, path: str = "/console/stats") -> bool:
    answer = client.get(path, follow_redirects=False)
    if answer.status_code == 200:
        return True
    assert answer.status_code in (303, 307, 401), answer.status_code  # sent to log in
    return False


def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(
        console_app: InProcess):
    csrf = console_app.login("admin")
    thief = copy_of_cookies(console_app.client)
    assert signed_in(thief)
    out = console_app.client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert not signed_in(console_app.client) and not signed_in(thief)
    assert not signed_in(thief, "/console/admin")


def test_a_password_change_and_disabling_end_every_session_of_the_account(console_app):
    console_app.login("resp-nord")
    thief = copy_of_cookies(console_app.client)
    assert signed_in(thief)
    with console_app.engine.begin() as conn:
        tenancy.set_password(conn, "resp-nord", "un-autre-mot-de-passe-1")
    assert not signed_in(thief)
    console_app.login("resp-nord", "un-autre-mot-de-passe-1")
    copy = copy_of_cookies(console_app.client)
    assert signed_in(copy)
    with console_app.engine.begin() as conn:
        tenancy.disable_user(conn, "resp-nord")
    assert not signed_in(copy)


def failed_login(client: TestClient, username: str) -> int:
    form = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    return client.post("/console/login", data={"username": username, "password": "pas le bon",
                                               "csrf": token}).status_code


def test_the_lockout_is_shared_by_every_server_process(console_app: InProcess, tmp_path):
    """Two apps (as two processes) on one database: failures on either count for both."""
    second = create_app(server_settings(tmp_path, str(console_app.engine.url)),
                        console_app.engine, run_migrations=False)
    with TestClient(second, base_url="http://testserver") as other:
        for n in range(auth.LOCK_AFTER):
            failed_login(console_app.client if n % 2 else other, "resp-nord")
        form = other.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        locked = other.post("/console/login", data={"username": "resp-nord",
                                                    "password": PASSWORD, "csrf": token})
    assert locked.status_code == 401 and "bloqué" in locked.text  # even the right password


def test_the_servers_root_leads_to_the_console_login(console_app: InProcess):
    root = console_app.client.get("/", follow_redirects=False)
    assert root.status_code == 303 and root.headers["location"] == "/console/"
    page = console_app.client.get("/")
    assert page.status_code == 200 and 'name="password"' in page.text


@pytest.mark.slow
def test_behind_a_trusted_proxy_failed_logins_are_counted_per_real_client(tmp_path):
    """A real `kiosk-server run` behind a proxy on this host: each client's X-Forwarded-For is
    its own count; a client that failed too often is refused, another one is not."""
    server = spawn_server(tmp_path / "server",
                          env={"KIOSK_SERVER_FORWARDED_ALLOW_IPS": "127.0.0.1"})
    try:
        def attempt(client_ip: str, username: str) -> httpx.Response:
            with httpx.Client(base_url=server.url,
                              headers={"X-Forwarded-For": client_ip}) as browser:
                form = browser.get("/console/login")
                token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
                return browser.post("/console/login", data={
                    "username": username, "password": "pas le bon", "csrf": token})

        def counted(client_ip: str, username: str) -> httpx.Response:
            """An attempt the login's rate limiter lets through (20 a minute, 10 at once, per
            client): a refused one (429) is not counted as a failure, so it is tried again.
            Whether the limiter refuses depends on the machine's speed; the lockout must not."""
            for _ in range(60):
                answer = attempt(client_ip, username)
                if answer.status_code != 429:
                    return answer
                time.sleep(1)
            raise AssertionError("the login's rate limiter never let an attempt through")

        for n in range(auth.IP_LOCK_AFTER):  # many names, one address: password spraying
            assert counted("203.0.113.5", f"nom-{n}").status_code == 401
        locked = counted("203.0.113.5", "encore")
        assert locked.status_code == 401 and "infructueux depuis cet appareil" in locked.text
        other = counted("203.0.113.6", "encore")
        assert other.status_code == 401 and "depuis cet appareil" not in other.text
    finally:
        server.stop()
