"""The procedure editor in Debian's Chromium against a running `kiosk-server run`: a mediator
creates a procedure from a template, sees the checker's three findings beside their fields,
fixes them in the forms, saves, previews each page as the kiosk draws it and submits it for
their site; the site's manager approves and publishes it there; a kiosk of that site (real
heartbeat) takes it between two sessions, a kiosk of another site never gets it.

Screenshots go to test-artifacts/test_procedure_editor_browser/.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from console.conftest import log_in
from kiosk_server import tables as t
from kiosk_server.procedures.preview import RIBBON
from kiosk_wire.schema import EndReason

pytestmark = [pytest.mark.browser]

FINDINGS = {"pages.1.fields.0.persona": ("absent de la fiche persona", "email"),
            "pages.1.hints.0.field": ("n'est pas sur la page", "email"),
            "pages.1.next": ("n'existe pas", "fin")}


def _click(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).first.click()


def _kiosk(console_server: Any, tmp_path: Any, site: str) -> Any:
    """A kiosk of ``site`` (its catalogue side: keeper, heartbeat) linked to the server."""
    from server.helpers import server_settings
    from sync.test_catalogue_bundle import Kiosk

    from kiosk.sessions.clock import ManualClock
    from kiosk.sync.link import ServerLink
    from kiosk_server.procedures import bundles

    _kiosk_id, token = next(v for (s, _n), v in console_server.seed.kiosks.items() if s == site)
    key = bundles.public_key_hex(server_settings(console_server.data_dir))
    return Kiosk(tmp_path, site.replace(" ", "-"), ServerLink.checked(console_server.url, token),
                 key, ManualClock(dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC)))


def _offers(kiosk: Any, procedure_id: str) -> bool:
    """The kiosk's catalogue has it (for residents, or as a draft for mediators)."""
    return any(p.id == procedure_id for p in kiosk.live.catalogue().offered(drafts=True))


def test_a_mediator_writes_a_procedure_in_the_editor_and_a_manager_publishes_it(
        browser_page, tablet, console_server, artifacts_dir, tmp_path):
    mediator = tablet
    log_in(mediator, "med-lille")
    mediator.get_by_role("link", name="Démarches d'entraînement").click()
    mediator.get_by_label("Modèle").select_option(
        label="Formulaire en ligne simple (accueil, formulaire, fin)")
    mediator.get_by_label("Identifiant de la démarche").fill("lille-inscription-atelier")
    _click(mediator, "Créer depuis le modèle")
    assert mediator.url.endswith("/console/procedures/lille-inscription-atelier/edit?msg=saved")
    assert mediator.locator("#error-count").inner_text() == \
        "3 problème(s) à corriger avant de soumettre."
    mediator.screenshot(path=str(artifacts_dir / "findings.png"), full_page=True)
    for path, (says, fix) in FINDINGS.items():
        control = mediator.locator(f'[data-path="{path}"]')
        assert says in control.locator(".finding.error").inner_text()
        control.locator("select").select_option(fix)  # the pages, cases, values there are
    _click(mediator, "Vérifier")
    assert mediator.locator("#error-count").inner_text() == "Aucun problème bloquant."
    assert mediator.locator(".finding.error").count() == 0
    _click(mediator, "Enregistrer")
    assert mediator.locator("#error-count").inner_text() == "Aucun problème bloquant."

    titles = []
    for number in (1, 2, 3):
        mediator.get_by_role("link", name=f"Aperçu de la page {number}").click()
        preview = mediator.locator("#kiosk-preview")
        assert preview.locator(".kiosk-ribbon").inner_text() == RIBBON
        titles.append(preview.locator("h2").inner_text())
        mediator.screenshot(path=str(artifacts_dir / f"preview-{number}.png"), full_page=True)
        mediator.go_back()
    assert titles == ["Bienvenue", "Vos coordonnées", "Demande envoyée"]

    mediator.get_by_role("link", name="← Démarche lille-inscription-atelier").click()
    mediator.get_by_label("Publier pour").select_option(label="un site")
    mediator.get_by_label("Site", exact=True).select_option(label="FS Lille")
    _click(mediator, "Soumettre")
    assert "Version soumise" in mediator.locator(".flash").inner_text()

    manager = browser_page
    log_in(manager, "resp-lille")
    manager.goto("/console/procedures/lille-inscription-atelier")
    _click(manager, "Approuver")
    _click(manager, "Publier")
    assert manager.locator("#published").inner_text() == "Publiée : version 2 (un site)."
    with console_server.engine.connect() as conn:
        publication = conn.execute(sa.select(t.procedure_publications).where(
            t.procedure_publications.c.procedure_id == "lille-inscription-atelier")).one()
    assert publication.place_id == console_server.seed.sites["FS Lille"]

    # Kiosks of FS Lille and of FS Rennes, real heartbeats against this server: Lille's takes
    # it between two sessions (tests/ui/test_published_procedure.py plays one to the end by
    # touch); Rennes's never gets it.
    lille, rennes = (_kiosk(console_server, tmp_path, site) for site in ("FS Lille", "FS Rennes"))
    try:
        lille.core.start()  # a resident is practising
        assert lille.beats.beat_once() is not None and lille.keeper.pending is not None
        assert not _offers(lille, "lille-inscription-atelier")  # never during a session
        lille.core.end(EndReason.FINISHED, offer_survey=False)
        lille.core.complete(None)
        # French only: offered to mediators' test mode, as a draft file would be.
        assert _offers(lille, "lille-inscription-atelier")
        assert rennes.beats.beat_once() is not None
        assert not _offers(rennes, "lille-inscription-atelier")
        assert rennes.keeper.pending is None and rennes.keeper.active is None
    finally:
        lille.close()
        rennes.close()


