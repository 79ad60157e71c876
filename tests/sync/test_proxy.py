"""The kiosk behind a council's proxy, on IPv6, and against a server that answers too much or too
slowly: the real sync and heartbeat, through a real CONNECT proxy, to a real TLS server."""
from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from server.helpers import make_tenant, open_migrated, record, server_settings, stored_event_ids

from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.sync.https_client import HttpError, HttpsClient
from kiosk.sync.link import ServerLink
from kiosk.sync.outbox import SyncClient, SyncOutcome
from kiosk_server.app import create_app
from sync.connect_proxy import connect_proxy

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY",
                   "no_proxy", "ALL_PROXY", "all_proxy")


@pytest.fixture
def environment(monkeypatch):
    """No proxy variable but the ones a test sets."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def queue(store, n=2):
    for _ in range(n):
        r = record()
        store.enqueue(r["event_id"], r)


def sync_and_beat(core, link) -> None:
    report = SyncClient(core.store, link).sync_once()
    assert report.outcome is SyncOutcome.SENT and core.store.queue_length() == 0
    with link.client() as client:
        assert HeartbeatClient(core, link).beat_once(client) is not None


def test_sync_and_heartbeat_go_through_the_proxy_the_environment_names(
        environment, https_server, private_ca, core):
    url, tenant, engine = https_server
    queue(core.store)
    with connect_proxy() as (proxy_url, seen):
        environment.setenv("HTTPS_PROXY", proxy_url)
        link = ServerLink.checked(url, tenant.token, ca_file=str(private_ca / "ca.pem"))
        sync_and_beat(core, link)
    server = url.removeprefix("https://")
    assert seen.requests and all(r == f"CONNECT {server}" for r in seen.requests)
    assert len(stored_event_ids(engine)) == 2


def test_no_proxy_naming_the_server_sends_it_direct(environment, https_server, private_ca, core):
    url, tenant, engine = https_server
    queue(core.store)
    with connect_proxy() as (proxy_url, seen):
        environment.setenv("https_proxy", proxy_url)
        environment.setenv("no_proxy", "localhost,127.0.0.1")
        link = ServerLink.checked(url, tenant.token, ca_file=str(private_ca / "ca.pem"))
        sync_and_beat(core, link)
    assert seen.requests == []
    assert len(stored_event_ids(engine)) == 2


def test_proxy_credentials_travel_only_to_the_proxy(environment, https_server, private_ca, core):
    url, tenant, _engine = https_server
    queue(core.store, 1)
    with connect_proxy() as (proxy_url, seen):
        environment.setenv("HTTPS_PROXY", proxy_url.replace("://", "://agent:s3cr%40t@"))
        link = ServerLink.checked(url, tenant.token, ca_file=str(private_ca / "ca.pem"))
        client = link.client()
        assert "s3cr" not in repr(client.proxy)
        client.close()
        sync_and_beat(core, link)
    expected = "Basic " + base64.b64encode(b"agent:s3cr@t").decode()
    assert seen.authorizations and set(seen.authorizations) == {expected}


@pytest.fixture
def ipv6_server(tmp_path) -> Iterator[tuple[str, object, object]]:
    url = f"sqlite:///{tmp_path / 'v6.sqlite'}"
    engine = open_migrated(url)
    tenant = make_tenant(engine)
    sock = socket.socket(socket.AF_INET6)
    sock.bind(("::1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(server_settings(tmp_path, url), engine),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    yield f"http://[::1]:{sock.getsockname()[1]}", tenant, engine
    server.should_exit = True
    thread.join(10)
    engine.dispose()


def test_an_ipv6_literal_server_address_works(environment, ipv6_server, core):
    url, tenant, engine = ipv6_server
    queue(core.store)
    sync_and_beat(core, ServerLink.checked(url, tenant.token))
    assert len(stored_event_ids(engine)) == 2


def test_an_ipv6_literal_without_a_port_is_not_misread():
    client = HttpsClient("https://[2001:db8::1]/api")
    assert (client.host, client.port, client.prefix) == ("2001:db8::1", 443, "/api")


@pytest.fixture
def bad_server() -> Iterator[tuple[str, dict]]:
    """A raw HTTP server whose answer is huge or trickles in (``behaviour["mode"]``)."""
    behaviour = {"mode": "huge"}
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                try:
                    if behaviour["mode"] == "huge":
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                     b"Transfer-Encoding: chunked\r\n\r\n")
                        chunk = b"[" + b" " * 65000 + b"]"
                        while not stop.is_set():
                            conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    else:  # one byte now and then, each within the per-read timeout
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
                        while not stop.is_set():
                            conn.sendall(b" ")
                            time.sleep(0.2)
                except OSError:
                    pass  # the client gave up, as it should

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", behaviour
    stop.set()
    thread.join(5)
    listener.close()


def test_an_answer_over_the_size_cap_is_refused(environment, bad_server):
    url, behaviour = bad_server
    behaviour["mode"] = "huge"
    with HttpsClient(url, max_response_bytes=1_000_000) as client, \
            pytest.raises(HttpError, match="refused"):
        client.request("GET", "/api/v1/health")


def test_an_answer_that_trickles_in_is_abandoned_at_the_exchange_deadline(environment,
                                                                          bad_server):
    url, behaviour = bad_server
    behaviour["mode"] = "trickle"
    with HttpsClient(url, timeout_s=1, total_timeout_s=1.5) as client, \
            pytest.raises(HttpError, match=r"too long|timed out"):
        client.request("GET", "/api/v1/health")
