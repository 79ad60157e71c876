"""Writes kiosk_wire/catalogue.json, the shipped catalogue as the server knows it (ids, French
titles, themes): ``python -m kiosk.practice.manifest`` after adding or renaming a procedure.
tests/practice/test_catalogue_manifest.py fails while the file is out of date."""
from __future__ import annotations

from kiosk.practice.catalogue import load_catalogue
from kiosk_wire.catalogue import MANIFEST, CatalogueEntry, entries_to_json


def manifest_text() -> str:
    """The manifest of the shipped procedures, as the file should read."""
    return entries_to_json([CatalogueEntry(p.id, p.title.fr, p.theme.value)
                            for p in load_catalogue().procedures])


def main() -> None:
    MANIFEST.write_text(manifest_text(), encoding="utf-8")
    print(f"wrote {MANIFEST}")


if __name__ == "__main__":  # pragma: no cover
    main()
