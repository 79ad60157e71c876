"""The scan/copy flow behind the scan screen, without Kivy: what step comes next and what it
shows. The screen only draws it and forwards touches.

    type -> place (recto) -> crop (recto) -> place (verso) -> crop (verso) -> watermark -> result
    type -> place (page 1) -> pages -> place (page 2) -> pages -> ... -> watermark -> result

Card documents (carte d'identité, titre de séjour) are copied recto and verso onto one A4 page
at real size; the others are scanned page by page into one PDF. Scans stay in memory; only the
final PDF is written, through ``core.new_file`` (wiped with the session), and added to the
session's documents so the print screen and a practice procedure can offer it.
"""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from enum import Enum

from PIL import Image

from kiosk.devices.scanner import ColourMode, Source
from kiosk.documents.card import Box, straighten
from kiosk.documents.scanning import IdCopy, ScanService, Side
from kiosk.documents.session_documents import DocumentDesk, DocumentKind, SessionDocument
from kiosk.documents.watermark import Watermark, apply_watermark, clean_purpose
from kiosk.i18n import N_
from kiosk.media.pdf import fit_on_a4
from kiosk_wire.schema import ActivityKind

PREVIEW_MAX_PX = 1400   # scans are shown from a copy at most this wide
MAX_PAGES = 20


class DocType(str, Enum):
    ID_CARD = "id_card"
    RESIDENCE_PERMIT = "residence_permit"
    PASSPORT = "passport"
    PROOF = "proof"
    OTHER = "other"

    @property
    def is_card(self) -> bool:
        """A card of ID-1 size: copied recto and verso onto one page."""
        return self in (DocType.ID_CARD, DocType.RESIDENCE_PERMIT)

    @property
    def is_identity(self) -> bool:
        """An identity document: watermarked by default (id-copies.md)."""
        return self in (DocType.ID_CARD, DocType.RESIDENCE_PERMIT, DocType.PASSPORT)


DOC_TYPE_WORDS: dict[DocType, str] = {
    DocType.ID_CARD: N_("Carte d'identité"),
    DocType.RESIDENCE_PERMIT: N_("Titre de séjour"),
    DocType.PASSPORT: N_("Passeport"),
    DocType.PROOF: N_("Justificatif (domicile, revenus…)"),
    DocType.OTHER: N_("Autre document"),
}
DOC_TITLES: dict[DocType, str] = {
    DocType.ID_CARD: N_("Copie de la carte d'identité"),
    DocType.RESIDENCE_PERMIT: N_("Copie du titre de séjour"),
    DocType.PASSPORT: N_("Copie du passeport"),
    DocType.PROOF: N_("Justificatif scanné"),
    DocType.OTHER: N_("Document scanné"),
}


class Step(str, Enum):
    TYPE = "type"
    PLACE = "place"
    CROP = "crop"
    PAGES = "pages"
    WATERMARK = "watermark"
    RESULT = "result"


@dataclass(frozen=True)
class CropPreview:
    """What the crop step shows: a reduced, straightened region of the scan around the card.

    ``box`` is the card's box in the preview's pixels; a preview pixel (x, y) is the
    straightened scan's pixel (origin + (x, y) * factor).
    """

    image: Image.Image
    box: Box
    factor: int
    origin: tuple[int, int]

    def to_scan(self, box: Box) -> Box:
        ox, oy = self.origin
        k = self.factor
        return (round(ox + box[0] * k), round(oy + box[1] * k), round(ox + box[2] * k),
                round(oy + box[3] * k))


def thumbnail(image: Image.Image, max_px: int = 900) -> Image.Image:
    small = image.convert("RGB")
    factor = max(1, math.ceil(max(small.size) / max_px))
    return small.reduce(factor) if factor > 1 else small.copy()


