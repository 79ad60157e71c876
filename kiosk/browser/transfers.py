"""Documents both ways between a page and the session.

Uploads: a page's file input asks through Playwright's ``filechooser`` event (Chromium opens no
dialog of its own); the service tells the screen, which shows the kiosk's own picker listing
only this session's documents, and :meth:`Transfers.choose` hands the chosen files to the page
after checking each one *is* a session document (anything else is refused: no path from the
screen can reach the kiosk's file system).

Downloads: saved at once into a new session file (generated name; the site's file name, which
may carry a person's name, is never kept), then announced; the session's wipe removes it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Kept suffixes of downloads (for the print service and viewers); anything else is ".bin".
DOWNLOAD_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg"}


@dataclass(frozen=True)
class FileRequest:
    """A page asks for a file: the screen shows the session documents."""
    multiple: bool
    accept: str  # the input's accept attribute (".pdf,image/*"), a hint for the picker


class UploadRefused(Exception):
    """A file that is not one of this session's documents, or no page asked for one."""


def download_suffix(suggested_name: str) -> str:
    suffix = Path(suggested_name).suffix.lower()
    return suffix if suffix in DOWNLOAD_SUFFIXES else ".bin"


class Transfers:
    def __init__(self) -> None:
        self.allowed: Callable[[], list[Path]] = list  # this session's documents
        self.on_request: Callable[[FileRequest], None] | None = None
        self.save_to: Callable[[str], Path] | None = None  # suffix -> a new session file
        self.on_download: Callable[[Path], None] | None = None
        self._pending: Any = None

    def attach(self, page: Any) -> None:
        page.on("filechooser", self._chooser)
        page.on("download", self._download)

    @property
    def asking(self) -> bool:
        return self._pending is not None

    def _chooser(self, chooser: Any) -> None:
        self._pending = chooser
        try:
            accept = chooser.element.get_attribute("accept") or ""
        except Exception:  # noqa: BLE001 - the element went away: no hint
            accept = ""
        if self.on_request is not None:
            self.on_request(FileRequest(chooser.is_multiple(), accept))

    def choose(self, paths: list[Path]) -> None:
        """Give the page the chosen session documents (an empty list: the person gave up)."""
        chooser, self._pending = self._pending, None
        if chooser is None:
            raise UploadRefused("Aucune page n'a demandé de document.")
        allowed = {p.resolve() for p in self.allowed()}
        outside = [p for p in paths if Path(p).resolve() not in allowed]
        if outside:
            log.warning("browser: refused to upload %d file(s) outside the session's documents",
                        len(outside))
            raise UploadRefused("Seuls les documents de cette session peuvent être envoyés.")
        chooser.set_files([str(p) for p in paths])

    def _download(self, download: Any) -> None:
        if self.save_to is None:
            download.cancel()
            return
        target = self.save_to(download_suffix(download.suggested_filename))
        try:
            download.save_as(str(target))
        except Exception:
            log.warning("browser: a download failed", exc_info=True)
            return
        if self.on_download is not None:
            self.on_download(target)
