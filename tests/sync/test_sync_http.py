"""The kiosk's own HTTP client (standard library), seen from the wire: one kept-alive
connection, a connection the server closed is replaced before use, a server going away
mid-request is a clean LinkError (never a request sent twice), timeouts, no redirects."""
from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest

from kiosk.sync.https_client import HttpError, HttpsClient
from kiosk.sync.link import LinkError, ServerLink
from sync.http_recorder import Recorder, serve


@pytest.fixture
def recording_server() -> Iterator[Recorder]:
    yield from serve()


def test_requests_of_one_client_share_one_kept_alive_connection(recording_server):
    recording_server.answer = {"ok": True}
    with ServerLink.checked(recording_server.url, "t").client() as client:
        first = ServerLink.call(client, "POST", "/api/v1/heartbeat", {"n": 1})
        second = ServerLink.call(client, "GET", "/api/v1/health")
    assert first == second == {"ok": True}
    a, b = recording_server.requests
    assert a.connection == b.connection
    assert (a.method, a.path, json.loads(a.body)) == ("POST", "/api/v1/heartbeat", {"n": 1})
    assert a.headers["Content-Type"] == "application/json"
    assert a.headers["User-Agent"].startswith("kiosk/")


def test_a_connection_the_server_closed_is_replaced_before_the_next_request(recording_server):
    recording_server.drop_after_answer = True  # as a server ending an idle keep-alive does
    with ServerLink.checked(recording_server.url, "t").client() as client:
        for n in range(3):
            assert ServerLink.call(client, "POST", "/api/v1/events", {"n": n}) == {"accepted": []}
            assert recording_server.closed.wait(10)  # the server has hung up meanwhile
            recording_server.closed.clear()
    assert [json.loads(r.body)["n"] for r in recording_server.requests] == [0, 1, 2]  # once each
    assert len({r.connection for r in recording_server.requests}) == 3


def test_connection_close_from_the_server_is_obeyed(recording_server):
    recording_server.close_after_answer = True
    with ServerLink.checked(recording_server.url, "t").client() as client:
        for n in range(3):
            assert ServerLink.call(client, "POST", "/api/v1/events", {"n": n}) == {"accepted": []}
    assert len({r.connection for r in recording_server.requests}) == 3


def test_server_going_away_mid_request_is_a_link_error_and_nothing_is_sent_twice(
        recording_server):
    with ServerLink.checked(recording_server.url, "t").client() as client:
        ServerLink.call(client, "GET", "/api/v1/health")
        recording_server.hang_up = 1  # reads the next request, then drops the connection
        with pytest.raises(LinkError, match="server unreachable") as caught:
            ServerLink.call(client, "POST", "/api/v1/events", {"records": ["r1"]})
        assert caught.value.status is None
        assert len(recording_server.requests) == 2  # the batch went out once, not re-sent
        # the client is usable again: the next call opens a new connection
        assert ServerLink.call(client, "POST", "/api/v1/events", {"records": ["r1"]}) == {
            "accepted": []}


def test_a_server_that_does_not_answer_times_out():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts connections, never answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with HttpsClient(url, timeout_s=0.3) as client, pytest.raises(HttpError, match="imeout"):
            client.request("GET", "/api/v1/health")
    finally:
        silent.close()


def test_nobody_listening_is_a_link_error():
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    link = ServerLink.checked(f"http://127.0.0.1:{port}", "t", timeout_s=2)
    with link.client() as client, pytest.raises(LinkError, match="server unreachable"):
        ServerLink.call(client, "GET", "/api/v1/health")


def test_errors_and_redirects_are_answers_not_followed(recording_server):
    recording_server.status, recording_server.answer = 302, {"moved": "elsewhere"}
    with ServerLink.checked(recording_server.url, "t").client() as client:
        answer = client.request("GET", "/api/v1/health")
        assert answer.status_code == 302 and len(recording_server.requests) == 1
        recording_server.status, recording_server.answer = 422, {"details": []}
        with pytest.raises(LinkError) as caught:
            ServerLink.call(client, "POST", "/api/v1/events", {"records": []})
    assert (caught.value.status, caught.value.body) == (422, {"details": []})


def test_a_base_url_with_a_path_prefixes_every_request(recording_server):
    with HttpsClient(recording_server.url + "/kiosk-stats/") as client:
        client.request("GET", "/api/v1/health")
    assert recording_server.requests[0].path == "/kiosk-stats/api/v1/health"


def test_clients_in_several_threads_do_not_share_connections(recording_server):
    link = ServerLink.checked(recording_server.url, "t")
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with link.client() as client:
                for _ in range(5):
                    ServerLink.call(client, "GET", "/api/v1/health")
        except BaseException as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(recording_server.requests) == 20
    assert len({r.connection for r in recording_server.requests}) == 4
