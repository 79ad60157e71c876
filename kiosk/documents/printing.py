"""The print service: a session's print jobs, its page quota, and their wipe.

- The quota (setting ``devices.print_quota_pages``) is counted BEFORE anything is sent: pages
  of the PDF × copies must fit in what the session has left; a mediator can reset it.
- Each job is registered with the session core as an ``Artefact("print_job", "<job id>")``;
  the ``"print_job"`` disposer registered here cancels and purges it, at session end and
  during crash recovery (so build the print service before calling ``core.recover()``).
- An ``Activity(kind=print, pages=N)`` is recorded per job: a page count, nothing else.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.devices import errors
from kiosk.devices.printer import JobStatus, Printer, PrintOptions, pdf_pages
from kiosk.sessions.core import SessionCore
from kiosk.sessions.state import SessionState
from kiosk.sessions.workspace import Artefact, ArtefactLabel
from kiosk_wire.schema import Activity, ActivityKind

log = logging.getLogger(__name__)

PRINT_JOB = "print_job"
JOB_TITLE = "kiosk"  # never the document's name: job titles end up in CUPS logs


@dataclass(frozen=True)
class PrintJob:
    job_id: int
    pages: int  # pages × copies, as counted against the quota


class PrintService:
    def __init__(self, printer: Printer, core: SessionCore, quota_pages: int) -> None:
        self.printer = printer
        self.core = core
        self.quota_pages = quota_pages
        self._used: dict[str, int] = {}        # session id -> pages sent
        self._bonus: dict[str, int] = {}       # session id -> pages granted by a mediator
        core.disposers.register(PRINT_JOB, self._dispose)
        core.add_listener(self._on_session_state)

    def _on_session_state(self, old: SessionState, new: SessionState) -> None:
        if new is SessionState.IDLE:  # the session is over: its counters go with it
            self._used.clear()
            self._bonus.clear()

    # --- quota ------------------------------------------------------------------------------------
    def _session_id(self) -> str:
        if self.core.session is None:
            raise RuntimeError("no session in progress")
        return self.core.session.session_id

    def used(self) -> int:
        return self._used.get(self._session_id(), 0)

    def remaining(self) -> int:
        sid = self._session_id()
        return max(0, self.quota_pages + self._bonus.get(sid, 0) - self._used.get(sid, 0))

    def reset_quota(self) -> None:
        """Mediator: this session may print a full quota again."""
        sid = self._session_id()
        self._bonus[sid] = self._used.get(sid, 0)

    # --- printing ---------------------------------------------------------------------------------
    def submit(self, pdf: Path, options: PrintOptions | None = None) -> PrintJob:
        """Check the quota and the printer, then send; raises device errors with plain messages."""
        options = options or PrintOptions()
        sid = self._session_id()
        pages = pdf_pages(pdf) * max(1, options.copies)
        remaining = self.remaining()
        if pages > remaining:
            raise errors.QuotaExceeded(requested=pages, remaining=remaining)
        job_id = self.printer.submit(pdf, options, title=JOB_TITLE)
        # Registered at once: from now on the session's wipe (or crash recovery) purges it.
        self.core.register(Artefact(PRINT_JOB, str(job_id), ArtefactLabel.PRINT))
        self._used[sid] = self._used.get(sid, 0) + pages
        self.core.add_activity(Activity(kind=ActivityKind.PRINT, pages=pages))
        return PrintJob(job_id, pages)

    def status(self, job: PrintJob) -> JobStatus:
        return self.printer.job_status(job.job_id)

    def wait(self, job: PrintJob, timeout: float = 120.0) -> JobStatus:
        return self.printer.wait(job.job_id, timeout)

    def cancel(self, job: PrintJob) -> None:
        self.printer.cancel(job.job_id, purge=True)

    def _dispose(self, ref: str) -> None:
        try:
            self.printer.cancel(int(ref), purge=True)
        except errors.DeviceError as err:
            # The printer is unreachable: cupsd's own PreserveJobFiles No still drops the file.
            log.error("could not purge print job %s: %s", ref, err.technical)
            raise
