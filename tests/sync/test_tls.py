"""TLS: the kiosk verifies the server's certificate; a private CA is added with sync.ca_file."""
from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from server.helpers import make_tenant, open_migrated, record, server_settings, stored_event_ids

from kiosk_server.app import create_app
from kiosk.sync.link import ServerLink, SyncConfigError
from kiosk.sync.outbox import SyncClient, SyncOutcome


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
        app, ssl_certfile=str(private_ca / "server.pem"), ssl_keyfile=str(private_ca / "server.key"),
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


def queue(store, n=2):
    for _ in range(n):
        r = record()
        store.enqueue(r["event_id"], r)


def test_unknown_certificate_authority_is_refused(https_server, core):
    url, tenant, engine = https_server
    queue(core.store)
    report = SyncClient(core.store, ServerLink.checked(url, tenant.token)).sync_once()
    assert report.outcome is SyncOutcome.OFFLINE
    assert core.store.queue_length() == 2 and stored_event_ids(engine) == []


def test_private_ca_given_in_sync_ca_file_is_trusted(https_server, core, private_ca):
    url, tenant, engine = https_server
    queue(core.store)
    link = ServerLink.checked(url, tenant.token, ca_file=str(private_ca / "ca.pem"))
    report = SyncClient(core.store, link).sync_once()
    assert report.outcome is SyncOutcome.SENT and core.store.queue_length() == 0
    assert len(stored_event_ids(engine)) == 2


def test_missing_ca_file_is_a_configuration_error(tmp_path):
    with pytest.raises(SyncConfigError, match="ca_file"):
        ServerLink.checked("https://stats.example.org", "t", ca_file=str(tmp_path / "none.pem"))


def test_ca_file_that_is_not_a_certificate_is_a_configuration_error(tmp_path):
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(SyncConfigError, match="not a PEM"):
        ServerLink.checked("https://stats.example.org", "t", ca_file=str(bogus))
