"""The documents of the current session, and the scan and print services that make and use them.

One :class:`DocumentDesk` per kiosk (built by the runtime, before crash recovery, so the print
service's ``print_job`` disposer exists when leftovers are wiped). What a resident scans or
copies is added here, so that the print screen and a practice procedure's upload field can
offer it ("session documents"). The files themselves were made through ``core.new_file`` and
are wiped with the session; this list forgets them as soon as the session ends.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from kiosk.devices.printer import Printer
from kiosk.devices.scanner import Scanner
from kiosk.documents.printing import PrintService
from kiosk.documents.scanning import ScanResult, ScanService
from kiosk.i18n import N_
from kiosk.media.pdf import images_to_pdf
from kiosk.sessions.core import SessionCore
from kiosk.sessions.state import SessionState
from kiosk.sessions.workspace import ArtefactLabel

SAMPLE_DPI = 150


class DocumentKind(str, Enum):
    ID_COPY = "id_copy"     # recto + verso of a card on one A4 page
    SCAN = "scan"           # one or several scanned pages
    SAMPLE = "sample"       # the demonstration page offered by the print screen
    DOWNLOAD = "download"   # a PDF or an image an official site gave (kiosk/browser/)


@dataclass(frozen=True)
class SessionDocument:
    doc_id: str
    path: Path
    pages: int
    kind: DocumentKind
    title: str          # French source text (N_), translated where it is shown
    watermarked: bool = False


class DocumentDesk:
    def __init__(self, core: SessionCore, scanner: Scanner | None, printer: Printer | None,
                 quota_pages: int, dpi: int = 300) -> None:
        self.core = core
        self.scans = ScanService(scanner, core, dpi) if scanner is not None else None
        self.prints = PrintService(printer, core, quota_pages) if printer is not None else None
        self._documents: list[SessionDocument] = []
        self._session_id: str | None = None
        self._ids = itertools.count(1)
        core.add_listener(self._state_changed)

    # --- the list ---------------------------------------------------------------------------------
    def _current_session(self) -> str | None:
        session = self.core.session
        return session.session_id if session is not None and self.core.in_session else None

    def add(self, result: ScanResult, kind: DocumentKind, title: str,
            watermarked: bool = False) -> SessionDocument:
        sid = self._current_session()
        if sid is None:
            raise RuntimeError("no session in progress")
        if sid != self._session_id:
            self._documents, self._session_id = [], sid
        doc = SessionDocument(str(next(self._ids)), result.pdf, result.pages, kind, title,
                              watermarked)
        self._documents.append(doc)
        return doc

    def documents(self) -> list[SessionDocument]:
        """This session's documents, newest first (only those whose file still exists)."""
        if self._current_session() is None or self._current_session() != self._session_id:
            return []
        return [d for d in reversed(self._documents) if d.path.exists()]

    def get(self, doc_id: str) -> SessionDocument | None:
        return next((d for d in self.documents() if d.doc_id == doc_id), None)

    def sample(self) -> SessionDocument:
        """A one-page demonstration letter to print, made for this session (and wiped)."""
        from kiosk.media.samples import letter_page

        existing = next((d for d in self.documents() if d.kind is DocumentKind.SAMPLE), None)
        if existing is not None:
            return existing
        path = self.core.new_file(".pdf", ArtefactLabel.DOCUMENT)
        images_to_pdf([letter_page(SAMPLE_DPI)], path, SAMPLE_DPI)
        return self.add(ScanResult(path, 1), DocumentKind.SAMPLE, N_("Page d'exemple"))

    def remaining_pages(self) -> int | None:
        """Pages this session may still print; None without a printer or a session."""
        if self.prints is None or self._current_session() is None:
            return None
        return self.prints.remaining()

    def _state_changed(self, _old: SessionState, new: SessionState) -> None:
        if new not in (SessionState.ACTIVE, SessionState.IDLE_WARNING):
            self._documents, self._session_id = [], None
