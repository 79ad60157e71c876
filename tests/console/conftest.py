"""Console fixtures: a seeded server (in process, or `kiosk-server run` in its own process) on
SQLite
and PostgreSQL, and Debian's Chromium driven by Playwright (never a downloaded browser)."""
from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

warnings.filterwarnings("ignore", message=".*httpx2.*")

from fastapi.testclient import TestClient
from server.helpers import open_migrated, server_settings

from console.seed import PASSWORD, Seed, seed
from kiosk_server.app import create_app
from kiosk_server.demo import ServerProcess, spawn_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 # the live view's alert tone, without a human tap in a headless run
                 "--autoplay-policy=no-user-gesture-required"]


def _database(request: pytest.FixtureRequest, tmp: Path) -> str:
    if request.param == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        return cluster.url(cluster.create_database())
    return f"sqlite:///{tmp / 'server.sqlite'}"


# --- in process ------------------------------------------------------------------------------
@dataclass
class InProcess:
    client: TestClient
    engine: sa.Engine
    seed: Seed

    def login(self, username: str, password: str = PASSWORD) -> str:
        """Log in through the form; returns the session's CSRF token."""
        form = self.client.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = self.client.post("/console/login", data={"username": username,
                                                          "password": password, "csrf": token},
                                  follow_redirects=False)
        assert answer.status_code == 303, answer.text
        return csrf_of(self.client.get(answer.headers["location"]).text)


def csrf_of(html: str) -> str:
    return re.search(r'data-csrf="([^"]+)"', html).group(1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def console_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[InProcess]:
    url = _database(request, tmp_path)
    engine = open_migrated(url)
    data = seed(engine, per_kiosk=40)
    app = create_app(server_settings(tmp_path, url), engine)
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        yield InProcess(client, engine, data)
    engine.dispose()


# --- a running `kiosk-server run` and Chromium ---------------------------------------------------
@dataclass
class ConsoleServer:
    process: ServerProcess
    engine: sa.Engine
    seed: Seed
    database_url: str
    data_dir: Path | None = None  # the server's (its catalogue signing key is there)

    @property
    def url(self) -> str:
        return self.process.url


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def console_server(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    data_dir = tmp_path_factory.mktemp(f"console-{request.param}")
    url = _database(request, data_dir)
    engine = open_migrated(url)
    data = seed(engine)
    pg = url if url.startswith("postgresql") else ""
    server = spawn_server(data_dir, database_url=pg)
    try:
        yield ConsoleServer(server, engine, data, url, data_dir)
    finally:
        server.stop()
        engine.dispose()
    assert all("Traceback" not in line for line in server.output), "\n".join(server.output)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (package chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Any, console_server: ConsoleServer) -> Iterator[Any]:
    """A fresh browser context (its own cookies), tablet-sized, on the running server."""
    yield from _device_page(chromium, console_server)


@pytest.fixture
def tablet(chromium: Any, console_server: ConsoleServer) -> Iterator[Any]:
    """A second device with its own cookies: the mediator's tablet beside the admin's PC
    (browser_page)."""
    yield from _device_page(chromium, console_server)


def _device_page(chromium: Any, console_server: ConsoleServer) -> Iterator[Any]:
    context = chromium.new_context(base_url=console_server.url, accept_downloads=True,
                                   viewport={"width": 1180, "height": 820}, locale="fr-FR",
                                   has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/console/login")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert "/console/login" not in page.url, page.content()
