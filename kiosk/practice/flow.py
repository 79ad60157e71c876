"""One resident's practice, between the practice screens and the session core. No Kivy here.

The screens ask this object for the run in progress; it makes sure that

- what the person types goes to the session core only (``core.remember``, wiped at the end),
  never to a file, a log or the statistics;
- the engine's :class:`~kiosk_wire.schema.Activity` (counts only) reaches the session record exactly
  once per run: when the run finishes, when the person leaves it, or when the session ends
  while it is in progress (then the core's end hook records it before the wipe);
- the memo sheet is a session file (``core.new_file``), printed through the print service;
- the parcours followed (``self.parcours``) hears of each finished exercise and is forgotten
  with the session, like everything else.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.documents.session_documents import DocumentKind
from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.model import Procedure
from kiosk.practice.parcours_follow import ParcoursFollow
from kiosk.sessions.workspace import FILE, ArtefactLabel

if TYPE_CHECKING:
    from kiosk.documents.printing import PrintJob, PrintService
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScannedDocument:
    """A document scanned or copied in this session, offered to an upload field."""

    index: int      # 1, 2, ... in scanning order: what the resident sees
    path: Path
    # what it is ("Copie de pièce d'identité"), French source, translated when shown
    title: str = ""


class PracticeFlow:
    def __init__(self, runtime: KioskRuntime) -> None:
        self.runtime = runtime
        self.run: PracticeRun | None = None
        self._recorded = True
        self._active = False   # the person is in the run (a page or its debrief), not gone
        self._print_service: PrintService | None = None
        self.parcours = ParcoursFollow(runtime)   # the parcours followed, if any
        runtime.core.add_end_hook(self._session_ending)

    @property
    def core(self) -> Any:
        return self.runtime.core

    @property
    def catalogue(self) -> Any:
        return self.runtime.practice

    # --- a run ---------------------------------------------------------------------------------
    def start(self, procedure: Procedure, mode: Mode) -> PracticeRun:
        self.leave()  # a run left half-way still counts in the statistics
        self.run = PracticeRun(procedure, mode, values=self.core, clock=self.core.clock)
        self._recorded = False
        self._active = True
        return self.run

    def position(self) -> tuple[str | None, int | None]:
        """(procedure id, step) while the person is in a run, else (None, None): what a help
        request tells the mediator (counts only, nothing typed)."""
        run = self.run
        if run is None or not self._active:
            return None, None
        return run.procedure.id, run.step

    def record(self) -> bool:
        """Put the run's activity in the session record (once); False if nothing to record."""
        run = self.run
        if run is None or self._recorded or not self.core.in_session:
            return False
        self.core.add_activity(self.parcours.tag(run.activity(), run.completed))
        self._recorded = True
        return True

    def leave(self) -> None:
        """The person leaves the practice (finished or not): its activity is recorded."""
        self.record()
        self._active = False

    def forget(self) -> None:
        """Session over: nothing of the run stays in memory."""
        self.run = None
        self._recorded = True
        self._active = False
        self.parcours.forget()

    def _session_ending(self) -> None:
        self.record()
        self.forget()

    # --- documents -----------------------------------------------------------------------------
    def scanned_documents(self) -> list[ScannedDocument]:
        """Documents scanned or copied in this session, oldest first: the runtime's document
        desk when there is one, else the session's files registered as scans."""
        desk = self.runtime.documents
        if desk is not None:
            docs = [d for d in reversed(desk.documents()) if d.kind is not DocumentKind.SAMPLE]
            return [ScannedDocument(i + 1, d.path, d.title) for i, d in enumerate(docs)]
        session = self.core.session
        if session is None or not self.core.in_session:
            return []
        found = [a for a in session.artefacts if a.kind == FILE and a.label == ArtefactLabel.SCAN]
        return [ScannedDocument(i + 1, Path(a.ref)) for i, a in enumerate(found)
                if Path(a.ref).exists()]

    # --- memo sheet ----------------------------------------------------------------------------
    def can_print(self) -> bool:
        return self.print_service() is not None

    def print_service(self) -> PrintService | None:
        """The runtime's print service, or one built on the printer facade."""
        service = self.runtime.print_service
        if service is not None:
            return service
        if self._print_service is None:
            printer = self.runtime.printer
            if printer is None or not self.runtime.settings.get("kiosk.print_enabled"):
                return None
            from kiosk.documents.printing import PrintService

            self._print_service = PrintService(
                printer, self.core, int(self.runtime.settings.get("devices.print_quota_pages")))
        return self._print_service

    def memo_pdf(self, lang: str) -> Path:
        """The memo sheet of the current run as a PDF in the session's private directory."""
        from kiosk.practice.memo import write_memo

        if self.run is None:
            raise RuntimeError("no practice run")
        path = self.core.new_file(".pdf", ArtefactLabel.DOCUMENT)
        return write_memo(self.run.procedure, path, lang)

    def print_memo(self, lang: str) -> PrintJob:
        """Build and print the memo; returns the print job. Raises the devices' errors."""
        service = self.print_service()
        if service is None:
            raise RuntimeError("no printer")
        return service.submit(self.memo_pdf(lang))

    # --- parcours progress card ----------------------------------------------------------------
    def print_card(self, lang: str) -> PrintJob:
        """The parcours progress card as a session PDF, printed; raises the devices' errors."""
        service = self.print_service()
        if service is None:
            raise RuntimeError("no printer")
        path = self.parcours.write_card(self.core.new_file(".pdf", ArtefactLabel.DOCUMENT), lang)
        job = service.submit(path)
        self.parcours.printed = True
        return job
