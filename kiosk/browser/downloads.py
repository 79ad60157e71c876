"""What a site's download becomes: a document the resident can print, or a plain refusal.

Judged by its content, never by the name the site gave: a PDF is kept as it is; an image
(PNG, JPEG, GIF, WebP... whatever Pillow reads) becomes a one-page A4 PDF through the kiosk's
own PDF pages (:mod:`kiosk.media.pdf`), so the print service (quota, job feedback) takes it
like a scan; anything else (a Word or spreadsheet file, an archive) cannot be opened at the
kiosk and is refused with a sentence the resident understands. Everything stays a session
file, wiped at the end.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from kiosk.i18n import N_

log = logging.getLogger(__name__)

IMAGE_DPI = 150  # a downloaded image is screen-sized: more would only make the file larger
PDF_MAGIC = b"%PDF-"

PDF_TITLE = N_("Document téléchargé sur un site officiel")
IMAGE_TITLE = N_("Image téléchargée sur un site officiel")
NOT_PRINTABLE = N_("Ce document ne peut pas être ouvert ni imprimé sur cette borne (seuls les "
                   "PDF et les images le peuvent). Demandez à un médiateur.")
UNREADABLE = N_("Ce document est abîmé : la borne ne peut pas l'imprimer. Téléchargez-le à "
                "nouveau ou demandez à un médiateur.")


class DownloadKind(str, Enum):
    PDF = "pdf"
    IMAGE = "image"
    OTHER = "other"


class NotPrintable(Exception):
    """A download the kiosk cannot print; ``message`` is for the resident (marked N_)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Printable:
    pdf: Path
    pages: int
    title: str  # marked N_, translated where shown


def kind_of(path: Path) -> DownloadKind:
    with path.open("rb") as f:
        if f.read(len(PDF_MAGIC)) == PDF_MAGIC:
            return DownloadKind.PDF
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError):
        return DownloadKind.OTHER
    return DownloadKind.IMAGE


def printable(path: Path, new_pdf: Callable[[], Path]) -> Printable:
    """The download as a printable session PDF (``new_pdf()`` gives a new session file for a
    converted image); :class:`NotPrintable` for anything else."""
    from kiosk.media.pdf import UnreadablePdf, count_pages

    kind = kind_of(path)
    if kind is DownloadKind.PDF:
        try:
            return Printable(path, count_pages(path), PDF_TITLE)
        except UnreadablePdf as err:
            log.warning("browser: a downloaded PDF is unreadable: %s", err)
            raise NotPrintable(UNREADABLE) from None
    if kind is DownloadKind.IMAGE:
        return Printable(_image_to_pdf(path, new_pdf()), 1, IMAGE_TITLE)
    log.info("browser: a download that is neither a PDF nor an image was refused")
    raise NotPrintable(NOT_PRINTABLE)


def _image_to_pdf(image_path: Path, pdf: Path) -> Path:
    from PIL import Image

    from kiosk.media.pdf import centred_on_a4, images_to_pdf

    try:
        with Image.open(image_path) as image:
            image.seek(0)  # an animated GIF or a multi-page TIFF: its first picture
            page = centred_on_a4(image, IMAGE_DPI)
    except (OSError, ValueError, Image.DecompressionBombError) as err:
        log.warning("browser: a downloaded image could not be read: %s", err)
        raise NotPrintable(UNREADABLE) from None
    return images_to_pdf([page], pdf, IMAGE_DPI)
