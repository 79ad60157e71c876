"""The memo sheet ("fiche mémo") of a procedure as an A4 PDF, to take home. No Kivy here.

Only the procedure's own steps, tips and "what to remember": nothing the person typed, not even
the persona's values (the sheet is for the real site, with the person's own papers).
Arabic lines are shaped and put in visual order before drawing, right-aligned.
"""
from __future__ import annotations

from pathlib import Path

from kiosk.i18n import N_, translate_to
from kiosk.practice.model import Procedure

FONT_REGULAR = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
MARGIN_MM = 18.0


def _rgb(code: str) -> tuple[int, int, int]:
    code = code.lstrip("#")
    return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)


def _visual(text: str, rtl: bool) -> str:
    if not rtl:
        return text
    import arabic_reshaper
    from bidi.algorithm import get_display

    return get_display(arabic_reshaper.reshape(text))


def write_memo(procedure: Procedure, path: Path, lang: str = "fr") -> Path:
    from fpdf import FPDF

    rtl = lang == "ar"
    align = "R" if rtl else "L"

    def t(message: str) -> str:
        return translate_to(lang, message)

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, MARGIN_MM)
    pdf.add_font("DejaVu", "", FONT_REGULAR)
    pdf.add_font("DejaVu", "B", FONT_BOLD)
    pdf.set_title(procedure.memo.title.get(lang))
    pdf.set_creator("kiosk")
    pdf.add_page()
    width = pdf.w - 2 * MARGIN_MM

    def para(text: str, size: float = 11, bold: bool = False, gap: float = 1.5) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        if rtl:  # wrap in logical order, then draw each line shaped and reordered
            for line in pdf.multi_cell(width, size * 0.5, text, dry_run=True, output="LINES"):
                pdf.multi_cell(width, size * 0.5, _visual(line, True), align=align,
                               new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, size * 0.5, text, align=align, new_x="LMARGIN",
                           new_y="NEXT")
        pdf.ln(gap)

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
    pdf.ln(6)
    para(t(N_("Besoin d'aide ? Un médiateur numérique peut vous accompagner.")), 9)
    pdf.output(str(path))
    return path
