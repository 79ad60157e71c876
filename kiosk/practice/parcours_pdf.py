"""The parcours progress card as an A4 PDF (fpdf2): a card-sized frame to cut out or fold.

On it: the parcours' title, "3 exercices sur 5", the list of its exercises with the finished
ones ticked, and the QR code (kiosk.practice.parcours_card) to scan at the next visit. Only
catalogue text and counts: no name, no answer, no date. Arabic is shaped as on the memo sheet.
"""
from __future__ import annotations

from pathlib import Path

from kiosk.i18n import N_, Nn_, ngettext_to, translate_to
from kiosk.practice.memo import MARGIN_MM, MemoError, _visual, a4_sheet
from kiosk.practice.parcours_file import Parcours
from kiosk.practice.qr import qr_image
from kiosk.practice.text import Text

QR_MM = 45.0

CARD_TITLE = N_("Ma carte de progression")
CARD_HOW = N_("À votre prochaine visite, touchez « Reprendre avec ma carte » dans « S'entraîner » "
              "et posez cette carte sur la vitre du scanner : le parcours reprend où vous "
              "l'avez laissé.")
CARD_COUNT = Nn_("{done} exercice fait sur {total}", "{done} exercices faits sur {total}")
CARD_PRIVACY = N_("Cette carte ne porte ni votre nom ni vos réponses : seulement les exercices "
                  "faits.")


def write_card(parcours: Parcours, done: frozenset[int], qr_text: str,
               titles: dict[str, Text], path: Path, lang: str = "fr") -> Path:
    """Write the progress card of ``parcours`` with ``done`` steps ticked to ``path``."""
    rtl = lang == "ar"
    align = "R" if rtl else "L"

    def t(message: str) -> str:
        return translate_to(lang, message)

    pdf = a4_sheet(t(CARD_TITLE), "progress card")
    width = pdf.w - 2 * MARGIN_MM - QR_MM - 6

    def para(text: str, size: float = 11, bold: bool = False, gap: float = 1.5) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        x = MARGIN_MM + QR_MM + 6 if rtl else MARGIN_MM
        if rtl:
            lines = pdf.multi_cell(width, size * 0.5, text, dry_run=True, output="LINES")
            for line in lines if isinstance(lines, list) else [text]:
                pdf.set_x(x)
                pdf.multi_cell(width, size * 0.5, _visual(str(line)), align=align,
                               new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_x(x)
            pdf.multi_cell(width, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    top = pdf.get_y()
    qr_x = MARGIN_MM if rtl else pdf.w - MARGIN_MM - QR_MM
    pdf.image(qr_image(qr_text, scale=10), x=qr_x, y=top, w=QR_MM, h=QR_MM)
    para(t(CARD_TITLE), 18, bold=True, gap=2)
    para(parcours.title.get(lang), 14, bold=True, gap=1)
    total = len(parcours.steps)
    para(ngettext_to(lang, *CARD_COUNT, len(done)).format(
                         done=len(done), total=total), 12, gap=4)
    for index, procedure_id in enumerate(parcours.steps):
        mark = "✓" if index in done else "○"
        title = titles.get(procedure_id)
        para(f"{mark} {index + 1}. {title.get(lang) if title else procedure_id}", 11)
    pdf.set_y(max(pdf.get_y(), top + QR_MM) + 4)
    para(t(CARD_HOW), 10)
    para(t(CARD_PRIVACY), 9)
    bottom = pdf.get_y() + 2
    pdf.set_draw_color(120, 120, 120)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.rect(MARGIN_MM - 6, top - 6, pdf.w - 2 * MARGIN_MM + 12, bottom - top + 8)
    try:
        pdf.output(str(path))
    except OSError as err:
        raise MemoError(f"cannot write the progress card to {path}: {err}") from err
    return path
