"""2D-Doc seals (DataMatrix) and QR codes stay scannable under the watermark (id-copies.md).

The documents are generated at 300 dpi as a flatbed returns them: slightly askew, with sensor
noise, a little blur and JPEG compression. Their codes are real symbols written by zxing-cpp;
after watermarking, the DataMatrix is read back by zxing-cpp and the QR code by zbar (another
decoder than the one that found it), byte for byte.
"""
from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pyzbar.pyzbar import ZBarSymbol, decode

from kiosk.devices.demo_scanner import DemoScanner
from kiosk.devices.scanner import Scanner
from kiosk.documents.card import ID1_MM
from kiosk.documents.codes import CodeKind, find_code_zones, is_2d_doc
from kiosk.documents.scanning import ScanService, Side
from kiosk.documents.watermark import Watermark, apply_watermark
from kiosk.media import samples
from kiosk.media.paper import a4_size_px, mm_to_px

DPI = 300
MARK = Watermark("Location d'un logement", dt.date(2026, 3, 2))
GS, US = "\x1d", "\x1f"
# A 2D-Doc v04 header: "DC04", certification authority FR00, certificate AAA1, emission and
# signature dates (days since 2000-01-01, hex), document type 00 (justificatif de domicile),
# perimeter 01, issuing country FR. Then fields separated by GS, the unit separator and a
# 64-byte ECDSA signature in base32, as on an energy invoice. Fictional values.
SIGNATURE = base64.b32encode(bytes(range(7, 71))).decode().rstrip("=")
TWO_D_DOC = ("DC04FR00AAA11E6A1E6A0001FR" "10MME CAMILLE EXEMPLE" + GS + "2212 RUE DE LA DEMO"
             + GS + "2475001" + GS + "25PARIS" + US + SIGNATURE)
CEV = ("DC04FR00CNI11F2A1F2A0601FR" "62EXEMPLE" + GS + "60CAMILLE" + GS + "6A01011990"
       + US + SIGNATURE)
QR_TEXT = "https://paiement.example.invalid/facture/2026-000123"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DM_LABEL, QR_LABEL = 100, 200  # values of each code's pixels in the layout mask


def code_image(fmt: zxingcpp.BarcodeFormat, content: str, module_mm: float, dpi: int
               ) -> Image.Image:
    """A real symbol with its quiet zone, modules of ``module_mm`` (rounded per pixel row as a
    printer's raster does)."""
    barcode = zxingcpp.create_barcode(content, fmt)
    symbol = Image.fromarray(np.asarray(zxingcpp.write_barcode_to_image(barcode, scale=1)))
    side = round(symbol.width * module_mm * dpi / 25.4)
    return symbol.resize((side, side), Image.Resampling.NEAREST).convert("RGB")


def as_scanned(page: Image.Image, angle: float, seed: int) -> Image.Image:
    """What a flatbed gives back: askew, noisy, a little soft, JPEG-compressed."""
    page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")
    rng = np.random.default_rng(seed)
    noise = 7 * rng.standard_normal((page.height, page.width, 1), dtype=np.float32)
    noisy = np.clip(np.asarray(page).astype(np.float32) + noise, 0, 255).astype(np.uint8)
    soft = Image.fromarray(noisy).filter(ImageFilter.GaussianBlur(0.6))
    buffer = io.BytesIO()
    soft.save(buffer, "JPEG", quality=85)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def proof_of_address(dm_module_mm: float = 0.42, angle: float = 1.2, seed: int = 1
                     ) -> tuple[Image.Image, Image.Image]:
    """An energy invoice with its 2D-Doc top right and a payment QR code bottom left, scanned;
    and a mask of the same geometry telling which pixels belong to which code."""
    unit = DPI / 25.4
    page = Image.new("RGB", a4_size_px(DPI), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, round(4 * unit))
    draw.text((round(20 * unit), round(20 * unit)), "ÉNERGIE DÉMO — Facture", fill="black",
              font=font)
    for i, line in enumerate(("Mme Camille EXEMPLE", "12 rue de la Démo", "75001 PARIS")):
        draw.text((round(110 * unit), round((55 + 7 * i) * unit)), line, fill="black", font=font)
    for i in range(14):
        y = round((100 + 9 * i) * unit)
        draw.text((round(20 * unit), y), f"Consommation du mois {i + 1}     {12 + i},40 €",
                  fill=(40, 40, 40), font=font)
    mask = Image.new("L", page.size, 0)
    dm = code_image(zxingcpp.BarcodeFormat.DataMatrix, TWO_D_DOC, dm_module_mm, DPI)
    qr = code_image(zxingcpp.BarcodeFormat.QRCode, QR_TEXT, 0.5, DPI)
    for image, where, label in ((dm, (165, 15), DM_LABEL), (qr, (20, 240), QR_LABEL)):
        at = (round(where[0] * unit), round(where[1] * unit))
        page.paste(image, at)
        mask.paste(label, (*at, at[0] + image.width, at[1] + image.height))
    mask = mask.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
    return as_scanned(page, angle, seed), mask


