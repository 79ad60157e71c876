"""The console's preview of a page in English and Arabic: the procedure's own translations, the
French where a text has none (as the kiosk shows it), and the kiosk's words as its catalogues
translate them."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from kiosk.practice.catalogue import SHIPPED_DIR
from kiosk_server.procedures import preview
from kiosk_server.procedures.preview import page_preview

LOCALE = Path(__file__).resolve().parents[2] / "kiosk" / "locale"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_previews_words_are_the_kiosks_own_translations(lang):
    with (LOCALE / lang / "LC_MESSAGES" / "kiosk.po").open("rb") as f:
        catalogue = {m.id: m.string for m in read_po(f, locale=lang) if m.id}
    assert preview.WORDS[lang] == {french: catalogue[french] for french in preview.WORDS[lang]}


def test_a_page_is_previewed_in_arabic_with_its_french_where_a_text_has_no_translation():
    data = yaml.safe_load((SHIPPED_DIR / "mairie-rendez-vous.yaml").read_text(encoding="utf-8"))
    first = data["pages"][0]
    arabic = page_preview(data, 0, "ar")
    assert arabic.title == first["title"]["ar"] != first["title"]["fr"]
    assert arabic.button == (first.get("button") or {}).get("ar", "متابعة")
    assert [f.label for f in arabic.fields] == [f["label"]["ar"] for f in first["fields"]]
    del first["title"]["ar"]
    assert page_preview(data, 0, "ar").title == first["title"]["fr"]
    assert page_preview(data, 0, "en").texts()[0] == first["title"]["en"]

