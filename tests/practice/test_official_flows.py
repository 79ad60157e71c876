"""Procedures whose flow was corrected after reading the official page they follow (the page is
named in each file's header and in docs/procedure-sources.md)."""
from __future__ import annotations

import random

import pytest

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.solution import page_solution
from kiosk.sessions.clock import ManualClock

CATALOGUE = load_catalogue()


def run_until(procedure_id: str, page_id: str) -> PracticeRun:
    run = PracticeRun(CATALOGUE.get(procedure_id), Mode.AUTONOMOUS, clock=ManualClock(),
                      rng=random.Random(7))
    for _ in range(30):
        if run.page.id == page_id:
            return run
        assert run.submit(page_solution(run.page, run.procedure, run.sms_code)).ok
    raise AssertionError(f"never reached {page_id}")


def test_after_a_move_the_caf_housing_benefit_is_requested_again_as_service_public_says():
    # service-public.fr F827: « Même si vous bénéficiez déjà de cette prestation, vous devez faire
    # une nouvelle demande dans l'Espace Mon Compte, rubrique Simuler ou demander une prestation ».
    # And (2025 version): « cliquer sur Déclarer un changement dans la rubrique Mes démarches ».
    procedure = CATALOGUE.get("caf-demenagement")
    assert procedure.source_page == "https://www.service-public.fr/particuliers/vosdroits/F827"
    menu = run_until("caf-demenagement", "espace").page.fields[0]
    assert "Mes démarches : déclarer un changement" in [o.label.fr for o in menu.options]
    run = run_until("caf-demenagement", "aide_logement")
    refused = run.submit({"apres_adresse": "rien"})
    assert refused.errors["apres_adresse"].text().startswith(
        "L'aide au logement ne suit pas toute seule : pour le nouveau logement, il faut faire "
        "une nouvelle demande")
    assert run.page.id == "aide_logement" and run.errors == 1
    assert run.submit({"apres_adresse": "demande_aide"}).ok
    assert run.page.id == "logement"
    assert [f.id for f in run.page.fields] == ["statut", "loyer", "bailleur"]
    assert run.page.title.fr == "Demande d'aide au logement"


def test_after_a_lost_licence_the_site_gives_a_certificate_of_loss_valid_two_months():
    # service-public.fr F1727: « télécharger une attestation de perte ... valable 2 mois. Elle vous
    # permet de conduire en attendant l'envoi de votre nouveau permis »; 25 € by card or stamp.
    procedure = CATALOGUE.get("ants-permis-perte")
    assert procedure.source_page == "https://www.service-public.fr/particuliers/vosdroits/F1727"
    run = run_until("ants-permis-perte", "fin")
    said = " ".join(block.fr for block in run.page.content)
    assert "attestation de perte" in said and "valable 2 mois" in said
    assert "droit à conduire" not in said
    assert "attestation de perte" in " ".join(step.fr for step in procedure.memo.steps)


@pytest.mark.parametrize("procedure_id", ["ants-permis-perte", "ants-permis-renouvellement"])
def test_the_new_licence_comes_by_tracked_letter_in_the_letterbox(procedure_id):
    # service-public.fr F1727 (2025): « L'expédition du permis de conduire se fait par Lettre
    # suivie », « avec remise en boîte aux lettres »; the address must be complete.
    said = " ".join(block.fr for block in run_until(procedure_id, "fin").page.content)
    assert "« Lettre suivie »" in said and "boîte aux lettres" in said
    assert "lettre expert" not in said and "contre signature" not in said


def test_the_pension_request_is_made_at_least_five_months_ahead_and_confirmed_by_email():
    # service-public.fr F13941 (2025): « au moins 5 mois avant la date de départ souhaitée »;
    # « Vous êtes informé par email de son envoi »; the completed request can be downloaded.
    procedure = CATALOGUE.get("retraite-demande-unique")
    assert procedure.source_page == "https://www.service-public.fr/particuliers/vosdroits/F13941"
    assert any("au moins 5 mois avant" in line.fr for line in procedure.remember)
    assert not any("6 mois avant" in line.fr for line in procedure.remember)
    run = run_until("retraite-demande-unique", "fin")
    said = " ".join(block.fr for block in run.page.content)
    assert "Un e-mail vous confirme l'envoi" in said and "télécharger votre demande" in said