def code_box(mask: Image.Image, label: int) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(np.asarray(mask) == label)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] \
        and inner[3] <= outer[3]


def datamatrix_payloads(image: Image.Image) -> list[bytes]:
    return [bytes(r.bytes) for r in zxingcpp.read_barcodes(
        image, formats=(zxingcpp.BarcodeFormat.DataMatrix,))]


def qr_texts(image: Image.Image) -> list[str]:
    return [s.data.decode() for s in decode(image.convert("L"), symbols=[ZBarSymbol.QRCODE])]


def render(pdf: Path, tmp_path: Path) -> Image.Image:
    """The PDF as a printer rasterises it (poppler), at the scan's resolution. TIFF: PNG's
    compression of a noisy scan takes poppler tens of seconds."""
    prefix = tmp_path / "render"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-tiff", "-singlefile", str(pdf), str(prefix)],
                   check=True)
    return Image.open(f"{prefix}.tif").convert("RGB")


def test_2d_doc_header_is_told_from_other_datamatrix_content():
    assert is_2d_doc(TWO_D_DOC.encode())
    assert is_2d_doc(b"DC02FR000001125E125B0126" + b"\x1d")
    assert not is_2d_doc(b"DC4FR")                 # too short for a header
    assert not is_2d_doc(b"LOT 4471-B EXP 2027")   # a product's DataMatrix
    assert not is_2d_doc(b"dc04fr00aaa11e6a1e6a00")


@pytest.mark.parametrize(("module_mm", "angle"), [(0.42, 1.2), (0.3, -1.5)])
def test_2d_doc_and_qr_code_on_a_scanned_proof_of_address_are_found(module_mm, angle):
    scan, mask = proof_of_address(module_mm, angle)
    zones = {zone.kind: zone.box for zone in find_code_zones(scan)}
    assert set(zones) == {CodeKind.TWO_D_DOC, CodeKind.QR}
    assert inside(code_box(mask, DM_LABEL), zones[CodeKind.TWO_D_DOC])
    assert inside(code_box(mask, QR_LABEL), zones[CodeKind.QR])


@pytest.mark.parametrize(("module_mm", "angle", "seed"), [(0.42, 1.2, 1), (0.3, -1.5, 2)])
def test_watermark_leaves_2d_doc_and_qr_code_readable_and_marks_the_rest(module_mm, angle,
                                                                          seed):
    scan, _ = proof_of_address(module_mm, angle, seed)
    assert datamatrix_payloads(scan) == [TWO_D_DOC.encode()]  # the scan itself is readable
    zones = [zone.box for zone in find_code_zones(scan)]

    marked = apply_watermark(scan, MARK, random.Random(seed))

    assert datamatrix_payloads(marked) == [TWO_D_DOC.encode()]
    assert qr_texts(marked) == [QR_TEXT]
    before, after = np.asarray(scan).astype(np.int16), np.asarray(marked).astype(np.int16)
    for left, top, right, bottom in zones:  # the codes and their quiet zones: untouched
        assert np.array_equal(after[top:bottom + 1, left:right + 1],
                              before[top:bottom + 1, left:right + 1])
    # Everywhere else the watermark is in the pixels: a good share of them clearly darker.
    outside = np.ones(before.shape[:2], dtype=bool)
    for left, top, right, bottom in zones:
        outside[top:bottom + 1, left:right + 1] = False
    darker = (before - after).max(axis=2) > 40
    assert 0.02 < darker[outside].mean() < 0.4


def test_without_code_detection_the_watermark_runs_over_the_2d_doc():
    scan, mask = proof_of_address()
    left, top, right, bottom = code_box(mask, DM_LABEL)
    marked = apply_watermark(scan, MARK, random.Random(5), detect_codes=False)
    region = (left, top, right + 1, bottom + 1)
    assert not np.array_equal(np.asarray(marked.crop(region)), np.asarray(scan.crop(region)))


def test_without_the_code_reader_the_page_is_still_watermarked_and_the_log_says_so(
        monkeypatch, caplog):
    # An installation missing zxing-cpp: the resident still gets a marked copy.
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # makes `import zxingcpp` fail
    page = Image.new("RGB", a4_size_px(100), "white")
    with caplog.at_level(logging.ERROR, logger="kiosk.documents.codes"):
        assert find_code_zones(page) == []
        marked = apply_watermark(page, MARK, random.Random(7))
    assert (np.asarray(marked.convert("L")) < 200).mean() > 0.02
    assert "zxing-cpp is not installed" in caplog.text


