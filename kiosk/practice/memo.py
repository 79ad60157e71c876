"""The printable memo sheet ("fiche mémo") of a procedure, as a PDF (fpdf2).

The screens write it into a session file (``core.new_file(".pdf")``, wiped at the end) and hand
it to the printer facade. Contains only catalogue text, never anything the person typed.
Arabic is shaped and reordered (arabic-reshaper + python-bidi) and right-aligned.
"""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from kiosk.practice.messages import MESSAGES
from kiosk.practice.model import Procedure
from kiosk.practice.text import Text

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class MemoError(Exception):
    """The memo sheet cannot be written (font missing, disk full)."""


def _visual(text: str, lang: str) -> str:
    if lang != "ar":
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    return get_display(arabic_reshaper.reshape(text), base_dir="R")


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def memo_pdf(procedure: Procedure, lang: str, path: Path) -> Path:
    """Write the memo sheet of ``procedure`` in ``lang`` to ``path`` (A4, one or two pages)."""
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    try:
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    except (OSError, FileNotFoundError, RuntimeError) as err:
        raise MemoError(f"font for the memo sheet missing in {FONT_DIR}: {err}") from err
    align = "R" if lang == "ar" else "L"
    pdf.add_page()

    def line(text: str | Text, size: float = 12, bold: bool = False, gap: float = 2) -> None:
        value = text.get(lang) if isinstance(text, Text) else text
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.55, _visual(value, lang), align=align,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_fill_color(*_hex(procedure.operator.primary))
    pdf.rect(0, 0, 210, 8, style="F")
    line(procedure.memo.title, 17, bold=True, gap=1)
    line(MESSAGES["memo.simulation"].format(lang, operator=procedure.operator.name), 9, gap=5)
    line(MESSAGES["memo.steps"], 13, bold=True)
    for number, step in enumerate(procedure.memo.steps, 1):
        text = step.get(lang)
        line(f"{number}. {text}", 12)  # logical order: bidi puts the number on the right
    if procedure.memo.tips:
        pdf.ln(3)
        line(MESSAGES["memo.tips"], 13, bold=True)
        for tip in procedure.memo.tips:
            line("• " + tip.get(lang), 11)
    pdf.ln(3)
    line(MESSAGES["memo.remember"], 13, bold=True)
    for item in procedure.remember:
        line("• " + item.get(lang), 11)
    try:
        pdf.output(str(path))
    except OSError as err:
        raise MemoError(f"cannot write the memo sheet to {path}: {err}") from err
    return path
