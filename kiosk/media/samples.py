"""Sample documents for the demo scanner, the benchmarks and the tests: a fictional ID card
(recto with a QR code, verso) lying on a scanner bed, and a letter page. Nothing real: the
names are invented and the QR code holds a fixed demo text."""
from __future__ import annotations

import segno
from PIL import Image, ImageDraw, ImageFont

# Not from card.py: that one needs numpy, which the demo scanner should not load before a scan.
from kiosk.media.paper import ID1_MM, Side, a4_size_px, mm_to_px

DEMO_QR_TEXT = "KIOSK-DEMO-2D-DOC-0001"
BED_COLOUR = (246, 246, 244)   # a scanner lid: light and even
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def qr_image(text: str, module_px: int) -> Image.Image:
    qr = segno.make_qr(text, error="m")
    matrix = list(qr.matrix_iter(scale=1, border=2))
    size = len(matrix)
    img = Image.new("L", (size, size), 255)
    img.putdata([0 if v else 255 for row in matrix for v in row])
    return img.resize((size * module_px, size * module_px), Image.Resampling.NEAREST).convert("RGB")


def card_face(side: Side | str, dpi: float) -> Image.Image:
    """One side of a fictional ID card at real size: recto with a photo box and a QR code."""
    recto = Side(side) is Side.RECTO
    w, h = mm_to_px(ID1_MM[0], dpi), mm_to_px(ID1_MM[1], dpi)
    colour = (198, 216, 236) if recto else (212, 230, 188)
    card = Image.new("RGB", (w, h), colour)
    draw = ImageDraw.Draw(card)
    unit = dpi / 25.4
    draw.rectangle((0, 0, w - 1, round(9 * unit)), fill=(40, 70, 140))
    draw.text((round(3 * unit), round(2 * unit)), "CARTE DE DÉMONSTRATION", fill="white",
              font=_font(round(4 * unit)))
    if recto:
        draw.rectangle((round(4 * unit), round(13 * unit), round(28 * unit), round(45 * unit)),
                       fill=(150, 150, 160))
        for i, line in enumerate(("NOM : EXEMPLE", "Prénom : Camille", "Né(e) le : 01.01.1990")):
            draw.text((round(32 * unit), round((14 + 6 * i) * unit)), line, fill=(20, 20, 20),
                      font=_font(round(3.2 * unit)))
        qr = qr_image(DEMO_QR_TEXT, max(2, round(0.8 * unit)))
        card.paste(qr, (w - qr.width - round(3 * unit), h - qr.height - round(3 * unit)))
    else:
        for i in range(5):
            draw.text((round(4 * unit), round((14 + 6 * i) * unit)),
                      f"Adresse fictive, ligne {i + 1}", fill=(20, 20, 20),
                      font=_font(round(3.2 * unit)))
    return card


def card_on_bed(side: Side | str, dpi: float,
                offset_mm: tuple[float, float] = (12.0, 15.0), angle_deg: float = 0.0,
                bed_mm: tuple[float, float] = (210.0, 297.0)) -> Image.Image:
    """What a flatbed returns when a card lies on it, slightly askew if ``angle_deg``."""
    bed = Image.new("RGB", (mm_to_px(bed_mm[0], dpi), mm_to_px(bed_mm[1], dpi)), BED_COLOUR)
    card = card_face(side, dpi)
    if angle_deg:
        card = card.convert("RGBA").rotate(angle_deg, expand=True,
                                           resample=Image.Resampling.BICUBIC)
        bed.paste(card, (mm_to_px(offset_mm[0], dpi), mm_to_px(offset_mm[1], dpi)), card)
    else:
        bed.paste(card, (mm_to_px(offset_mm[0], dpi), mm_to_px(offset_mm[1], dpi)))
    return bed


def letter_page(dpi: float, number: int = 1) -> Image.Image:
    """A plain A4 letter, as a resident would scan to attach to a procedure."""
    page = Image.new("RGB", a4_size_px(dpi), "white")
    draw = ImageDraw.Draw(page)
    unit = dpi / 25.4
    font = _font(round(4 * unit))
    draw.text((round(20 * unit), round(20 * unit)), f"Courrier de démonstration — page {number}",
              fill="black", font=font)
    for i in range(20):
        draw.line((round(20 * unit), round((40 + 10 * i) * unit), round(190 * unit),
                   round((40 + 10 * i) * unit)), fill=(90, 90, 90), width=max(1, round(unit / 3)))
    return page
