"""A procedure names its real official site: the debrief and the memo show it, and the kiosk's
browser allows it by default."""
from __future__ import annotations

import dataclasses

import pytest
from pypdf import PdfReader

from kiosk.browser.allowlist import Allowlist
from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.debrief import build_debrief
from kiosk.practice.engine import PracticeRun
from kiosk.practice.loader import parse_file
from kiosk.practice.memo import write_memo

CATALOGUE = load_catalogue()
WITH_REAL_SITE = [pid for pid in CATALOGUE.ids() if CATALOGUE.get(pid).real_site]


def test_the_procedures_of_national_services_name_their_real_site():
    assert {"caf-trimestrielle", "ameli-compte", "ants-pre-demande", "impots-premiere-connexion",
            "france-travail-inscription", "retraite-releve-carriere"} <= set(WITH_REAL_SITE)
    assert CATALOGUE.get("caf-trimestrielle").real_address == "www.caf.fr"


NATIONAL = {"caf-trimestrielle": "caf", "ameli-compte": "ameli", "ants-pre-demande": "ants",
            "impots-premiere-connexion": "impots", "france-travail-inscription": "france_travail",
            "retraite-releve-carriere": "info_retraite",
            "mairie-liste-electorale": "service_public"}


@pytest.mark.parametrize("procedure_id", sorted(NATIONAL))
def test_the_real_site_of_a_national_service_is_allowed_by_the_default_browser_list(
        procedure_id):
    verdict = Allowlist().judge(CATALOGUE.get(procedure_id).real_site or "")
    assert verdict.allowed and verdict.site_key == NATIONAL[procedure_id]


def test_a_real_site_outside_the_list_is_not_offered_by_the_browser():
    """The debrief shows its address but no 'Faire la vraie démarche maintenant' button."""
    outside = [pid for pid in WITH_REAL_SITE
               if not Allowlist().judge(CATALOGUE.get(pid).real_site).allowed]
    assert "rendez-vous-medical" in outside  # a private booking site: not an official one


def test_the_debrief_carries_the_real_address():
    procedure = CATALOGUE.get("caf-trimestrielle")
    debrief = build_debrief(PracticeRun(procedure), "fr")
    assert debrief.real_site == procedure.real_site and debrief.real_address == "www.caf.fr"


def test_the_memo_prints_the_real_address(tmp_path):
    path = write_memo(CATALOGUE.get("caf-trimestrielle"), tmp_path / "memo.pdf", "fr")
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Le vrai site" in text and "www.caf.fr" in text


def test_a_procedure_without_real_site_has_none_on_its_memo(tmp_path):
    procedure = dataclasses.replace(CATALOGUE.get("caf-trimestrielle"), real_site="")
    path = write_memo(procedure, tmp_path / "memo.pdf", "fr")
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Le vrai site" not in text


@pytest.mark.parametrize("address", ["http://www.caf.fr/", "www.caf.fr", "https://", "ftp://caf.fr"])
def test_a_real_site_that_is_not_an_https_address_is_refused(tmp_path, address):
    source = CATALOGUE.get("caf-trimestrielle").source
    assert source is not None
    real = CATALOGUE.get("caf-trimestrielle").real_site
    text = source.read_text(encoding="utf-8").replace(
        f'real_site: "{real}"', f'real_site: "{address}"')
    assert text != source.read_text(encoding="utf-8")
    path = tmp_path / "caf.yaml"
    path.write_text(text, encoding="utf-8")
    _data, findings = parse_file(path)
    assert any("real_site" in str(f) for f in findings), findings
