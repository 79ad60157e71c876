"""Kiosk-side tests against a real `kiosk-server run` (uvicorn subprocess) on SQLite or PostgreSQL,
and against the in-process app where a test drives every step itself."""
from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn

warnings.filterwarnings("ignore", message=".*httpx2.*")

from fastapi.testclient import TestClient
from server.helpers import Tenant, make_tenant, open_migrated, server_settings

from kiosk.sessions import open_core
from kiosk.sessions.clock import ManualClock
from kiosk.sync.link import ServerLink
from kiosk_server.app import create_app
from kiosk_server.demo import ServerProcess, spawn_server
from kiosk_wire import config


@dataclass
class LiveServer:
    process: ServerProcess
    engine: sa.Engine
    tenant: Tenant
    data_dir: Path
    database_url: str

    @property
    def url(self) -> str:
        return self.process.url

    def link(self) -> ServerLink:
        return ServerLink.checked(self.url, self.tenant.token, timeout_s=10)

    def stop(self) -> None:
        self.process.stop()

    def restart(self) -> None:
        """Start again on the same port (the kiosk's settings do not change)."""
        port = int(self.url.rsplit(":", 1)[1])
        self.process = spawn_server(self.data_dir, port=port, database_url=self.database_url)


def _database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if getattr(request, "param", "sqlite") == "postgres":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'server-data' / 'server.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """A running `kiosk-server run` with one kiosk, on each engine."""
    yield from _live(request, tmp_path)


@pytest.fixture
def sqlite_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    yield from _live(request, tmp_path)


def _live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    url = _database(request, tmp_path)
    engine = open_migrated(url)
    tenant = make_tenant(engine)
    server = LiveServer(spawn_server(data_dir, database_url=url if "postgresql" in url else ""),
                        engine, tenant, data_dir, url if "postgresql" in url else "")
    try:
        yield server
    finally:
        server.stop()
        engine.dispose()


@pytest.fixture
def in_process(tmp_path: Path):
    """(TestClient, engine, tenant) on SQLite: the kiosk's clients can use the TestClient."""
    url = f"sqlite:///{tmp_path / 'inproc.sqlite'}"
    engine = open_migrated(url)
    tenant = make_tenant(engine)
    app = create_app(server_settings(tmp_path, url), engine)
    with TestClient(app, base_url="http://testserver",
                    headers={"Authorization": f"Bearer {tenant.token}"}) as client:
        yield client, engine, tenant
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC))  # a Monday


@pytest.fixture
def kiosk_settings(tmp_path: Path) -> config.Settings:
    return config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "kiosk-data"),
        "kiosk.session_dir": str(tmp_path / "kiosk-sessions"),
    })


@pytest.fixture
def core(kiosk_settings, clock):
    core = open_core(kiosk_settings, clock=clock)
    core.recover()
    yield core
    if core.store is not None:
        core.store.close()


# --- TLS with a private CA (test_tls, test_proxy) ----------------------------------------------
def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def private_ca(tmp_path: Path) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    d = tmp_path / "pki"
    d.mkdir()
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=kiosk test CA", "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "server.key", "-out", "server.csr", cwd=d)
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.pem", cwd=d)
    return d


@pytest.fixture
def https_server(tmp_path: Path, private_ca: Path):
    url = f"sqlite:///{tmp_path / 'tls.sqlite'}"
    engine = open_migrated(url)
    tenant = make_tenant(engine)
    app = create_app(server_settings(tmp_path, url), engine)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(
        app, ssl_certfile=str(private_ca / "server.pem"),
        ssl_keyfile=str(private_ca / "server.key"),
        log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    yield f"https://127.0.0.1:{port}", tenant, engine
    server.should_exit = True
    thread.join(10)
    engine.dispose()