def _new_from_template(page: Any, new_id: str) -> None:
    page.goto("/console/procedures")
    page.get_by_label("Modèle").select_option(
        label="Formulaire en ligne simple (accueil, formulaire, fin)")
    page.get_by_label("Identifiant de la démarche").fill(new_id)
    _click(page, "Créer depuis le modèle")


def test_findings_appear_beside_a_field_while_typing_and_the_editor_works_without_scripts(
        tablet, chromium, console_server):
    from playwright.sync_api import expect

    mediator = tablet
    log_in(mediator, "med-lille")
    _new_from_template(mediator, "lille-frappe")
    title = mediator.locator('[data-path="title.fr"]')
    assert "vide" not in title.inner_text()  # (a translation to add, maybe: a warning)
    assert mediator.locator("#error-count").get_attribute("aria-live") == "polite"
    title.locator("input").fill("")  # typed, no button pressed
    expect(title.locator(".findings-beside")).to_contain_text("vide")
    field = title.locator("input")
    assert field.get_attribute("aria-describedby") == \
        title.locator(".findings-beside").get_attribute("id")
    expect(mediator.locator("#error-count")).not_to_have_text("Aucun problème bloquant.")
    assert mediator.url.endswith("/edit?msg=saved")  # the page was not posted
    title.locator("input").fill("Inscription à l'atelier")
    expect(title).not_to_contain_text("vide")

    # Without scripts: nothing changes while typing; « Vérifier » posts the page and the
    # finding is beside the field all the same.
    context = chromium.new_context(base_url=console_server.url, java_script_enabled=False,
                                   locale="fr-FR")
    try:
        plain = context.new_page()
        log_in(plain, "med-lille")
        plain.goto("/console/procedures/lille-frappe/edit")
        plain.locator('[data-path="title.fr"] input').fill("")
        _click(plain, "Vérifier")
        assert "vide" in plain.locator('[data-path="title.fr"] .findings-beside').inner_text()
    finally:
        context.close()


def test_a_mediator_builds_a_parcours_in_the_console_and_a_manager_publishes_it(
        browser_page, tablet, console_server, artifacts_dir):
    from kiosk_server.procedures import bundles

    mediator = tablet
    log_in(mediator, "med-lille")
    mediator.get_by_role("link", name="Démarches d'entraînement").click()
    mediator.get_by_role("link", name="Parcours écrits ici et création d'un parcours").click()
    mediator.get_by_role("link", name="Créer un parcours").click()
    mediator.get_by_label("Identifiant").fill("lille-premiers-pas")
    for lang, title in (("français", "Premiers pas à Lille"), ("arabe", "الخطوات الأولى")):
        mediator.get_by_label(f"Nom du parcours ({lang})").fill(title)
    for lang, goal in (("français", "Une adresse e-mail, puis un rendez-vous."),
                       ("anglais", "An e-mail address, then an appointment."),
                       ("arabe", "بريد إلكتروني ثم موعد.")):
        mediator.get_by_label(f"Objectif ({lang})").fill(goal)
    mediator.get_by_label("Exercice 1", exact=True).select_option("email-premiere-adresse")
    mediator.get_by_label("Exercice 2", exact=True).select_option("mairie-rendez-vous")
    _click(mediator, "Enregistrer")
    assert mediator.url.endswith("/console/parcours/lille-premiers-pas?msg=saved")
    # The English name was left out: the kiosk's parcours checker says so beside that field,
    # the version cannot be submitted.
    findings = mediator.locator("#title-en-f").inner_text()
    assert "traduction manquante (en) pour « Nom du parcours »" in findings
    assert mediator.get_by_label("Nom du parcours (anglais)").get_attribute(
        "aria-describedby") == "title-en-f"
    assert "à côté des champs" in mediator.locator("#findings").inner_text()
    assert mediator.get_by_role("button", name="Soumettre").count() == 0
    mediator.screenshot(path=str(artifacts_dir / "parcours-findings.png"), full_page=True)

    mediator.get_by_label("Nom du parcours (anglais)").fill("First steps in Lille")
    mediator.get_by_label("Exercice 3", exact=True).select_option("arnaques-reperer")
    _click(mediator, "Enregistrer")
    assert mediator.locator("#findings").inner_text() == \
        "Le vérificateur ne trouve aucun problème."
    assert mediator.get_by_label("Exercice 3", exact=True).input_value() == "arnaques-reperer"
    mediator.get_by_label("Publier pour").select_option(label="un site")
    mediator.get_by_label("Site", exact=True).select_option(label="FS Lille")
    _click(mediator, "Soumettre")
    assert "Version soumise" in mediator.locator(".flash").inner_text()

    manager = browser_page
    log_in(manager, "resp-lille")
    manager.goto("/console/parcours")
    manager.get_by_role("link", name="Premiers pas à Lille").click()
    _click(manager, "Approuver")
    _click(manager, "Publier")
    assert manager.locator("#published").inner_text() == "Publié : version 2 (un site)."
    manager.screenshot(path=str(artifacts_dir / "parcours-published.png"), full_page=True)
    lille = console_server.seed.sites["FS Lille"]
    with console_server.engine.connect() as conn:
        territory = conn.execute(sa.select(t.sites.c.territory_id)
                                 .where(t.sites.c.id == lille)).scalar()
        bundle = bundles.build(conn, lille, territory)
    assert [(p.id, p.version) for p in bundle.parcours] == [("lille-premiers-pas", 2)]
    assert "  - arnaques-reperer\n" in bundle.parcours[0].yaml
