"""Writes kiosk_wire/catalogue.json, the shipped catalogue as the server knows it (ids, French
titles, themes, step titles), and kiosk_wire/parcours.json (the shipped parcours' ids, titles
and steps): ``python -m kiosk.practice.manifest`` after adding or renaming a
procedure or one of its pages. tests/practice/test_catalogue_manifest.py fails while the file
is out of date."""
from __future__ import annotations

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.model import Procedure
from kiosk.practice.steps import page_depths
from kiosk_wire.catalogue import (
    MANIFEST,
    PARCOURS_MANIFEST,
    CatalogueEntry,
    ParcoursEntry,
    entries_to_json,
    parcours_to_json,
)


def step_titles(procedure: Procedure) -> tuple[str, ...]:
    """French title of each step as the kiosk numbers them (page_depths): the pages of one rank
    (branches), in file order, joined by "ou"."""
    depths = page_depths(procedure)
    titles: list[list[str]] = [[] for _ in range(max(depths.values()))]
    for page in procedure.pages:
        if page.id in depths and page.title.fr not in titles[depths[page.id] - 1]:
            titles[depths[page.id] - 1].append(page.title.fr)
    return tuple(" ou ".join(t) for t in titles)


def manifest_text() -> str:
    """The manifest of the shipped procedures, as the file should read (a short version is an
    entry of its own: its records carry its own id and its own steps)."""
    catalogue = load_catalogue()
    return entries_to_json([CatalogueEntry(p.id, p.title.fr, p.theme.value, step_titles(p))
                            for p in [*catalogue.procedures, *catalogue.shorts()]])


def parcours_manifest_text() -> str:
    """The manifest of the shipped parcours (kiosk_wire/parcours.json), as it should read."""
    from kiosk.practice.parcours_file import SHIPPED_PARCOURS_DIR, check_parcours

    report = check_parcours([SHIPPED_PARCOURS_DIR], load_catalogue().ids())
    return parcours_to_json([ParcoursEntry(p.id, p.title.fr, p.steps) for p in report.parcours])


def main() -> None:
    MANIFEST.write_text(manifest_text(), encoding="utf-8")
    print(f"wrote {MANIFEST}")
    PARCOURS_MANIFEST.write_text(parcours_manifest_text(), encoding="utf-8")
    print(f"wrote {PARCOURS_MANIFEST}")


if __name__ == "__main__":  # pragma: no cover
    main()
