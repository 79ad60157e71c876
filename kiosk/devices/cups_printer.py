"""Printer backend through CUPS (pycups, imported as ``cups``; NOT the PyPI "cups-python").

``import cups`` happens here only, lazily. IPP states and ``printer-state-reasons`` are mapped
onto :class:`PrinterState` by the tables below; every pycups error becomes a device error.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from kiosk.devices import errors
from kiosk.devices.printer import (
    Capabilities,
    JobState,
    JobStatus,
    PrinterState,
    PrintOptions,
    pdf_pages,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# IPP printer-state (RFC 8011 §5.4.11)
PRINTER_STATES: dict[int, PrinterState] = {
    3: PrinterState.READY,      # idle
    4: PrinterState.PRINTING,   # processing
    5: PrinterState.STOPPED,    # stopped (cupsdisable, or the backend stopped the queue)
}

# printer-state-reasons keywords (suffix -error/-warning/-report removed) that say more than
# printer-state. Order matters: the first match wins. "-warning" reasons never block.
REASON_STATES: tuple[tuple[str, PrinterState], ...] = (
    ("media-jam", PrinterState.PAPER_JAM),
    ("media-empty", PrinterState.PAPER_OUT),
    ("media-needed", PrinterState.PAPER_OUT),
    ("input-tray-missing", PrinterState.PAPER_OUT),
    ("cover-open", PrinterState.COVER_OPEN),
    ("door-open", PrinterState.COVER_OPEN),
    ("interlock-open", PrinterState.COVER_OPEN),
    ("offline", PrinterState.OFFLINE),
    ("shutdown", PrinterState.OFFLINE),
    ("timed-out", PrinterState.OFFLINE),
)

# IPP job-state (RFC 8011 §5.3.7)
JOB_STATES: dict[int, JobState] = {
    3: JobState.PENDING, 4: JobState.HELD, 5: JobState.PROCESSING, 6: JobState.STOPPED,
    7: JobState.CANCELED, 8: JobState.ABORTED, 9: JobState.COMPLETED,
}

# IPP status codes (RFC 8011 §13.1) -> our faults, for errors raised by requests.
IPP_NOT_FOUND = 0x0406
IPP_DOCUMENT_FORMAT = 0x040A
IPP_NOT_POSSIBLE = 0x0404
IPP_NOT_ACCEPTING = 0x0506
IPP_BUSY = 0x0507


def map_printer_state(ipp_state: int, reasons: list[str], accepting: bool) -> PrinterState:
    """The kiosk's state of a CUPS queue, from its IPP attributes."""
    for reason in reasons:
        if reason.endswith("-warning") or reason == "none":
            continue
        keyword = reason.removesuffix("-error").removesuffix("-report")
        for prefix, state in REASON_STATES:
            if keyword.startswith(prefix):
                return state
    state = PRINTER_STATES.get(ipp_state, PrinterState.OFFLINE)
    if state is PrinterState.READY and not accepting:
        return PrinterState.REJECTING
    if state is PrinterState.STOPPED and not accepting:
        return PrinterState.STOPPED
    return state


