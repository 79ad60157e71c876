"""The printable memo sheet ("fiche mémo") of a procedure, as an A4 PDF to take home (fpdf2).

What it carries (practice.md): the procedure's steps, its tips and what to remember for the
real site; and, when a page of the procedure shows a QR code (the pré-demande number to bring
to the town-hall appointment), that QR code, so the person sees on paper what the real site
will give them. Only catalogue text: nothing the person typed, not even the persona's values
(the sheet is for the real site, with the person's own papers).

The screens write it into a session file (``core.new_file(".pdf")``, wiped at the end) and hand
it to the print service. Arabic lines are wrapped in logical order, then shaped and put in
visual order (arabic-reshaper + python-bidi) and right-aligned.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.i18n import N_, translate_to
from kiosk.practice.model import Page, Procedure
from kiosk.practice.qr import qr_image

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MARGIN_MM = 18.0
QR_MM = 42.0   # about 1.3 mm a module for a short code: read by any phone, and by pyzbar at 150 dpi

QR_TITLE = N_("Le QR code de l'exercice")
QR_CAPTION = N_("Montré à la page « {page} ». Sur le vrai site, vous recevez un QR code comme "
                "celui-ci : imprimez-le ou gardez-le sur votre téléphone, on vous le demandera. "
                "Celui-ci est un code d'exercice : il ne sert pas sur le vrai site.")
REAL_SITE_TITLE = N_("Le vrai site")
REAL_SITE_LINE = N_("Pour faire la vraie démarche : {address} (tapez cette adresse, ou "
                    "demandez « Faire ma démarche en ligne » à la borne).")


class MemoError(Exception):
    """The memo sheet cannot be written (font missing, disk full)."""


def _rgb(code: str) -> tuple[int, int, int]:
    code = code.lstrip("#")
    return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)


def _visual(text: str) -> str:
    import arabic_reshaper
    from bidi.algorithm import get_display

    return str(get_display(arabic_reshaper.reshape(text)))


def a4_sheet(title: str, what: str) -> FPDF:
    """An A4 PDF in the DejaVu fonts (regular and bold: they carry Arabic), on its first page;
    :class:`MemoError` naming ``what`` is being written when the fonts are missing."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, MARGIN_MM)
    try:
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    except (OSError, RuntimeError) as err:
        raise MemoError(f"font for the {what} missing in {FONT_DIR}: {err}") from err
    pdf.set_title(title)
    pdf.set_creator("kiosk")
    pdf.add_page()
    return pdf


def qr_pages(procedure: Procedure) -> list[Page]:
    """The pages that show a QR code, in the procedure's order."""
    return [page for page in procedure.pages if page.qr]


def write_memo(procedure: Procedure, path: Path, lang: str = "fr") -> Path:
    """Write the memo sheet of ``procedure`` in ``lang`` to ``path`` (A4, one or two pages)."""
    rtl = lang == "ar"
    align = "R" if rtl else "L"

    def t(message: str) -> str:
        return translate_to(lang, message)

    pdf = a4_sheet(procedure.memo.title.get(lang), "memo sheet")
    width = pdf.w - 2 * MARGIN_MM

    def para(text: str, size: float = 11, bold: bool = False, gap: float = 1.5) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        if rtl:  # wrap in logical order, then draw each line shaped and reordered
            lines = pdf.multi_cell(width, size * 0.5, text, dry_run=True, output="LINES")
            for line in lines if isinstance(lines, list) else [text]:
                pdf.multi_cell(width, size * 0.5, _visual(str(line)), align=align,
                               new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, size * 0.5, text, align=align, new_x="LMARGIN",
                           new_y="NEXT")
        pdf.ln(gap)

    def qr_block(page_title: str, data: str) -> None:
        """A page's QR code with its caption, kept together on one sheet."""
        if pdf.get_y() + QR_MM + 40 > pdf.h - MARGIN_MM:
            pdf.add_page()
        pdf.ln(4)
        para(t(QR_TITLE), 14, bold=True)
        top = pdf.get_y()
        x = pdf.w - MARGIN_MM - QR_MM if rtl else MARGIN_MM
        pdf.image(qr_image(data, scale=10), x=x, y=top, w=QR_MM, h=QR_MM)
        pdf.set_y(top + QR_MM + 2)
        para(t(QR_CAPTION).format(page=page_title), 9)

    # A band in the operator's colours: the sheet matches what was seen on the screen.
    pdf.set_fill_color(*_rgb(procedure.operator.primary))
    pdf.rect(0, 0, pdf.w, 10, style="F")
    pdf.set_y(MARGIN_MM)
    para(procedure.memo.title.get(lang), 18, bold=True, gap=2)
    para(procedure.title.get(lang), 12, gap=1)
    para(t(N_("Exercice fait sur le site d'entraînement fictif « {name} ». Sur le vrai site, "
           "utilisez vos propres papiers.")).format(name=procedure.operator.name), 9, gap=5)

    para(t(N_("Les étapes")), 14, bold=True)
    for number, step in enumerate(procedure.memo.steps, start=1):
        para(f"{number}. {step.get(lang)}", 11)
    if procedure.memo.tips:
        pdf.ln(3)
        para(t(N_("Astuces")), 14, bold=True)
        for tip in procedure.memo.tips:
            para(f"• {tip.get(lang)}", 11)
    if procedure.remember:
        pdf.ln(3)
        para(t(N_("À retenir pour le vrai site")), 14, bold=True)
        for item in procedure.remember:
            para(f"• {item.get(lang)}", 11)
    if procedure.real_address:
        pdf.ln(3)
        para(t(REAL_SITE_TITLE), 14, bold=True)
        para(t(REAL_SITE_LINE).format(address=procedure.real_address), 11)
    for page in qr_pages(procedure):
        qr_block(page.title.get(lang), page.qr or "")
    pdf.ln(6)
    para(t(N_("Besoin d'aide ? Un médiateur numérique peut vous accompagner.")), 9)
    try:
        pdf.output(str(path))
    except OSError as err:
        raise MemoError(f"cannot write the memo sheet to {path}: {err}") from err
    return path

