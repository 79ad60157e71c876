"""The console's page preview (kiosk_server.procedures.preview) says what the kiosk's page says:
for every page of two shipped procedures (choices, a table, a scam trap, uploads, a consent, a
last page), the preview's texts, title to button, appear on the Kivy page in the same order."""
from __future__ import annotations

from typing import Any

import pytest
import yaml

from kiosk.practice.catalogue import SHIPPED_DIR
from kiosk.practice.engine import Mode
from kiosk_server.procedures.preview import RIBBON, page_preview
from kiosk_wire.schema import Language
from ui.test_practice_gallery import practice_screen

pytestmark = pytest.mark.display

PROCEDURES = ("mairie-liste-electorale", "aide-juridictionnelle-demande")


def _texts(widget: Any) -> list[str]:
    """The texts of a widget and those under it, top to bottom (Kivy keeps children last
    first)."""
    out = [str(widget.txt)] if getattr(widget, "txt", "") else []
    for child in reversed(widget.children):
        out += _texts(child)
    return out


def _in_order(wanted: list[str], shown: list[str]) -> list[str]:
    """The wanted texts not found in order among those shown (empty: all are)."""
    missing, at = [], 0
    for text in wanted:
        found = next((n for n in range(at, len(shown)) if shown[n] == text), None)
        if found is None:
            missing.append(text)
        else:
            at = found + 1
    return missing


def test_the_preview_of_each_page_has_the_kiosks_texts_in_the_kiosks_order(driver, ui_app):
    ui_app.start_session(Language.FR, set())
    flow = practice_screen(ui_app, "practice_catalogue").flow
    screen = ui_app.sm.get_screen("practice_page")
    problems: list[str] = []
    try:
        for procedure_id in PROCEDURES:
            data = yaml.safe_load((SHIPPED_DIR / f"{procedure_id}.yaml").read_text("utf-8"))
            procedure = ui_app.runtime.practice.get(procedure_id)
            for index, page in enumerate(data["pages"]):
                flow.forget()
                flow.start(procedure, Mode.AUTONOMOUS).jump_to(page["id"])
                screen.begin()
                ui_app.show("practice_page")
                driver.frames(1)
                preview = page_preview(data, index)
                shown = _texts(screen.view)
                problems += [f"{procedure_id}/{page['id']}: {text!r}"
                             for text in _in_order(preview.texts(), shown)]
                assert screen.ids.ribbon.ids.ribbon_words.text == RIBBON
    finally:
        flow.forget()
    assert problems == []
