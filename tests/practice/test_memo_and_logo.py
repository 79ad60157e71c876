"""The printable memo sheet (real PDF, read back with pypdf) and the drawn fictional logos."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.logo import draw_logo
from kiosk.practice.memo import write_memo

CATALOGUE = load_catalogue()
ARTIFACTS = Path(os.environ.get("KIOSK_TEST_ARTIFACTS", "test-artifacts")) / "practice"


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("procedure_id", CATALOGUE.ids())
def test_memo_sheet_lists_every_step_in_french(tmp_path, procedure_id):
    procedure = CATALOGUE.get(procedure_id)
    path = write_memo(procedure, tmp_path / "memo.pdf", "fr")
    text = _flat(" ".join(page.extract_text() for page in PdfReader(path).pages))
    assert "entraînement fictif" in text and procedure.operator.name in text
    for number, step in enumerate(procedure.memo.steps, 1):
        assert _flat(f"{number}. {step.fr}")[:40] in text
    for item in procedure.remember:
        assert _flat(item.fr)[:30] in text


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_memo_sheet_in_english_and_arabic_is_a_readable_pdf(tmp_path, lang):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    procedure = CATALOGUE.get("ameli-compte")
    path = write_memo(procedure, ARTIFACTS / f"memo-ameli-compte-{lang}.pdf", lang)
    reader = PdfReader(path)
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 1 and text.strip()
    if lang == "en":
        assert "The steps" in text
    else:
        assert any("\u0600" <= ch <= "\u06ff" or "\ufe70" <= ch <= "\ufeff" for ch in text)


@pytest.mark.parametrize("procedure_id", CATALOGUE.ids())
def test_each_operator_has_a_drawn_logo_in_its_colour(procedure_id):
    operator = CATALOGUE.get(procedure_id).operator
    image = draw_logo(operator.logo, 96)
    assert image.size == (96, 96) and image.mode == "RGBA"
    colour = tuple(int(operator.logo.colour[i:i + 2], 16) for i in (1, 3, 5)) + (255,)
    pixels = [image.getpixel((x, y)) for y in range(96) for x in range(96)]
    assert pixels.count(colour) > 0.25 * len(pixels)
    assert pixels[0][3] == 0 or operator.logo.shape == "square"  # transparent corner
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / f"logo-{procedure_id}.png")


def test_pre_application_qr_code_decodes_back_to_the_page_code():
    from pyzbar.pyzbar import decode

    from kiosk.practice.qr import qr_image
    page = CATALOGUE.get("ants-pre-demande").page("confirmation")
    assert page.qr and page.end
    decoded = decode(qr_image(page.qr))
    assert [d.data.decode() for d in decoded] == [page.qr]
