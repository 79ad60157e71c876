"""The server knows the shipped catalogue only through kiosk_wire/catalogue.json: it must say
exactly what the procedure files say."""
from __future__ import annotations

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.manifest import manifest_text, parcours_manifest_text
from kiosk_wire import catalogue


def test_manifest_matches_the_shipped_procedures():
    assert catalogue.MANIFEST.read_text(encoding="utf-8") == manifest_text(), (
        "kiosk_wire/catalogue.json is out of date: run python -m kiosk.practice.manifest")


def test_manifest_names_every_shipped_procedure_with_its_title():
    shipped = catalogue.shipped()
    for procedure in load_catalogue().procedures:
        assert shipped[procedure.id].title_fr == procedure.title.fr


def test_parcours_manifest_matches_the_shipped_parcours():
    assert catalogue.PARCOURS_MANIFEST.read_text(encoding="utf-8") == parcours_manifest_text(), (
        "kiosk_wire/parcours.json is out of date: run python -m kiosk.practice.manifest")
