"""The printer facade: state, capabilities, jobs. Backends: cups_printer.py, demo_printer.py.

A backend translates its own states into :class:`PrinterState` and :class:`JobState` with a
table (see ``cups_printer.PRINTER_STATES``) and raises only :mod:`kiosk.devices.errors`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Protocol

from kiosk.devices import errors
from kiosk.devices.base import StatefulDevice
from kiosk.i18n import N_, _, ngettext


class PrinterState(str, Enum):
    READY = "ready"
    PRINTING = "printing"
    STOPPED = "stopped"        # queue disabled by an operator
    REJECTING = "rejecting"    # queue does not accept new jobs
    PAPER_OUT = "paper_out"
    PAPER_JAM = "paper_jam"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"        # the printer or the print server does not answer
    ABSENT = "absent"          # no queue configured or found


# States in which a new job would not come out: submission is refused with their error.
BLOCKING: dict[PrinterState, type[errors.PrinterError]] = {
    PrinterState.STOPPED: errors.PrinterStopped,
    PrinterState.REJECTING: errors.JobRejected,
    PrinterState.PAPER_OUT: errors.PaperOut,
    PrinterState.PAPER_JAM: errors.PaperJam,
    PrinterState.COVER_OPEN: errors.PrinterCoverOpen,
    PrinterState.OFFLINE: errors.PrinterOffline,
    PrinterState.ABSENT: errors.PrinterOffline,
}

STATE_MESSAGES: dict[PrinterState, str] = {
    PrinterState.READY: N_("L'imprimante est prête."),
    PrinterState.PRINTING: N_("L'imprimante est en train d'imprimer."),
    PrinterState.STOPPED: errors.PrinterStopped.resident_message,
    PrinterState.REJECTING: errors.JobRejected.resident_message,
    PrinterState.PAPER_OUT: errors.PaperOut.resident_message,
    PrinterState.PAPER_JAM: errors.PaperJam.resident_message,
    PrinterState.COVER_OPEN: errors.PrinterCoverOpen.resident_message,
    PrinterState.OFFLINE: errors.PrinterOffline.resident_message,
    PrinterState.ABSENT: N_("Il n'y a pas d'imprimante sur cette borne."),
}


class JobState(str, Enum):
    PENDING = "pending"
    HELD = "held"
    PROCESSING = "processing"
    STOPPED = "stopped"
    CANCELED = "canceled"
    ABORTED = "aborted"
    COMPLETED = "completed"

    @property
    def finished(self) -> bool:
        return self in (JobState.CANCELED, JobState.ABORTED, JobState.COMPLETED)


@dataclass(frozen=True)
class PrintOptions:
    copies: int = 1
    duplex: bool = False
    colour: bool = True


@dataclass(frozen=True)
class Capabilities:
    colour: bool = False
    duplex: bool = False
    max_copies: int = 1


@dataclass(frozen=True)
class JobStatus:
    job_id: int
    state: JobState
    pages: int = 0                 # pages of the document (sheets sides), as submitted
    printer_state: PrinterState = PrinterState.READY
    reasons: tuple[str, ...] = field(default=())

    def message(self) -> str:
        """What to tell the resident about this job, in the current language."""
        if self.state is JobState.COMPLETED:
            return ngettext("Impression terminée : %d page", "Impression terminée : %d pages",
                            self.pages) % self.pages
        if self.state is JobState.CANCELED:
            return _("Impression annulée.")
        if self.state is JobState.ABORTED:
            return _(errors.JobFailed.resident_message)
        if self.printer_state in BLOCKING:
            return _(STATE_MESSAGES[self.printer_state])
        if self.state is JobState.PROCESSING:
            return _("Impression en cours…")
        return _("Votre impression attend son tour…")


def pdf_pages(pdf: Path) -> int:
    """Pages of a PDF to print, or :class:`~kiosk.devices.errors.InvalidDocument` (the device
    boundary's error, with its plain message) when it is not a readable, non-empty PDF."""
    from kiosk.media.pdf import UnreadablePdf, count_pages

    try:
        return count_pages(pdf)
    except UnreadablePdf as err:
        raise errors.InvalidDocument(str(err)) from err


class PrinterBackend(Protocol):
    name: str

    def query_state(self) -> PrinterState: ...

    def capabilities(self) -> Capabilities: ...

    def submit(self, pdf: Path, title: str, options: PrintOptions) -> int: ...

    def job_status(self, job_id: int) -> JobStatus: ...

    def cancel(self, job_id: int, purge: bool = True) -> None: ...

    def close(self) -> None: ...


class Printer(StatefulDevice[PrinterState]):
    """What screens and the print service use; the backend stays behind it."""

    def __init__(self, backend: PrinterBackend | None) -> None:
        super().__init__(PrinterState.ABSENT)
        self._backend = backend
        self.refresh()

    @property
    def backend(self) -> PrinterBackend:
        if self._backend is None:
            raise errors.DeviceAbsent("no printer backend")
        return self._backend

    @property
    def backend_name(self) -> str:
        return self._backend.name if self._backend else "none"

    def attach(self, backend: PrinterBackend | None) -> None:
        """The real backend found after start (re-probing); None changes nothing."""
        if backend is not None:
            self._backend = backend
            self.refresh()

    def refresh(self) -> PrinterState:
        """Ask the backend for the printer's state now (hotplug, polling, before printing)."""
        if self._backend is None:
            self.set_state(PrinterState.ABSENT)
            return self.state
        try:
            state = self.backend.query_state()
        except errors.DeviceError as err:
            self.last_error = err.technical
            state = PrinterState.OFFLINE
        if self.unplugged:
            state = PrinterState.OFFLINE
        self.set_state(state)
        return state

    def message(self) -> str:
        return _(STATE_MESSAGES[self.state])

    def capabilities(self) -> Capabilities:
        return self.backend.capabilities()

    def ensure_ready(self) -> None:
        """Raise the fault that would stop a job now, before anything is counted or sent."""
        state = self.refresh()
        if state in BLOCKING:
            raise BLOCKING[state](f"{self.backend.name}: printer is {state.value}")

    def submit(self, pdf: Path, options: PrintOptions | None = None, title: str = "kiosk") -> int:
        options = options or PrintOptions()
        caps = self.capabilities()
        # Ask only for what the queue can do: a mono-only or simplex queue still prints.
        options = PrintOptions(copies=max(1, min(options.copies, caps.max_copies)),
                               duplex=options.duplex and caps.duplex,
                               colour=options.colour and caps.colour)
        self.ensure_ready()
        try:
            job_id = self.backend.submit(pdf, title, options)
        except errors.DeviceError as err:
            self.last_error = err.technical
            self.refresh()
            raise
        self.refresh()
        return job_id

    def job_status(self, job_id: int) -> JobStatus:
        status = self.backend.job_status(job_id)
        if self.unplugged:
            status = replace(status, printer_state=PrinterState.OFFLINE)
        self.set_state(status.printer_state)
        return status

    def wait(self, job_id: int, timeout: float = 60.0, poll_s: float = 0.2) -> JobStatus:
        """Follow a job until it finishes or ``timeout``; the UI polls job_status instead."""
        deadline = time.monotonic() + timeout
        status = self.job_status(job_id)
        while not status.state.finished and time.monotonic() < deadline:
            time.sleep(poll_s)
            status = self.job_status(job_id)
        return status

    def cancel(self, job_id: int, purge: bool = True) -> None:
        self.backend.cancel(job_id, purge=purge)

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
