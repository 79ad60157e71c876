"""PDF in and out: page counts of what residents print, image pages of what they scan.

An unreadable PDF raises :class:`UnreadablePdf`; the layers above map it to their own error at
their boundary (the printer backends and the print service to
``kiosk.devices.errors.InvalidDocument``)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from kiosk.media.paper import a4_size_px

JPEG_QUALITY = 90  # as FiligraneFacile: small files, no visible loss on a printed copy


class UnreadablePdf(ValueError):
    """Not a readable PDF, or a PDF without pages."""


def count_pages(pdf: Path) -> int:
    """Pages of a PDF, or :class:`UnreadablePdf` if it is not a readable, non-empty PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        pages = len(PdfReader(str(pdf)).pages)
    except (PdfReadError, OSError, ValueError, KeyError) as err:
        raise UnreadablePdf(f"{pdf.name}: not a readable PDF: {err}") from err
    if pages == 0:
        raise UnreadablePdf(f"{pdf.name}: PDF without pages")
    return pages


def images_to_pdf(pages: Sequence[Image.Image], path: Path, dpi: float) -> Path:
    """One PDF page per image, each page exactly the image's size at ``dpi`` (JPEG inside)."""
    if not pages:
        raise ValueError("no page to write")
    rgb = [p if p.mode in ("RGB", "L") else p.convert("RGB") for p in pages]
    rgb[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=rgb[1:],
                quality=JPEG_QUALITY)
    return path


def fit_on_a4(image: Image.Image, dpi: float) -> Image.Image:
    """A scanned page on a white A4 canvas at ``dpi``, scaled down only if it is larger."""
    size = a4_size_px(dpi)
    page = Image.new("RGB", size, "white")
    img = image.convert("RGB")
    if img.width > size[0] or img.height > size[1]:
        img = img.copy()
        img.thumbnail(size, Image.Resampling.LANCZOS)
    page.paste(img, (0, 0))
    return page


def centred_on_a4(image: Image.Image, dpi: float, margin_mm: float = 10.0) -> Image.Image:
    """An image (a photo, a screenshot a site gave) as large as fits on a white A4 page at
    ``dpi`` within the margins, centred, its proportions kept; turned a quarter when it is
    wider than tall so it uses the page."""
    from kiosk.media.paper import mm_to_px

    size = a4_size_px(dpi)
    img = image.convert("RGB")
    if img.width > img.height:
        img = img.transpose(Image.Transpose.ROTATE_90)
    margin = mm_to_px(margin_mm, dpi)
    box = (size[0] - 2 * margin, size[1] - 2 * margin)
    scale = min(box[0] / img.width, box[1] / img.height)
    img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                     Image.Resampling.LANCZOS)
    page = Image.new("RGB", size, "white")
    page.paste(img, ((size[0] - img.width) // 2, (size[1] - img.height) // 2))
    return page