def test_damaged_2d_doc_that_cannot_be_decoded_is_still_kept_clear():
    # A seal whose inner modules are 15 % wrong (a stain, a fold): found, not decodable; the
    # receiving body may still read it with a better reader, so the watermark spares it.
    symbol = np.asarray(zxingcpp.write_barcode_to_image(
        zxingcpp.create_barcode(TWO_D_DOC, zxingcpp.BarcodeFormat.DataMatrix), scale=1)).copy()
    inner = symbol[3:-3, 3:-3]
    flip = np.random.default_rng(3).random(inner.shape) < 0.15
    inner[flip] = 255 - inner[flip]
    module_px = 5
    side = symbol.shape[0] * module_px
    page = Image.new("RGB", a4_size_px(150), "white")
    page.paste(Image.fromarray(symbol).resize((side, side), Image.Resampling.NEAREST), (300, 400))
    assert datamatrix_payloads(page) == []

    zones = find_code_zones(page)
    assert [zone.kind for zone in zones] == [CodeKind.DAMAGED]
    assert inside((300, 400, 300 + side - 1, 400 + side - 1), zones[0].box)
    marked = apply_watermark(page, MARK, random.Random(6))
    region = (300, 400, 300 + side, 400 + side)
    assert np.array_equal(np.asarray(marked.crop(region)), np.asarray(page.crop(region)))


def test_codes_on_a_600_dpi_scan_are_found_on_a_reduced_copy_and_boxed_at_full_size():
    # Above 300 dpi the page is read at 300 dpi; the boxes come back in the scan's pixels.
    dpi = 600
    page = Image.new("RGB", (mm_to_px(210, dpi), mm_to_px(60, dpi)), "white")
    dm = code_image(zxingcpp.BarcodeFormat.DataMatrix, TWO_D_DOC, 0.42, dpi)
    at = (mm_to_px(150, dpi), mm_to_px(10, dpi))
    page.paste(dm, at)
    zones = find_code_zones(page)
    assert [zone.kind for zone in zones] == [CodeKind.TWO_D_DOC]
    code = (at[0], at[1], at[0] + dm.width - 1, at[1] + dm.height - 1)
    assert inside(code, zones[0].box)
    # ...and hugs it: the margin is the quiet zone, not half the page.
    assert (zones[0].box[2] - zones[0].box[0]) < 1.5 * dm.width


def card_verso_with_seal() -> Image.Image:
    """The verso of the fictional card carrying a 2D-Doc seal (as the identity card's
    "cachet électronique visible"), 0.3 mm modules, lying askew on the scanner bed."""
    card = samples.card_face("verso", DPI)
    seal = code_image(zxingcpp.BarcodeFormat.DataMatrix, CEV, 0.3, DPI)
    card.paste(seal, (card.width - seal.width - mm_to_px(4, DPI),
                      card.height - seal.height - mm_to_px(4, DPI)))
    bed = Image.new("RGB", a4_size_px(DPI), samples.BED_COLOUR)
    tilted = card.convert("RGBA").rotate(2.0, expand=True, resample=Image.Resampling.BICUBIC)
    bed.paste(tilted, (mm_to_px(40, DPI), mm_to_px(90, DPI)), tilted)
    return as_scanned(bed, 0.0, seed=4)


def test_id_copy_printed_page_keeps_the_verso_seal_and_the_recto_qr_code_readable(
        core, tmp_path):
    demo = DemoScanner()
    copy = ScanService(Scanner(demo), core, dpi=DPI).id_copy()
    demo.place("id_recto")
    assert copy.scan(Side.RECTO).confident
    demo.place(card_verso_with_seal())
    assert copy.scan(Side.VERSO).confident
    copy.rng = random.Random(8)
    copy.set_watermark("CAF", dt.date(2026, 3, 2))
    result = copy.build()

    rendered = render(result.pdf, tmp_path)
    assert datamatrix_payloads(rendered) == [CEV.encode()]
    assert qr_texts(rendered) == [samples.DEMO_QR_TEXT]
    # The watermark is there: the paper below the verso is no longer blank.
    below = np.asarray(rendered.convert("L"))[mm_to_px(40 + 2 * ID1_MM[1] + 40, DPI):]
    assert (below < 200).mean() > 0.02


def test_watermarked_document_scan_keeps_its_2d_doc_verifiable(core, tmp_path):
    demo = DemoScanner()
    service = ScanService(Scanner(demo), core, dpi=DPI)
    scan, _ = proof_of_address(0.35, -0.8, seed=9)
    demo.place(scan)
    result = service.scan_document(watermark=MARK, rng=random.Random(9))

    rendered = render(result.pdf, tmp_path)
    assert datamatrix_payloads(rendered) == [TWO_D_DOC.encode()]
    assert qr_texts(rendered) == [QR_TEXT]
    blank = np.asarray(rendered.convert("L"))[mm_to_px(250, DPI):, mm_to_px(80, DPI):]
    assert (blank < 200).mean() > 0.02
