"""A printer without hardware: jobs are spooled, then "printed" as PDFs into a folder.

It behaves like a CUPS queue (jobs pending then processing then completed after a short
delay; a stopped or rejecting queue; paper out/jam) so demos and contract tests see the same
behaviour as the real backend. Faults are injected with :meth:`DemoPrinter.inject`.

Privacy: a real printout leaves the machine; a demo "printout" would stay on its disk. So the
purge done at session end (cancel with purge) also empties the demo's output tray of that job.
"""
from __future__ import annotations

import itertools
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.devices import errors
from kiosk.devices.printer import (
    Capabilities,
    JobState,
    JobStatus,
    PrinterState,
    PrintOptions,
    pdf_pages,
)


@dataclass
class _Job:
    job_id: int
    spool: Path
    pages: int
    submitted: float
    state: JobState = JobState.PENDING


class DemoPrinter:
    name = "demo"

    def __init__(self, output_dir: Path, job_seconds: float = 0.5) -> None:
        self.output_dir = Path(output_dir)
        self.spool_dir = self.output_dir / ".spool"
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        self.job_seconds = job_seconds
        self._jobs: dict[int, _Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._fault: PrinterState | None = None
        self.accepting = True
        self.enabled = True

    # --- fault injection (demo scenarios, tests) ---------------------------------------------
    def inject(self, fault: PrinterState | None) -> None:
        """PAPER_OUT, PAPER_JAM, COVER_OPEN, OFFLINE, or None to clear."""
        self._fault = fault

    def output_for(self, job_id: int) -> Path:
        return self.output_dir / f"demo-job_{job_id}.pdf"

    # --- facade protocol ---------------------------------------------------------------------
    def query_state(self) -> PrinterState:
        self._advance()
        if self._fault is PrinterState.OFFLINE:
            raise errors.PrinterOffline("demo printer: offline (injected)")
        if self._fault is not None:
            return self._fault
        if not self.enabled:
            return PrinterState.STOPPED
        if not self.accepting:
            return PrinterState.REJECTING
        with self._lock:
            busy = any(j.state is JobState.PROCESSING for j in self._jobs.values())
        return PrinterState.PRINTING if busy else PrinterState.READY

    def capabilities(self) -> Capabilities:
        return Capabilities(colour=True, duplex=True, max_copies=99)

    def submit(self, pdf: Path, title: str, options: PrintOptions) -> int:
        if self._fault is PrinterState.OFFLINE:
            raise errors.PrinterOffline("demo printer: offline (injected)")
        if not self.accepting:
            raise errors.JobRejected("demo printer: not accepting jobs")
        pages = pdf_pages(pdf)
        with self._lock:
            job_id = next(self._ids)
            spool = self.spool_dir / f"d{job_id:05d}-001"
            shutil.copyfile(pdf, spool)
            self._jobs[job_id] = _Job(job_id, spool, pages * options.copies, time.monotonic())
        return job_id

    def _advance(self) -> None:
        """Move jobs along, as a real queue does by itself, one at a time."""
        now = time.monotonic()
        with self._lock:
            if not self.enabled or self._fault is not None:
                return
            for job in sorted(self._jobs.values(), key=lambda j: j.job_id):
                if job.state.finished:
                    continue
                if job.state is JobState.PENDING:
                    job.state = JobState.PROCESSING
                    job.submitted = now
                if job.state is JobState.PROCESSING and now - job.submitted >= self.job_seconds:
                    shutil.move(str(job.spool), self.output_for(job.job_id))
                    job.state = JobState.COMPLETED
                    continue
                break  # one job at a time

    def job_status(self, job_id: int) -> JobStatus:
        printer_state = self.query_state()
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return JobStatus(job_id, JobState.CANCELED, 0, printer_state)
            return JobStatus(job_id, job.state, job.pages, printer_state)

    def cancel(self, job_id: int, purge: bool = True) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return
            if not job.state.finished:
                job.state = JobState.CANCELED
            job.spool.unlink(missing_ok=True)
            if purge:
                self.output_for(job_id).unlink(missing_ok=True)
                del self._jobs[job_id]

    def spool_files(self) -> list[Path]:
        return sorted(self.spool_dir.iterdir())

    def close(self) -> None:
        pass
