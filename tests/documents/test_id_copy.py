"""ID copy: recto + verso detected, cropped, at real size on one watermarked A4 PDF page."""
from __future__ import annotations

import datetime as dt
import itertools
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader
from pyzbar.pyzbar import decode

from kiosk.devices.demo_scanner import DemoScanner
from kiosk.devices.scanner import Scanner
from kiosk.documents.card import ID1_MM, crop_card, detect_card
from kiosk.documents.scanning import ScanService, Side
from kiosk.documents.watermark import Watermark
from kiosk.media import samples
from kiosk.media.paper import a4_size_px, mm_to_px
from kiosk.sessions.workspace import FILE
from kiosk_wire.schema import ActivityKind

DPI = 300
CARD_PX = (mm_to_px(ID1_MM[0], DPI), mm_to_px(ID1_MM[1], DPI))  # 1011 x 638


def coloured_regions(image: Image.Image) -> list[tuple[int, int, int, int]]:
    """Boxes of the tinted areas (the cards) on a page: the watermark is neutral grey."""
    rgb = np.asarray(image.convert("RGB")).astype(int)
    tinted = (rgb.max(axis=2) - rgb.min(axis=2)) > 20
    rows = np.nonzero(tinted.sum(axis=1) > 50)[0]
    bands, start = [], rows[0]
    for a, b in itertools.pairwise(rows):
        if b != a + 1:
            bands.append((start, a))
            start = b
    bands.append((start, rows[-1]))
    boxes = []
    for top, bottom in bands:
        cols = np.nonzero(tinted[top:bottom + 1].sum(axis=0) > 20)[0]
        boxes.append((int(cols[0]), int(top), int(cols[-1]) + 1, int(bottom) + 1))
    return boxes


@pytest.mark.parametrize("angle", [0.0, 3.0, -4.0])
def test_card_is_found_straightened_and_cropped_to_real_size(angle):
    scan = samples.card_on_bed("recto", DPI, offset_mm=(30, 40), angle_deg=angle)
    detection = detect_card(scan)
    assert detection.confident
    card = crop_card(scan, detection, DPI)
    assert card.size == CARD_PX
    # The crop holds the card, not the bed: the border rows are the card's own colours.
    rgb = np.asarray(card).astype(int)
    assert (rgb.max(axis=2) - rgb.min(axis=2) > 20).mean() > 0.6
    assert [c.data.decode() for c in decode(card)] == [samples.DEMO_QR_TEXT]


def test_empty_bed_gives_an_unsure_detection_for_the_resident_to_adjust():
    bed = Image.new("RGB", a4_size_px(75), samples.BED_COLOUR)
    assert not detect_card(bed).confident


def test_id_copy_makes_one_a4_pdf_page_with_both_sides_at_real_size(core, tmp_path):
    demo = DemoScanner()
    service = ScanService(Scanner(demo), core, dpi=DPI)
    copy = service.id_copy()
    demo.place("id_recto")
    assert copy.scan(Side.RECTO).confident
    demo.place(samples.card_on_bed("verso", DPI, offset_mm=(50, 100), angle_deg=2.0))
    assert copy.scan(Side.VERSO).confident
    copy.rng = random.Random(7)
    copy.set_watermark("Location d'un logement", dt.date(2026, 3, 2))
    result = copy.build()

    assert result.pages == 1
    assert result.pdf.parent == core.session.workspace.path  # wiped with the session
    assert any(a.kind == FILE and a.ref == str(result.pdf) for a in core.session.artefacts)
    assert [(a.kind, a.pages) for a in core.session.activities] == [(ActivityKind.COPY, 1)]

    reader = PdfReader(str(result.pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.28) < 1 and abs(float(box.height) - 841.89) < 1  # A4 pt

    # Render the PDF at its own resolution and measure the cards in pixels.
    prefix = tmp_path / "render"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", str(result.pdf),
                    str(prefix)], check=True)
    rendered = Image.open(f"{prefix}.png")
    assert abs(rendered.width - a4_size_px(DPI)[0]) <= 1
    recto, verso = coloured_regions(rendered)
    for left, top, right, bottom in (recto, verso):
        assert abs((right - left) - CARD_PX[0]) <= 4, (right - left)
        assert abs((bottom - top) - CARD_PX[1]) <= 4, (bottom - top)

    # The watermark is in the pixels: the page outside the cards is no longer blank...
    grey = np.asarray(rendered.convert("L"))
    below = grey[verso[3] + 40:]
    assert (below < 200).mean() > 0.02
    # ...and the recto's QR code was left clear: it still decodes from the printed page.
    assert samples.DEMO_QR_TEXT in [c.data.decode() for c in decode(rendered)]


