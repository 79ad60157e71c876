"""The practice engine's messages are translated in the kiosk's gettext catalogues (one place
for translators), not inline; procedures keep their own inline translations."""
from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from kiosk.i18n import translate_to
from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.messages import MESSAGES, message
from kiosk.practice.text import CatalogueText, Text

LOCALE = Path(__file__).resolve().parents[2] / "kiosk" / "locale"


def catalogue_ids(path: Path) -> set[str]:
    with path.open("rb") as f:
        # a plural entry is known by its singular
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def test_engine_messages_take_their_translations_from_the_catalogues():
    text = MESSAGES["postal_code.format"]
    assert isinstance(text, CatalogueText)
    assert (text.en, text.ar) == ("", ""), "nothing inline"
    assert text.get("en") == translate_to("en", text.fr) == \
        "The postcode has 5 digits, for example 69003."
    assert message("postal_code.format", "ar") == "الرمز البريدي يتكون من 5 أرقام، مثلًا 69003."


def test_every_engine_message_is_in_the_template_and_both_catalogues():
    sources = {text.fr for text in MESSAGES.values()}
    for path in (LOCALE / "kiosk.pot", LOCALE / "en" / "LC_MESSAGES" / "kiosk.po",
                 LOCALE / "ar" / "LC_MESSAGES" / "kiosk.po"):
        assert sources <= catalogue_ids(path), (path, sorted(sources - catalogue_ids(path)))


def test_a_language_the_kiosk_does_not_have_falls_back_to_french():
    assert MESSAGES["required"].get("de") == MESSAGES["required"].fr


def test_procedures_keep_their_own_inline_translations():
    procedure = load_catalogue().get("caf-trimestrielle")
    title = procedure.pages[0].title
    assert type(title) is Text and title.en and title.ar


def test_level_labels_are_translated_by_the_catalogues_too():
    from kiosk.practice.model import LEVEL_LABELS, Level

    beginner = LEVEL_LABELS[Level.BEGINNER]
    assert isinstance(beginner, CatalogueText)
    assert [beginner.get(lang) for lang in ("fr", "en", "ar")] == ["Débutant", "Beginner", "مبتدئ"]
    assert all(label.missing() == () for label in LEVEL_LABELS.values())


def test_counts_in_the_debrief_are_real_plurals_in_every_language():
    from kiosk.practice.text import CataloguePlural

    text = MESSAGES["debrief.field_errors"]
    assert isinstance(text, CataloguePlural) and text.missing() == ()
    assert text.format("fr", page="Adresse", field="Code postal", count=1) == \
        "Page « Adresse », case « Code postal » : 1 essai refusé."
    assert text.format("fr", page="Adresse", field="Code postal", count=3) == \
        "Page « Adresse », case « Code postal » : 3 essais refusés."
    assert text.format("en", page="A", field="B", count=3).endswith("3 attempts refused.")
    two, eleven = (text.format("ar", page="A", field="B", count=n) for n in (2, 11))
    assert two != eleven and "محاولتان" in two    # Arabic has a dual
    assert all("(s)" not in t.fr for t in MESSAGES.values())
