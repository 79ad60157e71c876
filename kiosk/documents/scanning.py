"""Scan and copy flows: a document into one PDF, an ID card's two sides onto one A4 page.

Every image and PDF is written through ``core.new_file`` (the session's private directory), so
the session's wipe removes it; the statistics only get an Activity with a page count.
Screens drive an :class:`IdCopy` step by step: scan recto, scan verso, rotate or adjust either
crop, choose the watermark (or none), build the PDF, then print or attach it.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from kiosk.devices.scanner import ColourMode, Scanner, ScanOptions
from kiosk.documents.idcopy import IdPage, compose_id_page
from kiosk.documents.watermark import Watermark, apply_watermark
from kiosk.media.paper import Side as Side  # re-exported: a card copy's side
from kiosk.media.pdf import fit_on_a4, images_to_pdf
from kiosk.sessions.core import SessionCore
from kiosk.sessions.workspace import ArtefactLabel
from kiosk_wire.schema import Activity, ActivityKind

if TYPE_CHECKING:
    from kiosk.documents.card import Box, CardDetection



@dataclass(frozen=True)
class ScanResult:
    pdf: Path
    pages: int


class ScanService:
    def __init__(self, scanner: Scanner, core: SessionCore, dpi: int = 300) -> None:
        self.scanner = scanner
        self.core = core
        self.dpi = dpi

    def options(self, mode: ColourMode = ColourMode.COLOUR) -> ScanOptions:
        return ScanOptions(mode=mode, dpi=self.dpi)

    def preview(self) -> Image.Image:
        return self.scanner.preview(self.options())

    def save_pdf(self, pages: list[Image.Image], kind: ActivityKind) -> ScanResult:
        path = self.core.new_file(".pdf", ArtefactLabel.SCAN)
        images_to_pdf(pages, path, self.dpi)
        self.core.add_activity(Activity(kind=kind, pages=len(pages)))
        return ScanResult(path, len(pages))

    def scan_document(self, pages: int = 1, mode: ColourMode = ColourMode.COLOUR,
                      feeder: bool = False, watermark: Watermark | None = None,
                      rng: random.Random | None = None) -> ScanResult:
        """One or several pages (flatbed: one per call of the scanner; feeder: all of it),
        watermarked if asked (a proof of address sent to a landlord, for instance)."""
        options = self.options(mode)
        if feeder:
            images = self.scanner.scan_feeder(options)
        else:
            images = [self.scanner.scan(options) for _ in range(pages)]
        out = [fit_on_a4(i, self.dpi) for i in images]
        if watermark is not None:
            out = [apply_watermark(page, watermark, rng) for page in out]
        return self.save_pdf(out, ActivityKind.SCAN)

    def id_copy(self) -> IdCopy:
        return IdCopy(self)


@dataclass
class _SideScan:
    scan: Image.Image
    detection: CardDetection
    quarter_turns: int = 0


@dataclass
class IdCopy:
    """One ID copy in progress. Scans stay in memory; only the final PDF goes to a file."""

    service: ScanService
    sides: dict[Side, _SideScan] = field(default_factory=dict)
    watermark: Watermark | None = None
    rng: random.Random = field(default_factory=random.Random)

    def scan(self, side: Side) -> CardDetection:
        image = self.service.scanner.scan(self.service.options())
        return self.use_scan(side, image)

    def use_scan(self, side: Side, image: Image.Image) -> CardDetection:
        # Card detection needs numpy (~15 MB): loaded at the first ID scan, not at start.
        from kiosk.documents.card import detect_card

        detection = detect_card(image)
        self.sides[side] = _SideScan(image, detection)
        return detection

    def rotate(self, side: Side, quarter_turns: int = 1) -> None:
        self.sides[side].quarter_turns += quarter_turns

    def adjust_crop(self, side: Side, box: Box) -> None:
        s = self.sides[side]
        from kiosk.documents.card import adjust_box

        s.detection = adjust_box(s.detection, box, s.scan.size)

    def cropped(self, side: Side) -> Image.Image:
        s = self.sides[side]
        from kiosk.documents.card import crop_card

        return crop_card(s.scan, s.detection, self.service.dpi, s.quarter_turns)

    def preview(self, side: Side, max_width: int = 800) -> tuple[Image.Image, Box]:
        """The straightened scan, reduced for the screen, and the crop box in its pixels: what
        the crop screen draws and lets the resident drag (give the box back through
        :meth:`adjust_crop` after multiplying by ``scan.width / preview.width``)."""
        s = self.sides[side]
        factor = max(1, -(-s.scan.width // max_width))
        small = s.scan.convert("RGB").reduce(factor)
        if s.detection.angle_deg:
            small = small.rotate(s.detection.angle_deg, resample=Image.Resampling.BILINEAR,
                                 fillcolor=small.getpixel((0, 0)))
        scale = small.width / s.scan.width
        left, top, right, bottom = s.detection.box
        return small, (round(left * scale), round(top * scale), round(right * scale),
                       round(bottom * scale))

    def scale_to_scan(self, side: Side, preview_box: Box, preview_width: int) -> Box:
        ratio = self.sides[side].scan.width / preview_width
        left, top, right, bottom = preview_box
        return (round(left * ratio), round(top * ratio), round(right * ratio),
                round(bottom * ratio))

    def set_watermark(self, purpose: str | None, date: dt.date | None = None) -> None:
        """A purpose (≤ 100 characters), or None for an unmarked copy the resident asked for."""
        self.watermark = None if purpose is None else Watermark.for_purpose(purpose, date)

    def page(self) -> IdPage:
        recto = self.cropped(Side.RECTO)
        verso = self.cropped(Side.VERSO) if Side.VERSO in self.sides else None
        page = compose_id_page(recto, verso, self.service.dpi)
        if self.watermark is None:
            return page
        marked = apply_watermark(page.page, self.watermark, self.rng)
        return IdPage(marked, page.recto_box, page.verso_box, page.dpi)

    def discard(self) -> None:
        """Forget the scans (the resident went back, or the session ended mid-copy)."""
        self.sides.clear()
        self.watermark = None

    def build(self) -> ScanResult:
        result = self.service.save_pdf([self.page().page], ActivityKind.COPY)
        self.sides.clear()  # the originals go once the output exists (id-copies.md)
        return result
