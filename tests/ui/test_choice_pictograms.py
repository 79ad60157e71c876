"""Every choice a resident makes in a list carries a pictogram (DSFR, as the home tiles): the
document to scan, what a copy is for, the survey's answers. Checked on the real screens (Kivy
offscreen): the pictogram is drawn (a texture of its size), on the start side of the words."""
from __future__ import annotations

import pytest

from kiosk.documents.scan_flow import DocType
from kiosk.documents.watermark import PURPOSES
from kiosk.screens.kit import IconView, KLabel, PictoButton, ui
from kiosk.screens.kit.choice_pictograms import (
    ANSWER_PICTOGRAMS,
    DOC_TYPE_PICTOGRAMS,
    OTHER_PURPOSE_PICTOGRAM,
    PURPOSE_PICTOGRAMS,
)
from kiosk.screens.kit.icons import ICONS
from kiosk.screens.layout_audit import window_box

pytestmark = pytest.mark.display


def test_every_document_type_purpose_and_answer_has_a_pictogram_that_exists():
    from kiosk.screens.end import QUESTIONS

    assert set(DOC_TYPE_PICTOGRAMS) == {t.value for t in DocType}
    assert set(PURPOSE_PICTOGRAMS) == set(PURPOSES)
    answers = {value.value for _key, _q, choices in QUESTIONS for value, _words in choices}
    assert answers <= set(ANSWER_PICTOGRAMS)
    named = [*DOC_TYPE_PICTOGRAMS.values(), *PURPOSE_PICTOGRAMS.values(),
             OTHER_PURPOSE_PICTOGRAM, *ANSWER_PICTOGRAMS.values()]
    assert [n for n in named if not ICONS.get(n)] == []


def _drawn_pictogram(button: PictoButton) -> IconView:
    [icon] = [w for w in button.children if isinstance(w, IconView)]
    assert icon.name == button.icon and icon.name
    assert icon._quad.texture is not None and icon._quad.size[0] >= 24, "the pictogram is drawn"
    [words] = [w for w in button.children if isinstance(w, KLabel)]
    icon_box, words_box = window_box(icon), window_box(words)
    if ui.rtl:   # the pictogram on the start side of the words
        assert icon_box.x >= words_box.x + words_box.w - 1
    else:
        assert icon_box.x + icon_box.w <= words_box.x + 1
    return icon


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_scan_choices_and_survey_answers_show_their_pictogram_on_the_start_side(
        driver, ui_app, lang):
    from kiosk_wire.schema import Language

    ui_app.start_session(Language(lang), set())
    try:
        ui_app.show("scan")
        driver.frames(3)
        scan = driver.screen()
        types = list(scan.ids.types.children)
        assert {b.icon for b in types} == set(DOC_TYPE_PICTOGRAMS.values())
        for button in types:
            _drawn_pictogram(button)
        scan.watermark_on = True
        driver.frames(3)
        purposes = [b for b in scan.ids.purposes.children if isinstance(b, PictoButton)]
        assert len(purposes) == len(PURPOSES) + 1   # and « Autre : l'écrire »
        assert all(b.icon for b in purposes)
        ui_app.show("end")
        driver.frames(2)
        end = driver.screen()
        for step in (1, 2, 3):
            end.show_step(step)
            driver.frames(3)
            for button in end.ids.choices.children:
                _drawn_pictogram(button)
    finally:
        ui_app.reset_for_next_test()
