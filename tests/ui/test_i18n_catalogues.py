"""The catalogues: every string of the .py and .kv files extracted, English and Arabic complete,
placeholders kept, kv strings found."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "kiosk" / "locale"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%d|%s")


def load_extractor():
    spec = importlib.util.spec_from_file_location("extract_messages",
                                                  ROOT / "scripts" / "extract_messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ids(catalog) -> set:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def test_kv_extraction_finds_translated_literals_only():
    extractor = load_extractor()
    found = extractor.extract_kv('    txt: _("Bonjour")\n    # txt: _("commentaire")\n'
                                 "    txt: _('Il faut « ceci »') if x else _(root.message)\n")
    assert [m for _line, m in found] == ["Bonjour", "Il faut « ceci »"]


def test_template_is_up_to_date_with_the_sources():
    """Fails when a string was added to a .py or .kv without re-running the extraction."""
    extractor = load_extractor()
    current = ids(extractor.build_template())
    with (LOCALE / "kiosk.pot").open("rb") as f:
        template = ids(read_po(f))
    missing = sorted(map(str, current - template))
    assert missing == [], "run: .venv/bin/python scripts/extract_messages.py, then translate"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_message_of_the_ui_is_translated_with_its_placeholders(lang):
    with (LOCALE / lang / "LC_MESSAGES" / "kiosk.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    untranslated, broken = [], []
    for message in catalog:
        if not message.id:
            continue
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        if not all(targets):
            untranslated.append(sources[0])
            continue
        wanted = sorted(PLACEHOLDER.findall(sources[-1]))
        for target in targets:
            if sorted(PLACEHOLDER.findall(target)) != wanted:
                broken.append((sources[0], target))
    assert untranslated == []
    assert broken == []
