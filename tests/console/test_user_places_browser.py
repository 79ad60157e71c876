"""Users with several places in Debian's Chromium against a running `kiosk-server run` (SQLite, and
PostgreSQL with -m postgres): a mediator of two sites sees both on one live page, a call from the
second site appears without reloading and "J'arrive" reaches that kiosk; another site is refused
by URL; an admin takes a site away and the mediator's open page follows; a manager of a territory
and of a site outside it sees the dashboards of both and not of another site.

Screenshots go to test-artifacts/test_user_places_browser/.
"""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from console.conftest import log_in
from console.seed import PASSWORD
from kiosk_server import tenancy

pytestmark = [pytest.mark.browser]

LIVE_WITHIN_MS = 2000
RECHECK_WITHIN_MS = 15_000  # an open live view re-reads the user's places every 10 s


def _engine(server: Any) -> str:
    return "postgres" if server.database_url.startswith("postgresql") else "sqlite"


def _shot(page: Any, artifacts: Any, server: Any, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{_engine(server)}-{name}.png"), full_page=True)


def _new_user(server: Any, name: str, role: str, sites: tuple[str, ...] = (),
              territories: tuple[str, ...] = ()) -> int:
    with server.engine.begin() as conn:
        return tenancy.create_user(conn, name, PASSWORD, role,
                                   sites=[server.seed.sites[s] for s in sites],
                                   territories=[server.seed.territories[t] for t in territories])


def _kiosk_call(page: Any, server: Any, site: str) -> str:
    """What the kiosk's HelpDesk sends: its own token, the kiosk API."""
    rid = str(uuid.uuid4())
    token = server.seed.kiosks[(site, "borne-1")][1]
    sent = page.request.post("/api/v1/help-requests", data={"request_id": rid},
                             headers={"Authorization": f"Bearer {token}"})
    assert sent.status == 201, sent.text()
    return rid


def _kiosk_sees(page: Any, server: Any, site: str, rid: str) -> str:
    token = server.seed.kiosks[(site, "borne-1")][1]
    answer = page.request.get(f"/api/v1/help-requests/{rid}",
                              headers={"Authorization": f"Bearer {token}"})
    return str(answer.json()["status"])


def test_a_mediator_of_two_sites_answers_the_second_one_and_loses_it_when_taken_away(
        browser_page, tablet, console_server, artifacts_dir):
    seed = console_server.seed
    lille, rennes, roubaix = (seed.sites[s] for s in ("FS Lille", "FS Rennes", "FS Roubaix"))
    uid = _new_user(console_server, "med-lille-rennes", "mediator",
                    sites=("FS Lille", "FS Rennes"))
    log_in(tablet, "med-lille-rennes")
    assert tablet.url.endswith("/console/live")
    assert tablet.get_by_role("heading", name="En direct : vos sites").is_visible()
    tablet.wait_for_selector('#live-status[data-state="live"]')
    for site_id in (lille, rennes):
        assert tablet.locator(f'section.live-site[data-site="{site_id}"]').is_visible()
    assert tablet.locator(f'section.live-site[data-site="{roubaix}"]').count() == 0
    rennes_kiosk = seed.kiosks[("FS Rennes", "borne-1")][0]
    assert tablet.locator(f'section.live-site[data-site="{rennes}"] '
                          f'li.kiosk[data-kiosk="{rennes_kiosk}"]').count() == 1

    rid = _kiosk_call(tablet, console_server, "FS Rennes")
    call = tablet.locator(f'section.live-site[data-site="{rennes}"] '
                          f'article.help.calling[data-request="{rid}"]')
    call.wait_for(timeout=LIVE_WITHIN_MS)  # pushed by the stream, no reload
    assert "borne-1 demande de l’aide" in call.inner_text()
    _shot(tablet, artifacts_dir, console_server, "live-two-sites-call")
    call.get_by_role("button", name="J'arrive").click()
    tablet.locator(f'article.help.acked[data-request="{rid}"]').wait_for(
        timeout=LIVE_WITHIN_MS)
    assert _kiosk_sees(tablet, console_server, "FS Rennes", rid) == "acknowledged"

    # Site C by URL: refused, page and stream.
    assert tablet.goto(f"/console/live/{roubaix}").status == 403
    assert tablet.get_by_role("heading", name="Accès refusé").is_visible()
    assert tablet.request.get(f"/console/live/{roubaix}/events").status == 403

    # The admin takes Rennes away while the tablet shows both sites.
    tablet.goto("/console/live")
    tablet.wait_for_selector('#live-status[data-state="live"]')
    admin = browser_page
    log_in(admin, "admin")
    admin.goto(f"/console/admin/users/{uid}")
    _shot(admin, artifacts_dir, console_server, "admin-user-places")
    admin.get_by_role("button", name="Retirer FS Rennes (Bretagne)").click()
    assert "Retirer FS Rennes (Bretagne) à med-lille-rennes" in admin.locator(
        "dialog#confirm").inner_text()
    with admin.expect_navigation():
        admin.locator("dialog#confirm").get_by_role("button", name="Confirmer").click()
    assert "Lieu retiré" in admin.locator(".flash").inner_text()
    assert admin.locator("#places li").all_inner_texts() == ["FS Lille (Nord)"]
    # The open page reloads by itself (its stream re-reads the places) into the one site left.
    tablet.wait_for_url(f"**/console/live/{lille}", timeout=RECHECK_WITHIN_MS)
    assert tablet.get_by_role("heading", name="FS Lille", exact=True).is_visible()
    assert tablet.goto(f"/console/live/{rennes}").status == 403


def test_admin_gives_a_second_site_in_the_browser(browser_page, tablet, console_server,
                                                  artifacts_dir):
    seed = console_server.seed
    roubaix = seed.sites["FS Roubaix"]
    uid = _new_user(console_server, "med-renfort", "mediator", sites=("FS Lille",))
    admin = browser_page
    log_in(admin, "admin")
    admin.goto(f"/console/admin/users/{uid}")
    admin.get_by_label("Ajouter un lieu").select_option(label="FS Roubaix (Nord)")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Ajouter ce lieu").click()
    assert "Lieu ajouté" in admin.locator(".flash").inner_text()
    assert admin.locator("#places li span").all_inner_texts() == ["FS Lille (Nord)",
                                                                  "FS Roubaix (Nord)"]
    admin.goto("/console/admin")
    row = admin.get_by_role("row", name="med-renfort")
    assert "FS Lille (Nord) · FS Roubaix (Nord)" in row.inner_text()
    log_in(tablet, "med-renfort")
    assert tablet.url.endswith("/console/live")
    assert tablet.locator(f'section.live-site[data-site="{roubaix}"]').is_visible()


def test_a_manager_of_a_territory_and_an_outside_site_sees_both_dashboards_only(
        browser_page, console_server, artifacts_dir):
    seed = console_server.seed
    lille, roubaix = seed.sites["FS Lille"], seed.sites["FS Roubaix"]
    _new_user(console_server, "resp-bretagne-lille", "manager", sites=("FS Lille",),
              territories=("Bretagne",))
    page = browser_page
    log_in(page, "resp-bretagne-lille")
    assert "/console/stats/synthese" in page.url
    assert "Territoire : Bretagne" in page.locator("main").inner_text()
    options = page.locator("#lieu option").all_inner_texts()
    assert any("Territoire : Bretagne" in o for o in options)
    assert any(o.strip() == "FS Lille" for o in options)
    assert not any("Roubaix" in o or "Territoire : Nord" in o for o in options)
    page.locator("#lieu").select_option(value=f"s:{lille}")
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    assert "FS Lille (Nord)" in page.locator("main").inner_text()
    assert page.locator("svg").count() > 0  # the site's charts render
    _shot(page, artifacts_dir, console_server, "manager-outside-site")
    assert page.goto(f"/console/stats/synthese?site={roubaix}").status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    assert page.request.get(f"/console/export.xlsx?site={roubaix}").status == 403
    assert page.request.get(
        f"/console/export.xlsx?territoire={seed.territories['Nord']}").status == 403
    assert page.request.get(f"/console/export.xlsx?site={lille}").status == 200
