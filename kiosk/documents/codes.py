"""Where a scanned page carries a machine-readable code that must stay scannable.

French documents carry two kinds of codes that a receiving body verifies: QR codes, and
2D-Doc seals (a signed DataMatrix starting "DC" on invoices, proofs of address, tax notices,
residence permits; the new identity card's "cachet électronique visible" is one too). A
watermark over them breaks the verification, so the watermark leaves their boxes clear
(id-copies.md). zxing-cpp reads both (and Aztec, PDF417, micro QR) with their corners, in one
pass, faster than zbar, which does not read DataMatrix at all.

Nothing of a code's content is kept or logged: only its kind and where it is.
"""
from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from PIL import Image

log = logging.getLogger(__name__)

Box = tuple[int, int, int, int]  # left, top, right, bottom in pixels

# A4 at 300 dpi. A 2D-Doc's modules can be 0.25-0.3 mm: below about 3 px a module the code is
# missed (at 150 dpi they are), so pages are read at 300 dpi at most, never reduced further.
DETECT_MAX_WIDTH_PX = 2480
# Kept clear around a code, relative to its size: the quiet zone a reader needs is 4 modules
# for a QR code (a fifth of the smallest one, 21 modules) and 1 for a DataMatrix.
MARGIN_RATIO = 0.2
MARGIN_PX = 2


class CodeKind(Enum):
    QR = "qr"
    TWO_D_DOC = "2d-doc"          # a DataMatrix whose content has a 2D-Doc header
    DATAMATRIX = "datamatrix"     # any other DataMatrix
    AZTEC = "aztec"
    PDF417 = "pdf417"
    DAMAGED = "damaged"           # found, but not decodable: kept clear all the same


@dataclass(frozen=True)
class CodeZone:
    kind: CodeKind
    box: Box  # the code and its quiet zone, in pixels of the image it was found on


def is_2d_doc(payload: bytes) -> bool:
    """A 2D-Doc header: "DC", a two-digit version, then at least 18 upper-case letters and
    digits (authority, certificate, dates, document type: 22 characters in all for v01-v02)."""
    header = payload[:22]
    return len(header) == 22 and header[:2] == b"DC" and header[2:4].isdigit() \
        and header.isalnum() and header == header.upper()


def find_code_zones(image: Image.Image, max_width_px: int = DETECT_MAX_WIDTH_PX
                    ) -> list[CodeZone]:
    """The codes on ``image``, each with the box to keep clear (image coordinates).

    If the reader library is missing or fails, the page is still watermarked (its codes with
    it): the resident still gets a protected copy, and the log says what went wrong.
    """
    try:
        import zxingcpp
    except ImportError:
        log.error("zxing-cpp is not installed: codes (QR, 2D-Doc) on scans will not be "
                  "kept clear of the watermark")
        return []
    grey = image.convert("L")
    scale = min(1.0, max_width_px / grey.width)
    if scale < 1.0:
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
                           Image.Resampling.BILINEAR)
    formats = _formats(zxingcpp)
    # try_rotate only matters for linear codes turned a quarter; matrix codes are found at any
    # angle. Light-on-dark codes do not occur on paper documents: try_invert off.
    # return_errors: a code that is found but fails its checksum is kept clear too.
    try:
        results = zxingcpp.read_barcodes(grey, formats=formats, try_rotate=False,
                                         try_invert=False, return_errors=True)
    except (ValueError, RuntimeError, TypeError) as err:  # the reader's own failure
        log.error("code detection failed, codes on this page are not kept clear: %s", err)
        return []
    zones = [CodeZone(_kind(zxingcpp, r), _box(_corners(r.position), scale, grey.size))
             for r in results]
    if zones:
        log.info("codes kept clear: %s", ", ".join(z.kind.value for z in zones))
    return zones


def _formats(zxingcpp: Any) -> Any:
    f = zxingcpp.BarcodeFormat
    return zxingcpp.BarcodeFormats([f.QRCode, f.MicroQRCode, f.RMQRCode, f.DataMatrix, f.Aztec,
                                    f.PDF417])


def _kind(zxingcpp: Any, result: Any) -> CodeKind:
    f = zxingcpp.BarcodeFormat
    if not result.valid:
        return CodeKind.DAMAGED
    if result.format == f.DataMatrix:
        return CodeKind.TWO_D_DOC if is_2d_doc(bytes(result.bytes)) else CodeKind.DATAMATRIX
    if result.format == f.Aztec:
        return CodeKind.AZTEC
    if result.format == f.PDF417:
        return CodeKind.PDF417
    return CodeKind.QR


def _corners(position: Any) -> list[tuple[int, int]]:
    return [(p.x, p.y) for p in (position.top_left, position.top_right,
                                 position.bottom_right, position.bottom_left)]


def _box(corners: Sequence[tuple[int, int]], scale: float, size: tuple[int, int]) -> Box:
    """The corners' bounding box with the quiet-zone margin, back at the image's scale."""
    xs = [x for x, _ in corners]
    ys = [y for _, y in corners]
    margin = MARGIN_RATIO * max(max(xs) - min(xs), max(ys) - min(ys)) + MARGIN_PX
    width, height = size
    left, top = max(0.0, min(xs) - margin), max(0.0, min(ys) - margin)
    right, bottom = min(width - 1.0, max(xs) + margin), min(height - 1.0, max(ys) + margin)
    return (int(left / scale), int(top / scale), math.ceil(right / scale),
            math.ceil(bottom / scale))


class CodeReaderMissing(Exception):
    """zxing-cpp is not installed: no code can be read from a scan."""


def read_qr_texts(image: Image.Image, max_width_px: int = DETECT_MAX_WIDTH_PX) -> list[str]:
    """The text of every QR code on ``image`` (a scanned parcours progress card). Unlike
    :func:`find_code_zones`, the caller needs the content: a missing reader is an error here."""
    try:
        import zxingcpp
    except ImportError as err:
        raise CodeReaderMissing("zxing-cpp is not installed") from err
    grey = image.convert("L")
    scale = min(1.0, max_width_px / grey.width)
    if scale < 1.0:
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
                           Image.Resampling.BILINEAR)
    f = zxingcpp.BarcodeFormat
    try:
        results = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormats([f.QRCode]),
                                         try_rotate=True, try_invert=False)
    except (ValueError, RuntimeError, TypeError) as err:
        log.warning("QR code reading failed: %s", err)
        return []
    return [r.text for r in results if r.valid]
