"""The resident's "call a mediator" button: the request, its delivery and its status.

Contract used by the help-call screen:

- ``HelpDesk.request()``: counts a help activity in the current session and sends
  ``POST /api/v1/help-requests`` at once, in a background thread; the status goes SENDING, then
  SENT (the server has it, mediators see it), or NOT_DELIVERED (offline, refused, or no server
  configured: the screen then tells the resident to go to the desk).
- ACKNOWLEDGED when a mediator answered "J'arrive" in the console: learnt from a short poll
  that runs in its own thread every ``poll_interval_s`` (``sync.help_poll_s``) while the
  request waits, or from the next heartbeat reply (``on_statuses``), whichever comes first.
- ``status`` (None before any request of this session), ``add_listener(fn(status))``; listeners
  run through the injected ``schedule(fn, delay)`` (the UI thread, as for the devices layer),
  never on the network thread.
- ``cancel()``: the resident changed their mind; CANCELLED at once, and
  ``POST /api/v1/help-requests/{id}/cancel`` in a thread so the call leaves the mediators' live
  view (a request still on its way is cancelled right after it is delivered).
- When the session ends the status is cleared: the next resident starts with none.
"""
from __future__ import annotations

import functools
import logging
import threading
import uuid
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any

from kiosk.scheduling import Schedule, run_now
from kiosk.sessions.state import SessionState
from kiosk_wire.schema import Activity, ActivityKind, HelpRequest, HelpRequestStatus, HelpState

if TYPE_CHECKING:  # the HTTP client is only imported when a server is configured
    from kiosk.sync.link import ServerLink

log = logging.getLogger(__name__)

StatusListener = Callable[["HelpStatus"], None]
Position = Callable[[], tuple[str | None, int | None]]


class HelpStatus(str, Enum):
    SENDING = "sending"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    NOT_DELIVERED = "not_delivered"
    CANCELLED = "cancelled"   # the resident cancelled the call


# A call the resident can still cancel (a mediator was, or is being, told).
CANCELLABLE = frozenset({HelpStatus.SENDING, HelpStatus.SENT, HelpStatus.ACKNOWLEDGED})


