"""Extract every translatable string of the kiosk into kiosk/locale/kiosk.pot and merge it
into each language's kiosk.po (French is the source language: no fr catalogue).

Python files: babel's extractor with the keywords _, N_, ngettext (and tr for the kv-visible
translator). kv files: ``_("...")`` literals, found by :func:`extract_kv` (Kivy's kv language
is not Python, so babel cannot parse it). Run: ``.venv/bin/python scripts/extract_messages.py``
then translate the new empty entries and run ``make i18n``.

References name files without line numbers: a change elsewhere in a file does not rewrite the
catalogues (and branches merge without conflicts over line numbers).
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kiosk"
LOCALE = PACKAGE / "locale"
LANGUAGES = ("en", "ar")
KEYWORDS = {"_": None, "N_": None, "tr": None, "ngettext": (1, 2), "Nn_": (1, 2)}
# _("..." ) or _('...') with the usual escapes, in a kv expression.
KV_CALL = re.compile(r"""\b_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)""")
SKIP_DIRS = {"__pycache__", "locale", "static"}


def extract_kv(text: str) -> list[tuple[int, str]]:
    """(line number, message) of every literal ``_()`` call in a kv file."""
    found = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for match in KV_CALL.finditer(line):
            found.append((lineno, ast.literal_eval(match.group(1))))
    return found


def source_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE.rglob("*")):
        if SKIP_DIRS & set(path.relative_to(PACKAGE).parts):
            continue
        if path.suffix in (".py", ".kv"):
            files.append(path)
    return files


def build_template() -> Catalog:
    template = Catalog(project="kiosk", msgid_bugs_address="", fuzzy=False)
    for path in source_files():
        rel = str(path.relative_to(ROOT))
        if path.suffix == ".kv":
            for lineno, message in extract_kv(path.read_text(encoding="utf-8")):
                if message:
                    template.add(message, locations=[(rel, lineno)])
            continue
        with path.open("rb") as f:
            for lineno, message, comments, _ctx in extract("python", f, keywords=KEYWORDS,
                                                           comment_tags=("TRANSLATORS:",)):
                if isinstance(message, tuple):
                    if all(message):
                        template.add(message, locations=[(rel, lineno)],
                                     auto_comments=comments)
                elif message:
                    template.add(message, locations=[(rel, lineno)], auto_comments=comments)
    return template


def main() -> int:
    template = build_template()
    with (LOCALE / "kiosk.pot").open("wb") as f:
        write_po(f, template, width=100, omit_header=False, include_lineno=False)
    for lang in LANGUAGES:
        po_path = LOCALE / lang / "LC_MESSAGES" / "kiosk.po"
        po_path.parent.mkdir(parents=True, exist_ok=True)
        if po_path.exists():
            with po_path.open("rb") as f:
                catalog = read_po(f, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="kiosk")
        catalog.update(template, no_fuzzy_matching=True)
        with po_path.open("wb") as f:
            write_po(f, catalog, width=100, ignore_obsolete=True, include_lineno=False)
        missing = sum(1 for m in catalog if m.id and not (
            all(m.string) if isinstance(m.string, tuple) else m.string))
        print(f"{lang}: {len(catalog)} messages, {missing} untranslated", file=sys.stderr)
    print(f"template: {len(template)} messages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
