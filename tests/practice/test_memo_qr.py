"""The memo sheet carries the QR code a page of the procedure shows (the pré-demande code to
bring to the town-hall appointment): drawn with segno into the PDF, rendered back to pixels by
poppler's pdftoppm as a printer would, and decoded by zbar (pyzbar)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from pyzbar.pyzbar import decode

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.memo import qr_pages, write_memo

CATALOGUE = load_catalogue()
DPI = 150   # an ordinary office print/scan resolution


def decoded_qr_codes(pdf: Path, work: Path) -> list[str]:
    """Every QR code readable on the rendered pages of ``pdf``."""
    prefix = work / "render"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(prefix)], check=True)
    found = []
    for png in sorted(work.glob("render*.png")):
        found += [symbol.data.decode() for symbol in decode(Image.open(png))
                  if symbol.type == "QRCODE"]
    return found


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_memo_sheet_carries_the_pre_application_qr_code_and_it_decodes_from_the_page(
        tmp_path, lang):
    procedure = CATALOGUE.get("ants-pre-demande")
    [page] = qr_pages(procedure)
    memo = write_memo(procedure, tmp_path / f"memo-{lang}.pdf", lang)
    assert decoded_qr_codes(memo, tmp_path) == [page.qr]


def test_the_qr_code_is_explained_as_an_exercise_code_in_french(tmp_path):
    procedure = CATALOGUE.get("ants-pre-demande")
    [page] = qr_pages(procedure)
    memo = write_memo(procedure, tmp_path / "memo.pdf", "fr")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(memo).pages).split())
    assert "Le QR code de l'exercice" in text
    assert f"Montré à la page « {page.title.fr} »" in text
    assert "il ne sert pas sur le vrai site" in text


def test_a_memo_sheet_without_a_qr_page_has_no_qr_code(tmp_path):
    procedure = CATALOGUE.get("caf-trimestrielle")
    assert qr_pages(procedure) == []
    memo = write_memo(procedure, tmp_path / "memo.pdf", "fr")
    assert decoded_qr_codes(memo, tmp_path) == []
    assert "QR code" not in " ".join(p.extract_text() for p in PdfReader(memo).pages)
