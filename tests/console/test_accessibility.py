"""Every console page, rendered in Debian's Chromium against `kiosk-server run`, passes the
checks of console/a11y.py: axe-core with 0 violations of the WCAG 2.2 A/AA rules (one run per
page), and our own: text contrast ≥ 4.5:1 (3:1 large, chart labels included), a focus ring
≥ 3:1, every control named in the accessibility tree, one h1, a language.

The live page is shown with a kiosk in fault, one offline and a help call: the states whose
colours the issue found too pale.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from console.a11y import axe_problems, page_problems
from console.conftest import ConsoleServer, log_in
from kiosk_server import live, monthly_reports
from kiosk_server import tables as t
from kiosk_server.console.figures import PAGES
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import Heartbeat, HelpRequest, KioskState

pytestmark = [pytest.mark.browser]


def _live_states(server: ConsoleServer) -> None:
    seed = server.seed
    site, territory = seed.sites["FS Lille"], seed.territories["Nord"]
    one, two = (seed.kiosks[("FS Lille", n)][0] for n in ("borne-1", "borne-2"))
    with server.engine.begin() as conn:
        live.record_heartbeat(conn, KioskIdentity(one, site, territory, "borne-1"), Heartbeat(
            state=KioskState.ACTIVE, app_version="0.2.0", procedure_id="cv-guide", step=2,
            session_seconds=300, devices={"printer": "paper_out", "reader": "absent"}))
        live.record_heartbeat(conn, KioskIdentity(two, site, territory, "borne-2"), Heartbeat(
            state=KioskState.IDLE, app_version="0.2.0"))
        conn.execute(t.kiosk_status.update().where(t.kiosk_status.c.kiosk_id == two)
                     .values(last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)))
        live.open_help_request(conn, KioskIdentity(one, site, territory, "borne-1"),
                               HelpRequest(request_id=uuid.uuid4(), procedure_id="cv-guide",
                                           step=2))


def _check(page: Any, path: str, found: dict[str, list[str]]) -> None:
    if path:
        page.goto(path)
    page.wait_for_load_state("load")
    problems = page_problems(page)
    if problems:
        found[page.url] = problems


def _check_dialog(page: Any, button: str, found: dict[str, list[str]]) -> None:
    """The confirmation dialog, open over the page: axe only, as the rest of the page is inert
    then (our focus check could not focus it), and closed again without confirming."""
    page.get_by_role("button", name=button).click()
    page.locator("dialog#confirm[open]").wait_for()
    problems = axe_problems(page)
    if problems:
        found[f"{page.url} (dialog open)"] = problems
    page.get_by_role("button", name="Annuler").click()
    page.locator("dialog#confirm:not([open])").wait_for(state="attached")


def _shown_once_pages(page: Any, seed: Any, found: dict[str, list[str]]) -> None:
    """The pages that show a secret once, after a POST: a new kiosk's token, a new password
    (of med-rennes, whom nothing after this signs in as)."""
    page.goto("/console/admin")
    page.get_by_label("Nouvelle borne").fill("borne-a11y")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer et afficher son jeton").click()
    _check(page, "", found)
    page.goto(f"/console/admin/users/{seed.users['med-rennes']}")
    page.get_by_role("button", name="Réinitialiser le mot de passe").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer").click()
    _check(page, "", found)


def _procedure_copy(page: Any) -> None:
    """A draft of the site's own (a copy of a shipped procedure), so its page can be checked."""
    page.goto("/console/procedures")
    page.get_by_label("Démarche à copier").select_option(
        label="Prendre rendez-vous en ligne à la mairie (fournie avec la borne)")
    page.get_by_label("Identifiant de la nouvelle démarche").fill("a11y-mairie-rdv")
    with page.expect_navigation():
        page.get_by_role("button", name="Créer la copie").click()


@pytest.mark.slow  # some 24 pages, each rendered and checked: ~12-15 s on one engine
def test_every_console_page_passes_the_accessibility_checks(browser_page, console_server):
    page = browser_page
    seed = console_server.seed
    _live_states(console_server)
    found: dict[str, list[str]] = {}
    _check(page, "/console/login", found)
    page.get_by_label("Identifiant").fill("med-rennes")
    page.get_by_label("Mot de passe").fill("pas le bon")
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").is_visible(), "the sign-in error is the state checked"
    _check(page, "", found)  # the sign-in page saying the password is wrong

    log_in(page, "resp-nord")
    for code in PAGES:
        _check(page, f"/console/stats/{code}?periode=3_mois", found)
    _check(page, "/console/summary?periode=mois_precedent", found)
    _check(page, "/console/rapports", found)  # none yet: the page says when the first comes
    monthly_reports.run_pass(console_server.engine, None, seed.today.replace(day=1))
    _check(page, "/console/rapports", found)
    _check(page, "/console/live", found)
    _check(page, f"/console/live/{seed.sites['FS Lille']}", found)

    page.context.clear_cookies()
    log_in(page, "admin")
    _check(page, "/console/admin", found)
    _check(page, f"/console/admin/kiosks/{seed.kiosks[('FS Lille', 'borne-1')][0]}", found)
    _check(page, f"/console/admin/users/{seed.users['med-lille']}", found)
    _check_dialog(page, "Désactiver le compte", found)
    _check(page, f"/console/admin/sites/{seed.sites['FS Lille']}", found)
    _check(page, "/console/live", found)  # every site on one page
    _shown_once_pages(page, seed, found)

    page.context.clear_cookies()
    log_in(page, "resp-lille")  # a site's manager: its catalogue and its browser's sites
    lille = seed.sites["FS Lille"]
    _check(page, "/console/procedures", found)
    _check(page, f"/console/procedures/sites/{lille}", found)
    _check(page, "/console/parcours", found)
    _check(page, "/console/parcours/new", found)  # the parcours' form (and its versions)
    _check(page, "/console/sites/browser", found)
    _check(page, f"/console/sites/{lille}/browser", found)
    _procedure_copy(page)
    _check(page, "", found)  # the procedure's page, where the copy landed

    page.context.clear_cookies()
    log_in(page, "med-lille")
    _check(page, "/console/admin", found)  # refused: the page that says so
    assert not found, "\n".join(f"{path}:\n  " + "\n  ".join(p) for path, p in found.items())


def test_an_axe_violation_is_named_by_rule_impact_and_element(chromium):
    """The failure message a developer reads: which rule, how serious, which element (a page of
    its own: no server needed, so it runs once, not per engine)."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_content('<html lang="fr"><head><title>t</title></head><body><main><h1>t</h1>'
                         '<input id="sans-nom"></main></body></html>')
        problems = axe_problems(page)
    finally:
        context.close()
    assert any(p.startswith("axe label (critical):") and "#sans-nom" in p for p in problems), \
        problems
