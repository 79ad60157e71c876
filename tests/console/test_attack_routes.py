"""The attack suite, kept as the server grows: every route of the app is listed from the app
itself and must be classified here (a new route fails until it is). For each: anonymous,
wrong-role and other-place access refused; every console POST without the session's CSRF token
refused; security headers on every console page. In process, on SQLite and PostgreSQL."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from console.conftest import InProcess

PUBLIC, KIOSK, SIGNED_IN, MEDIATOR, STATS, ADMIN = ("public", "kiosk token", "signed in",
                                                     "a site's live view", "dashboards", "admin")
# A manager's monthly reports: a list of what their places hold (no place asked for), and each
# report's PDF, refused for a site out of their places (test_monthly_reports.py).
REPORTS = "monthly reports"
# A listing of the signed-in manager's own places (no place asked for): mediators refused.
MANAGERS = "managers and admins"
# A site's catalogue (kiosk_server/console/routes_procedures.py): its managers and admins.
SITE_MANAGERS = "a site's managers"
PIN_MANAGERS = "managers of the place"  # the version pinned for a site or a territory
# Readable only from server.metrics_allow_ips (the test client's address is not among them).
MONITORING = "monitoring addresses"
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/api/v1/health"): PUBLIC,
    ("POST", "/api/v1/enrol"): PUBLIC,  # the one-time enrolment token is the credential
    ("POST", "/api/v1/events"): KIOSK,
    ("POST", "/api/v1/heartbeat"): KIOSK,
    ("POST", "/api/v1/help-requests"): KIOSK,
    ("GET", "/api/v1/help-requests/{request_id}"): KIOSK,
    ("POST", "/api/v1/help-requests/{request_id}/cancel"): KIOSK,
    ("GET", "/api/v1/catalogue"): KIOSK,
    ("GET", "/metrics"): MONITORING,
    ("GET", "/"): PUBLIC,
    ("GET", "/console"): PUBLIC,
    ("GET", "/console/"): PUBLIC,
    ("GET", "/console/login"): PUBLIC,
    ("POST", "/console/login"): PUBLIC,
    ("POST", "/console/logout"): SIGNED_IN,
    ("GET", "/console/live"): SIGNED_IN,
    ("GET", "/console/live/events"): SIGNED_IN,
    ("GET", "/console/live/{site_id}"): MEDIATOR,
    ("GET", "/console/live/{site_id}/events"): MEDIATOR,
    ("POST", "/console/live/{site_id}/help/{request_id}/ack"): MEDIATOR,
    ("POST", "/console/live/{site_id}/help/{request_id}/close"): MEDIATOR,
    ("POST", "/console/live/{site_id}/kiosks/{kiosk_id}/command"): MEDIATOR,
    ("GET", "/console/stats"): STATS,
    ("GET", "/console/stats/{name}"): STATS,
    ("GET", "/console/export.csv"): STATS,
    ("GET", "/console/export.xlsx"): STATS,
    ("GET", "/console/export-coop.csv"): STATS,
    ("GET", "/console/export-coop.xlsx"): STATS,
    ("GET", "/console/summary"): STATS,
    ("GET", "/console/summary.pdf"): STATS,
    ("GET", "/console/rapports"): REPORTS,
    ("GET", "/console/rapports/{report_id}.pdf"): REPORTS,
    ("GET", "/console/sites/browser"): MANAGERS,
    ("GET", "/console/sites/{site_id}/browser"): SITE_MANAGERS,
    ("POST", "/console/sites/{site_id}/browser"): SITE_MANAGERS,
    ("GET", "/console/admin"): ADMIN,
    ("POST", "/console/admin/territories"): ADMIN,
    ("POST", "/console/admin/sites"): ADMIN,
    ("GET", "/console/admin/sites/{site_id}"): ADMIN,
    ("POST", "/console/admin/sites/{site_id}/identifiers"): ADMIN,
    ("POST", "/console/admin/kiosks"): ADMIN,
    ("GET", "/console/admin/kiosks/{kiosk_id}"): ADMIN,
    ("POST", "/console/admin/kiosks/{kiosk_id}/settings"): ADMIN,
    ("POST", "/console/admin/kiosks/{kiosk_id}/rotate"): ADMIN,
    ("POST", "/console/admin/kiosks/{kiosk_id}/revoke"): ADMIN,
    ("POST", "/console/admin/kiosks/{kiosk_id}/enrolment"): ADMIN,
    ("GET", "/console/versions"): MANAGERS,
    ("POST", "/console/versions/{place}/{place_id}"): PIN_MANAGERS,
    ("POST", "/console/admin/users"): ADMIN,
    ("GET", "/console/admin/users/{user_id}"): ADMIN,
    ("POST", "/console/admin/users/{user_id}"): ADMIN,
    ("POST", "/console/admin/users/{user_id}/disable"): ADMIN,
    ("POST", "/console/admin/users/{user_id}/enable"): ADMIN,
    ("POST", "/console/admin/users/{user_id}/password"): ADMIN,
    ("POST", "/console/admin/users/{user_id}/places/add"): ADMIN,
    ("POST", "/console/admin/users/{user_id}/places/remove"): ADMIN,
    ("GET", "/console/procedures"): SIGNED_IN,
    ("POST", "/console/procedures/import"): SIGNED_IN,
    ("POST", "/console/procedures/check"): SIGNED_IN,
    ("POST", "/console/procedures/copy"): SIGNED_IN,
    ("GET", "/console/procedures/{procedure_id}"): SIGNED_IN,
    ("GET", "/console/procedures/{procedure_id}/{version}.yaml"): SIGNED_IN,
    ("POST", "/console/procedures/{procedure_id}/{version}/{action}"): SIGNED_IN,
    ("POST", "/console/procedures/{procedure_id}/unpublish"): SIGNED_IN,
    ("POST", "/console/procedures/from-template"): SIGNED_IN,
    ("GET", "/console/procedures/{procedure_id}/edit"): SIGNED_IN,
    ("POST", "/console/procedures/{procedure_id}/edit"): SIGNED_IN,
    ("GET", "/console/procedures/{procedure_id}/{version}/preview/{number}"): SIGNED_IN,
    ("GET", "/console/parcours"): SIGNED_IN,
    ("GET", "/console/parcours/new"): SIGNED_IN,
    ("POST", "/console/parcours/save"): SIGNED_IN,
    ("GET", "/console/parcours/{parcours_id}"): SIGNED_IN,
    ("GET", "/console/parcours/{parcours_id}/{version}.yaml"): SIGNED_IN,
    ("POST", "/console/parcours/{parcours_id}/{version}/{action}"): SIGNED_IN,
    ("POST", "/console/parcours/{parcours_id}/unpublish"): SIGNED_IN,
    ("GET", "/console/procedures/sites/{site_id}"): SITE_MANAGERS,
    ("POST", "/console/procedures/sites/{site_id}"): SITE_MANAGERS,
}


def app_routes(app: Any) -> Iterator[tuple[str, str]]:
    def walk(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            if hasattr(route, "original_router"):  # an included router
                yield from walk(route.original_router.routes)
            else:
                yield route
    for route in walk(app.router.routes):
        for method in sorted(getattr(route, "methods", None) or []):
            if method != "HEAD":
                yield method, route.path


def url_for(path: str, console_app: InProcess, site: str = "FS Lille") -> str:
    seed = console_app.seed
    values = {"site_id": seed.sites[site], "kiosk_id": seed.kiosks[(site, "borne-1")][0],
              "user_id": seed.users["resp-lille"], "request_id": uuid.uuid4(),
              "name": "synthese", "procedure_id": "mairie-lille-rdv", "version": 1,
              "parcours_id": "parcours-lille",
              "action": "approve", "report_id": 1, "number": 1, "place": "site",
              "place_id": seed.sites[site]}
    return path.format(**values)


def call(client: TestClient, method: str, url: str, csrf: str | None = None) -> Any:
    if method == "GET":
        return client.get(url, follow_redirects=False)
    data = {"csrf": csrf} if csrf else {}
    return client.post(url, data=data, follow_redirects=False)


def refused(answer: Any) -> bool:
    if answer.status_code in (401, 403, 404):
        return True
    return answer.status_code in (302, 303, 307) and "/console/login" in answer.headers.get(
        "location", "")


def test_every_route_of_the_app_is_classified(console_app: InProcess):
    found = set(app_routes(console_app.client.app))
    assert found - set(ROUTES) == set(), "classify the new routes in ROUTES"
    assert set(ROUTES) - found == set(), "ROUTES lists routes that no longer exist"


def test_anonymous_access_is_refused_everywhere_but_the_public_routes(console_app: InProcess):
    anonymous = TestClient(console_app.client.app, base_url="http://testserver")
    for (method, path), rule in ROUTES.items():
        if rule == PUBLIC:
            continue
        answer = call(anonymous, method, url_for(path, console_app))
        assert refused(answer), (method, path, answer.status_code)


def test_a_wrong_role_is_refused(console_app: InProcess):
    csrf = console_app.login("med-lille")  # a mediator: no dashboards, no administration
    for (method, path), rule in ROUTES.items():
        if rule in (ADMIN, STATS, REPORTS, MANAGERS):
            answer = call(console_app.client, method, url_for(path, console_app), csrf)
            assert answer.status_code == 403, (method, path, answer.status_code)
    console_app.client.cookies.clear()
    csrf = console_app.login("resp-nord")  # a manager: no administration
    for (method, path), rule in ROUTES.items():
        if rule == ADMIN:
            answer = call(console_app.client, method, url_for(path, console_app), csrf)
            assert answer.status_code == 403, (method, path, answer.status_code)


def test_another_place_is_refused(console_app: InProcess):
    csrf = console_app.login("med-lille")
    for (method, path), rule in ROUTES.items():
        if rule == MEDIATOR:
            answer = call(console_app.client, method, url_for(path, console_app, "FS Rennes"),
                          csrf)
            assert answer.status_code == 403, (method, path, answer.status_code)
        if rule == SITE_MANAGERS:  # a mediator chooses no catalogue, even of their own site
            for site in ("FS Lille", "FS Rennes"):
                answer = call(console_app.client, method, url_for(path, console_app, site),
                              csrf)
                assert answer.status_code == 403, (method, path, site, answer.status_code)
    console_app.client.cookies.clear()
    csrf = console_app.login("resp-lille")  # a site's manager asks for another site's figures
    for (method, path), rule in ROUTES.items():
        if rule == SITE_MANAGERS:
            answer = call(console_app.client, method, url_for(path, console_app, "FS Rennes"),
                          csrf)
            assert answer.status_code == 403, (method, path, answer.status_code)
    rennes = console_app.seed.sites["FS Rennes"]
    for (method, path), rule in ROUTES.items():
        if rule == STATS and method == "GET":
            answer = call(console_app.client, method,
                          url_for(path, console_app) + f"?lieu=s:{rennes}")
            assert answer.status_code == 403, (method, path, answer.status_code)


def test_only_the_managers_of_a_place_set_its_kiosks_version(console_app: InProcess):
    csrf = console_app.login("med-lille")  # a mediator manages nothing
    for (method, path), rule in ROUTES.items():
        if rule == PIN_MANAGERS:
            answer = call(console_app.client, method, url_for(path, console_app), csrf)
            assert answer.status_code == 403, (method, path, answer.status_code)
    console_app.client.cookies.clear()
    csrf = console_app.login("resp-lille")  # a site's manager, asking for another site
    for (method, path), rule in ROUTES.items():
        if rule == PIN_MANAGERS and method == "POST":
            answer = call(console_app.client, method, url_for(path, console_app, "FS Rennes"),
                          csrf)
            assert answer.status_code == 403, (method, path, answer.status_code)


def test_every_console_post_without_the_csrf_token_is_refused(console_app: InProcess):
    console_app.login("admin")
    for (method, path), _rule in ROUTES.items():
        if method == "POST" and path.startswith("/console/") and path != "/console/login":
            answer = call(console_app.client, method, url_for(path, console_app))
            assert answer.status_code == 403, (path, answer.status_code)
            forged = call(console_app.client, method, url_for(path, console_app), "forged")
            assert forged.status_code == 403, (path, forged.status_code)


@pytest.mark.parametrize("who", ["admin", "med-lille"])
def test_security_headers_on_every_console_page(console_app: InProcess, who: str):
    console_app.login(who)
    for method, path in ROUTES:
        if method != "GET" or not path.startswith("/console") or path.endswith("events"):
            continue
        answer = console_app.client.get(url_for(path, console_app), follow_redirects=False)
        headers = answer.headers
        csp = headers.get("content-security-policy", "")
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, path
        script = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
        assert "unsafe-inline" not in script and "unsafe-eval" not in csp, path
        assert headers.get("x-content-type-options") == "nosniff", path
        assert headers.get("referrer-policy") in ("same-origin", "no-referrer"), path
        if answer.status_code == 200 and "text/html" in headers.get("content-type", ""):
            assert "<script>" not in answer.text and " onclick=" not in answer.text, path


def test_monitoring_routes_are_refused_even_to_a_signed_in_admin(console_app: InProcess):
    console_app.login("admin")  # a console role gives no access to the monitoring figures
    for (method, path), rule in ROUTES.items():
        if rule == MONITORING:
            answer = call(console_app.client, method, url_for(path, console_app))
            assert answer.status_code == 404, (method, path, answer.status_code)
