"""A procedure written by a mediator, approved and published by a manager, in Debian's Chromium
against a running `kiosk-server run` (SQLite, and PostgreSQL with -m postgres): the mediator
starts from a shipped procedure, submits it for their site, cannot approve it; the site's
manager approves and publishes it, and the site's catalogue version moves.

Screenshots go to test-artifacts/test_procedures_browser/.
"""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from console.conftest import log_in
from kiosk_server import tables as t

pytestmark = [pytest.mark.browser]


def _shot(page: Any, artifacts, server, name: str) -> None:
    engine = "postgres" if server.database_url.startswith("postgresql") else "sqlite"
    page.screenshot(path=str(artifacts / f"{engine}-{name}.png"), full_page=True)


def _submit(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def test_a_mediator_writes_and_a_manager_publishes_to_their_site(
        browser_page, tablet, console_server, artifacts_dir):
    lille = console_server.seed.sites["FS Lille"]
    with console_server.engine.connect() as conn:
        before = conn.execute(sa.select(t.sites.c.catalogue_version)
                              .where(t.sites.c.id == lille)).scalar()

    mediator = tablet
    log_in(mediator, "med-lille")
    mediator.get_by_role("link", name="Démarches d'entraînement").click()
    mediator.get_by_label("Démarche à copier").select_option(
        label="Prendre rendez-vous en ligne à la mairie (fournie avec la borne)")
    mediator.get_by_label("Identifiant de la nouvelle démarche").fill("mairie-lille-rdv")
    _submit(mediator, "Créer la copie")
    assert "/console/procedures/mairie-lille-rdv?" in mediator.url
    assert mediator.locator("#findings").inner_text() == \
        "Le vérificateur ne trouve aucun problème."
    mediator.get_by_label("Publier pour").select_option(label="un site")
    mediator.get_by_label("Site", exact=True).select_option(label="FS Lille")
    _submit(mediator, "Soumettre")
    assert "Version soumise" in mediator.locator(".flash").inner_text()
    assert mediator.get_by_role("button", name="Approuver").count() == 0  # not theirs to do
    _shot(mediator, artifacts_dir, console_server, "submitted")

    manager = browser_page
    log_in(manager, "resp-lille")
    manager.goto("/console/procedures/mairie-lille-rdv")
    _submit(manager, "Approuver")
    _submit(manager, "Publier")
    assert manager.locator("#published").inner_text() == "Publiée : version 1 (un site)."
    _shot(manager, artifacts_dir, console_server, "published")
    with console_server.engine.connect() as conn:
        after = conn.execute(sa.select(t.sites.c.catalogue_version)
                             .where(t.sites.c.id == lille)).scalar()
    assert after is not None and after != before
