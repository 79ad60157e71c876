"""Watermarks merged into the pixels, per FiligraneFacile's public method (id-copies.md).

The purpose (≤ 100 characters) and the date are repeated along about ten lines over a square
layer as large as the page diagonal, rotated 25° (text rising to the right, as FiligraneFacile's
canvas rotation of −25°), in dark grey at an opacity drawn between 0.52 and 0.60, over a
blurred copy of itself so that it resists "cleaning". Areas holding a QR code or a 2D-Doc
seal (DataMatrix), found by kiosk.documents.codes, are left clear so that the code still scans
and verifies; zones found by the caller can be added.
"""
from __future__ import annotations

import datetime as dt
import math
import random
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from kiosk.documents.codes import Box, CodeKind, find_code_zones
from kiosk.i18n import N_

MAX_PURPOSE_CHARS = 100
ANGLE_DEG = 25.0
LINES = 10
OPACITY_RANGE = (0.52, 0.60)
GREY = (64, 64, 64)
REFERENCE_WIDTH_PX = 1240  # A4 at 150 dpi: font size 28 px at that width
REFERENCE_FONT_PX = 28
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)

# Purposes offered as buttons; the resident may type another one instead.
PURPOSES: tuple[str, ...] = (
    N_("CAF"),
    N_("Banque"),
    N_("Location d'un logement"),
    N_("Employeur"),
    N_("France Travail"),
    N_("Assurance maladie"),
    N_("Préfecture"),
    N_("Mairie"),
    N_("Impôts"),
    N_("École"),
)

UNMARKED_WARNING = N_("Le filigrane protège votre copie. Certains organismes demandent une "
                      "copie sans filigrane : dans ce cas, vous pouvez le retirer.")

class WatermarkError(ValueError):
    """A purpose that cannot be used; ``resident_message`` says why in plain French."""

    def __init__(self, technical: str, resident_message: str) -> None:
        super().__init__(technical)
        self.resident_message = resident_message


def clean_purpose(text: str) -> str:
    """The purpose as it will be printed, or :class:`WatermarkError`."""
    cleaned = " ".join("".join(" " if unicodedata.category(ch)[0] == "C" else ch
                               for ch in text).split())
    if not cleaned:
        raise WatermarkError(
            "empty purpose",
            N_("Écrivez à qui la copie est destinée, ou choisissez dans la liste."))
    if len(cleaned) > MAX_PURPOSE_CHARS:
        raise WatermarkError(f"purpose of {len(cleaned)} characters",
                             N_("Le texte est trop long : 100 caractères au plus."))
    return cleaned


@dataclass(frozen=True)
class Watermark:
    purpose: str
    date: dt.date

    @classmethod
    def for_purpose(cls, purpose: str, date: dt.date | None = None) -> Watermark:
        return cls(clean_purpose(purpose), date or dt.date.today())

    def text(self) -> str:
        # In French whatever the screen language: it is read by the body receiving the copy.
        return f"Copie destinée exclusivement à : {self.purpose} — {self.date:%d/%m/%Y}"


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_CANDIDATES:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def find_qr_zones(image: Image.Image) -> list[Box]:
    """Boxes around the QR codes only (the watermark keeps every code clear: find_code_zones)."""
    return [zone.box for zone in find_code_zones(image) if zone.kind is CodeKind.QR]


def text_mask(size: tuple[int, int], text: str) -> Image.Image:
    """The watermark's coverage (mode L, 255 = text) for a page of ``size``."""
    width, height = size
    font_px = max(8, round(REFERENCE_FONT_PX * width / REFERENCE_WIDTH_PX))
    diag = math.ceil(math.hypot(width, height))
    layer = Image.new("L", (diag, diag), 0)
    draw = ImageDraw.Draw(layer)
    font = _font(font_px)
    unit = text + "   ·   "
    unit_w = max(1.0, draw.textlength(unit, font=font))
    line = unit * (int(diag / unit_w) + 2)
    step = diag / LINES
    for i in range(LINES):
        # Each line shifted a little so the repetitions do not form vertical columns.
        offset = -((i * unit_w / 3) % unit_w)
        draw.text((offset, step * (i + 0.5)), line, fill=255, font=font, anchor="lm")
    rotated = layer.rotate(ANGLE_DEG, resample=Image.Resampling.BILINEAR)
    left, top = (diag - width) // 2, (diag - height) // 2
    return rotated.crop((left, top, left + width, top + height))


def apply_watermark(image: Image.Image, mark: Watermark, rng: random.Random | None = None,
                    clear_zones: Iterable[Box] = (), detect_codes: bool = True) -> Image.Image:
    """A new RGB image with the watermark merged into its pixels.

    With ``detect_codes`` the QR codes and 2D-Doc seals found on the page are left clear, as
    are ``clear_zones``.
    """
    rng = rng or random.Random()
    page = image.convert("RGB")
    # The text layer is drawn at 150 dpi A4 size (FiligraneFacile's own raster) and enlarged:
    # as legible on paper, and four times less work on a 300 dpi page.
    scale = min(1.0, REFERENCE_WIDTH_PX / page.width)
    work = (max(1, round(page.width * scale)), max(1, round(page.height * scale)))
    small = text_mask(work, mark.text())
    under_small = small.filter(ImageFilter.GaussianBlur(2.0))
    mask, under = small, under_small
    if work != page.size:
        mask = small.resize(page.size, Image.Resampling.BILINEAR)
        under = under_small.resize(page.size, Image.Resampling.BILINEAR)
    zones: list[Box] = list(clear_zones)
    if detect_codes:
        zones.extend(zone.box for zone in find_code_zones(page))
    opacity = rng.uniform(*OPACITY_RANGE)
    # The blurred copy at half the opacity, then the sharp text on top.
    alpha_under = under.point(lambda v: round(v * opacity * 0.5))
    alpha_text = mask.point(lambda v: round(v * opacity))
    _clear(alpha_under, zones)
    _clear(alpha_text, zones)
    grey = Image.new("RGB", page.size, GREY)
    page = Image.composite(grey, page, alpha_under)
    return Image.composite(grey, page, alpha_text)


def _clear(alpha: Image.Image, zones: Sequence[Box]) -> None:
    draw = ImageDraw.Draw(alpha)
    for left, top, right, bottom in zones:
        draw.rectangle((max(0, left), max(0, top), right, bottom), fill=0)