def test_rotating_and_adjusting_the_crop_keep_the_real_size(core):
    service = ScanService(Scanner(DemoScanner()), core, dpi=150)
    copy = service.id_copy()
    copy.use_scan(Side.RECTO, samples.card_on_bed("recto", 150))
    copy.rotate(Side.RECTO, 2)
    upside_down = copy.cropped(Side.RECTO)
    assert upside_down.size == (mm_to_px(85.6, 150), mm_to_px(54, 150))
    copy.adjust_crop(Side.RECTO, (0, 0, 300, 200))
    assert copy.cropped(Side.RECTO).size == upside_down.size


def test_unmarked_copy_when_the_resident_asks_for_one(core):
    service = ScanService(Scanner(DemoScanner()), core, dpi=150)
    copy = service.id_copy()
    copy.use_scan(Side.RECTO, samples.card_on_bed("recto", 150))
    copy.set_watermark(None)
    page = copy.page()
    below = np.asarray(page.page.convert("L"))[page.recto_box[3] + 20:]
    assert (below < 200).mean() == 0.0


def test_document_scan_of_several_pages_gives_one_pdf(core):
    service = ScanService(Scanner(DemoScanner()), core, dpi=100)
    result = service.scan_document(pages=3)
    assert result.pages == 3 and len(PdfReader(str(result.pdf)).pages) == 3
    assert [(a.kind, a.pages) for a in core.session.activities] == [(ActivityKind.SCAN, 3)]


def test_session_end_wipes_every_scan_and_copy(core):
    service = ScanService(Scanner(DemoScanner()), core, dpi=100)
    pdf = service.scan_document(pages=1).pdf
    assert pdf.exists()
    from kiosk_wire.schema import EndReason
    core.end(EndReason.FINISHED, offer_survey=False)
    assert not pdf.exists() and not Path(pdf).parent.exists()


def test_crop_screen_gets_a_reduced_preview_and_its_box_maps_back(core):
    copy = ScanService(Scanner(DemoScanner()), core, dpi=DPI).id_copy()
    copy.use_scan(Side.RECTO, samples.card_on_bed("recto", DPI, offset_mm=(30, 40),
                                                  angle_deg=3.0))
    preview, box = copy.preview(Side.RECTO, max_width=800)
    assert preview.width <= 800
    card_w_mm = (box[2] - box[0]) / preview.width * 210
    assert abs(card_w_mm - ID1_MM[0]) < 3  # the box drawn on screen frames the card
    # The resident drags the box a little; it comes back in scan pixels, still a card.
    dragged = (box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2)
    copy.adjust_crop(Side.RECTO, copy.scale_to_scan(Side.RECTO, dragged, preview.width))
    assert copy.cropped(Side.RECTO).size == CARD_PX


def test_a_scanned_document_can_be_watermarked_too(core):
    service = ScanService(Scanner(DemoScanner()), core, dpi=100)
    result = service.scan_document(pages=1, watermark=Watermark.for_purpose("Bailleur"),
                                   rng=random.Random(5))
    rendered = PdfReader(str(result.pdf)).pages[0].images[0].image
    lower = np.asarray(rendered.convert("L"))[rendered.height * 3 // 4:]
    # The letter's ruled lines end well above; the lower quarter only has the watermark.
    assert (lower < 200).mean() > 0.02


def test_discarded_copy_keeps_no_scan_in_memory(core):
    copy = ScanService(Scanner(DemoScanner()), core, dpi=100).id_copy()
    copy.use_scan(Side.RECTO, samples.card_on_bed("recto", 100))
    copy.discard()
    assert copy.sides == {}
