"""``GET /metrics``: the server's figures in the Prometheus text format (version 0.0.4).

Written by hand: prometheus_client is not among the locked dependencies, and the format is a
few lines of text. Two kinds of figures:

- counters of *this process* (requests by route template and status, records ingested,
  heartbeats): Prometheus sums them over the instances it scrapes; with ``server.workers`` > 1
  one scrape sees one worker's counts (scrape the template instances instead for exact sums);
- gauges read from the database at scrape time (kiosks online/offline, queue lengths the kiosks
  reported, help requests open): the same for every process.

Only the addresses in ``server.metrics_allow_ips`` may read it (empty: off); anyone else gets
the 404 of a route that does not exist. Behind a trusted proxy the address is the forwarded one,
so a public client through the proxy is refused too.
"""
from __future__ import annotations

import ipaddress
import threading
from collections import Counter
from collections.abc import Iterable

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk_server import live
from kiosk_server import tables as t
from kiosk_server.api.errors import ApiError
from kiosk_wire.schema import FINISHED_HELP_STATES

router = APIRouter()
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Counters:
    """This process's counters (thread-safe: sync routes run in a thread pool)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.records_ingested = 0
        self.heartbeats = 0

    def request(self, method: str, route: str, status: int) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1

    def ingested(self, stored: int) -> None:
        with self._lock:
            self.records_ingested += stored

    def heartbeat(self) -> None:
        with self._lock:
            self.heartbeats += 1


class CountRequests:
    """Counts each HTTP request by method, route template (``/console/live/{site_id}``, never
    the raw path: one series per route, not per id) and status."""

    def __init__(self, app: ASGIApp, counters: Counters) -> None:
        self.app, self.counters = app, counters

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.counters.request(scope["method"], template, status[0])


def allowed(client: str | None, allow: str) -> bool:
    """Whether ``client`` is in the comma-separated addresses/networks ``allow``."""
    if not client or not allow.strip():
        return False
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    for item in allow.split(","):
        item = item.strip()
        try:
            if item and address in ipaddress.ip_network(item, strict=False):
                return True
        except ValueError:
            continue
    return False


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _family(name: str, kind: str, help_: str, samples: Iterable[str]) -> list[str]:
    return [f"# HELP {name} {help_}", f"# TYPE {name} {kind}", *samples]


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> PlainTextResponse:
    settings = request.app.state.settings
    client = request.client.host if request.client else None
    if not allowed(client, settings.get("server.metrics_allow_ips")):
        raise ApiError(404, "not_found", "Not Found")
    counters: Counters = request.app.state.counters
    with request.app.state.engine.connect() as conn:
        statuses = live.kiosk_statuses(conn, settings.get("sync.heartbeat_s"))
        help_open = conn.scalar(sa.select(sa.func.count()).select_from(t.help_requests)
                                .where(t.help_requests.c.status.not_in(
                                    [h.value for h in FINISHED_HELP_STATES])))
    online = sum(1 for k in statuses if k["online"])
    queues = [k["queue_length"] for k in statuses if k["queue_length"] is not None]
    with counters._lock:
        requests = sorted(counters.requests.items())
        ingested, heartbeats = counters.records_ingested, counters.heartbeats
    lines = _family(
        "kiosk_server_http_requests_total", "counter",
        "HTTP requests served by this process, by method, route template and status.",
        (f'kiosk_server_http_requests_total{{method="{m}",route="{_escape(r)}",'
         f'status="{s}"}} {n}' for (m, r, s), n in requests))
    lines += _family("kiosk_server_records_ingested_total", "counter",
                     "Session records stored by this process (duplicates not counted).",
                     [f"kiosk_server_records_ingested_total {ingested}"])
    lines += _family("kiosk_server_heartbeats_total", "counter",
                     "Kiosk heartbeats received by this process.",
                     [f"kiosk_server_heartbeats_total {heartbeats}"])
    lines += _family("kiosk_server_kiosks", "gauge",
                     "Kiosks by liveness (offline after 3 missed heartbeats, or never seen).",
                     [f'kiosk_server_kiosks{{state="online"}} {online}',
                      f'kiosk_server_kiosks{{state="offline"}} {len(statuses) - online}'])
    lines += _family("kiosk_server_kiosk_queue_length_sum", "gauge",
                     "Records waiting to be sent, summed over the kiosks' last heartbeats.",
                     [f"kiosk_server_kiosk_queue_length_sum {sum(queues)}"])
    lines += _family("kiosk_server_kiosk_queue_length_max", "gauge",
                     "Largest queue of records waiting to be sent on a kiosk (its last heartbeat).",
                     [f"kiosk_server_kiosk_queue_length_max {max(queues, default=0)}"])
    lines += _family("kiosk_server_help_requests_open", "gauge",
                     "Help requests not closed yet.",
                     [f"kiosk_server_help_requests_open {help_open or 0}"])
    return PlainTextResponse("\n".join(lines) + "\n", media_type=CONTENT_TYPE)
