"""Load shedding of the kiosks' API: a bound on the requests one process works on at once.

After an outage every kiosk comes back at once with its backlog. Queued without bound, requests
would wait longer than the kiosks' timeouts and be sent again, which is more load still. Past
``server.max_in_flight`` requests in progress, a request to ``/api/v1`` is refused at once with
503 and ``Retry-After`` (``server.shed_retry_after_s``): it costs microseconds, nothing of it is
read or stored, and the kiosk comes back later (its backoff adds jitter; a batch is re-sent by
its record ids, stored once). Never refused: ``/api/v1/health`` (probes), help requests and
their status (a resident is waiting for a person; they are few), and the console.
"""
from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from kiosk_server.api.errors import error_response

PREFIX = "/api/v1/"
EXEMPT = ("/api/v1/health", "/api/v1/help-requests")


class LoadShedding:
    def __init__(self, app: ASGIApp, max_in_flight: int, retry_after_s: int) -> None:
        self.app, self.max_in_flight, self.retry_after_s = app, max_in_flight, retry_after_s
        self.in_flight = 0  # only the event loop's thread changes it: no lock needed
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(PREFIX) or path.startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            self.shed += 1
            response = error_response(503, "overloaded", "server busy; nothing of this request "
                                      "was stored: try again after Retry-After seconds",
                                      headers={"Retry-After": str(self.retry_after_s)})
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