class ScanFlow:
    def __init__(self, desk: DocumentDesk, rng: random.Random | None = None) -> None:
        if desk.scans is None:
            raise RuntimeError("no scanner")
        self.desk = desk
        self.service: ScanService = desk.scans
        self.rng = rng or random.Random()
        self.step = Step.TYPE
        self.doc_type: DocType | None = None
        self.idcopy: IdCopy | None = None
        self.side = Side.RECTO
        self.pages: list[Image.Image] = []
        self.watermark_on = False
        self.purpose = ""
        # documents may be scanned in grey (smaller files); cards stay in colour
        self.colour = True
        self.result: SessionDocument | None = None
        self.result_image: Image.Image | None = None

    # --- choosing ---------------------------------------------------------------------------------
    def choose(self, doc_type: DocType) -> None:
        self.doc_type = doc_type
        self.watermark_on = doc_type.is_identity
        self.idcopy = self.service.id_copy() if doc_type.is_card else None
        if self.idcopy is not None:
            self.idcopy.rng = self.rng
        self.side = Side.RECTO
        self.pages = []
        self.step = Step.PLACE

    @property
    def has_feeder(self) -> bool:
        try:
            return Source.FEEDER in self.service.scanner.info().sources
        except Exception:  # noqa: BLE001  no answer: offer the glass only
            return False

    # --- scanning (may run on a worker thread: no UI here) ----------------------------------------
    def preview(self, max_px: int = 600) -> Image.Image:
        """A quick low-resolution look at the glass (the scanner's preview pass), shown while
        the full scan runs; raises the device's errors (a jam shows here first)."""
        return thumbnail(self.service.scanner.preview(), max_px)

    def scan(self, feeder: bool = False) -> None:
        """Scan what is on the glass (or every sheet in the feeder); raises device errors."""
        options = self.service.options(ColourMode.COLOUR if self.colour or self.idcopy is not None
                                       else ColourMode.GREY)
        if self.idcopy is not None:
            self.idcopy.scan(self.side)
            self.step = Step.CROP
            return
        if feeder:
            images = self.service.scanner.scan_feeder(options, MAX_PAGES - len(self.pages))
        else:
            images = [self.service.scanner.scan(options)]
        self.pages.extend(images)
        self.step = Step.PAGES

    # --- crop and rotate (card documents) ---------------------------------------------------------
    def crop_preview(self) -> CropPreview:
        assert self.idcopy is not None
        side = self.idcopy.sides[self.side]
        scan, det = side.scan, side.detection
        factor = max(1, math.ceil(scan.width / PREVIEW_MAX_PX))
        small = scan.convert("RGB").reduce(factor) if factor > 1 else scan.convert("RGB")
        small = straighten(small, det.angle_deg)
        left, top, right, bottom = (v / factor for v in det.box)
        mx, my = (right - left) * 0.3, (bottom - top) * 0.3
        region = (max(0, int(left - mx)), max(0, int(top - my)),
                  min(small.width, math.ceil(right + mx)),
                  min(small.height, math.ceil(bottom + my)))
        image = small.crop(region)
        box = (round(left - region[0]), round(top - region[1]), round(right - region[0]),
               round(bottom - region[1]))
        return CropPreview(image, box, factor, (region[0] * factor, region[1] * factor))

    def detection_confident(self) -> bool:
        assert self.idcopy is not None
        return self.idcopy.sides[self.side].detection.confident

    def adjust_crop(self, preview: CropPreview, box: Box) -> None:
        """The resident moved the corners (box in the preview's pixels)."""
        assert self.idcopy is not None
        self.idcopy.adjust_crop(self.side, preview.to_scan(box))

    def rotate(self) -> None:
        assert self.idcopy is not None
        self.idcopy.rotate(self.side, 1)

    def cropped_preview(self) -> Image.Image:
        assert self.idcopy is not None
        return thumbnail(self.idcopy.cropped(self.side), 600)

    def accept_crop(self) -> None:
        if self.side is Side.RECTO:
            self.side = Side.VERSO
            self.step = Step.PLACE
        else:
            self.step = Step.WATERMARK

    def retake(self) -> None:
        """Scan this side (or the last page) again."""
        if self.idcopy is not None:
            self.idcopy.sides.pop(self.side, None)
        elif self.pages:
            self.pages.pop()
        self.step = Step.PLACE

    # --- going back one step ----------------------------------------------------------------------
    def can_go_back(self) -> bool:
        return self.step in (Step.PLACE, Step.CROP, Step.WATERMARK)

    def back(self) -> None:
        """One step back, keeping what was already scanned when that step can show it again."""
        if self.step is Step.PLACE:
            if self.idcopy is not None and self.side is Side.VERSO:
                self.side, self.step = Side.RECTO, Step.CROP  # the recto's previews are kept
            elif self.pages:
                self.step = Step.PAGES
            else:
                self.step = Step.TYPE
        elif self.step is Step.CROP:
            self.retake()
        elif self.step is Step.WATERMARK:
            self.step = Step.CROP if self.idcopy is not None else Step.PAGES

    # --- pages (other documents) ------------------------------------------------------------------
    def add_page(self) -> None:
        self.step = Step.PLACE

    def pages_done(self) -> None:
        self.step = Step.WATERMARK

    @property
    def can_add_page(self) -> bool:
        return len(self.pages) < MAX_PAGES

    # --- watermark --------------------------------------------------------------------------------
    def set_watermark(self, on: bool, purpose: str = "") -> None:
        """Raises WatermarkError (plain message) when on with an empty or too long purpose."""
        if on:
            purpose = clean_purpose(purpose)
        self.watermark_on = on
        self.purpose = purpose if on else ""

    def watermark_text(self, purpose: str, date: dt.date | None = None) -> str:
        return Watermark(purpose.strip() or "…", date or dt.date.today()).text()

    # --- result (may run on a worker thread) ------------------------------------------------------
    def build(self) -> SessionDocument:
        assert self.doc_type is not None
        mark = Watermark.for_purpose(self.purpose) if self.watermark_on else None
        if self.idcopy is not None:
            self.idcopy.watermark = mark
            page = self.idcopy.page().page
            result = self.service.save_pdf([page], ActivityKind.COPY)
            self.idcopy.sides.clear()  # the originals go once the output exists
            preview_src = [page]
        else:
            pages = [fit_on_a4(p, self.service.dpi) for p in self.pages]
            if mark is not None:
                pages = [apply_watermark(p, mark, self.rng) for p in pages]
            if not self.colour:  # grey in, grey out: a third of the size, as legible
                pages = [p.convert("L") for p in pages]
            result = self.service.save_pdf(pages, ActivityKind.SCAN)
            self.pages = []
            preview_src = pages[:1]
        kind = DocumentKind.ID_COPY if self.doc_type.is_card else DocumentKind.SCAN
        self.result = self.desk.add(result, kind, DOC_TITLES[self.doc_type], mark is not None)
        self.result_image = thumbnail(preview_src[0], 1000)
        self.step = Step.RESULT
        return self.result

    def discard(self) -> None:
        """Forget everything in memory (leaving the screen, end of session)."""
        if self.idcopy is not None:
            self.idcopy.sides.clear()
        self.idcopy = None
        self.pages = []
        self.result_image = None
        self.step = Step.TYPE