class CupsPrinter:
    name = "cups"

    def __init__(self, queue: str = "", server: str = "") -> None:
        try:
            import cups
        except ImportError as err:
            raise errors.DeviceAbsent("pycups is not installed") from err
        self._cups: Any = cups
        self._server = server
        self._lock = threading.Lock()
        self._conn: Any = None
        self._pages: dict[int, int] = {}
        self._seen_running: set[int] = set()
        self._final: dict[int, JobState] = {}
        self._subscription: int | None = None
        self._queue = queue

    @property
    def queue(self) -> str:
        """The configured queue, else CUPS's default one (asked when first needed).

        It takes the connection's lock: read it *before* :meth:`_call`, never inside the
        function given to it (the lock is not re-entrant; the default-queue lookup inside a
        request hung the printer's first state query, and so ``kiosk doctor``)."""
        if not self._queue:
            self._queue = self._call(lambda c: c.getDefault()) or ""
            if not self._queue:
                raise errors.PrinterOffline(
                    "CUPS has no default queue and devices.printer_queue is empty")
        return self._queue

    # --- connection -----------------------------------------------------------------------------
    def _use_server(self) -> None:
        """The configured server for *this* thread: libcups keeps the server and port per
        thread and builds a job's printer URI from them, so a job sent from a worker thread
        (the memo sheet, the parcours card) went to the default server's queue of that name."""
        cups = self._cups
        if self._server:
            host, _, port = self._server.rpartition(":") if not self._server.startswith("/") \
                else (self._server, "", "")
            cups.setServer(host or self._server)
            if port.isdigit():
                cups.setPort(int(port))

    def _connect(self) -> Any:
        self._use_server()
        return self._cups.Connection()

    def _call(self, fn: Callable[[Any], T]) -> T:
        """One request with errors mapped; the connection is reopened after a failure."""
        cups = self._cups
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._connect()
                else:
                    self._use_server()
                return fn(self._conn)
            except cups.IPPError as err:
                status, text = err.args if len(err.args) == 2 else (0, str(err))
                raise _ipp_error(status, text) from err
            except (RuntimeError, OSError) as err:  # "failed to connect to server"
                self._conn = None
                raise errors.PrinterOffline(f"CUPS server {self._server or 'default'}: {err}") \
                    from err

    # --- facade protocol --------------------------------------------------------------------------
    def _attributes(self) -> dict[str, Any]:
        queue = self.queue
        return self._call(lambda c: c.getPrinterAttributes(queue))

    def query_state(self) -> PrinterState:
        try:
            attrs = self._attributes()
        except errors.JobFailed as err:  # not found: the queue was deleted
            raise errors.PrinterOffline(f"queue {self.queue}: {err.technical}") from err
        reasons = attrs.get("printer-state-reasons") or []
        if isinstance(reasons, str):
            reasons = [reasons]
        return map_printer_state(int(attrs.get("printer-state", 0)), list(reasons),
                                 bool(attrs.get("printer-is-accepting-jobs", True)))

    def capabilities(self) -> Capabilities:
        attrs = self._attributes()
        sides = attrs.get("sides-supported") or ()
        copies = attrs.get("copies-supported") or (1, 1)
        max_copies = int(copies[1]) if isinstance(copies, (tuple, list)) else int(copies)
        return Capabilities(colour=bool(attrs.get("color-supported", False)),
                            duplex=any(str(s).startswith("two-sided") for s in sides),
                            max_copies=max(1, min(max_copies, 99)))

    def submit(self, pdf: Path, title: str, options: PrintOptions) -> int:
        pages = pdf_pages(pdf)
        ipp_options = {"copies": str(options.copies),
                       "sides": "two-sided-long-edge" if options.duplex else "one-sided",
                       "print-color-mode": "color" if options.colour else "monochrome",
                       # The job name goes to logs; never the document's own name.
                       "job-name": title}
        self._subscribe()
        queue = self.queue
        job_id = int(self._call(lambda c: c.printFile(queue, str(pdf), title, ipp_options)))
        self._pages[job_id] = pages * options.copies
        return job_id

    # With PreserveJobHistory No (deploy/cups/cupsd-kiosk.conf) cupsd forgets a job the moment it
    # is done, so polling its attributes races the purge. An IPP pull subscription on the queue
    # keeps the final state of each job as an event: that is what job_status() trusts first.
    def _subscribe(self) -> None:
        if self._subscription is not None:
            return
        try:
            uri = f"ipp://localhost/printers/{self.queue}"
            self._subscription = int(self._call(lambda c: c.createSubscription(
                uri,
                events=["job-state-changed", "job-completed"], lease_duration=86400)))
            self._seq = 0
        except errors.DeviceError as err:
            log.warning("no job notifications from CUPS (%s); polling only", err.technical)

    def _pull(self) -> None:
        if self._subscription is None:
            return
        sub = self._subscription
        try:
            answer = self._call(lambda c: c.getNotifications([sub], [self._seq + 1]))
        except errors.DeviceError as err:
            log.debug("CUPS notifications: %s", err.technical)
            self._subscription = None  # expired or server restarted: subscribe again
            return
        for event in answer.get("events", []):
            self._seq = max(self._seq, int(event.get("notify-sequence-number", 0)))
            job, state = event.get("notify-job-id"), event.get("job-state")
            if job is not None and state is not None:
                mapped = JOB_STATES.get(int(state), JobState.PENDING)
                if mapped.finished:
                    self._final[int(job)] = mapped
                else:
                    self._seen_running.add(int(job))

    def job_status(self, job_id: int) -> JobStatus:
        pages = self._pages.get(job_id, 0)
        self._pull()
        try:
            if job_id in self._final:
                state = self._final[job_id]
            else:
                attrs = self._call(lambda c: c.getJobAttributes(job_id))
                state = JOB_STATES.get(int(attrs.get("job-state", 0)), JobState.PENDING)
        except errors.JobFailed:
            self._pull()  # the event may have arrived since
            # Unknown to cupsd: finished. A job we saw queued or running completed unless an
            # event said otherwise (cancellations from the kiosk go through cancel()).
            state = self._final.get(job_id, JobState.COMPLETED if job_id in self._seen_running
                                    or job_id in self._pages else JobState.CANCELED)
        if state in (JobState.PROCESSING, JobState.PENDING):
            self._seen_running.add(job_id)
        try:
            printer_state = self.query_state()
        except errors.DeviceError:
            printer_state = PrinterState.OFFLINE
        return JobStatus(job_id, state, pages, printer_state)

    def cancel(self, job_id: int, purge: bool = True) -> None:
        self._seen_running.discard(job_id)
        try:
            self._call(lambda c: c.cancelJob(job_id, purge_job=purge))
        except errors.JobFailed as err:
            log.debug("job %s already gone: %s", job_id, err.technical)
        except errors.JobRejected as err:  # "not possible": already completed; purge history
            log.debug("job %s finished before cancel: %s", job_id, err.technical)
        self._pages.pop(job_id, None)
        self._final.setdefault(job_id, JobState.CANCELED)

    def close(self) -> None:
        sub, self._subscription = self._subscription, None
        if sub is not None:
            try:
                self._call(lambda c: c.cancelSubscription(sub))
            except errors.DeviceError:
                pass
        with self._lock:
            self._conn = None


def _ipp_error(status: int, text: str) -> errors.DeviceError:
    technical = f"IPP 0x{status:04x}: {text}"
    if status == IPP_NOT_ACCEPTING:
        return errors.JobRejected(technical)
    if status == IPP_NOT_FOUND:
        return errors.JobFailed(technical)
    if status == IPP_NOT_POSSIBLE:
        return errors.JobRejected(technical)
    if status == IPP_DOCUMENT_FORMAT:
        return errors.InvalidDocument(technical)
    if status == IPP_BUSY:
        return errors.DeviceBusy(technical)
    if status in (0x0501, 0x0502, 0x0503) or status == 0:  # internal/unavailable/conn
        return errors.PrinterOffline(technical)
    return errors.PrinterError(technical)
