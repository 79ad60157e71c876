"""Console accounts edited by an admin in Debian's Chromium against a running `kiosk-server run`
(SQLite, and PostgreSQL with -m postgres): the mediator moved to another site sees only the new
one; a disabled account cannot log in, a re-enabled one can; a reset password is shown once and
works; a manager cannot reach these pages by URL.

Screenshots go to test-artifacts/test_users_browser/.
"""
from __future__ import annotations

from typing import Any

import pytest

from console.conftest import log_in
from console.seed import PASSWORD
from kiosk_server import tenancy

pytestmark = [pytest.mark.browser]


def _engine(server) -> str:
    return "postgres" if server.database_url.startswith("postgresql") else "sqlite"


def _shot(page: Any, artifacts, server, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{_engine(server)}-{name}.png"), full_page=True)


def _new_user(server, name: str, site: str = "FS Lille") -> int:
    with server.engine.begin() as conn:
        return tenancy.create_user(conn, name, PASSWORD, "mediator", site=server.seed.sites[site])


def _confirm(page: Any) -> None:
    with page.expect_navigation():
        page.locator("dialog#confirm").get_by_role("button", name="Confirmer").click()


def test_admin_moves_a_mediator_who_then_sees_the_new_site_only(
        browser_page, tablet, console_server, artifacts_dir):
    seed = console_server.seed
    lille, rennes = seed.sites["FS Lille"], seed.sites["FS Rennes"]
    uid = _new_user(console_server, "med-demenage")
    log_in(tablet, "med-demenage")
    assert tablet.url.endswith(f"/console/live/{lille}")
    # The tablet leaves its live page while the admin acts: the page's stream tells it when
    # its access changes and it reloads itself, which would race the navigations below.
    tablet.goto("about:blank")

    admin = browser_page
    log_in(admin, "admin")
    admin.goto("/console/admin")
    admin.get_by_role("row", name="med-demenage").get_by_role("link", name="Modifier").click()
    assert admin.url.endswith(f"/console/admin/users/{uid}")
    admin.get_by_label("Lieux").select_option(
        label="\u00a0\u00a0Remplacer par le site : FS Rennes")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Enregistrer").click()
    assert admin.locator(".flash").inner_text() == "Enregistré."
    assert admin.locator("#places li span").all_inner_texts() == ["FS Rennes (Bretagne)"]
    _shot(admin, artifacts_dir, console_server, "admin-user")

    # The mediator's tablet: the old site is refused, the live index leads to the new one only.
    assert tablet.goto(f"/console/live/{lille}").status == 403
    tablet.goto("/console/live")
    assert tablet.url.endswith(f"/console/live/{rennes}")
    assert tablet.get_by_role("heading", name="FS Rennes").is_visible()
    assert tablet.goto(f"/console/live/{seed.sites['FS Roubaix']}").status == 403


def test_a_disabled_user_cannot_log_in_and_a_re_enabled_one_can(
        browser_page, tablet, console_server, artifacts_dir):
    uid = _new_user(console_server, "med-absent")
    admin = browser_page
    log_in(admin, "admin")
    admin.goto(f"/console/admin/users/{uid}")
    admin.get_by_role("button", name="Désactiver le compte").click()
    assert "Désactiver le compte med-absent" in admin.locator("dialog#confirm").inner_text()
    _confirm(admin)
    assert "Compte désactivé" in admin.locator(".flash").inner_text()
    assert "désactivé" in admin.get_by_role("heading", level=1).inner_text()

    tablet.goto("/console/login")
    tablet.get_by_label("Identifiant").fill("med-absent")
    tablet.get_by_label("Mot de passe").fill(PASSWORD)
    with tablet.expect_navigation():
        tablet.get_by_role("button", name="Se connecter").click()
    assert "/console/login" in tablet.url
    assert "Identifiant ou mot de passe incorrect" in tablet.locator("main").inner_text()
    _shot(tablet, artifacts_dir, console_server, "login-disabled")

    admin.get_by_role("button", name="Réactiver le compte").click()
    _confirm(admin)
    assert "actif" in admin.get_by_role("heading", level=1).inner_text()
    log_in(tablet, "med-absent")  # asserts it leaves the login page


def test_a_reset_password_is_shown_once_and_replaces_the_old_one(
        browser_page, tablet, console_server, artifacts_dir):
    uid = _new_user(console_server, "med-oublie")
    log_in(tablet, "med-oublie")
    # The tablet leaves its live page while the admin acts: the page's stream tells it when
    # its access changes and it reloads itself, which would race the navigations below.
    tablet.goto("about:blank")
    admin = browser_page
    log_in(admin, "admin")
    admin.goto(f"/console/admin/users/{uid}")
    admin.get_by_role("button", name="Réinitialiser le mot de passe").click()
    _confirm(admin)
    password = admin.locator("#password").inner_text()
    assert len(password) == 19
    _shot(admin, artifacts_dir, console_server, "admin-password")
    admin.go_back()
    assert password not in admin.content()

    # The tablet's session, opened with the old password, is over.
    tablet.goto("/console/live")
    assert "/console/login" in tablet.url
    log_in(tablet, "med-oublie", password)


def test_a_manager_cannot_reach_account_pages_by_url(browser_page, console_server):
    seed = console_server.seed
    page = browser_page
    log_in(page, "resp-nord")
    target = seed.users["med-lille"]
    assert page.goto("/console/admin").status == 403
    assert page.goto(f"/console/admin/users/{target}").status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()
    token = page.locator("body").get_attribute("data-csrf")
    for path, form in [("", {"role": "admin", "place": ""}), ("/disable", {}),
                       ("/enable", {}), ("/password", {})]:
        answer = page.request.post(f"/console/admin/users/{target}{path}",
                                   form={"csrf": token, **form})
        assert answer.status == 403, path
    with console_server.engine.connect() as conn:
        row = next(u for u in tenancy.list_users(conn) if u["id"] == target)
    assert row["role"] == "mediator" and row["disabled_at"] is None