class HelpDesk:
    def __init__(self, core: Any, link: ServerLink | None, schedule: Schedule | None = None,
                 position: Position | None = None, poll_interval_s: float | None = None) -> None:
        self.core = core
        self.link = link
        self.schedule: Schedule = schedule or run_now
        self.position = position
        # None: no polling thread (acknowledgements come with heartbeats or explicit polls).
        self.poll_interval_s = poll_interval_s
        # Seconds the server asked to wait before the next ask (Retry-After of a 429, or of a
        # 503 from the server or a proxy in front of it), until an ask passes.
        self.retry_after: float | None = None
        self._poller: threading.Thread | None = None
        self._stopping = threading.Event()
        self._status: HelpStatus | None = None
        self._request_id: uuid.UUID | None = None
        self._cancelled: set[uuid.UUID] = set()   # to cancel on the server once delivered
        self._listeners: list[StatusListener] = []
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        core.add_listener(self._on_state)

    # --- contract --------------------------------------------------------------------------
    @property
    def status(self) -> HelpStatus | None:
        return self._status

    @property
    def request_id(self) -> uuid.UUID | None:
        return self._request_id

    def add_listener(self, listener: StatusListener) -> None:
        self._listeners.append(listener)

    def request(self) -> None:
        """The resident asked for a mediator: count it, send it now, report the status."""
        if getattr(self.core, "in_session", False):
            self.core.add_activity(Activity(kind=ActivityKind.HELP))
        procedure_id, step = self.position() if self.position else (None, None)
        request_id = uuid.uuid4()
        with self._lock:
            self._request_id = request_id
        self._set(HelpStatus.SENDING, request_id)
        if self.link is None:
            self._set(HelpStatus.NOT_DELIVERED, request_id)
            return
        payload = HelpRequest(request_id=request_id, procedure_id=procedure_id, step=step)
        self._in_thread(self._deliver, payload, "kiosk-help")

    def _in_thread(self, target: Callable[[Any], None], arg: Any, name: str) -> None:
        thread = threading.Thread(target=target, args=(arg,), name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def cancel(self) -> bool:
        """The resident cancelled the call: the status goes CANCELLED at once, and the server
        is told in a thread (``POST …/cancel``) so mediators stop seeing it; a request still on
        its way is cancelled as soon as it is delivered. False when there is nothing to cancel."""
        with self._lock:
            request_id, status = self._request_id, self._status
            if request_id is None or status not in CANCELLABLE:
                return False
            self._cancelled.add(request_id)
            delivered = status is not HelpStatus.SENDING
        self._set(HelpStatus.CANCELLED, request_id)
        if delivered and self.link is not None:
            self._in_thread(self._send_cancel, request_id, "kiosk-help-cancel")
        return True

    # --- from the network side --------------------------------------------------------------
    def pending_request_ids(self) -> list[uuid.UUID]:
        """Requests whose acknowledgement we wait for (sent in each heartbeat)."""
        with self._lock:
            if self._request_id is not None and self._status is HelpStatus.SENT:
                return [self._request_id]
        return []

    def on_statuses(self, statuses: list[HelpRequestStatus]) -> None:
        """Statuses from a heartbeat reply or a poll."""
        for s in statuses:
            if s.request_id == self._request_id and s.status is not HelpState.OPEN:
                self._set(HelpStatus.ACKNOWLEDGED, s.request_id)

    def poll(self) -> HelpStatus | None:
        """Ask the server now (the help screen may call it every few seconds)."""
        request_id = self._request_id
        if self.link is None or request_id is None or self._status is not HelpStatus.SENT:
            return self._status
        from kiosk.sync.link import LinkError, ServerLink

        try:
            with self.link.client() as client:
                answer = ServerLink.call(client, "GET", f"/api/v1/help-requests/{request_id}")
            self.retry_after = None
            self.on_statuses([HelpRequestStatus.model_validate(answer)])
        except LinkError as err:
            self.retry_after = err.retry_after
            log.info("help request poll failed: %s", err)
        except ValueError as err:
            log.info("help request poll failed: %s", err)
        return self._status

    def next_poll_delay(self) -> float:
        """Seconds before the next ask: the poll interval, or longer when the server said so
        (Retry-After), as the heartbeat and the outbox honour it. No jitter: the asks of
        residents waiting for a person are few, and each started at its own moment."""
        interval = self.poll_interval_s or 0.0
        return interval if self.retry_after is None else max(interval, self.retry_after)

    def stop(self) -> None:
        """Stop the status poll, waiting briefly for a request on its way."""
        self._stopping.set()
        poller = self._poller
        if poller is not None:
            poller.join(2.0)
        self.wait_idle(2.0)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Tests and shutdown: wait until the deliveries in flight are finished."""
        for thread in list(self._threads):
            thread.join(timeout)

    # --- internals --------------------------------------------------------------------------
    def _deliver(self, payload: HelpRequest) -> None:
        assert self.link is not None
        from kiosk.sync.link import LinkError, ServerLink

        try:
            with self.link.client() as client:
                answer = ServerLink.call(client, "POST", "/api/v1/help-requests",
                                         payload.model_dump(mode="json", exclude_none=True))
            status = HelpRequestStatus.model_validate(answer)
        except (LinkError, ValueError) as err:
            log.warning("help request not delivered: %s", err)
            self._set(HelpStatus.NOT_DELIVERED, payload.request_id)
            return
        if payload.request_id in self._cancelled:  # cancelled while it was on its way
            self._send_cancel(payload.request_id)
            return
        self._set(HelpStatus.SENT if status.status is HelpState.OPEN else HelpStatus.ACKNOWLEDGED,
                  payload.request_id)

    def _send_cancel(self, request_id: uuid.UUID) -> None:
        assert self.link is not None
        from kiosk.sync.link import LinkError, ServerLink

        try:
            with self.link.client() as client:
                ServerLink.call(client, "POST", f"/api/v1/help-requests/{request_id}/cancel")
        except (LinkError, ValueError) as err:
            # The mediator may still see the call; the kiosk says it is cancelled all the same
            # (the resident does not wait), and a mediator who comes finds someone who is fine.
            log.warning("help request cancellation not delivered: %s", err)

    def _set(self, status: HelpStatus, request_id: uuid.UUID) -> None:
        with self._lock:
            if request_id != self._request_id:
                return  # an answer about an older request (or a finished session)
            if self._status is HelpStatus.ACKNOWLEDGED and status is HelpStatus.SENT:
                return  # the acknowledgement arrived first; never step back
            if status == self._status:
                return
            if request_id in self._cancelled and status is not HelpStatus.CANCELLED:
                return  # cancelled: no later answer brings this call back
            if status is HelpStatus.SENT:
                # Before the status changes: whoever sees SENT (the property reads without the
                # lock) also sees its poll running. The poll thread waits an interval, then
                # takes the lock, so it finds SENT.
                self._start_polling(request_id)
            self._status = status
        for listener in list(self._listeners):
            self.schedule(functools.partial(self._notify, listener, status), 0)

    def _start_polling(self, request_id: uuid.UUID) -> None:
        """Ask the server about this request every few seconds until a mediator answers, the
        session ends or the desk stops. Its own thread: the UI loop never waits on the network."""
        if self.poll_interval_s is None or self.link is None or self._stopping.is_set():
            return
        thread = threading.Thread(target=self._poll_while_pending, args=(request_id,),
                                  name="kiosk-help-poll", daemon=True)
        self._poller = thread
        thread.start()

    def _poll_while_pending(self, request_id: uuid.UUID) -> None:
        assert self.poll_interval_s is not None
        while not self._stopping.wait(self.next_poll_delay()):
            with self._lock:
                if self._request_id != request_id or self._status is not HelpStatus.SENT:
                    return  # answered, or the session is over
            self.poll()

    @staticmethod
    def _notify(listener: StatusListener, status: HelpStatus) -> None:
        try:
            listener(status)
        except Exception:  # a broken screen must not break the help desk
            log.exception("help status listener failed")

    def _on_state(self, _old: SessionState, new: SessionState) -> None:
        if new in (SessionState.IDLE, SessionState.OUT_OF_ORDER, SessionState.MAINTENANCE):
            with self._lock:
                self._request_id = None
                self._status = None
                self._cancelled.clear()
