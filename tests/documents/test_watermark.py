"""Watermark per id-copies.md: merged into the pixels, visible, QR codes left readable."""
from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest
from PIL import Image
from pyzbar.pyzbar import decode

from kiosk.documents.watermark import (
    MAX_PURPOSE_CHARS,
    OPACITY_RANGE,
    Watermark,
    WatermarkError,
    apply_watermark,
    clean_purpose,
    find_qr_zones,
)
from kiosk.media import samples

DPI = 150
MARK = Watermark("CAF", dt.date(2026, 3, 2))


@pytest.fixture(scope="module")
def page() -> Image.Image:
    """A4 white page with the sample card (recto, QR code included) pasted on it."""
    return samples.card_on_bed("recto", DPI, bed_mm=(210, 297))


def dark_fraction(image: Image.Image, box=None) -> float:
    grey = np.asarray(image.convert("L").crop(box) if box else image.convert("L"))
    return float((grey < 200).mean())


def test_purpose_is_cleaned_and_limited_to_100_characters():
    assert clean_purpose("  Dossier\tCAF \n ") == "Dossier CAF"
    assert len(clean_purpose("x" * MAX_PURPOSE_CHARS)) == MAX_PURPOSE_CHARS
    with pytest.raises(WatermarkError) as err:
        clean_purpose("x" * (MAX_PURPOSE_CHARS + 1))
    assert "100 caractères" in err.value.resident_message
    with pytest.raises(WatermarkError):
        clean_purpose(" \u200b\x00 ")


def test_watermark_text_carries_purpose_and_date():
    assert MARK.text() == "Copie destinée exclusivement à : CAF — 02/03/2026"


def test_watermark_darkens_the_blank_page_area_by_a_visible_amount(page):
    marked = apply_watermark(page, MARK, random.Random(1))
    blank = (0, page.height // 2, page.width, page.height)  # below the card: only paper
    assert dark_fraction(page, blank) == 0.0
    covered = dark_fraction(marked, blank)
    assert 0.02 < covered < 0.4, covered  # readable text over the page, not a grey blanket
    grey = np.asarray(marked.convert("L").crop(blank)).astype(int)
    darkest = grey.min()
    # Opacity 0.52-0.60 of dark grey (64) over white: the darkest text pixels land near there.
    expected = 255 - OPACITY_RANGE[1] * (255 - 64), 255 - OPACITY_RANGE[0] * (255 - 64)
    assert expected[0] - 15 <= darkest <= expected[1] + 5


def test_watermark_is_merged_into_pixels_with_a_blurred_halo(page):
    marked = apply_watermark(page, MARK, random.Random(2))
    grey = np.asarray(marked.convert("L")).astype(int)
    values = set(np.unique(grey[page.height // 2:]))
    # Sharp text alone would give two levels plus antialiasing; the blurred copy adds a wide
    # range of light greys around the letters.
    light = [v for v in values if 200 <= v < 250]
    assert len(light) > 20


def test_opacity_varies_slightly_between_copies(page):
    blank = (0, page.height // 2, page.width, page.height)
    a = np.asarray(apply_watermark(page, MARK, random.Random(1)).convert("L").crop(blank))
    b = np.asarray(apply_watermark(page, MARK, random.Random(99)).convert("L").crop(blank))
    assert a.min() != b.min() or not np.array_equal(a, b)


def test_qr_code_on_the_card_still_decodes_and_stays_unmarked(page):
    zones = find_qr_zones(page)
    assert len(zones) == 1
    marked = apply_watermark(page, MARK, random.Random(3))
    codes = decode(marked)
    assert [c.data.decode() for c in codes] == [samples.DEMO_QR_TEXT]
    left, top, right, bottom = zones[0]
    original = np.asarray(page.crop(zones[0]))
    assert np.array_equal(np.asarray(marked.crop((left, top, right, bottom))), original)


def test_without_qr_detection_the_code_area_is_marked_too(page):
    zone = find_qr_zones(page)[0]
    marked = apply_watermark(page, MARK, random.Random(3), detect_codes=False)
    assert not np.array_equal(np.asarray(marked.crop(zone)), np.asarray(page.crop(zone)))


def test_caller_marked_zone_is_left_clear(page):
    zone = (10, 10, 400, 400)
    marked = apply_watermark(page, MARK, random.Random(4), clear_zones=[zone], detect_codes=False)
    assert np.array_equal(np.asarray(marked.crop(zone)), np.asarray(page.convert("RGB").crop(zone)))
